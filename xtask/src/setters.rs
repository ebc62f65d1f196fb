//! The setters users call, made plain and documented: a pass over progenitor's output.
//!
//! progenitor and typify write builders whose optional setters take `TryInto<Option<T>>`
//! (`.order_id("x")` does not compile), whose setters carry no docs, and whose path-parameter
//! setters drop the reason a value was refused. This pass rewrites each setter so that:
//!
//! - every setter takes a plain value (`TryInto<T>`, whose error names the reason);
//! - every setter carries its field's or parameter's description;
//! - every refusal names the field as the wire does and says why (`` `uuid`: must not be
//!   empty ``, `` `shop_id` is required ``).
//!
//! Each rewrite matches progenitor 0.15's exact shape (pinned in the workspace) and fails with
//! a message naming the item if that shape ever changes.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use openapiv3::{OpenAPI, ReferenceOr};
use quote::{format_ident, quote};
use syn::{parse_quote, Attribute, ImplItem, Item, ItemImpl, ItemMod, Type};

use crate::format;

/// A field of a generated struct: its name on the wire, docs, and whether it is optional.
#[derive(Clone)]
pub struct Field {
    pub ident: syn::Ident,
    pub wire: String,
    pub docs: Vec<Attribute>,
    pub optional: bool,
    /// The Rust type, as tokens printed (`:: invoice_primitives :: BoundedInt < 0 , 20 >`).
    pub ty: String,
}

/// The fields of every struct in `types`, by struct name.
pub type Structs = BTreeMap<String, Vec<Field>>;

/// Rewrites the setters of `file` (progenitor's output) in place.
pub fn rewrite(file: &mut syn::File, api: &OpenAPI) -> Result<Structs, String> {
    let types = module_mut(&mut file.items, "types")?;
    let structs = struct_fields(types);
    let type_builders = module_mut(types, "builder")?;
    for item in type_builders.iter_mut() {
        match item {
            Item::Impl(imp) if imp.trait_.is_none() => type_setters(imp, &structs)?,
            Item::Impl(imp) if is_trait(imp, "Default") => required_messages(imp, &structs)?,
            _ => {}
        }
    }
    let parameters = parameter_docs(api);
    let op_builders = module_mut(&mut file.items, "builder")?;
    for item in op_builders.iter_mut() {
        if let Item::Impl(imp) = item {
            if imp.trait_.is_none() {
                operation_setters(imp, &parameters)?;
            }
        }
    }
    Ok(structs)
}

fn module_mut<'a>(items: &'a mut [Item], name: &str) -> Result<&'a mut Vec<Item>, String> {
    items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(ItemMod {
                ident,
                content: Some((_, items)),
                ..
            }) if ident == name => Some(items),
            _ => None,
        })
        .ok_or_else(|| format!("progenitor's output has no `{name}` module"))
}

fn is_trait(imp: &ItemImpl, name: &str) -> bool {
    imp.trait_
        .as_ref()
        .and_then(|t| t.0.segments.last())
        .is_some_and(|segment| segment.ident == name)
}

fn self_name(imp: &ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn struct_fields(types: &[Item]) -> Structs {
    let mut structs = Structs::new();
    for item in types {
        let Item::Struct(item) = item else { continue };
        let syn::Fields::Named(named) = &item.fields else {
            continue;
        };
        let fields = named
            .named
            .iter()
            .filter_map(|field| {
                let ident = field.ident.clone()?;
                let wire = serde_rename(&field.attrs)
                    .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned());
                Some(Field {
                    docs: field
                        .attrs
                        .iter()
                        .filter(|a| a.path().is_ident("doc"))
                        .cloned()
                        .collect(),
                    optional: is_option(&field.ty),
                    ty: {
                        let ty = &field.ty;
                        quote!(#ty).to_string()
                    },
                    ident,
                    wire,
                })
            })
            .collect();
        structs.insert(item.ident.to_string(), fields);
    }
    structs
}

/// `rename = "..."` in a field's `#[serde(...)]`.
fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    rename
}

pub fn is_option(ty: &Type) -> bool {
    option_inner(ty).is_some()
}

