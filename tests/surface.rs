//! The public surface of each crate, one snapshot per crate, so that a reviewer sees an API
//! change at a glance.
//!
//! A generated crate: each operation (HTTP method and path from the spec) with its `Client`
//! method, builder setters and `send` signature, every type with its fields or variants and
//! their wire names, then everything else public at its root (credentials, constants,
//! re-exports, impls outside `types`). A hand-written crate (`crates/invoice-primitives`,
//! `crates/cryptocloud-ext`, `crates/invoice-webhooks`, `crates/invoice-checkout`): every public
//! item, module by module (functions with their signatures, structs and enums with their public
//! fields and variants, traits, constants, re-exports, impls), leaving out `#[doc(hidden)]`
//! items and `#[cfg(test)]` modules.
//!
//! Read from the source with `syn`, not from the spec, so it shows what users get.
//!
//! A change to a surface is announced in CHANGELOG.md: the file ends with the SHA-256 of these
//! snapshots as they were when the changelog was last brought up to date, and
//! [`every_public_surface_change_has_a_changelog_line`] fails when a snapshot changes and the
//! digest does not, saying what to do.

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use quote::ToTokens;
use sha2::{Digest, Sha256};
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
        let tight = matches!(
            *tok,
            "::" | "<" | ">" | "," | ")" | "(" | ">>" | ":" | ";" | "?" | "]"
        ) || matches!(prev, "::" | "<" | "(" | "&" | "'" | "" | "[")
            || (prev.len() > 1 && (prev.ends_with("(&") || prev.ends_with("[&")))
            // A call or `Fn(...)`: `from_secs(60)`, `Fn(&str)`.
            || (tok.starts_with('(') && prev.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '!'))
            // A macro call: `concat!(...)`.
            || (*tok == "!" && prev.ends_with(|c: char| c.is_alphanumeric() || c == '_'));
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
        ("::std::result::Result", "Result"),
        ("std::option::Option", "Option"),
        ("std::string::String", "String"),
        ("std::vec::Vec", "Vec"),
        ("std::collections::HashMap", "HashMap"),
        ("std::convert::TryInto", "TryInto"),
        ("std::ops::FnOnce", "FnOnce"),
        ("::serde_json::", "serde_json::"),
        ("::invoice_primitives::", "invoice_primitives::"),
        ("crate::types::", ""),
        ("crate::Credentials", "Credentials"),
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

/// The enum an `enums` macro declares: `open_enum!` writes it out (with wire names as
/// discriminants); `text_or_integer!` gives only its name, and its variants are always the same.
fn macro_enum(m: &syn::ItemMacro) -> syn::ItemEnum {
    let name = m
        .mac
        .path
        .segments
        .last()
        .expect("a macro name")
        .ident
        .to_string();
    match name.as_str() {
        "open_enum" => syn::parse2(m.mac.tokens.clone()).expect("open_enum! body"),
        "text_or_integer" => {
            let mut tokens = m.mac.tokens.clone().into_iter().collect::<Vec<_>>();
            // `… pub enum Name;` → `… pub enum Name { String(String), Int64(i64) }`
            tokens.pop().expect("the closing `;`");
            syn::parse2(quote::quote!(#(#tokens)* { String(String), Int64(i64) }))
                .expect("text_or_integer! body")
        }
        other => panic!("unknown enum macro {other}!"),
    }
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
            if !is_pub(&f.vis) || hidden(&f.attrs) {
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
            for (name, setter) in pub_methods(builder, builder_name) {
                if name != "new" {
                    writeln!(out, "      .{setter}").unwrap();
                }
            }
        }
    }
    let uncovered: Vec<_> = client_methods
        .iter()
        .filter(|(n, _)| !covered.contains(n))
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
                Item::Macro(m) => Some(macro_enum(m)),
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

    // Everything else public at the root: the operations, types and `Client` methods are
    // above.
    writeln!(out, "\nroot:").unwrap();
    let rest: Vec<Item> = file
        .items
        .iter()
        .filter(|item| match item {
            Item::Mod(m) => !["types", "builder", "enums"].contains(&m.ident.to_string().as_str()),
            Item::Impl(imp) => imp.trait_.is_some() || self_name(&imp.self_ty) != "Client",
            _ => true,
        })
        .cloned()
        .collect();
    let api = Api {
        dir: path.parent().expect("src").to_path_buf(),
        reexported: BTreeSet::new(),
    };
    api.module(&mut out, "crate", &rest, &api.dir, 1);
    out
}

// ---------------------------------------------------------------------------------------------
// The public items of a module, generated or hand-written.

/// `#[doc(hidden)]`.
fn hidden(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("doc") && a.to_token_stream().to_string().contains("hidden"))
}

