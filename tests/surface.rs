//! The public surface of each generated crate, one snapshot per crate, so that a reviewer
//! sees an API change at a glance: each operation (HTTP method and path from the spec) with
//! its `Client` method, builder setters and `send` signature, then every type with its
//! fields or variants and their wire names.
//!
//! Read from the generated source with `syn`, not from the spec, so it shows what users get.

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use quote::ToTokens;
use syn::{Attribute, Fields, ImplItem, Item, ItemMod, Type, Visibility};
use xtask::providers::PROVIDERS;
use xtask::spec::Spec;

/// Token text of a type, spaced as a person writes it, with the prelude's paths shortened.
fn text(tokens: &impl ToTokens) -> String {
    let raw = tokens.to_token_stream().to_string();
    let mut out = String::new();
    let tokens: Vec<&str> = raw.split(' ').collect();
    for (i, tok) in tokens.iter().enumerate() {
        let prev = if i == 0 { "" } else { tokens[i - 1] };
        let tight = matches!(*tok, "::" | "<" | ">" | "," | ")" | "(" | ">>")
            || matches!(prev, "::" | "<" | "(" | "&" | "'" | "")
            || (prev == "&" || tok.starts_with('\''));
        if !tight || prev == "," {
            out.push(' ');
        }
        out.push_str(tok);
    }
    let out = out.trim().replace("- >", "->");
    let mut out = out.replace("FnOnce (", "FnOnce(").replace(" ,)", ")");
    for (long, short) in [
        ("::std::option::Option", "Option"),
        ("::std::string::String", "String"),
        ("::std::vec::Vec", "Vec"),
        ("::std::collections::HashMap", "HashMap"),
        ("std::option::Option", "Option"),
        ("std::string::String", "String"),
        ("std::vec::Vec", "Vec"),
        ("std::collections::HashMap", "HashMap"),
        ("std::convert::TryInto", "TryInto"),
        ("std::ops::FnOnce", "FnOnce"),
        ("::serde_json::", "serde_json::"),
        ("::invoice_primitives::", "invoice_primitives::"),
        ("crate::types::", ""),
        (", >", ">"),
        ("::chrono::", "chrono::"),
    ] {
        out = out.replace(long, short);
    }
    out
}

/// `#[serde(rename = "...")]` of an item, if any.
fn wire_name(attrs: &[Attribute]) -> Option<String> {
    let mut name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                name = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _ = meta.parse_nested_meta(|m| {
                    if m.input.peek(syn::Token![=]) {
                        let _: syn::Expr = m.value()?.parse()?;
                    }
                    Ok(())
                });
            }
            Ok(())
        });
    }
    name
}

fn module<'a>(file: &'a syn::File, name: &str) -> &'a [Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            Item::Mod(ItemMod {
                ident,
                content: Some((_, items)),
                ..
            }) if ident == name => Some(items.as_slice()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("generated crate has a `{name}` module"))
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The `pub fn`s of a type's inherent impls, as (name, signature) pairs. A generic argument
/// is shown by its bound (`impl TryInto<types::X>`); constructors are left out.
fn pub_methods(items: &[Item], self_ty: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        let Type::Path(path) = imp.self_ty.as_ref() else {
            continue;
        };
        let is_self = path
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == self_ty);
        if imp.trait_.is_some() || !is_self {
            continue;
        }
        for item in &imp.items {
            let ImplItem::Fn(f) = item else { continue };
            if !is_pub(&f.vis) || f.sig.ident == "new" {
                continue;
            }
            let bounds: Vec<(String, String)> = f
                .sig
                .generics
                .where_clause
                .iter()
                .flat_map(|w| &w.predicates)
                .filter_map(|p| match p {
                    syn::WherePredicate::Type(t) => {
                        let first = t.bounds.first()?;
                        Some((text(&t.bounded_ty), text(first)))
                    }
                    _ => None,
                })
                .collect();
            let args: Vec<String> = f
                .sig
                .inputs
                .iter()
                .filter_map(|arg| match arg {
                    syn::FnArg::Typed(pat) => {
                        let ty = text(&pat.ty);
                        Some(match bounds.iter().find(|(name, _)| *name == ty) {
                            Some((_, bound)) => format!("impl {bound}"),
                            None => ty,
                        })
                    }
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            let ret = match &f.sig.output {
                syn::ReturnType::Type(_, ty) if text(ty) != "Self" => format!(" -> {}", text(ty)),
                _ => String::new(),
            };
            let wait = if f.sig.asyncness.is_some() {
                ".await"
            } else {
                ""
            };
            let sig = format!("{}({}){wait}{ret}", f.sig.ident, args.join(", "));
            out.push((f.sig.ident.to_string(), sig));
        }
    }
    out
}

