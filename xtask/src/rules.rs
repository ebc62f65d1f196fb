//! Documented rules that span fields, from the spec's vendor extensions to a generated
//! `validate` method on each request type, which the type's builder runs.
//!
//! Extensions, next to the fields they govern (the runtime's `rules` module does the checks):
//!
//! - `x-not-after: <property>`: this value is not after that one (`start` before `end`);
//! - `x-window-end: {start: <property>, max: N}`: this is the 1-based inclusive end index of a
//!   window starting after record `start`: `start < this <= start + N`;
//! - `x-required-with: {<property>: <other>}` (on an object): the property is given whenever
//!   the other is;
//! - `x-url: {schemes: [...], host: domain}`: an absolute URL with one of the schemes, naming
//!   a domain rather than an IP address when `host: domain`;
//! - `x-any-required: [<path>, ...]` (on an object): at least one of these (dotted paths into
//!   nested objects) is given;
//! - `minimum`/`maximum` on an integer whose type could not carry them (a schema responses use
//!   too, see bounded.rs) are checked here;
//! - `minimum` (with `exclusiveMinimum`) on a decimal amount: `exclusiveMinimum: true` with
//!   `minimum: 0` refuses zero and negative amounts.
//!
//! A property whose object type has rules has them checked too, its fields named by their path
//! (`data.attempts_callback`).

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;
use syn::{parse_quote, Item};

use crate::setters::{Field, Structs};

/// One object schema's checks, as Rust statements.
struct Checks {
    statements: Vec<String>,
}

/// Appends `validate` to every struct with rules and calls it from the struct's builder
/// conversion; returns the `impl` blocks as source text (empty when no schema has rules).
pub fn generate(
    file: &mut syn::File,
    api: &OpenAPI,
    structs: &Structs,
    runtime: &str,
) -> Result<String, String> {
    let components = api.components.clone().unwrap_or_default();
    // Rules govern what is sent: response types never refuse what the provider says.
    let requests = crate::bounded::request_schemas(api);
    let schemas: BTreeMap<String, Schema> = components
        .schemas
        .iter()
        .filter(|(name, _)| requests.contains(*name))
        .filter_map(|(name, schema)| match schema {
            ReferenceOr::Item(schema) => Some((name.clone(), schema.clone())),
            _ => None,
        })
        .collect();
    // Own checks first, then nested ones until nothing changes (a rule deep inside counts).
    let mut checks: BTreeMap<String, Checks> = BTreeMap::new();
    for (name, schema) in &schemas {
        let Some(fields) = structs.get(name) else {
            continue;
        };
        let statements = own_checks(name, schema, fields, structs, &schemas, runtime)?;
        if !statements.is_empty() {
            checks.insert(name.clone(), Checks { statements });
        }
    }
    let mut with_rules: BTreeSet<String> = checks.keys().cloned().collect();
    loop {
        let mut added = false;
        for (name, schema) in &schemas {
            let Some(fields) = structs.get(name) else {
                continue;
            };
            for (property, target) in object_properties(schema) {
                if !with_rules.contains(&target) {
                    continue;
                }
                let field = field(name, fields, &property)?;
                let ident = &field.ident;
                let at = format!("{}.", field.wire);
                let statement = if field.optional {
                    format!(
                        "if let Some(value) = &self.{ident} {{ value.validate_at(&format!(\"{{at}}{at}\"))?; }}"
                    )
                } else {
                    format!("self.{ident}.validate_at(&format!(\"{{at}}{at}\"))?;")
                };
                let entry = checks.entry(name.clone()).or_insert(Checks {
                    statements: Vec::new(),
                });
                if !entry.statements.contains(&statement) {
                    entry.statements.push(statement);
                    added = true;
                }
                with_rules.insert(name.clone());
            }
        }
        if !added {
            break;
        }
    }
    if checks.is_empty() {
        return Ok(String::new());
    }
    call_from_builders(file, &with_rules)?;
    let mut text = String::new();
    for (name, checks) in &checks {
        let consts: String = checks
            .statements
            .iter()
            .filter(|s| s.starts_with("const "))
            .map(|s| {
                format!(
                    "/// The most records one request may span (`x-window-end` in the spec).\npub {s}\n\n"
                )
            })
            .collect();
        text.push_str(&format!(
            "impl types::{name} {{\n{consts}\
             /// Checks the documented rules that span this type's fields (and those of the\n\
             /// objects it holds). Its builder runs this, so a request that breaks one is\n\
             /// refused before anything is sent; the message names the field.\n\
             pub fn validate(&self) -> ::std::result::Result<(), ::std::string::String> {{\n\
             self.validate_at(\"\")\n\
             }}\n\n\
             /// [`validate`](Self::validate) for a value at path `at` (`\"data.\"`).\n\
             #[doc(hidden)]\n\
             pub fn validate_at(&self, at: &str) -> ::std::result::Result<(), ::std::string::String> {{\n"
        ));
        for statement in checks
            .statements
            .iter()
            .filter(|s| !s.starts_with("const "))
        {
            text.push_str(statement);
            text.push('\n');
        }
        text.push_str("Ok(())\n}\n}\n\n");
    }
    Ok(text)
}

