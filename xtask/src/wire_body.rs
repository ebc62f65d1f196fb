//! Request bodies in the provider's JSON: a pass over progenitor's operation builders.
//!
//! progenitor sends a JSON body with reqwest's `.json(&body)`, which writes it with plain
//! `serde_json::to_vec`. There an `Amount` is a string of its exact text, the form that every
//! serde path keeps (see the runtime's `amount` module); the providers document JSON numbers.
//! This pass writes the body with the runtime's `wire::to_vec` instead, which writes each amount
//! as a JSON number with the same digits:
//!
//! ```text
//! client.client.post(url) … .json(&body) …  →
//! client.client.post(url) … .header(CONTENT_TYPE, "application/json")
//!     .body(<runtime>::wire::to_vec(&body).map_err(|e| Error::InvalidRequest(..))?) …
//! ```
//!
//! and fails naming the builder if a `send()` passes `.json` anything but `&body`.

use syn::{Expr, Stmt};

/// Rewrites `.json(&body)` in every `send()` of the `builder` module.
pub fn rewrite(file: &mut syn::File, runtime: &str) -> Result<(), String> {
    let runtime: syn::Path = syn::parse_str(runtime).map_err(|e| e.to_string())?;
    crate::send_methods::each(file, |method| {
        for stmt in &mut method.block.stmts {
            let Stmt::Local(local) = stmt else { continue };
            if let Some(init) = local.init.as_mut() {
                rewrite_chain(&mut init.expr, &runtime)?;
            }
        }
        Ok(())
    })
}

/// Replaces `.json(&body)` in a builder chain such as `a.b().json(&body).c()?`.
fn rewrite_chain(expr: &mut Expr, runtime: &syn::Path) -> Result<(), String> {
    match expr {
        Expr::Try(e) => rewrite_chain(&mut e.expr, runtime),
        Expr::MethodCall(call) if call.method == "json" => {
            let is_body = call.args.len() == 1
                && matches!(&call.args[0], Expr::Reference(r)
                    if matches!(&*r.expr, Expr::Path(p) if p.path.is_ident("body")));
            if !is_body {
                return Err("progenitor's `.json(..)` changed shape".to_owned());
            }
            let receiver = &call.receiver;
            *expr = syn::parse_quote! {
                #receiver
                    .header(
                        ::reqwest::header::CONTENT_TYPE,
                        ::reqwest::header::HeaderValue::from_static("application/json"),
                    )
                    .body(
                        #runtime::wire::to_vec(&body)
                            .map_err(|e| Error::InvalidRequest(e.to_string()))?,
                    )
            };
            Ok(())
        }
        Expr::MethodCall(call) => rewrite_chain(&mut call.receiver, runtime),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(body: &str) -> syn::File {
        syn::parse_str(&format!(
            "mod builder {{ impl<'a> CreateThing<'a> {{ pub async fn send(self) {{ {body} }} }} }}"
        ))
        .unwrap()
    }

    fn printed(file: &syn::File) -> String {
        quote::quote!(#file).to_string()
    }

    #[test]
    fn the_body_goes_through_the_wire_writer() {
        let mut file = send(
            "let mut request = client.client.post(url).header(ACCEPT, json).json(&body).query(&q).build()?;",
        );
        rewrite(&mut file, "::invoice_primitives").unwrap();
        let text = printed(&file);
        assert!(!text.contains(". json ("), "{text}");
        assert!(
            text.contains(":: invoice_primitives :: wire :: to_vec (& body)"),
            "{text}"
        );
        assert!(text.contains("CONTENT_TYPE"), "{text}");
        assert!(text.contains(". query (& q) . build () ?"), "{text}");
    }

    #[test]
    fn another_argument_is_an_error_naming_the_builder() {
        let mut file = send("let r = client.client.post(url).json(&other).build()?;");
        let err = rewrite(&mut file, "::invoice_primitives").unwrap_err();
        assert!(err.starts_with("builder CreateThing::send:"), "{err}");
    }
}
