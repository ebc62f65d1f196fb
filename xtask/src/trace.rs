//! A `tracing` span around every call: a pass over progenitor's operation builders, and the
//! crate's `Trace`, the callsites of its spans and events.
//!
//! Each `send()` opens the `send` span first (the runtime's `trace::span`, with the operation's
//! id, method and path template from the spec), runs its body as a labeled block whose `?`s
//! break out of it with the error, and hands the outcome to `trace::finish`, which records how
//! a failed call failed. The transport future is made inside the span, so that the runtime
//! records each attempt in it:
//!
//! ```text
//! pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
//!     let x = a()?; … let result = client.exec(request, &info).await; … }
//! →
//! pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
//!     let span = <runtime>::trace::span::<super::Trace>("create_invoice", "POST", "/v2/invoice/create");
//!     let result: Result<ResponseValue<T>, Error<E>> = 'send: {
//!         let x = match a() { Ok(value) => value, Err(error) => break 'send Err(From::from(error)) };
//!         … let result = span.in_scope(|| client.exec(request, &info)).await; …
//!     };
//!     <runtime>::trace::finish::<super::Trace, _, _>(&span, &result);
//!     result
//! }
//! ```
//!
//! The body stays in `send()`'s own future: wrapping it in another (`tracing`'s
//! `Instrumented`) moved the whole future, some 3 KiB, several times per call, 1.3% of a
//! request. The span covers the builder's own refusals, which come before progenitor's `pre`
//! hook. `Trace` is written into each generated crate, not the runtime, because `tracing` fixes
//! a callsite's target where its macro is expanded: so every event of a crate has the crate's
//! name as its target. The pass fails, naming the builder, if a `send()` is not of that shape.

use std::collections::BTreeMap;

use openapiv3::OpenAPI;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Item, ReturnType, Stmt};

/// Opens the `send` span in every `send()` of the `builder` module and records its outcome.
pub fn instrument(file: &mut syn::File, api: &OpenAPI, runtime: &str) -> Result<(), String> {
    let routes = routes(api);
    let runtime: syn::Path = syn::parse_str(runtime).map_err(|e| e.to_string())?;
    crate::send_methods::each(file, |method| {
        let id = operation_id(&method.block.stmts).ok_or("no `OperationInfo`")?;
        let (verb, path) = routes
            .get(&id)
            .ok_or_else(|| format!("`{id}` is not in the spec"))?;
        let ReturnType::Type(_, output) = &method.sig.output else {
            return Err("returns nothing".to_owned());
        };
        let mut body = method.block.clone();
        let mut breaks = Breaks::default();
        breaks.visit_block_mut(&mut body);
        if let Some(problem) = breaks.problem {
            return Err(problem.to_owned());
        }
        if breaks.exec_calls != 1 {
            return Err("does not call `client.exec(request, &info)` once".to_owned());
        }
        method.block = syn::parse_quote! {{
            let span = #runtime::trace::span::<super::Trace>(#id, #verb, #path);
            let result: #output = 'send: #body;
            #runtime::trace::finish::<super::Trace, _, _>(&span, &result);
            result
        }};
        Ok(())
    })
}

/// Turns each `expr?` of a `send()` body (not of a closure or async block in it) into a break
/// out of the body's block with the error, and makes `client.exec(request, &info)` inside the
/// span.
#[derive(Default)]
struct Breaks {
    exec_calls: usize,
    problem: Option<&'static str>,
}

impl VisitMut for Breaks {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        visit_mut::visit_expr_mut(self, expr);
        match expr {
            Expr::Try(tried) => {
                let inner = &tried.expr;
                *expr = syn::parse_quote! {
                    match #inner {
                        ::std::result::Result::Ok(value) => value,
                        ::std::result::Result::Err(error) => {
                            break 'send ::std::result::Result::Err(::std::convert::From::from(error))
                        }
                    }
                };
            }
            Expr::MethodCall(call)
                if call.method == "exec"
                    && matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident("client")) =>
            {
                self.exec_calls += 1;
                *expr = syn::parse_quote!(span.in_scope(|| #call));
            }
            // It would leave without the outcome recorded.
            Expr::Return(_) => self.problem = Some("returns early"),
            _ => {}
        }
    }

    // A `?` there is the closure's or the block's own.
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}

    fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}

    fn visit_item_mut(&mut self, _: &mut Item) {}
}

