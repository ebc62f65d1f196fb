//! progenitor's operation builders: every `send()` of the generated `builder` module, for the
//! passes that rewrite them (`api_version.rs`, `wire_body.rs`, `trace.rs`).

use syn::{ImplItem, ImplItemFn, Item};

/// Calls `rewrite` on each `send()` of the `builder` module; an error it returns is prefixed
/// with the builder it came from (`builder CreateInvoice::send: ...`).
pub fn each(
    file: &mut syn::File,
    mut rewrite: impl FnMut(&mut ImplItemFn) -> Result<(), String>,
) -> Result<(), String> {
    let Some((_, items)) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_mut(),
        _ => None,
    }) else {
        return Err("progenitor's output has no `builder` module".to_owned());
    };
    for item in items {
        let Item::Impl(imp) = item else { continue };
        let name = match &*imp.self_ty {
            syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
        .unwrap_or_default();
        for member in &mut imp.items {
            let ImplItem::Fn(method) = member else {
                continue;
            };
            if method.sig.ident == "send" {
                rewrite(method).map_err(|e| format!("builder {name}::send: {e}"))?;
            }
        }
    }
    Ok(())
}
