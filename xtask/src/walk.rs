//! Walking a spec's schemas: every schema progenitor reads, nested ones included.

use openapiv3::{
    AdditionalProperties, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, PathItem,
    ReferenceOr, Response, Schema, SchemaKind, Type,
};

/// Calls `f` on every schema in the spec that progenitor reads, nested ones included.
pub fn for_each_schema(api: &mut OpenAPI, f: &mut dyn FnMut(&mut Schema)) {
    if let Some(components) = &mut api.components {
        for schema in components.schemas.values_mut() {
            if let ReferenceOr::Item(schema) = schema {
                walk(schema, f);
            }
        }
        for response in components.responses.values_mut() {
            if let ReferenceOr::Item(response) = response {
                walk_response(response, f);
            }
        }
        for parameter in components.parameters.values_mut() {
            if let ReferenceOr::Item(parameter) = parameter {
                walk_parameter(parameter, f);
            }
        }
    }
    for item in api.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for parameter in item.parameters.iter_mut() {
            if let ReferenceOr::Item(parameter) = parameter {
                walk_parameter(parameter, f);
            }
        }
        for op in operations_mut(item) {
            for parameter in op.parameters.iter_mut() {
                if let ReferenceOr::Item(parameter) = parameter {
                    walk_parameter(parameter, f);
                }
            }
            if let Some(ReferenceOr::Item(body)) = &mut op.request_body {
                for media in body.content.values_mut() {
                    if let Some(ReferenceOr::Item(schema)) = &mut media.schema {
                        walk(schema, f);
                    }
                }
            }
            for response in op.responses.responses.values_mut() {
                if let ReferenceOr::Item(response) = response {
                    walk_response(response, f);
                }
            }
        }
    }
}

fn walk_response(response: &mut Response, f: &mut dyn FnMut(&mut Schema)) {
    for media in response.content.values_mut() {
        if let Some(ReferenceOr::Item(schema)) = &mut media.schema {
            walk(schema, f);
        }
    }
}

fn walk_parameter(parameter: &mut Parameter, f: &mut dyn FnMut(&mut Schema)) {
    let data = match parameter {
        Parameter::Query { parameter_data, .. }
        | Parameter::Header { parameter_data, .. }
        | Parameter::Path { parameter_data, .. }
        | Parameter::Cookie { parameter_data, .. } => parameter_data,
    };
    if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &mut data.format {
        walk(schema, f);
    }
}

pub fn walk(schema: &mut Schema, f: &mut dyn FnMut(&mut Schema)) {
    f(schema);
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            for property in object.properties.values_mut() {
                walk_boxed(property, f);
            }
            if let Some(AdditionalProperties::Schema(extra)) = &mut object.additional_properties {
                walk_ref(extra, f);
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = &mut array.items {
                walk_boxed(items, f);
            }
        }
        SchemaKind::OneOf { one_of: list }
        | SchemaKind::AllOf { all_of: list }
        | SchemaKind::AnyOf { any_of: list } => list.iter_mut().for_each(|s| walk_ref(s, f)),
        SchemaKind::Not { not } => walk_ref(not, f),
        SchemaKind::Any(any) => {
            for property in any.properties.values_mut() {
                walk_boxed(property, f);
            }
            if let Some(items) = &mut any.items {
                walk_boxed(items, f);
            }
            for list in [&mut any.one_of, &mut any.all_of, &mut any.any_of] {
                list.iter_mut().for_each(|s| walk_ref(s, f));
            }
        }
        SchemaKind::Type(_) => {}
    }
}

fn walk_ref(schema: &mut ReferenceOr<Schema>, f: &mut dyn FnMut(&mut Schema)) {
    if let ReferenceOr::Item(schema) = schema {
        walk(schema, f);
    }
}

fn walk_boxed(schema: &mut ReferenceOr<Box<Schema>>, f: &mut dyn FnMut(&mut Schema)) {
    if let ReferenceOr::Item(schema) = schema {
        walk(schema, f);
    }
}

/// Calls `f` on every schema nested inside `schema` (not on `schema` itself).
pub fn visit_children(schema: &Schema, f: &mut dyn FnMut(&Schema)) {
    let mut copy = schema.clone();
    let mut first = true;
    walk(&mut copy, &mut |s| {
        if !std::mem::take(&mut first) {
            f(s)
        }
    });
}

pub fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}
