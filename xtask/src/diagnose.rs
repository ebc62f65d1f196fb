//! Naming the operation behind progenitor's most likely panic.
//!
//! progenitor 0.15.1 asserts that all success responses of an operation
//! share one Rust type, and likewise all error responses, without saying
//! which operation broke the rule. This mirrors its grouping closely enough
//! to point at the culprit.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr, Response, StatusCode};

/// One line per operation whose success or error responses would need more
/// than one type, e.g. "post_a: error responses mix `E1` (400), no body (404)".
pub fn mixed_response_types(api: &OpenAPI) -> Vec<String> {
    let mut found = Vec::new();
    for (_, _, op) in api.operations() {
        let id = op.operation_id.as_deref().unwrap_or("(no operationId)");
        let has_2xx_range = op.responses.responses.contains_key(&StatusCode::Range(2));
        let mut success: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut error: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let coded = op.responses.responses.iter().map(|(s, r)| (Some(s), r));
        for (status, response) in op.responses.default.iter().map(|r| (None, r)).chain(coded) {
            let label = status.map_or_else(|| "default".to_owned(), ToString::to_string);
            let kind = response_kind(api, response);
            // `default` counts as both a success and an error response,
            // except beside a `2XX` range, which shadows it.
            let (is_success, is_error) = match status {
                None => (!has_2xx_range, true),
                Some(StatusCode::Code(c)) => ((200..300).contains(c), (400..600).contains(c)),
                Some(StatusCode::Range(r)) => (*r == 2, *r == 4 || *r == 5),
            };
            if is_success {
                success.entry(kind.clone()).or_default().push(label.clone());
            }
            if is_error {
                error.entry(kind).or_default().push(label);
            }
        }
        for (side, kinds) in [("success", success), ("error", error)] {
            if kinds.len() > 1 {
                let mix: Vec<String> = kinds
                    .iter()
                    .map(|(kind, codes)| format!("{kind} ({})", codes.join(", ")))
                    .collect();
                found.push(format!("{id}: {side} responses mix {}", mix.join(", ")));
            }
        }
    }
    found
}

/// How progenitor types a response: by its JSON schema, else raw bytes for
/// any other content, else no body.
fn response_kind(api: &OpenAPI, response: &ReferenceOr<Response>) -> String {
    let Some(response) = resolve(api, response) else {
        return "an unresolvable $ref".to_owned();
    };
    let json = response
        .content
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"));
    match json {
        Some((_, media)) => match &media.schema {
            Some(ReferenceOr::Reference { reference }) => {
                format!("`{}`", reference.rsplit('/').next().unwrap_or(reference))
            }
            // Inline schemas are all named `<OperationId>Response`: one type.
            Some(ReferenceOr::Item(_)) => "an inline JSON schema".to_owned(),
            None => "JSON without a schema".to_owned(),
        },
        None if response.content.is_empty() => "no body".to_owned(),
        None => "a non-JSON body".to_owned(),
    }
}

fn resolve<'a>(api: &'a OpenAPI, response: &'a ReferenceOr<Response>) -> Option<&'a Response> {
    match response {
        ReferenceOr::Item(response) => Some(response),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/responses/")?;
            let target = api.components.as_ref()?.responses.get(name)?;
            // progenitor follows one level of $ref for responses.
            target.as_item()
        }
    }
}

/// Known progenitor panics, with what to change in the spec.
pub fn hint(panic_message: &str, api: &OpenAPI) -> Option<String> {
    if panic_message.contains("response_types.len() <= 1") {
        let culprits = mixed_response_types(api);
        return Some(format!(
            "every success response (2xx, and `default`) of an operation must have the same \
             type, and so must every error response (4xx, 5xx, `default`): one JSON schema, or \
             all without a body, or all non-JSON{}",
            if culprits.is_empty() {
                String::new()
            } else {
                format!(":\n  {}", culprits.join("\n  "))
            }
        ));
    }
    let hints = [
        (
            "more media types than expected",
            "a requestBody may have only one media type",
        ),
        (
            "media type encoding",
            "a JSON response needs a `schema` and no `encoding`",
        ),
        (
            "missing from path",
            "every `in: path` parameter must appear in the path template",
        ),
    ];
    hints
        .iter()
        .find(|(needle, _)| panic_message.contains(needle))
        .map(|(_, hint)| (*hint).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(yaml: &str) -> OpenAPI {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    const OK: &str = r##"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /a:
    get:
      operationId: get_a
      responses:
        "200": { description: ok, content: { application/json: { schema: { $ref: "#/components/schemas/A" } } } }
        "400": { description: bad, content: { application/json: { schema: { $ref: "#/components/schemas/E" } } } }
        "5XX": { description: bad, content: { application/json: { schema: { $ref: "#/components/schemas/E" } } } }
"##;

    #[test]
    fn one_type_per_side_is_fine() {
        assert!(mixed_response_types(&api(OK)).is_empty());
    }

    #[test]
    fn names_the_operation_and_the_mix() {
        let mixed = OK.replace(
            r##""5XX": { description: bad, content: { application/json: { schema: { $ref: "#/components/schemas/E" } } } }"##,
            r#""404": { description: missing }"#,
        );
        assert_eq!(
            mixed_response_types(&api(&mixed)),
            ["get_a: error responses mix `E` (400), no body (404)"]
        );
    }

    #[test]
    fn default_counts_on_both_sides() {
        let with_default = OK.replace(
            r#""400":"#,
            r##"default: { description: any, content: { application/json: { schema: { $ref: "#/components/schemas/E" } } } }
        "401":"##,
        );
        assert_eq!(
            mixed_response_types(&api(&with_default)),
            ["get_a: success responses mix `A` (200), `E` (default)"]
        );
    }
}