/// `T` of `::std::option::Option<T>` (or `Option<T>`).
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// The `T` of the setter's `where V: TryInto<T>` bound.
fn try_into_target(method: &syn::ImplItemFn) -> Option<Type> {
    let clause = method.sig.generics.where_clause.as_ref()?;
    clause.predicates.iter().find_map(|predicate| {
        let syn::WherePredicate::Type(predicate) = predicate else {
            return None;
        };
        predicate.bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(bound) = bound else {
                return None;
            };
            let last = bound.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            match &last.arguments {
                syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
                    syn::GenericArgument::Type(target) => Some(target.clone()),
                    _ => None,
                },
                _ => None,
            }
        })
    })
}

/// typify's builder setters: plain values for optional fields, the field's docs, messages
/// naming the wire field.
fn type_setters(imp: &mut ItemImpl, structs: &Structs) -> Result<(), String> {
    let Some(name) = self_name(imp) else {
        return Ok(());
    };
    let Some(fields) = structs.get(&name) else {
        return Err(format!("builder {name} has no struct in `types`"));
    };
    for item in imp.items.iter_mut() {
        let ImplItem::Fn(method) = item else { continue };
        let setter = method.sig.ident.clone();
        let field = fields
            .iter()
            .find(|f| f.ident == setter)
            .ok_or_else(|| format!("builder {name}: setter `{setter}` has no field"))?;
        let target = try_into_target(method)
            .ok_or_else(|| format!("builder {name}: setter `{setter}` has no TryInto bound"))?;
        let (value_type, wrap) = match option_inner(&target) {
            Some(inner) => (inner.clone(), quote!(.map(::std::option::Option::Some))),
            None => (target.clone(), quote!()),
        };
        let wire = &field.wire;
        let docs = setter_docs(&field.docs, !field.optional, None);
        let message = format!("`{wire}`: {{e}}");
        // The docs are set after parsing: they are already attributes, and quoting them
        // only to parse them again cost more than the rest of the method.
        *method = parse_quote! {
            pub fn #setter<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<#value_type>,
                T::Error: ::std::fmt::Display,
            {
                self.#setter = value
                    .try_into()
                    #wrap
                    .map_err(|e| format!(#message));
                self
            }
        };
        method.attrs = docs;
    }
    Ok(())
}

/// The docs of a setter: the field's description, then whether it must be set.
fn setter_docs(description: &[Attribute], required: bool, extra: Option<&str>) -> Vec<Attribute> {
    let mut docs: Vec<Attribute> = description.to_vec();
    if !docs.is_empty() {
        docs.push(format::doc_attribute(""));
    }
    let rule = if required {
        " Required."
    } else {
        " Optional: leave it unset to send none."
    };
    docs.push(format::doc_attribute(rule));
    if let Some(extra) = extra {
        docs.push(format::doc_attribute(extra));
    }
    docs
}

/// typify's `no value supplied for x` becomes `` `x` is required ``.
fn required_messages(imp: &mut ItemImpl, structs: &Structs) -> Result<(), String> {
    let Some(fields) = self_name(imp).and_then(|name| structs.get(&name)) else {
        return Ok(());
    };
    let mut tokens = quote!(#imp).to_string();
    for field in fields {
        let from = format!("\"no value supplied for {}\"", field.ident);
        let to = format!("\"`{}` is required\"", field.wire);
        tokens = tokens.replace(&from, &to);
    }
    *imp = syn::parse_str(&tokens).map_err(|e| format!("rewritten Default impl: {e}"))?;
    Ok(())
}

/// Parameter descriptions by builder name (`CreateInvoice`) and setter (`wallet_id`); the
/// request body's under `body`.
type ParameterDocs = BTreeMap<(String, String), String>;

fn parameter_docs(api: &OpenAPI) -> ParameterDocs {
    let components = api.components.clone().unwrap_or_default();
    let mut docs = ParameterDocs::new();
    for (_, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (_, op) in item.iter() {
            let Some(id) = &op.operation_id else { continue };
            let builder = heck::ToUpperCamelCase::to_upper_camel_case(id.as_str());
            for parameter in &op.parameters {
                let parameter = match parameter {
                    ReferenceOr::Item(p) => p.clone(),
                    ReferenceOr::Reference { reference } => {
                        let name = reference.trim_start_matches("#/components/parameters/");
                        match components.parameters.get(name) {
                            Some(ReferenceOr::Item(p)) => p.clone(),
                            _ => continue,
                        }
                    }
                };
                let data = parameter.parameter_data();
                let text = data.description.clone().unwrap_or_default();
                docs.insert((builder.clone(), data.name.to_snake_case()), text);
            }
            if let Some(ReferenceOr::Item(body)) = &op.request_body {
                let text = body.description.clone().unwrap_or_default();
                docs.insert((builder.clone(), "body".to_owned()), text);
            }
        }
    }
    docs
}

fn doc_attrs(text: &str) -> Vec<Attribute> {
    text.trim()
        .lines()
        .map(|line| {
            let line = format!(" {line}");
            format::doc_attribute(&line)
        })
        .collect()
}

/// progenitor's operation builders: documented setters whose refusals keep the reason.
fn operation_setters(imp: &mut ItemImpl, docs: &ParameterDocs) -> Result<(), String> {
    let Some(name) = self_name(imp) else {
        return Ok(());
    };
    for item in imp.items.iter_mut() {
        let ImplItem::Fn(method) = item else { continue };
        let setter = method.sig.ident.to_string();
        match setter.as_str() {
            "new" => {
                let text = format!(
                    " Starts a call with nothing set; `Client::{}()` does the same.",
                    name.to_snake_case()
                );
                method.attrs.push(format::doc_attribute(&text));
                required_parameter_messages(method)?;
            }
            "send" => {}
            "body" => {
                let description = docs
                    .get(&(name.clone(), "body".to_owned()))
                    .map(|text| doc_attrs(text))
                    .unwrap_or_default();
                method.attrs.extend(setter_docs(
                    &description,
                    true,
                    Some(
                        " Takes the request type or its builder (`types::<Type>::builder()`); \
                         every field and rule is checked before anything is sent.",
                    ),
                ));
                // The body's own messages name the field; progenitor's prefix only repeats
                // the type's name.
                let body = &mut method.block;
                let text = quote!(#body).to_string();
                let from = text
                    .find("\"conversion to `")
                    .and_then(|start| text[start..].find("failed: {}\"").map(|end| (start, end)))
                    .ok_or_else(|| format!("{name}::body: progenitor's message changed"))?;
                let text = format!(
                    "{}\"{{}}\"{}",
                    &text[..from.0],
                    &text[from.0 + from.1 + "failed: {}\"".len()..]
                );
                *body = syn::parse_str(&text).map_err(|e| format!("{name}::body: {e}"))?;
            }
            "body_map" => {
                let text = " Changes the request body with `f`: a function from its builder, as \
                            set so far (or empty), to a builder.";
                method.attrs.push(format::doc_attribute(text));
            }
            parameter => {
                let target = try_into_target(method)
                    .ok_or_else(|| format!("{name}::{parameter}: no TryInto bound"))?;
                let optional = quote!(#method).to_string().contains(". map (Some)");
                let description = docs
                    .get(&(name.clone(), parameter.to_owned()))
                    .map(|text| doc_attrs(text))
                    .unwrap_or_default();
                let attrs = setter_docs(&description, !optional, None);
                let ident = format_ident!("{parameter}");
                let wrap = if optional {
                    quote!(.map(::std::option::Option::Some))
                } else {
                    quote!()
                };
                let message = format!("`{parameter}`: {{e}}");
                *method = parse_quote! {
                    pub fn #ident<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<#target>,
                        V::Error: std::fmt::Display,
                    {
                        self.#ident = value.try_into() #wrap .map_err(|e| format!(#message));
                        self
                    }
                };
                method.attrs = attrs;
            }
        }
    }
    Ok(())
}

/// progenitor's `x was not initialized` becomes `` `x` is required ``.
fn required_parameter_messages(method: &mut syn::ImplItemFn) -> Result<(), String> {
    let mut text = quote!(#method).to_string();
    while let Some(end) = text.find(" was not initialized\"") {
        let start = text[..end]
            .rfind('"')
            .ok_or("progenitor's `was not initialized` message changed")?;
        let parameter = text[start + 1..end].to_owned();
        text = format!(
            "{}\"`{parameter}` is required\"{}",
            &text[..start],
            &text[end + " was not initialized\"".len()..]
        );
    }
    *method = syn::parse_str(&text).map_err(|e| format!("rewritten `new`: {e}"))?;
    Ok(())
}