/// `(property, schema name)` of each property that holds a named object.
fn object_properties(schema: &Schema) -> Vec<(String, String)> {
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return Vec::new();
    };
    object
        .properties
        .iter()
        .filter_map(|(property, schema)| match schema {
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/schemas/")
                .map(|name| (property.clone(), name.to_owned())),
            ReferenceOr::Item(_) => None,
        })
        .collect()
}

fn field<'a>(name: &str, fields: &'a [Field], property: &str) -> Result<&'a Field, String> {
    fields
        .iter()
        .find(|f| f.wire == property)
        .ok_or_else(|| format!("{name}: no field for property `{property}`"))
}

fn own_checks(
    name: &str,
    schema: &Schema,
    fields: &[Field],
    structs: &Structs,
    schemas: &BTreeMap<String, Schema>,
    runtime: &str,
) -> Result<Vec<String>, String> {
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return Ok(Vec::new());
    };
    let rules = format!("{runtime}::rules");
    let mut out = Vec::new();
    let error = |what: &str| format!("{name}: {what}");
    for (property, property_schema) in &object.properties {
        let ReferenceOr::Item(property_schema) = property_schema else {
            continue;
        };
        let extensions = &property_schema.schema_data.extensions;
        let this = field(name, fields, property)?;
        if let Some(other) = extensions.get("x-not-after") {
            let other = other
                .as_str()
                .ok_or_else(|| error("x-not-after takes a property"))?;
            let that = field(name, fields, other)?;
            out.push(format!(
                "{rules}::not_after(at, {:?}, {}, {:?}, {})?;",
                this.wire,
                reference(this),
                that.wire,
                reference(that)
            ));
        }
        if let Some(window) = extensions.get("x-window-end") {
            let start = window["start"]
                .as_str()
                .ok_or_else(|| error("x-window-end needs `start`"))?;
            let max = window["max"]
                .as_i64()
                .ok_or_else(|| error("x-window-end needs an integer `max`"))?;
            let start_field = field(name, fields, start)?;
            out.push(format!("const MAX_WINDOW: i64 = {max};"));
            out.push(format!(
                "{rules}::window_end(at, {:?}, {}, {:?}, {}, Self::MAX_WINDOW)?;",
                start_field.wire,
                int_with_default(start_field, object.properties.get(start), &rules, name)?,
                this.wire,
                int_with_default(this, object.properties.get(property), &rules, name)?,
            ));
        }
        if let Some(url) = extensions.get("x-url") {
            let schemes: Vec<&str> = url["schemes"]
                .as_array()
                .ok_or_else(|| error("x-url needs `schemes`"))?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let domain_only = match url.get("host") {
                None => false,
                Some(Value::String(host)) if host == "domain" => true,
                Some(_) => return Err(error("x-url `host` may only be `domain`")),
            };
            let value = if this.optional {
                format!("self.{}.as_deref()", this.ident)
            } else {
                format!("Some(self.{}.as_str())", this.ident)
            };
            out.push(format!(
                "{rules}::url(at, {:?}, {value}, &{schemes:?}, {domain_only})?;",
                this.wire
            ));
        }
        if let SchemaKind::Type(Type::Number(number)) = &property_schema.schema_kind {
            if let Some(minimum) = number.minimum {
                out.push(
                    decimal_minimum(this, minimum, number.exclusive_minimum, runtime)
                        .map_err(|e| error(&e))?,
                );
            }
        }
        if let SchemaKind::Type(Type::Integer(int)) = &property_schema.schema_kind {
            let bounded = this.ty.contains("BoundedInt");
            if (int.minimum.is_some() || int.maximum.is_some()) && !bounded {
                out.push(format!(
                    "{rules}::in_range(at, {:?}, {}, {:?}, {:?})?;",
                    this.wire,
                    int_value(this, &rules),
                    int.minimum,
                    int.maximum
                ));
            }
        }
    }
    if let Some(pairs) = schema.schema_data.extensions.get("x-required-with") {
        let pairs = pairs
            .as_object()
            .ok_or_else(|| error("x-required-with maps a property to the one that requires it"))?;
        for (property, other) in pairs {
            let other = other
                .as_str()
                .ok_or_else(|| error("x-required-with maps a property to a property"))?;
            let (this, that) = (field(name, fields, property)?, field(name, fields, other)?);
            out.push(format!(
                "{rules}::required_with(at, {:?}, {}, {:?}, {})?;",
                this.wire,
                presence(this),
                that.wire,
                presence(that)
            ));
        }
    }
    if let Some(paths) = schema.schema_data.extensions.get("x-any-required") {
        let paths = paths
            .as_array()
            .ok_or_else(|| error("x-any-required takes a list of paths"))?;
        let mut entries = Vec::new();
        for path in paths {
            let path = path
                .as_str()
                .ok_or_else(|| error("x-any-required takes a list of paths"))?;
            entries.push(format!(
                "({path:?}, {})",
                path_presence(name, schema, path, structs, schemas)?
            ));
        }
        out.push(format!(
            "{rules}::any_required(at, &[{}])?;",
            entries.join(", ")
        ));
    }
    Ok(out)
}