/// `#[cfg(...)]` attributes, as written; `None` for `#[cfg(test)]`, which is never API.
fn cfgs(attrs: &[Attribute]) -> Option<String> {
    let mut out = String::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("cfg")) {
        let tokens = text(&attr.meta);
        if tokens == "cfg(test)" {
            return None;
        }
        out.push_str(&format!("#[{tokens}] "));
    }
    Some(out)
}

/// `#[derive(...)]` and `#[non_exhaustive]` of a type, as one prefix.
fn type_attrs(attrs: &[Attribute]) -> String {
    let mut derives = Vec::new();
    let mut out = String::new();
    for attr in attrs {
        if attr.path().is_ident("derive") {
            let _ = attr.parse_nested_meta(|meta| {
                derives.push(text(&meta.path));
                Ok(())
            });
        } else if attr.path().is_ident("non_exhaustive") {
            out.push_str("#[non_exhaustive] ");
        }
    }
    if !derives.is_empty() {
        out = format!("#[derive({})] {out}", derives.join(", "));
    }
    out
}

/// The last segment's name of a type (`Verified` for `crate::Verified<E>`).
fn self_name(ty: &Type) -> String {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        other => text(other),
    }
}

/// A function's signature: `async fn name<G>(&self, x: T) -> R where ...`.
fn signature(sig: &syn::Signature) -> String {
    let args: Vec<String> = sig
        .inputs
        .iter()
        .map(|arg| match arg {
            syn::FnArg::Receiver(r) => {
                let mutable = if r.mutability.is_some() { "mut " } else { "" };
                match &r.kind {
                    syn::ReceiverKind::Reference(_, lifetime, reference_mut) => {
                        let lifetime = lifetime
                            .as_ref()
                            .map(|l| format!("{l} "))
                            .unwrap_or_default();
                        let reference_mut = if reference_mut.is_some() { "mut " } else { "" };
                        format!("&{lifetime}{reference_mut}{mutable}self")
                    }
                    syn::ReceiverKind::Typed(_, ty) => format!("{mutable}self: {}", text(ty)),
                    _ => format!("{mutable}self"),
                }
            }
            syn::FnArg::Typed(pat) => format!("{}: {}", text(&pat.pat), text(&pat.ty)),
        })
        .collect();
    let mut out = format!(
        "{}{}{}fn {}{}({})",
        if sig.constness.is_some() {
            "const "
        } else {
            ""
        },
        if sig.asyncness.is_some() {
            "async "
        } else {
            ""
        },
        if matches!(sig.safety, syn::Safety::Unsafe(_)) {
            "unsafe "
        } else {
            ""
        },
        sig.ident,
        generics(&sig.generics),
        args.join(", ")
    );
    if let syn::ReturnType::Type(_, ty) = &sig.output {
        out.push_str(&format!(" -> {}", text(ty)));
    }
    if let Some(clause) = &sig.generics.where_clause {
        out.push_str(&format!(" {}", text(clause).trim_end_matches(',')));
    }
    out
}

/// ` = value` of a constant, unless it is code rather than a value (a closure, a block).
fn value(expr: &syn::Expr) -> String {
    let value = text(expr);
    if value.contains('|') || value.contains('{') {
        String::new()
    } else {
        format!(" = {value}")
    }
}

/// The paths a `use` tree brings in, one per name (`a::b::C`, `a::D as E`, `a::*`).
fn use_paths(tree: &syn::UseTree) -> Vec<String> {
    match tree {
        syn::UseTree::Path(p) => use_paths(&p.tree)
            .into_iter()
            .map(|rest| format!("{}::{rest}", p.ident))
            .collect(),
        syn::UseTree::Name(n) => vec![n.ident.to_string()],
        syn::UseTree::Rename(r) => vec![format!("{} as {}", r.ident, r.rename)],
        syn::UseTree::Glob(_) => vec!["*".to_owned()],
        syn::UseTree::Group(g) => g.items.iter().flat_map(use_paths).collect(),
    }
}

/// `<...>` of a generic item, or nothing.
fn generics(generics: &syn::Generics) -> String {
    if generics.params.is_empty() {
        String::new()
    } else {
        let params: Vec<String> = generics.params.iter().map(text).collect();
        format!("<{}>", params.join(", "))
    }
}

