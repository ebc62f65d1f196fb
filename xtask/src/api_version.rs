//! No `api-version` header: a pass over progenitor's operation builders.
//!
//! progenitor sends the spec's `info.version` in an `api-version` header on every request. No
//! provider documents that header, so the generated clients must not send it. Building it (a
//! header map, a header name, an append, a merge into the request's headers) and removing it
//! again before sending cost about 1 000 instructions per request, 1% of a whole request
//! against a local server; this pass leaves it out of the generated code instead.
//!
//! It matches progenitor 0.15's shape in each `send()`:
//!
//! ```text
//! let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
//! header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(..));
//! let mut request = client.client.post(url) … .headers(header_map).build()?;
//! ```
//!
//! and fails naming the builder if a `send()` appends `api-version` in another shape.

use syn::{Expr, Stmt};

/// Removes the `api-version` header from every `send()` in the `builder` module.
pub fn remove(file: &mut syn::File) -> Result<(), String> {
    crate::send_methods::each(file, |method| remove_from_send(&mut method.block.stmts))
}

fn remove_from_send(stmts: &mut Vec<Stmt>) -> Result<(), String> {
    let text = |stmt: &Stmt| quote::quote!(#stmt).to_string();
    let Some(append) = stmts
        .iter()
        .position(|stmt| text(stmt).contains("\"api-version\""))
    else {
        return Ok(());
    };
    if !text(&stmts[append]).starts_with("header_map . append (") {
        return Err("progenitor's `api-version` header changed shape".to_owned());
    }
    stmts.remove(append);
    // The map goes too when nothing else is put in it.
    let other_headers = stmts
        .iter()
        .any(|stmt| text(stmt).starts_with("header_map . append ("));
    if other_headers {
        return Ok(());
    }
    let declared = stmts
        .iter()
        .position(|stmt| text(stmt).starts_with("let mut header_map ="))
        .ok_or("no `header_map` declared")?;
    stmts.remove(declared);
    let merged = stmts.iter_mut().any(|stmt| match stmt {
        Stmt::Local(local) => local
            .init
            .as_mut()
            .is_some_and(|init| strip_headers_call(&mut init.expr)),
        _ => false,
    });
    if merged {
        Ok(())
    } else {
        Err("no `.headers(header_map)` in the request's builder chain".to_owned())
    }
}

/// Takes `.headers(header_map)` out of a builder chain such as `a.b().headers(header_map).c()?`.
fn strip_headers_call(expr: &mut Expr) -> bool {
    match expr {
        Expr::Try(e) => strip_headers_call(&mut e.expr),
        Expr::MethodCall(call) => {
            let is_headers = call.method == "headers"
                && call.args.len() == 1
                && matches!(&call.args[0], Expr::Path(p) if p.path.is_ident("header_map"));
            if is_headers {
                *expr = (*call.receiver).clone();
                true
            } else {
                strip_headers_call(&mut call.receiver)
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(body: &str) -> syn::File {
        syn::parse_str(&format!(
            "mod builder {{ impl<'a> GetThing<'a> {{ pub async fn send(self) {{ {body} }} }} }}"
        ))
        .unwrap()
    }

    fn printed(file: &syn::File) -> String {
        quote::quote!(#file).to_string()
    }

    #[test]
    fn the_header_and_its_map_go() {
        let mut file = send(
            "let url = format!(\"{}/x\", client.baseurl);
             let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
             header_map.append(
                 ::reqwest::header::HeaderName::from_static(\"api-version\"),
                 ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
             );
             let mut request = client.client.get(url).header(ACCEPT, json).headers(header_map).build()?;
             client.exec(request).await",
        );
        remove(&mut file).unwrap();
        let text = printed(&file);
        assert!(!text.contains("header_map"), "{text}");
        assert!(!text.contains("api-version"), "{text}");
        assert!(
            text.contains("let mut request = client . client . get (url) . header (ACCEPT , json) . build () ?"),
            "{text}"
        );
    }

    #[test]
    fn other_headers_keep_the_map() {
        let mut file = send(
            "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
             header_map.append(HeaderName::from_static(\"api-version\"), v);
             header_map.append(HeaderName::from_static(\"x-key\"), k);
             let mut request = client.client.get(url).headers(header_map).build()?;",
        );
        remove(&mut file).unwrap();
        let text = printed(&file);
        assert!(!text.contains("api-version"), "{text}");
        assert!(
            text.contains("x-key") && text.contains(". headers (header_map)"),
            "{text}"
        );
    }

    #[test]
    fn another_shape_is_an_error_naming_the_builder() {
        let mut file = send(
            "let h = (\"api-version\", v); let mut request = client.client.get(url).build()?;",
        );
        let err = remove(&mut file).unwrap_err();
        assert!(err.starts_with("builder GetThing::send:"), "{err}");
    }
}
