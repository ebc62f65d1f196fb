//! Items xtask adds to a generated crate beside progenitor's output, from the spec and the
//! row: the servers' base URLs, and the `ClientHooks` impl that hands each request to the
//! row's hand-written `exec` (auth, signing, timeout, retries).

use heck::ToShoutySnakeCase;
use openapiv3::OpenAPI;

use crate::providers::Provider;

/// Source text appended to `lib.rs` (formatted with it by rustfmt).
pub fn extras(provider: &Provider, api: &OpenAPI) -> Result<String, String> {
    let mut text = String::new();
    for (i, server) in api.servers.iter().enumerate() {
        let description = server.description.as_deref().unwrap_or("").trim();
        let url = serde_json::to_string(&server.url).expect("a string serializes");
        if i == 0 {
            text.push_str(&format!(
                "/// The spec's first server, <{}>.\npub const BASE_URL: &str = {url};\n",
                server.url
            ));
        }
        if !description.is_empty() {
            let name = format!("{}_URL", description.to_shouty_snake_case());
            syn::parse_str::<syn::Ident>(&name).map_err(|_| format!("server name {name:?}"))?;
            text.push_str(&format!(
                "/// {description}: <{}>.\npub const {name}: &str = {url};\n",
                server.url
            ));
        }
    }
    if let Some(exec) = provider.exec_hook {
        syn::parse_str::<syn::Path>(exec).map_err(|_| format!("exec_hook: {exec:?}"))?;
        let inner = provider.inner_type.ok_or("exec_hook needs inner_type")?;
        let read_only = read_only_operations(api);
        let list = read_only
            .iter()
            .map(|op| format!("{op:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        text.push_str(&format!(
            "\n/// Operations that only read (`GET`, or `x-read-only` in the spec): the only ones\n\
             /// resent after a response or failure that may have reached the provider.\n\
             pub const READ_ONLY_OPERATIONS: &[&str] = &[{list}];\n\n\
             impl ClientHooks<{inner}> for Client {{\n\
             async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {{\n\
             let read_only = READ_ONLY_OPERATIONS.contains(&info.operation_id);\n\
             {exec}(&self.inner, &self.client, request, read_only).await\n\
             }}\n\
             }}\n"
        ));
    }
    Ok(text)
}

/// Operation ids that only read: every `GET`, and operations marked `x-read-only: true`
/// (a `POST` that reads, such as CryptoCloud's list).
fn read_only_operations(api: &OpenAPI) -> Vec<String> {
    let mut ids = Vec::new();
    for (_, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, op) in item.iter() {
            let marked = op.extensions.get("x-read-only") == Some(&serde_json::Value::Bool(true));
            if method == "get" || marked {
                ids.extend(op.operation_id.clone());
            }
        }
    }
    ids
}
