//! Server-rendered HTML: the payment page of each invoice (with its buttons), the list of
//! invoices, and the delivery log. Every text that came from a request is escaped.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::core::app::{lifecycle_word, App, ChangeError, PayKind};
use crate::core::deliveries::DeliveryState;
use crate::core::state::{Invoice, Lifecycle};
use crate::Provider;

/// The payment page of an invoice.
pub fn payment_page_url(root: &str, provider: Provider, invoice_id: &str) -> String {
    format!("{root}/pay/{}/{}", provider.slug(), invoice_id)
}

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(index))
        .route(
            "/pay/{provider}/{id}",
            get(payment_page).post(payment_action),
        )
        .route("/_sandbox/deliveries", get(deliveries))
        .route("/_sandbox/deliveries/{id}/resend", post(resend))
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#eef1f6;color:#1c2333}
header{background:#1c2333;color:#fff;padding:14px 28px;display:flex;justify-content:space-between;align-items:center}
header a{color:#9cc3ff;text-decoration:none;margin-left:18px;font-size:14px}
header strong{font-size:16px;letter-spacing:.3px}
main{max-width:980px;margin:32px auto;padding:0 20px}
.card{background:#fff;border-radius:14px;box-shadow:0 6px 24px rgba(28,35,51,.10);padding:32px;max-width:520px;margin:0 auto}
.provider{font-size:13px;text-transform:uppercase;letter-spacing:1px;color:#6b7487}
h1{font-size:22px;margin:6px 0 22px}
.amount{font-size:34px;font-weight:700;margin:0}
.amount small{font-size:18px;color:#6b7487;font-weight:600}
.label{font-size:12px;color:#6b7487;text-transform:uppercase;letter-spacing:.8px;margin-top:20px}
.address{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:#f4f6fa;border:1px solid #dde2ec;border-radius:8px;padding:10px 12px;word-break:break-all;font-size:14px;margin-top:6px}
.row{display:flex;justify-content:space-between;margin-top:18px;gap:12px}
.badge{display:inline-block;padding:4px 12px;border-radius:999px;font-size:13px;font-weight:600}
.badge.open{background:#fff4d6;color:#8a5a00}.badge.partial{background:#ffe7cc;color:#9a4b00}
.badge.paid{background:#d9f6e4;color:#11683a}.badge.closed{background:#eceef2;color:#4b5366}
#countdown{font-variant-numeric:tabular-nums;font-weight:600;font-size:18px}
.buttons{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin-top:26px}
.buttons form{margin:0}
button{width:100%;padding:12px;border:0;border-radius:9px;font-size:15px;font-weight:600;cursor:pointer}
button.primary{background:#2563eb;color:#fff}button.secondary{background:#e6ecf8;color:#1c2333}
button.danger{background:#fde2e2;color:#a01b1b}
.notice{margin-top:24px;padding:14px;border-radius:9px;background:#f4f6fa;text-align:center;font-weight:600}
.error{background:#fde2e2;color:#a01b1b}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 2px 10px rgba(28,35,51,.08);font-size:14px}
th,td{padding:9px 12px;border-bottom:1px solid #eceef2;text-align:left;vertical-align:top}
th{background:#f4f6fa;font-size:12px;text-transform:uppercase;letter-spacing:.6px;color:#6b7487}
td code,pre{font-family:ui-monospace,Menlo,monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-all;margin:0;max-height:160px;overflow:auto}
.muted{color:#6b7487;font-size:13px}
"#;

fn layout(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\
         <header><strong>invoice-sandbox</strong><nav><a href=\"/\">Invoices</a>\
         <a href=\"/_sandbox/deliveries\">Deliveries</a></nav></header><main>{body}</main></body></html>",
        title = escape(title),
    ))
}

fn not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        layout(
            "Not found",
            &format!(
                "<div class=\"card\"><h1>Not found</h1><p>{}</p></div>",
                escape(message)
            ),
        ),
    )
        .into_response()
}

fn badge(lifecycle: Lifecycle) -> &'static str {
    match lifecycle {
        Lifecycle::Open => "open",
        Lifecycle::Partial => "partial",
        Lifecycle::Paid | Lifecycle::Overpaid => "paid",
        _ => "closed",
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

async fn payment_page(
    State(app): State<Arc<App>>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    app.expire_due();
    let Ok(provider) = provider.parse::<Provider>() else {
        return not_found("No such provider.");
    };
    let Some(invoice) = app.store().get(provider, &id).cloned() else {
        return not_found(&format!("No {provider} invoice {id}."));
    };
    render_payment_page(&app, &invoice, None).into_response()
}

fn render_payment_page(app: &App, invoice: &Invoice, error: Option<&str>) -> Html<String> {
    let now = app.clock.now();
    let remaining_seconds = (invoice.expires - now).num_seconds().max(0);
    let status = app.status(invoice);
    let mut body = String::new();
    let _ = write!(
        body,
        "<div class=\"card\"><div class=\"provider\">{provider}</div><h1>{title}</h1>\
         <p class=\"label\">{amount_label}</p><p class=\"amount\" id=\"amount\">{shown} <small>{currency}</small></p>\
         <p class=\"muted\">{quoted}Invoice {id} &middot; total {amount} {currency}, paid {paid}</p>\
         <p class=\"label\">Send to address</p><div class=\"address\" id=\"address\">{address}</div>\
         <div class=\"row\"><div><p class=\"label\">Status</p><span class=\"badge {badge}\" id=\"status\">{status}</span></div>",
        provider = escape(invoice.provider.display_name()),
        title = escape(&invoice.title),
        amount_label = if invoice.lifecycle.is_paid() { "Amount paid" } else { "Amount due" },
        shown = escape(&if invoice.lifecycle.is_paid() { invoice.paid() } else { invoice.remaining() }.to_string()),
        currency = escape(&invoice.pay_currency),
        quoted = invoice
            .quoted
            .as_ref()
            .map_or_else(String::new, |q| format!("&asymp; {} &middot; ", escape(q))),
        id = escape(&invoice.id),
        amount = escape(&invoice.amount.to_string()),
        paid = escape(&invoice.paid().to_string()),
        address = escape(&invoice.address),
        badge = badge(invoice.lifecycle),
        status = escape(&status),
    );
    if invoice.lifecycle.is_final() {
        let notice = match invoice.lifecycle {
            Lifecycle::Expired => "This invoice has expired.".to_owned(),
            Lifecycle::Failed => "The payment of this invoice failed.".to_owned(),
            Lifecycle::Canceled => "This invoice was canceled.".to_owned(),
            other => format!("This invoice is {}.", lifecycle_word(other)),
        };
        let _ = write!(
            body,
            "</div><div class=\"notice\" id=\"final\">{notice}</div>"
        );
    } else {
        // The countdown runs in sandbox time: `scale` sandbox seconds per real second.
        let _ = write!(
            body,
            "<div style=\"text-align:right\"><p class=\"label\">Expires in</p>\
             <span id=\"countdown\" data-remaining=\"{remaining_seconds}\" data-scale=\"{scale}\">{clock}</span></div></div>\
             <div class=\"buttons\">\
             <form method=\"post\"><button class=\"primary\" id=\"pay-full\" name=\"action\" value=\"full\">Pay in full</button></form>\
             <form method=\"post\"><button class=\"secondary\" id=\"pay-part\" name=\"action\" value=\"part\">Pay part</button></form>\
             <form method=\"post\"><button class=\"secondary\" id=\"pay-over\" name=\"action\" value=\"over\">Overpay</button></form>\
             <form method=\"post\"><button class=\"danger\" id=\"expire\" name=\"action\" value=\"expire\">Let it expire</button></form>\
             </div>\
             <script>(function(){{var e=document.getElementById('countdown');var left=+e.dataset.remaining;var scale=+e.dataset.scale;\
             function show(){{var s=Math.max(0,Math.floor(left));var h=Math.floor(s/3600),m=Math.floor(s%3600/60),x=s%60;\
             e.textContent=(h?h+':':'')+String(m).padStart(2,'0')+':'+String(x).padStart(2,'0');}}\
             show();var t=setInterval(function(){{left-=scale;show();if(left<=0){{clearInterval(t);setTimeout(function(){{location.reload();}},500);}}}},1000);}})();</script>",
            scale = app.config.time_scale,
            clock = format_duration(remaining_seconds),
        );
    }
    // An invoice whose coin is not fixed yet: the customer picks it before paying.
    if let Some(coins) = app.imitation(invoice.provider).coin_choices(invoice) {
        let options: String = coins
            .iter()
            .map(|c| {
                let selected = if *c == invoice.pay_currency {
                    " selected"
                } else {
                    ""
                };
                format!("<option{selected}>{}</option>", escape(c))
            })
            .collect();
        let _ = write!(
            body,
            "<form method=\"post\" class=\"buttons\"><select name=\"coin\" id=\"coin\">{options}</select>\
             <button class=\"secondary\" id=\"choose-coin\" name=\"action\" value=\"coin\">Choose this coin</button></form>"
        );
    }
    if let Some(error) = error {
        let _ = write!(body, "<div class=\"notice error\">{}</div>", escape(error));
    }
    let closing = match invoice.finished {
        Some(finished) => format!("Closed {}", when(finished)),
        None => format!("Expires {}", when(invoice.expires)),
    };
    let _ = write!(
        body,
        "<p class=\"muted\" style=\"margin-top:22px\">{closing}</p></div>"
    );
    layout(&format!("Pay {}", invoice.id), &body)
}

fn format_duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// The payment page's buttons.
#[derive(Deserialize)]
struct PageAction {
    action: String,
    /// The coin chosen, with `action=coin`.
    coin: Option<String>,
}

async fn payment_action(
    State(app): State<Arc<App>>,
    Path((provider, id)): Path<(String, String)>,
    Form(form): Form<PageAction>,
) -> Response {
    let Ok(provider) = provider.parse::<Provider>() else {
        return not_found("No such provider.");
    };
    let result = match form.action.as_str() {
        "full" => app.pay(provider, &id, PayKind::Full, None).map(drop),
        "part" => app.pay(provider, &id, PayKind::Part, None).map(drop),
        "over" => app.pay(provider, &id, PayKind::Over, None).map(drop),
        "expire" => app.expire(provider, &id).map(drop),
        "coin" => {
            let coin = form.coin.as_deref().unwrap_or_default();
            app.choose_coin(provider, &id, coin)
        }
        _ => Err(ChangeError::BadRequest("unknown action".into())),
    };
    match result {
        // Back to the page (303: the browser then GETs it), which now shows the new state.
        Ok(()) => Redirect::to(&payment_page_url("", provider, &id)).into_response(),
        Err(ChangeError::NotFound(message)) => not_found(&message),
        Err(ChangeError::Conflict(message) | ChangeError::BadRequest(message)) => {
            let Some(invoice) = app.store().get(provider, &id).cloned() else {
                return not_found(&message);
            };
            (
                StatusCode::CONFLICT,
                render_payment_page(&app, &invoice, Some(&message)),
            )
                .into_response()
        }
    }
}

async fn index(State(app): State<Arc<App>>) -> Html<String> {
    app.expire_due();
    let store = app.store();
    let mut rows = String::new();
    for invoice in store.invoices().iter().rev() {
        let _ = write!(
            rows,
            "<tr><td>{provider}</td><td><a href=\"{link}\"><code>{id}</code></a></td><td>{title}</td>\
             <td>{amount} {currency}</td><td>{paid}</td><td><span class=\"badge {badge}\">{status}</span></td><td>{created}</td></tr>",
            provider = escape(invoice.provider.display_name()),
            link = escape(&payment_page_url("", invoice.provider, &invoice.id)),
            id = escape(&invoice.id),
            title = escape(&invoice.title),
            amount = escape(&invoice.amount.to_string()),
            currency = escape(&invoice.pay_currency),
            paid = escape(&invoice.paid().to_string()),
            badge = badge(invoice.lifecycle),
            status = escape(&app.status(invoice)),
            created = when(invoice.created),
        );
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"7\" class=\"muted\">No invoices yet: create one through a provider's API.</td></tr>");
    }
    let body = format!(
        "<h1>Invoices</h1><p class=\"muted\">Sandbox time {now} &middot; time scale {scale}</p>\
         <table><tr><th>Provider</th><th>Invoice</th><th>Title</th><th>Amount</th><th>Paid</th><th>Status</th><th>Created</th></tr>{rows}</table>",
        now = when(app.clock.now()),
        scale = app.config.time_scale,
    );
    layout("Invoices", &body)
}

/// The log's "Re-send" button: the delivery again, as a duplicate.
async fn resend(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match id
        .parse::<u64>()
        .ok()
        .and_then(|id| crate::core::deliveries::resend(&app, id))
    {
        Some(_) => Redirect::to("/_sandbox/deliveries").into_response(),
        None => not_found(&format!("No delivery {id}.")),
    }
}

async fn deliveries(State(app): State<Arc<App>>) -> Html<String> {
    let store = app.store();
    let mut rows = String::new();
    for d in store.deliveries().iter().rev() {
        let mut attempts = String::new();
        for a in &d.attempts {
            let _ = write!(
                attempts,
                "<div>#{n} {at}: {status} {response}</div>",
                n = a.number,
                at = a.at.format("%H:%M:%S"),
                status = a
                    .status
                    .map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}")),
                response = escape(&a.response.chars().take(200).collect::<String>()),
            );
        }
        if let Some(next) = d.next_attempt_at {
            let _ = write!(
                attempts,
                "<div class=\"muted\">next attempt {}</div>",
                when(next)
            );
        }
        let state = match d.state {
            DeliveryState::Pending => "<span class=\"badge open\">pending</span>",
            DeliveryState::Delivered => "<span class=\"badge paid\">delivered</span>",
            DeliveryState::GaveUp => "<span class=\"badge closed\">gave up</span>",
        };
        let _ = write!(
            rows,
            "<tr><td>{id}{resend}<form method=\"post\" action=\"/_sandbox/deliveries/{id}/resend\">\
             <button class=\"secondary\" style=\"padding:4px 8px;font-size:12px;margin-top:6px\">Re-send</button></form></td><td>{provider}<br><code>{invoice}</code></td><td>{event}</td><td><code>{url}</code><br>\
             <span class=\"muted\">{content_type}</span></td><td>{state}<br>{count}/{max} attempts{attempts}</td><td><pre>{body}</pre></td></tr>",
            id = d.id,
            resend = d.resend_of.map_or_else(String::new, |r| format!("<br><span class=\"muted\">re-send of {r}</span>")),
            provider = escape(d.provider.display_name()),
            invoice = escape(&d.invoice_id),
            event = escape(&d.event),
            url = escape(&d.url),
            content_type = escape(&d.content_type),
            count = d.attempts.len(),
            max = d.max_attempts,
            body = escape(&d.body),
        );
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"6\" class=\"muted\">No deliveries yet.</td></tr>");
    }
    let body = format!(
        "<h1>Deliveries</h1><p class=\"muted\">Sandbox time {now}. JSON: <code>/_sandbox/api/deliveries</code></p>\
         <table><tr><th>#</th><th>Invoice</th><th>Event</th><th>To</th><th>Attempts</th><th>Body</th></tr>{rows}</table>",
        now = when(app.clock.now()),
    );
    layout("Deliveries", &body)
}
