//! Turning progenitor's `TokenStream`, and xtask's own templates, into the text of a
//! generated file: one printer (prettyplease) for all of it.

use proc_macro2::{Span, TokenStream};
use syn::{Attribute, Expr, ExprLit, ImplItem, Item, Lit, LitStr, Meta, TraitItem};

use crate::Error;

/// progenitor's tokens as a syntax tree, for `prettyplease::unparse`.
///
/// prettyplease turns its `#[doc = "..."]` attributes into `///` comments.
pub fn parse(tokens: TokenStream) -> Result<syn::File, Error> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Format {
        message: format!("progenitor's output does not parse as Rust: {e}"),
    })?;
    split_doc_lines(&mut file.items);
    Ok(file)
}

/// Rewrites each multi-line `#[doc = "a\nb"]` of `items` (and of their fields, variants,
/// associated items and modules' items) into one `#[doc = " a"]` per line, which rustdoc
/// joins back into the same text.
///
/// prettyplease prints a multi-line doc attribute as a `/** .. */` block, whose indented
/// continuation lines rustdoc would read as an indented code block and fail to compile as a
/// doctest. One attribute per line prints as `///` lines instead. A space added in front of
/// every non-empty line (unless all have one) gives the usual `/// text` look; rustdoc strips
/// indentation common to all lines, so the rendered docs do not change.
///
/// A walk over the syntax tree rather than the tokens: iterating proc-macro2's tokens clones
/// each one, which cost more than parsing them.
fn split_doc_lines(items: &mut [Item]) {
    for item in items {
        match item {
            Item::Struct(s) => {
                split_attrs(&mut s.attrs);
                for field in s.fields.iter_mut() {
                    split_attrs(&mut field.attrs);
                }
            }
            Item::Enum(e) => {
                split_attrs(&mut e.attrs);
                for variant in e.variants.iter_mut() {
                    split_attrs(&mut variant.attrs);
                    for field in variant.fields.iter_mut() {
                        split_attrs(&mut field.attrs);
                    }
                }
            }
            Item::Impl(i) => {
                split_attrs(&mut i.attrs);
                for member in &mut i.items {
                    match member {
                        ImplItem::Fn(f) => split_attrs(&mut f.attrs),
                        ImplItem::Const(c) => split_attrs(&mut c.attrs),
                        ImplItem::Type(t) => split_attrs(&mut t.attrs),
                        _ => {}
                    }
                }
            }
            Item::Trait(t) => {
                split_attrs(&mut t.attrs);
                for member in &mut t.items {
                    match member {
                        TraitItem::Fn(f) => split_attrs(&mut f.attrs),
                        TraitItem::Const(c) => split_attrs(&mut c.attrs),
                        TraitItem::Type(t) => split_attrs(&mut t.attrs),
                        _ => {}
                    }
                }
            }
            Item::Mod(m) => {
                split_attrs(&mut m.attrs);
                if let Some((_, items)) = &mut m.content {
                    split_doc_lines(items);
                }
            }
            Item::Fn(f) => split_attrs(&mut f.attrs),
            Item::Const(c) => split_attrs(&mut c.attrs),
            Item::Static(s) => split_attrs(&mut s.attrs),
            Item::Type(t) => split_attrs(&mut t.attrs),
            Item::Use(u) => split_attrs(&mut u.attrs),
            Item::Macro(m) => split_attrs(&mut m.attrs),
            Item::Union(u) => split_attrs(&mut u.attrs),
            _ => {}
        }
    }
}

/// [`split_doc_lines`] on one list of attributes.
fn split_attrs(attrs: &mut Vec<Attribute>) {
    let mut split: Option<Vec<Attribute>> = None;
    for (index, attr) in attrs.iter().enumerate() {
        let lines = match outer_doc(attr) {
            Some(text) => doc_lines(&text),
            None => None,
        };
        match (lines, &mut split) {
            (None, None) => {}
            (None, Some(out)) => out.push(attr.clone()),
            (Some(lines), out) => {
                let out = out.get_or_insert_with(|| attrs[..index].to_vec());
                out.extend(lines.iter().map(|line| doc_attr(attr, line)));
            }
        }
    }
    if let Some(out) = split {
        *attrs = out;
    }
}

/// The text of an outer `#[doc = "..."]`.
fn outer_doc(attr: &Attribute) -> Option<String> {
    if !matches!(attr.style, syn::AttrStyle::Outer) {
        return None;
    }
    match &attr.meta {
        Meta::NameValue(meta) if meta.path.is_ident("doc") => match &meta.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) => Some(text.value()),
            _ => None,
        },
        _ => None,
    }
}

/// The lines a doc text is printed as, or `None` when it is one already: a single line that
/// starts with a space and has no trailing spaces.
fn doc_lines(text: &str) -> Option<Vec<String>> {
    if !text.contains('\n') && text.starts_with(' ') && text.trim_end() == text {
        return None;
    }
    // `///` comments in progenitor's own templates already start with a space; typify's
    // docs do not.
    let pad = if text
        .lines()
        .all(|l| l.trim().is_empty() || l.starts_with(' '))
    {
        ""
    } else {
        " "
    };
    Some(
        text.split('\n')
            .map(|line| match line.trim_end() {
                "" => String::new(),
                line => format!("{pad}{line}"),
            })
            .collect(),
    )
}

/// `attr` (a doc attribute) with `line` as its text.
fn doc_attr(attr: &Attribute, line: &str) -> Attribute {
    let mut attr = attr.clone();
    if let Meta::NameValue(meta) = &mut attr.meta {
        meta.value = doc_text(line);
    }
    attr
}