/// Each operation id's method (`POST`) and path template, from the spec.
fn routes(api: &OpenAPI) -> BTreeMap<String, (String, String)> {
    let mut routes = BTreeMap::new();
    for (path, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, op) in item.iter() {
            if let Some(id) = &op.operation_id {
                routes.insert(id.clone(), (method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// The id in progenitor's `let info = OperationInfo { operation_id: "..." };`.
fn operation_id(stmts: &[Stmt]) -> Option<String> {
    stmts.iter().find_map(|stmt| {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let Expr::Struct(info) = &*local.init.as_ref()?.expr else {
            return None;
        };
        if !info.path.is_ident("OperationInfo") {
            return None;
        }
        info.fields
            .iter()
            .find_map(|field| match (&field.member, &field.expr) {
                (syn::Member::Named(member), Expr::Lit(lit)) if member == "operation_id" => {
                    match &lit.lit {
                        syn::Lit::Str(id) => Some(id.value()),
                        _ => None,
                    }
                }
                _ => None,
            })
    })
}

/// The crate's `Trace`: one callsite per span and event of the runtime's `trace::Tracer`,
/// each with the crate's name as target.
pub fn tracer(name: &str, runtime: &str) -> String {
    let target = format!("{name:?}");
    format!(
        "\n/// The `tracing` callsites of this crate's calls, all with target {target} (the\n\
         /// runtime's `trace` module lists the spans and events).\n\
         #[derive(Debug, Clone, Copy)]\n\
         struct Trace;\n\n\
         impl {runtime}::trace::Tracer for Trace {{\n\
         fn span(operation: &'static str, method: &'static str, path: &'static str) -> ::tracing::Span {{\n\
         ::tracing::info_span!(target: {target}, \"send\", provider = {target}, operation, method, path, attempt = ::tracing::field::Empty)\n\
         }}\n\n\
         fn enabled(level: ::tracing::Level) -> bool {{\n\
         if level == ::tracing::Level::TRACE {{\n\
         ::tracing::enabled!(target: {target}, ::tracing::Level::TRACE)\n\
         }} else if level == ::tracing::Level::DEBUG {{\n\
         ::tracing::enabled!(target: {target}, ::tracing::Level::DEBUG)\n\
         }} else {{\n\
         ::tracing::enabled!(target: {target}, ::tracing::Level::INFO)\n\
         }}\n\
         }}\n\n\
         fn answered(attempt: u32, status: u16, duration_ms: f64) {{\n\
         ::tracing::debug!(name: \"attempt\", target: {target}, attempt, status, duration_ms, \"answered\");\n\
         }}\n\n\
         fn no_answer(attempt: u32, error: &'static str, cause: &dyn ::std::fmt::Display, duration_ms: f64) {{\n\
         ::tracing::debug!(name: \"attempt\", target: {target}, attempt, error, cause = %cause, duration_ms, \"no answer\");\n\
         }}\n\n\
         fn retrying(attempt: u32, reason: &dyn ::std::fmt::Display, wait_ms: f64) {{\n\
         ::tracing::info!(name: \"retry\", target: {target}, attempt, reason = %reason, wait_ms, \"retrying\");\n\
         }}\n\n\
         fn not_retried(attempt: u32, reason: &dyn ::std::fmt::Display, why: &'static str) {{\n\
         ::tracing::debug!(name: \"no retry\", target: {target}, attempt, reason = %reason, why, \"not retried\");\n\
         }}\n\n\
         fn failed(error: &'static str, status: Option<u16>, path: Option<&str>, reason: Option<&dyn ::std::fmt::Display>) {{\n\
         ::tracing::warn!(name: \"failed\", target: {target}, error, status, path, reason = reason.map(::tracing::field::display), \"call failed\");\n\
         }}\n\n\
         fn body(direction: &'static str, status: Option<u16>, body: &dyn ::std::fmt::Display) {{\n\
         ::tracing::trace!(name: \"body\", target: {target}, direction, status, body = %body, \"body\");\n\
         }}\n\
         }}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> OpenAPI {
        serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/api/v1/things/{thing_id}": {"post": {
                "operationId": "create_thing",
                "responses": {"200": {"description": "ok"}}
            }}}
        }))
        .unwrap()
    }

    fn send(body: &str) -> syn::File {
        syn::parse_str(&format!(
            "mod builder {{ impl<'a> CreateThing<'a> {{ \
             pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Oops>> {{ {body} }} }} }}"
        ))
        .unwrap()
    }

    #[test]
    fn the_body_runs_in_a_block_of_its_own_inside_the_span_of_its_route() {
        let mut file = send(
            "let info = OperationInfo { operation_id: \"create_thing\" }; \
             let body = body.map_err(Error::InvalidRequest)?; \
             let check = || -> Result<(), String> { rule()?; Ok(()) }; \
             client.pre(&mut request, &info).await?; \
             let result = client.exec(request, &info).await; \
             let response = result?; \
             match response.status().as_u16() { 200u16 => Ok(x), _ => Err(f(g()?)) }",
        );
        instrument(&mut file, &api(), "::invoice_primitives").unwrap();
        let expected = r#"mod builder {
    impl<'a> CreateThing<'a> {
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::Thing>, Error<types::Oops>> {
            let span = ::invoice_primitives::trace::span::<
                super::Trace,
            >("create_thing", "POST", "/api/v1/things/{thing_id}");
            let result: Result<ResponseValue<types::Thing>, Error<types::Oops>> = 'send: {
                let info = OperationInfo {
                    operation_id: "create_thing",
                };
                let body = match body.map_err(Error::InvalidRequest) {
                    ::std::result::Result::Ok(value) => value,
                    ::std::result::Result::Err(error) => {
                        break 'send ::std::result::Result::Err(
                            ::std::convert::From::from(error),
                        );
                    }
                };
                let check = || -> Result<(), String> {
                    rule()?;
                    Ok(())
                };
                match client.pre(&mut request, &info).await {
                    ::std::result::Result::Ok(value) => value,
                    ::std::result::Result::Err(error) => {
                        break 'send ::std::result::Result::Err(
                            ::std::convert::From::from(error),
                        );
                    }
                };
                let result = span.in_scope(|| client.exec(request, &info)).await;
                let response = match result {
                    ::std::result::Result::Ok(value) => value,
                    ::std::result::Result::Err(error) => {
                        break 'send ::std::result::Result::Err(
                            ::std::convert::From::from(error),
                        );
                    }
                };
                match response.status().as_u16() {
                    200u16 => Ok(x),
                    _ => {
                        Err(
                            f(
                                match g() {
                                    ::std::result::Result::Ok(value) => value,
                                    ::std::result::Result::Err(error) => {
                                        break 'send ::std::result::Result::Err(
                                            ::std::convert::From::from(error),
                                        );
                                    }
                                },
                            ),
                        )
                    }
                }
            };
            ::invoice_primitives::trace::finish::<super::Trace, _, _>(&span, &result);
            result
        }
    }
}
"#;
        assert_eq!(prettyplease::unparse(&file), expected);
    }

    #[test]
    fn another_shape_is_an_error_naming_the_builder() {
        let info = "let info = OperationInfo { operation_id: \"create_thing\" };";
        for (body, expected) in [
            ("Ok(x)", "no `OperationInfo`"),
            (
                "let info = OperationInfo { operation_id: \"gone\" }; Ok(x)",
                "`gone` is not in the spec",
            ),
            (
                &format!("{info} if a {{ return Ok(x); }} client.exec(request, &info).await"),
                "returns early",
            ),
            (
                &format!("{info} Ok(x)"),
                "does not call `client.exec(request, &info)` once",
            ),
        ] {
            let mut file = send(body);
            let err = instrument(&mut file, &api(), "::invoice_primitives").unwrap_err();
            assert_eq!(
                err,
                format!("builder CreateThing::send: {expected}"),
                "{body}"
            );
        }
    }

    #[test]
    fn the_tracer_parses_and_names_its_target_everywhere() {
        let text = tracer("cryptocloud", "::invoice_primitives");
        syn::parse_str::<syn::File>(&text).unwrap();
        // Every span, event and `enabled!` has the crate's target.
        let callsites: Vec<&str> = text.split("!(").skip(1).collect();
        assert_eq!(callsites.len(), 10, "{text}");
        for callsite in callsites {
            let target = callsite.strip_prefix("name: ").map_or(callsite, |named| {
                named.split_once(", ").map_or(named, |(_, rest)| rest)
            });
            assert!(target.starts_with("target: \"cryptocloud\""), "{callsite}");
        }
    }
}
