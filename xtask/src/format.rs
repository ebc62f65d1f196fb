//! Turning progenitor's `TokenStream`, and xtask's own templates, into the text of a
//! generated file: one printer (prettyplease) for all of it.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use crate::Error;

/// progenitor's tokens as a syntax tree, for `prettyplease::unparse`.
///
/// prettyplease turns its `#[doc = "..."]` attributes into `///` comments.
pub fn parse(tokens: TokenStream) -> Result<syn::File, Error> {
    syn::parse2(split_doc_lines(tokens)).map_err(|e| Error::Format {
        message: format!("progenitor's output does not parse as Rust: {e}"),
    })
}

/// Rewrites each multi-line `#[doc = "a\nb"]` into one `#[doc = " a"]` per
/// line, which rustdoc joins back into the same text.
///
/// prettyplease prints a multi-line doc attribute as a `/** .. */` block,
/// whose indented continuation lines rustdoc would read as an indented code
/// block and fail to compile as a doctest. One attribute
/// per line prints as `///` lines instead. A space added in front of every
/// non-empty line (unless all have one) gives the usual `/// text` look;
/// rustdoc strips indentation common to all lines, so the rendered docs do
/// not change.
fn split_doc_lines(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Punct(hash) if hash.as_char() == '#' => {
                let doc = match iter.peek() {
                    Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
                        doc_text(g.stream())
                    }
                    _ => None,
                };
                match doc {
                    Some(text) => {
                        iter.next();
                        // `///` comments in progenitor's own templates
                        // already start with a space; typify's docs do not.
                        let pad = if text
                            .lines()
                            .all(|l| l.trim().is_empty() || l.starts_with(' '))
                        {
                            ""
                        } else {
                            " "
                        };
                        for line in text.split('\n') {
                            let line = match line.trim_end() {
                                "" => String::new(),
                                line => format!("{pad}{line}"),
                            };
                            let attr: TokenStream = quote_doc(&line);
                            out.push(TokenTree::Punct(hash.clone()));
                            out.extend(attr);
                        }
                    }
                    None => out.push(TokenTree::Punct(hash)),
                }
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), split_doc_lines(g.stream()));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// The text of `doc = "..."` (the inside of an outer doc attribute).
fn doc_text(attr: TokenStream) -> Option<String> {
    let meta: syn::MetaNameValue = syn::parse2(attr).ok()?;
    if !meta.path.is_ident("doc") {
        return None;
    }
    match meta.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// `[doc = "<line>"]`, the bracketed part of a doc attribute.
fn quote_doc(line: &str) -> TokenStream {
    let inner: TokenStream = [
        TokenTree::Ident(Ident::new("doc", Span::call_site())),
        TokenTree::Punct(Punct::new('=', Spacing::Alone)),
        TokenTree::Literal(Literal::string(line)),
    ]
    .into_iter()
    .collect();
    TokenTree::Group(Group::new(Delimiter::Bracket, inner)).into()
}

/// Hand-written Rust text from xtask's own templates (crate docs, extras, rules, CLI glue),
/// parsed so that it is printed together with progenitor's code, by the same printer.
///
/// The templates carry no plain `//` comments (they would be lost here); their comments are
/// `///` and `//!` docs, which are attributes and survive.
pub fn parse_str(text: &str) -> Result<syn::File, Error> {
    let tokens: TokenStream = text.parse().map_err(|e| Error::Format {
        message: format!("xtask's generated text does not lex as Rust: {e}"),
    })?;
    syn::parse2(split_doc_lines(tokens)).map_err(|e| Error::Format {
        message: format!("xtask's generated text does not parse as Rust: {e}"),
    })
}

/// A finished `.rs` file: `header` (plain `//` comment lines), then `file` as prettyplease
/// prints it, marked for rustfmt to leave alone.
///
/// Generated files are not run through rustfmt. rustfmt is a subprocess whose start-up and
/// formatting cost several times the whole of generation (about 0.4 s for the 12 files), and
/// its output changes with the toolchain's version, so a regen on a newer toolchain would show
/// drift with no change to the spec. prettyplease is a library pinned by `Cargo.lock`: the
/// same specs give the same bytes on every machine. `#![cfg_attr(rustfmt, rustfmt::skip)]`
/// (rustc never sets `cfg(rustfmt)`, so it compiles to nothing) keeps `cargo fmt` from
/// reformatting what prettyplease printed.
pub fn render(header: &str, mut file: syn::File) -> Result<String, Error> {
    // After the crate docs, so that they still open the file.
    let docs = file
        .attrs
        .iter()
        .take_while(|attr| attr.path().is_ident("doc"))
        .count();
    file.attrs.insert(
        docs,
        syn::parse_quote!(#![cfg_attr(rustfmt, rustfmt::skip)]),
    );
    let code = unparse(&file)?;
    // A blank line between the inner attributes (docs included) and the first item.
    let attrs_end = code
        .split_inclusive('\n')
        .take_while(|line| line.starts_with("//!") || line.starts_with("#!["))
        .map(str::len)
        .sum();
    let (attrs, items) = code.split_at(attrs_end);
    let mut text = header.to_owned();
    text.push('\n');
    text.push_str(attrs);
    if !attrs.is_empty() && !items.starts_with('\n') {
        text.push('\n');
    }
    text.push_str(items);
    Ok(text)
}

/// `file` as prettyplease prints it, with a blank line after each item's closing brace (as
/// progenitor's own CLI does; prettyplease separates no items).
pub fn unparse(file: &syn::File) -> Result<String, Error> {
    progenitor_impl::space_out_items(prettyplease::unparse(file)).map_err(|e| Error::Format {
        message: e.to_string(),
    })
}