/// `minimum` (with `exclusiveMinimum`) on a decimal amount: a whole number, as every
/// documented bound on money so far is (an amount to pay is above 0).
fn decimal_minimum(
    field: &Field,
    minimum: f64,
    exclusive: bool,
    runtime: &str,
) -> Result<String, String> {
    if minimum.fract() != 0.0 || minimum.abs() > 1e15 {
        return Err(format!(
            "`{}`: a decimal's `minimum` must be a whole number, not {minimum}",
            field.wire
        ));
    }
    let value = if field.optional {
        format!("self.{}.map(|v| v.get())", field.ident)
    } else {
        format!("Some(self.{}.get())", field.ident)
    };
    Ok(format!(
        "{runtime}::rules::decimal_minimum(at, {:?}, {value}, {runtime}::Decimal::from({}i64), {exclusive})?;",
        field.wire, minimum as i64
    ))
}

/// `Option<&T>` of a field.
fn reference(field: &Field) -> String {
    if field.optional {
        format!("self.{}.as_ref()", field.ident)
    } else {
        format!("Some(&self.{})", field.ident)
    }
}

fn presence(field: &Field) -> String {
    if field.optional {
        format!("self.{}.is_some()", field.ident)
    } else {
        "true".to_owned()
    }
}

/// `Option<i64>` of an integer field.
fn int_value(field: &Field, rules: &str) -> String {
    if field.optional {
        format!("self.{}.as_ref().map({rules}::Int::int)", field.ident)
    } else {
        format!("Some({rules}::Int::int(&self.{}))", field.ident)
    }
}

/// `i64` of an integer field, its spec default standing in when it is unset.
fn int_with_default(
    field: &Field,
    schema: Option<&ReferenceOr<Box<Schema>>>,
    rules: &str,
    name: &str,
) -> Result<String, String> {
    if !field.optional {
        return Ok(format!("{rules}::Int::int(&self.{})", field.ident));
    }
    let default = match schema {
        Some(ReferenceOr::Item(schema)) => schema.schema_data.default.as_ref(),
        _ => None,
    }
    .and_then(Value::as_i64)
    .ok_or_else(|| {
        format!(
            "{name}: `{}` is optional but has no integer default",
            field.wire
        )
    })?;
    Ok(format!(
        "self.{}.as_ref().map_or({default}, {rules}::Int::int)",
        field.ident
    ))
}

/// Whether a dotted path (`fiatCurrency.value`) is given, as an expression on `self`.
fn path_presence(
    name: &str,
    schema: &Schema,
    path: &str,
    structs: &Structs,
    schemas: &BTreeMap<String, Schema>,
) -> Result<String, String> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let fields = structs
        .get(name)
        .ok_or_else(|| format!("{name}: no struct"))?;
    let this = field(name, fields, head)?;
    let Some(rest) = rest else {
        return Ok(presence(this));
    };
    let target = object_properties(schema)
        .into_iter()
        .find(|(property, _)| property == head)
        .map(|(_, target)| target)
        .ok_or_else(|| format!("{name}: `{head}` is not a named object"))?;
    let target_schema = schemas
        .get(&target)
        .ok_or_else(|| format!("{name}: no schema {target}"))?;
    let inner = path_presence(&target, target_schema, rest, structs, schemas)?;
    let inner = inner.replace("self.", "v.");
    Ok(if this.optional {
        format!("self.{}.as_ref().is_some_and(|v| {inner})", this.ident)
    } else {
        format!("{{ let v = &self.{}; {inner} }}", this.ident)
    })
}

/// typify's `TryFrom<builder::X> for X` runs `validate` for every `X` in `names`.
fn call_from_builders(file: &mut syn::File, names: &BTreeSet<String>) -> Result<(), String> {
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or("no `types` module")?;
    let builders = types
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or("no `types::builder` module")?;
    let mut done = BTreeSet::new();
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let is_try_from = imp
            .trait_
            .as_ref()
            .and_then(|t| t.0.segments.last())
            .is_some_and(|s| s.ident == "TryFrom");
        let syn::Type::Path(target) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = target.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        if !is_try_from || !names.contains(&name) {
            continue;
        }
        for member in imp.items.iter_mut() {
            let syn::ImplItem::Fn(method) = member else {
                continue;
            };
            let Some(syn::Stmt::Expr(syn::Expr::Call(call), None)) = method.block.stmts.last()
            else {
                return Err(format!("TryFrom for {name}: not `Ok(Self {{ .. }})`"));
            };
            let value = call
                .args
                .first()
                .cloned()
                .ok_or_else(|| format!("TryFrom for {name}: `Ok` without a value"))?;
            method.block = parse_quote!({
                let value = #value;
                value.validate()?;
                Ok(value)
            });
            done.insert(name.clone());
        }
    }
    if let Some(missing) = names.difference(&done).next() {
        return Err(format!("no builder conversion found for {missing}"));
    }
    Ok(())
}