/// `#[doc = "<text>"]`, built directly rather than printed and parsed again by `parse_quote!`
/// (a crate has hundreds of doc lines).
pub fn doc_attribute(text: &str) -> Attribute {
    Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta: Meta::NameValue(syn::MetaNameValue {
            path: syn::Ident::new("doc", Span::call_site()).into(),
            eq_token: Default::default(),
            value: doc_text(text),
        }),
    }
}

fn doc_text(text: &str) -> Expr {
    Expr::Lit(ExprLit {
        attrs: Vec::new(),
        lit: Lit::Str(LitStr::new(text, Span::call_site())),
    })
}

/// Hand-written Rust text from xtask's own templates (crate docs, extras, rules, CLI glue),
/// parsed so that it is printed together with progenitor's code, by the same printer.
///
/// Their comments must be `///` and `//!` docs, which are attributes and survive printing; a
/// plain `//` comment would be lost, so one is refused.
pub fn parse_str(text: &str) -> Result<syn::File, Error> {
    if let Some((number, line)) = text
        .lines()
        .enumerate()
        .find(|(_, line)| is_plain_comment(line))
    {
        return Err(Error::Format {
            message: format!(
                "xtask's generated text has a plain comment, which printing would drop \
                 (line {}: {:?}); make it a doc comment or remove it",
                number + 1,
                line.trim()
            ),
        });
    }
    let mut file = syn::parse_file(text).map_err(|e| Error::Format {
        message: format!("xtask's generated text does not parse as Rust: {e}"),
    })?;
    split_doc_lines(&mut file.items);
    Ok(file)
}

/// A line that is a `//` comment but not a doc comment (`////` is a plain comment to rustc).
fn is_plain_comment(line: &str) -> bool {
    let line = line.trim_start();
    let doc = (line.starts_with("///") && !line.starts_with("////")) || line.starts_with("//!");
    line.starts_with("//") && !doc
}

/// `text` (xtask's own template, see [`parse_str`]) put in front of `file`'s attributes and
/// items.
pub fn prepend(file: &mut syn::File, text: &str) -> Result<(), Error> {
    let front = parse_str(text)?;
    file.attrs.splice(0..0, front.attrs);
    file.items.splice(0..0, front.items);
    Ok(())
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
pub fn render(header: &str, mut file: syn::File) -> String {
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
    let code = unparse(&file);
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
    text
}

/// `file` as prettyplease prints it, with a blank line after each item's closing brace (as
/// progenitor's own CLI does; prettyplease separates no items).
pub fn unparse(file: &syn::File) -> String {
    space_out_items(&prettyplease::unparse(file))
}

/// progenitor's `space_out_items` without its regular expression (compiled on every call):
/// a blank line after a line that is only `}`, when the next line is indented by at most 8
/// spaces and does not close a block itself. The test below checks both agree on the
/// generated files.
fn space_out_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.split_inclusive('\n').peekable();
    let mut first = true;
    while let Some(line) = lines.next() {
        out.push_str(line);
        // The expression wants a line break before the brace: never on the first line.
        let closes = !std::mem::take(&mut first) && line.ends_with('\n') && line.trim() == "}";
        if let (true, Some(next)) = (closes, lines.peek()) {
            let indent = next.len() - next.trim_start_matches(' ').len();
            let lead = next[indent..].chars().next();
            if indent <= 8 && lead.is_some_and(|c| c != '}' && c != '\n') {
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every generated file, with its blank lines after items taken out again, spaced by
    /// both.
    #[test]
    fn item_spacing_agrees_with_progenitors() {
        let root = crate::workspace_root().join(crate::GENERATED_DIR);
        let mut checked = 0;
        for entry in std::fs::read_dir(&root).unwrap() {
            let lib = entry.unwrap().path().join("src/lib.rs");
            let Ok(text) = std::fs::read_to_string(&lib) else {
                continue;
            };
            let unspaced = text.replace("}\n\n", "}\n");
            let theirs = progenitor_impl::space_out_items(unspaced.clone()).unwrap();
            assert_eq!(space_out_items(&unspaced), theirs, "{}", lib.display());
            checked += 1;
        }
        assert!(checked >= 3, "found {checked} generated crates");
    }

    #[test]
    fn templates_with_plain_comments_are_refused() {
        let Err(err) = parse_str("/// kept\nfn a() {}\n    // lost\nfn b() {}\n") else {
            panic!("a plain comment is refused");
        };
        let err = err.to_string();
        assert!(err.contains("line 3: \"// lost\""), "{err}");
        assert!(parse_str("//// also lost\nfn a() {}\n").is_err());
        let file = parse_str("//! crate\n/// item\nconst URL: &str = \"https://x\";\n").unwrap();
        assert_eq!((file.attrs.len(), file.items.len()), (1, 1));
    }

    #[test]
    fn item_spacing_cases() {
        for (text, spaced) in [
            ("a {\n}\nb\n", "a {\n}\n\nb\n"),
            ("    }\n}\n", "    }\n}\n"),
            ("x\n        }\n        x\n", "x\n        }\n\n        x\n"),
            ("x\n         }\n         x\n", "x\n         }\n         x\n"),
            ("}\nx\n", "}\nx\n"),
            ("}\n", "}\n"),
            ("x }\ny\n", "x }\ny\n"),
        ] {
            assert_eq!(space_out_items(text), spaced, "{text:?}");
            assert_eq!(
                progenitor_impl::space_out_items(text.to_owned()).unwrap(),
                spaced,
                "{text:?}"
            );
        }
    }
}