fn surface(provider: &xtask::providers::Provider) -> String {
    let root = xtask::workspace_root();
    let spec = Spec::load(&root, provider.spec).expect("spec loads");
    let path = root
        .join("generated")
        .join(provider.name)
        .join("src/lib.rs");
    let source = std::fs::read_to_string(&path).expect("generated source exists");
    let file = syn::parse_file(&source).expect("generated source parses");
    let builder = module(&file, "builder");
    let types = module(&file, "types");
    let client_methods = pub_methods(&file.items, "Client");

    let mut out = String::new();
    writeln!(out, "crate {} (from {})", provider.name, provider.spec).unwrap();
    let mut covered = BTreeSet::new();
    writeln!(out, "\noperations:").unwrap();
    for (path, item) in spec.api.paths.iter() {
        let item = item.as_item().expect("inline path item");
        for (method, op) in item.iter() {
            let op_id = op.operation_id.as_deref().expect("operation id");
            let (_, sig) = client_methods
                .iter()
                .find(|(name, _)| name == op_id)
                .unwrap_or_else(|| panic!("Client has no method {op_id}"));
            covered.insert(op_id.to_owned());
            writeln!(out, "  {} {path}", method.to_uppercase()).unwrap();
            writeln!(out, "    Client::{sig}").unwrap();
            let builder_name = sig.rsplit("builder::").next().unwrap();
            let builder_name = builder_name.split('<').next().unwrap();
            for (_, setter) in pub_methods(builder, builder_name) {
                writeln!(out, "      .{setter}").unwrap();
            }
        }
    }
    let uncovered: Vec<_> = client_methods
        .iter()
        .filter(|(n, _)| !covered.contains(n) && n != "new")
        .collect();
    if !uncovered.is_empty() {
        writeln!(out, "\nother Client methods:").unwrap();
        for (_, sig) in uncovered {
            writeln!(out, "  Client::{sig}").unwrap();
        }
    }

    writeln!(out, "\ntypes:").unwrap();
    let open_enums = file
        .items
        .iter()
        .any(|i| matches!(i, Item::Mod(m) if m.ident == "enums"));
    let open_enums: Vec<syn::ItemEnum> = if open_enums {
        module(&file, "enums")
            .iter()
            .filter_map(|item| match item {
                Item::Macro(m) => Some(syn::parse2(m.mac.tokens.clone()).expect("open_enum! body")),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut items: Vec<&Item> = types.iter().collect();
    let enum_items: Vec<Item> = open_enums.into_iter().map(Item::Enum).collect();
    items.extend(enum_items.iter());
    items.sort_by_key(|item| match item {
        Item::Struct(s) => s.ident.to_string(),
        Item::Enum(e) => e.ident.to_string(),
        Item::Type(t) => t.ident.to_string(),
        _ => String::new(),
    });
    for item in items {
        match item {
            Item::Struct(s) if is_pub(&s.vis) => match &s.fields {
                Fields::Named(fields) => {
                    writeln!(out, "  struct {} {{", s.ident).unwrap();
                    for f in &fields.named {
                        let name = f.ident.as_ref().unwrap().to_string();
                        let wire = wire_name(&f.attrs)
                            .filter(|w| *w != name)
                            .map(|w| format!(" (wire \"{w}\")"))
                            .unwrap_or_default();
                        writeln!(out, "    {name}: {}{wire}", text(&f.ty)).unwrap();
                    }
                    writeln!(out, "  }}").unwrap();
                }
                Fields::Unnamed(fields) => {
                    let tys: Vec<_> = fields.unnamed.iter().map(|f| text(&f.ty)).collect();
                    writeln!(out, "  struct {}({})", s.ident, tys.join(", ")).unwrap();
                }
                Fields::Unit => writeln!(out, "  struct {}", s.ident).unwrap(),
            },
            Item::Enum(e) if is_pub(&e.vis) => {
                // An open enum (from `open_enum!`) gives its wire names as discriminants.
                let open = e.variants.iter().any(|v| v.discriminant.is_some());
                let kind = if open { "open enum" } else { "enum" };
                writeln!(out, "  {kind} {} {{", e.ident).unwrap();
                for v in &e.variants {
                    let wire = wire_name(&v.attrs)
                        .or_else(|| match &v.discriminant {
                            Some((_, syn::Expr::Lit(lit))) => match &lit.lit {
                                syn::Lit::Str(s) => Some(s.value()),
                                _ => None,
                            },
                            _ => None,
                        })
                        .map(|w| format!(" (wire \"{w}\")"))
                        .unwrap_or_default();
                    let fields = match &v.fields {
                        Fields::Unnamed(f) => {
                            let tys: Vec<_> = f.unnamed.iter().map(|f| text(&f.ty)).collect();
                            format!("({})", tys.join(", "))
                        }
                        Fields::Named(_) => "{ .. }".to_owned(),
                        Fields::Unit => String::new(),
                    };
                    writeln!(out, "    {}{fields}{wire}", v.ident).unwrap();
                }
                if open {
                    writeln!(out, "    Unknown(String)").unwrap();
                }
                writeln!(out, "  }}").unwrap();
            }
            Item::Type(t) if is_pub(&t.vis) => {
                writeln!(out, "  type {} = {}", t.ident, text(&t.ty)).unwrap();
            }
            _ => {}
        }
    }
    out
}

#[test]
fn public_surface_of_each_generated_crate() {
    for provider in PROVIDERS {
        insta::assert_snapshot!(provider.name, surface(provider));
    }
}

/// No surface snapshot is left over from a provider that no longer exists.
#[test]
fn no_unreferenced_surface_snapshots() {
    let expected: BTreeSet<String> = PROVIDERS
        .iter()
        .map(|p| format!("surface__{}.snap", p.name))
        .collect();
    support::assert_no_stale_snapshots("surface__", &expected);
}