/// `items` with each item-position call of a local one-rule `macro_rules!` that takes one
/// identifier (`amount_common!(Amount);`) replaced by its expansion, so that the impls it
/// writes are listed with their type.
fn expand_local_macros(items: &[Item]) -> Vec<Item> {
    let mut rules: Vec<(String, String, String)> = Vec::new();
    for item in items {
        let Item::Macro(m) = item else { continue };
        let Some(name) = &m.ident else { continue };
        if !m.mac.path.is_ident("macro_rules") {
            continue;
        }
        let tokens = m.mac.tokens.to_string();
        let Some((matcher, body)) = tokens.split_once(") =>") else {
            continue;
        };
        let matcher: Vec<&str> = matcher.trim_start_matches('(').split_whitespace().collect();
        let ["$", var, ":", "ident"] = matcher.as_slice() else {
            continue;
        };
        let body = body.trim().trim_end_matches(';').trim();
        let Some(body) = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')) else {
            continue;
        };
        rules.push((name.to_string(), (*var).to_owned(), body.to_owned()));
    }
    let mut out = Vec::new();
    for item in items {
        if let Item::Macro(m) = item {
            let called = m.mac.path.get_ident().map(ToString::to_string);
            let arg = m.mac.tokens.to_string();
            let rule = rules
                .iter()
                .find(|(name, _, _)| Some(name) == called.as_ref());
            if let (None, Some((_, var, body))) = (&m.ident, rule) {
                let expanded = body.replace(&format!("$ {var}"), arg.trim());
                if let Ok(file) = syn::parse_file(&expanded) {
                    out.extend(file.items);
                    continue;
                }
            }
        }
        out.push(item.clone());
    }
    out
}

/// Lists the public items of the modules of one crate.
struct Api {
    /// The directory of `lib.rs`.
    dir: std::path::PathBuf,
    /// Names re-exported anywhere in the crate: the public items of a private module are API
    /// only under these names.
    reexported: BTreeSet<String>,
}

impl Api {
    /// The items of `mod name;` declared in a file of `dir` (`name.rs` or `name/mod.rs`),
    /// with the directory of its own submodules.
    fn load(dir: &std::path::Path, name: &str) -> (Vec<Item>, std::path::PathBuf) {
        let flat = dir.join(format!("{name}.rs"));
        let (path, sub) = if flat.exists() {
            (flat, dir.join(name))
        } else {
            (dir.join(name).join("mod.rs"), dir.join(name))
        };
        let source =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = syn::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        (file.items, sub)
    }

    /// Names in the `pub use` items of `items` and of its submodules, recursively.
    fn collect_reexports(&mut self, items: &[Item], dir: &std::path::Path) {
        fn leaves(tree: &syn::UseTree, out: &mut BTreeSet<String>) {
            match tree {
                syn::UseTree::Path(p) => leaves(&p.tree, out),
                syn::UseTree::Name(n) => {
                    out.insert(n.ident.to_string());
                }
                syn::UseTree::Rename(r) => {
                    out.insert(r.ident.to_string());
                }
                syn::UseTree::Glob(_) => {}
                syn::UseTree::Group(g) => g.items.iter().for_each(|t| leaves(t, out)),
            }
        }
        for item in items {
            match item {
                Item::Use(u) if is_pub(&u.vis) => leaves(&u.tree, &mut self.reexported),
                Item::Mod(m) if cfgs(&m.attrs).is_some() => match &m.content {
                    Some((_, inner)) => {
                        self.collect_reexports(inner, &dir.join(m.ident.to_string()))
                    }
                    None => {
                        let (inner, sub) = Self::load(dir, &m.ident.to_string());
                        self.collect_reexports(&inner, &sub);
                    }
                },
                _ => {}
            }
        }
    }

