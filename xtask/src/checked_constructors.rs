//! Clients that refuse a bad base URL when they are built: a pass over progenitor's
//! `impl Client`.
//!
//! progenitor's `Client::new(baseurl, inner)` and `Client::new_with_client(baseurl, client,
//! inner)` accept any text; a base URL that is not a URL then fails every request, later, as a
//! reqwest "builder error". This pass makes both return `Result<Self, BaseUrlError>`, checking
//! the URL with the runtime's `base_url::check` first (`new` returns what `new_with_client`
//! returns), so that a typo stops the application at start-up with the reason:
//!
//! ```text
//! pub fn new_with_client(baseurl: &str, client: reqwest::Client, inner: I) -> Self { Self { .. } }
//!   →
//! pub fn new_with_client(..) -> Result<Self, BaseUrlError> { check(baseurl)?; Ok(Self { .. }) }
//! ```
//!
//! and fails if progenitor's constructors change shape.

use syn::{Expr, ImplItem, Item, ReturnType, Stmt};

use crate::format;

/// Rewrites `Client::new` and `Client::new_with_client` in `file`.
pub fn rewrite(file: &mut syn::File, runtime: &str) -> Result<(), String> {
    let runtime: syn::Path = syn::parse_str(runtime).map_err(|e| e.to_string())?;
    let client = file.items.iter_mut().find_map(|item| match item {
        Item::Impl(imp)
            if imp.trait_.is_none()
                && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client")) =>
        {
            Some(imp)
        }
        _ => None,
    });
    let Some(client) = client else {
        return Err("progenitor's output has no `impl Client`".to_owned());
    };
    let mut rewritten = 0;
    for member in &mut client.items {
        let ImplItem::Fn(method) = member else {
            continue;
        };
        let name = method.sig.ident.to_string();
        if name != "new" && name != "new_with_client" {
            continue;
        }
        if !matches!(&method.sig.output, ReturnType::Type(_, ty)
            if quote::quote!(#ty).to_string() == "Self")
        {
            return Err(format!(
                "progenitor's `Client::{name}` no longer returns `Self`"
            ));
        }
        method.sig.output =
            syn::parse_quote!(-> ::std::result::Result<Self, #runtime::BaseUrlError>);
        if name == "new_with_client" {
            let Some(Stmt::Expr(last, None)) = method.block.stmts.pop() else {
                return Err("progenitor's `Client::new_with_client` changed shape".to_owned());
            };
            let check: Stmt = syn::parse_quote!(#runtime::base_url::check(baseurl)?;);
            let ok: Expr = syn::parse_quote!(::std::result::Result::Ok(#last));
            method.block.stmts.insert(0, check);
            method.block.stmts.push(Stmt::Expr(ok, None));
        }
        method.attrs.push(format::doc_attribute(""));
        method.attrs.push(format::doc_attribute(
            " A base URL that is not an absolute `http(s)` URL is refused here, with the reason.",
        ));
        rewritten += 1;
    }
    if rewritten != 2 {
        return Err(
            "progenitor's `Client::new` or `Client::new_with_client` is missing".to_owned(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = "impl Client {
        pub fn new(baseurl: &str, inner: I) -> Self {
            let client = reqwest::ClientBuilder::new();
            Self::new_with_client(baseurl, client.build().unwrap(), inner)
        }
        pub fn new_with_client(baseurl: &str, client: reqwest::Client, inner: I) -> Self {
            Self { baseurl: baseurl.to_string(), client, inner }
        }
    }";

    #[test]
    fn both_constructors_check_the_base_url() {
        let mut file: syn::File = syn::parse_str(CLIENT).unwrap();
        rewrite(&mut file, "::invoice_primitives").unwrap();
        let text = quote::quote!(#file).to_string();
        assert_eq!(
            text.matches(
                "-> :: std :: result :: Result < Self , :: invoice_primitives :: BaseUrlError >"
            )
            .count(),
            2,
            "{text}"
        );
        assert!(
            text.contains(":: invoice_primitives :: base_url :: check (baseurl) ? ; :: std :: result :: Result :: Ok (Self {"),
            "{text}"
        );
    }

    #[test]
    fn another_shape_is_an_error() {
        let mut file: syn::File =
            syn::parse_str("impl Client { pub fn new(baseurl: &str) -> Client { todo!() } }")
                .unwrap();
        let err = rewrite(&mut file, "::invoice_primitives").unwrap_err();
        assert!(err.contains("no longer returns `Self`"), "{err}");
    }
}