    /// Writes module `path`'s public items, then its submodules'.
    fn module(
        &self,
        out: &mut String,
        path: &str,
        items: &[Item],
        dir: &std::path::Path,
        depth: usize,
    ) {
        let items = &expand_local_macros(items);
        let pad = "  ".repeat(depth);
        let private = path.ends_with(" (private)");
        // Types defined here, public or not: impls on them are listed with them (or not at
        // all, for a type that is not public).
        let local: BTreeSet<String> = items
            .iter()
            .filter_map(|item| match item {
                Item::Struct(s) => Some(s.ident.to_string()),
                Item::Enum(e) => Some(e.ident.to_string()),
                Item::Union(u) => Some(u.ident.to_string()),
                Item::Type(t) => Some(t.ident.to_string()),
                _ => None,
            })
            .collect();
        let shown = |vis: &Visibility, attrs: &[Attribute], name: &str| {
            is_pub(vis)
                && !hidden(attrs)
                && cfgs(attrs).is_some()
                && (!private || self.reexported.contains(name))
        };
        let mut submodules = Vec::new();
        for item in items {
            match item {
                Item::Use(u) if is_pub(&u.vis) && !hidden(&u.attrs) && !private => {
                    let cfg = cfgs(&u.attrs).unwrap_or_default();
                    for path in use_paths(&u.tree) {
                        writeln!(out, "{pad}{cfg}pub use {path}").unwrap();
                    }
                }
                Item::Const(c) if shown(&c.vis, &c.attrs, &c.ident.to_string()) => {
                    writeln!(
                        out,
                        "{pad}const {}: {}{}",
                        c.ident,
                        text(&c.ty),
                        value(&c.expr)
                    )
                    .unwrap();
                }
                Item::Static(st) if shown(&st.vis, &st.attrs, &st.ident.to_string()) => {
                    writeln!(out, "{pad}static {}: {}", st.ident, text(&st.ty)).unwrap();
                }
                Item::Type(t) if shown(&t.vis, &t.attrs, &t.ident.to_string()) => {
                    writeln!(
                        out,
                        "{pad}type {}{} = {}",
                        t.ident,
                        generics(&t.generics),
                        text(&t.ty)
                    )
                    .unwrap();
                    self.impls(out, items, &t.ident.to_string(), depth + 1);
                }
                Item::Fn(f) if shown(&f.vis, &f.attrs, &f.sig.ident.to_string()) => {
                    let cfg = cfgs(&f.attrs).unwrap_or_default();
                    writeln!(out, "{pad}{cfg}{}", signature(&f.sig)).unwrap();
                }
                Item::Struct(st) if shown(&st.vis, &st.attrs, &st.ident.to_string()) => {
                    let head = format!(
                        "{pad}{}{}struct {}{}",
                        cfgs(&st.attrs).unwrap_or_default(),
                        type_attrs(&st.attrs),
                        st.ident,
                        generics(&st.generics)
                    );
                    fn public(
                        fields: &syn::punctuated::Punctuated<syn::Field, syn::Token![,]>,
                    ) -> (Vec<&syn::Field>, usize) {
                        let shown = fields
                            .iter()
                            .filter(|f| is_pub(&f.vis) && !hidden(&f.attrs))
                            .collect();
                        (shown, fields.len())
                    }
                    match &st.fields {
                        Fields::Named(named) => {
                            let (fields, all) = public(&named.named);
                            if fields.is_empty() {
                                writeln!(out, "{head} {{ .. }}").unwrap();
                            } else {
                                writeln!(out, "{head} {{").unwrap();
                                for f in &fields {
                                    let name = f.ident.as_ref().expect("named");
                                    writeln!(out, "{pad}  {name}: {}", text(&f.ty)).unwrap();
                                }
                                if fields.len() < all {
                                    writeln!(out, "{pad}  ..").unwrap();
                                }
                                writeln!(out, "{pad}}}").unwrap();
                            }
                        }
                        Fields::Unnamed(unnamed) => {
                            let tys: Vec<String> = unnamed
                                .unnamed
                                .iter()
                                .map(|f| {
                                    if is_pub(&f.vis) {
                                        text(&f.ty)
                                    } else {
                                        "_".to_owned()
                                    }
                                })
                                .collect();
                            writeln!(out, "{head}({})", tys.join(", ")).unwrap();
                        }
                        Fields::Unit => writeln!(out, "{head}").unwrap(),
                    }
                    self.impls(out, items, &st.ident.to_string(), depth + 1);
                }
                Item::Enum(e) if shown(&e.vis, &e.attrs, &e.ident.to_string()) => {
                    writeln!(
                        out,
                        "{pad}{}{}enum {}{} {{",
                        cfgs(&e.attrs).unwrap_or_default(),
                        type_attrs(&e.attrs),
                        e.ident,
                        generics(&e.generics)
                    )
                    .unwrap();
                    for v in e.variants.iter().filter(|v| !hidden(&v.attrs)) {
                        let fields = match &v.fields {
                            Fields::Unnamed(f) => {
                                let tys: Vec<_> = f.unnamed.iter().map(|f| text(&f.ty)).collect();
                                format!("({})", tys.join(", "))
                            }
                            Fields::Named(f) => {
                                let named: Vec<_> = f
                                    .named
                                    .iter()
                                    .map(|f| {
                                        format!(
                                            "{}: {}",
                                            f.ident.as_ref().expect("named"),
                                            text(&f.ty)
                                        )
                                    })
                                    .collect();
                                format!(" {{ {} }}", named.join(", "))
                            }
                            Fields::Unit => String::new(),
                        };
                        writeln!(out, "{pad}  {}{fields}", v.ident).unwrap();
                    }
                    writeln!(out, "{pad}}}").unwrap();
                    self.impls(out, items, &e.ident.to_string(), depth + 1);
                }
                Item::Trait(t) if shown(&t.vis, &t.attrs, &t.ident.to_string()) => {
                    let supertraits = if t.supertraits.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", text(&t.supertraits))
                    };
                    let clause = t
                        .generics
                        .where_clause
                        .as_ref()
                        .map(|w| format!(" {}", text(w).trim_end_matches(',')))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "{pad}trait {}{}{supertraits}{clause} {{",
                        t.ident,
                        generics(&t.generics)
                    )
                    .unwrap();
                    for item in &t.items {
                        match item {
                            syn::TraitItem::Fn(f) if !hidden(&f.attrs) => {
                                let default = if f.default.is_some() { " { .. }" } else { "" };
                                writeln!(out, "{pad}  {}{default}", signature(&f.sig)).unwrap();
                            }
                            syn::TraitItem::Type(ty) if !hidden(&ty.attrs) => {
                                let bounds = if ty.bounds.is_empty() {
                                    String::new()
                                } else {
                                    format!(": {}", text(&ty.bounds))
                                };
                                writeln!(out, "{pad}  type {}{bounds}", ty.ident).unwrap();
                            }
                            syn::TraitItem::Const(c) if !hidden(&c.attrs) => {
                                writeln!(out, "{pad}  const {}: {}", c.ident, text(&c.ty)).unwrap();
                            }
                            _ => {}
                        }
                    }
                    writeln!(out, "{pad}}}").unwrap();
                }
                Item::Macro(m) if m.ident.is_some() && !hidden(&m.attrs) => {
                    let exported = m.attrs.iter().any(|a| a.path().is_ident("macro_export"));
                    if exported {
                        writeln!(out, "{pad}macro {}!", m.ident.as_ref().expect("named")).unwrap();
                    }
                }
                Item::Mod(m) if !hidden(&m.attrs) => {
                    if let Some(cfg) = cfgs(&m.attrs) {
                        submodules.push((m, cfg));
                    }
                }
                _ => {}
            }
        }
        // Impls on types not defined in this module (a generated type's rules, say).
        let mut foreign: Vec<String> = items
            .iter()
            .filter_map(|item| match item {
                Item::Impl(imp) if !local.contains(&self_name(&imp.self_ty)) => {
                    Some(self_name(&imp.self_ty))
                }
                _ => None,
            })
            .collect();
        foreign.dedup();
        for name in foreign {
            writeln!(out, "{pad}impls on {name}:").unwrap();
            self.impls(out, items, &name, depth + 1);
        }
        for (m, cfg) in submodules {
            let name = m.ident.to_string();
            let public = is_pub(&m.vis);
            let (inner, sub) = match &m.content {
                Some((_, inner)) => (inner.clone(), dir.join(&name)),
                None => Self::load(dir, &name),
            };
            let label = if public {
                format!("{path}::{name}")
            } else {
                format!("{path}::{name} (private)")
            };
            let mut body = String::new();
            self.module(&mut body, &label, &inner, &sub, depth + 1);
            if public || !body.is_empty() {
                writeln!(out, "{pad}{cfg}mod {label}").unwrap();
                out.push_str(&body);
            }
        }
    }

    /// The impls on type `name` among `items`: the public functions, constants and types of
    /// inherent impls, and one line per trait impl.
    fn impls(&self, out: &mut String, items: &[Item], name: &str, depth: usize) {
        let pad = "  ".repeat(depth);
        for item in items {
            let Item::Impl(imp) = item else { continue };
            if self_name(&imp.self_ty) != name || hidden(&imp.attrs) {
                continue;
            }
            let Some(cfg) = cfgs(&imp.attrs) else {
                continue;
            };
            let clause = imp
                .generics
                .where_clause
                .as_ref()
                .map(|w| format!(" {}", text(w).trim_end_matches(',')))
                .unwrap_or_default();
            match &imp.trait_ {
                Some((trait_, _)) => {
                    writeln!(
                        out,
                        "{pad}{cfg}impl{} {} for {}{clause}",
                        generics(&imp.generics),
                        text(trait_),
                        text(&imp.self_ty)
                    )
                    .unwrap();
                }
                None => {
                    for item in &imp.items {
                        match item {
                            ImplItem::Fn(f) if is_pub(&f.vis) && !hidden(&f.attrs) => {
                                let cfg = cfgs(&f.attrs).unwrap_or_default();
                                writeln!(out, "{pad}{cfg}{}", signature(&f.sig)).unwrap();
                            }
                            ImplItem::Const(c) if is_pub(&c.vis) && !hidden(&c.attrs) => {
                                writeln!(
                                    out,
                                    "{pad}const {}: {}{}",
                                    c.ident,
                                    text(&c.ty),
                                    value(&c.expr)
                                )
                                .unwrap();
                            }
                            ImplItem::Type(t) if is_pub(&t.vis) && !hidden(&t.attrs) => {
                                writeln!(out, "{pad}type {} = {}", t.ident, text(&t.ty)).unwrap();
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

/// The public items of a hand-written crate, module by module.
fn crate_surface(dir: &str) -> String {
    let root = xtask::workspace_root().join(dir);
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let name = manifest
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .expect("a package name")
        .trim_matches('"')
        .to_owned();
    let src = root.join("src");
    let source = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let file = syn::parse_file(&source).expect("lib.rs parses");
    let mut api = Api {
        dir: src.clone(),
        reexported: BTreeSet::new(),
    };
    api.collect_reexports(&file.items, &src);
    let mut out = format!("crate {name} (from {dir})\n\n");
    api.module(&mut out, "crate", &file.items, &src, 0);
    out
}

/// The hand-written crates whose surface is pinned, with their snapshot names.
const HAND_WRITTEN: [(&str, &str); 4] = [
    ("crates/invoice-primitives", "invoice_primitives"),
    ("crates/cryptocloud-ext", "cryptocloud_ext"),
    ("crates/invoice-webhooks", "invoice_webhooks"),
    ("crates/invoice-checkout", "invoice_checkout"),
];

#[test]
fn public_surface_of_each_hand_written_crate() {
    for (dir, name) in HAND_WRITTEN {
        insta::assert_snapshot!(name, crate_surface(dir));
    }
}

#[test]
fn public_surface_of_each_generated_crate() {
    for provider in PROVIDERS {
        insta::assert_snapshot!(provider.name, surface(provider));
    }
}

/// No surface snapshot is left over from a provider or crate that no longer exists.
#[test]
fn no_unreferenced_surface_snapshots() {
    let expected: BTreeSet<String> = PROVIDERS
        .iter()
        .map(|p| p.name)
        .chain(HAND_WRITTEN.iter().map(|(_, name)| *name))
        .map(|name| format!("surface__{name}.snap"))
        .collect();
    support::assert_no_stale_snapshots("surface__", &expected);
}

// ---------------------------------------------------------------------------------------------

/// The line that records the digest, at the end of CHANGELOG.md.
const MARK: &str = "<!-- public surface digest: ";

/// The SHA-256 of every public-surface snapshot: each file's name and contents, in name order.
fn surface_digest(root: &Path) -> String {
    let dir = root.join("tests/snapshots");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("tests/snapshots")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("surface__") && name.ends_with(".snap"))
        .collect();
    names.sort();
    assert!(
        !names.is_empty(),
        "no surface snapshots in {}",
        dir.display()
    );
    let mut hasher = Sha256::new();
    for name in names {
        // Line endings as checked out must not matter.
        let text = fs::read_to_string(dir.join(&name)).expect("a snapshot");
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.replace("\r\n", "\n").as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

#[test]
fn every_public_surface_change_has_a_changelog_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let changelog = fs::read_to_string(root.join("CHANGELOG.md")).expect("CHANGELOG.md");
    assert!(
        changelog.contains("## [Unreleased]"),
        "CHANGELOG.md has an [Unreleased] section"
    );
    let recorded = changelog
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(MARK)?.strip_suffix(" -->"))
        .unwrap_or("(none)");
    let digest = surface_digest(&root);
    assert_eq!(
        recorded, digest,
        "a public surface changed (tests/snapshots/surface__*.snap): describe the change under \
         `## [Unreleased]` in CHANGELOG.md, then end the file with the line\n{MARK}{digest} -->"
    );
}
