//! One test body for every provider, against the sandbox in-process: create an invoice through
//! the checkout → pay it in full, in part, over, or let it expire (the sandbox's control API) →
//! the notifications the provider sends, verified by the checkout in a receiver on 127.0.0.1 →
//! their lifecycle states and amounts → the state the provider's look-up reports, where it has
//! one → a notification sent again, recognised by its dedup key.
//!
//! What differs between providers is data, in [`expected`]. Nothing waits on the clock: the
//! sandbox logs each delivery before the control call that causes it answers, and each wait is
//! for a condition, with a generous upper bound.

mod support;

use invoice_checkout::{
    ApiforcryptoOrder, CheckoutError, CryptoprocessingOrder, Decimal, Event, InvoiceStatus,
    Lifecycle, Money, Order, Provider, ProviderEvent, ProviderInvoice,
};
use serde_json::json;
use support::{eventually, Shop};

/// What the customer does, through the control API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Payment {
    /// Pays the invoice exactly.
    Full,
    /// Pays half of it.
    Part,
    /// Pays it and a tenth more.
    Over,
    /// Pays nothing; the invoice expires.
    Expire,
    /// Pays half; the invoice expires.
    PartThenExpire,
}

/// What a provider makes of a payment: the states of the notifications it sends (in any
/// order), and the state its look-up reports (one of them where the docs leave it open; none:
/// it has no look-up).
struct Expected {
    notified: &'static [Lifecycle],
    looked_up: &'static [Lifecycle],
}

fn expected(provider: Provider, payment: Payment) -> Expected {
    use Lifecycle::*;
    use Payment::*;
    let (notified, looked_up): (&'static [Lifecycle], &'static [Lifecycle]) =
        match (provider, payment) {
            // Postbacks go out only for paid invoices; an invoice that expires unpaid is
            // `canceled`, and one paid in part stays `partial` (the status changes only "if
            // payment has not been received": the sandbox's reading).
            (Provider::CryptoCloud, Full) => (&[Paid], &[Paid]),
            (Provider::CryptoCloud, Part) => (&[], &[PartlyPaid]),
            (Provider::CryptoCloud, Over) => (&[Overpaid], &[Overpaid]),
            (Provider::CryptoCloud, Expire) => (&[], &[Cancelled]),
            (Provider::CryptoCloud, PartThenExpire) => (&[], &[PartlyPaid]),
            // A callback per status change and payment, and no look-up. An overpayment is read
            // from the payments; every ending without full payment is `failed`.
            (Provider::Cryptoprocessing, Full) => (&[Paid], &[]),
            (Provider::Cryptoprocessing, Part) => (&[PartlyPaid], &[]),
            (Provider::Cryptoprocessing, Over) => (&[Overpaid], &[]),
            (Provider::Cryptoprocessing, Expire) => (&[Failed], &[]),
            (Provider::Cryptoprocessing, PartThenExpire) => (&[PartlyPaid, Failed], &[]),
            // A notification per status change and payment; an expiry changes no status, only
            // `active`, so it is seen by looking up; no field tells an overpayment.
            (Provider::ApiForCrypto, Full) => (&[Paid], &[Paid]),
            (Provider::ApiForCrypto, Part) => (&[PartlyPaid], &[PartlyPaid]),
            (Provider::ApiForCrypto, Over) => (&[Paid], &[Paid]),
            (Provider::ApiForCrypto, Expire) => (&[], &[Expired]),
            (Provider::ApiForCrypto, PartThenExpire) => (&[PartlyPaid], &[ExpiredPartlyPaid]),
        };
    Expected {
        notified,
        looked_up,
    }
}

/// The order: 49.90 USD, which the sandbox asks at par in each coin.
fn order(order_id: &str) -> Order {
    Order::new(Decimal::new(4990, 2), "USD", order_id)
        .success_url("https://shop.example/paid")
        .failure_url("https://shop.example/failed")
        .email("customer@shop.example")
        .apiforcrypto(ApiforcryptoOrder::new("ethereum", "USDT"))
        .cryptoprocessing(CryptoprocessingOrder::new().partial_payments(true))
}

async fn act(shop: &Shop, provider: Provider, invoice_id: &str, payment: Payment) {
    let invoice = format!("{}/invoices/{invoice_id}", provider.name());
    let pay = |kind: &str| {
        let path = format!("{invoice}/pay");
        let body = json!({ "kind": kind });
        async move { shop.control(&path, Some(body)).await }
    };
    let expire = || {
        let path = format!("{invoice}/expire");
        async move { shop.control(&path, Some(json!({}))).await }
    };
    match payment {
        Payment::Full => drop(pay("full").await),
        Payment::Part => drop(pay("part").await),
        Payment::Over => drop(pay("over").await),
        Payment::Expire => drop(expire().await),
        Payment::PartThenExpire => {
            pay("part").await;
            expire().await;
        }
    }
}

/// What the provider reports as paid when it reports it: the whole 49.90, half of it, or
/// 49.90 and a tenth, in the coin it counts them in; apiforcrypto reports `value` once paid,
/// and nothing before.
fn reported_paid(provider: Provider, payment: Payment, state: Lifecycle) -> Option<Decimal> {
    let amount = match (provider, payment, state) {
        (Provider::ApiForCrypto, _, state) if !state.is_paid() => return None,
        (Provider::ApiForCrypto, _, _) | (_, Payment::Full, _) => "49.90",
        (_, Payment::Over, _) => "54.89",
        (_, Payment::Part | Payment::PartThenExpire, _) => "24.95",
        (_, Payment::Expire, _) => "0",
    };
    Some(amount.parse().expect("a decimal"))
}

/// The amount of a reported sum, with the coin it is counted in named.
fn amount(money: &Option<Money>) -> Option<Decimal> {
    money.as_ref().map(|m| {
        assert!(!m.currency.is_empty(), "{m:?}");
        m.amount
    })
}

/// The same steps for every provider; the differences are the table above.
async fn invoice_lifecycle(provider: Provider, payment: Payment) {
    let shop = Shop::open(provider).await;
    let order_id = format!("ORDER-{provider}-{payment:?}");
    let invoice = shop
        .checkout
        .create(&order(&order_id))
        .await
        .expect("the sandbox creates the invoice");
    assert_eq!(invoice.provider, provider);
    let page = invoice.payment_url.as_deref().expect("a payment page");
    assert!(page.ends_with(&invoice.invoice_id), "{page}");
    // CryptoCloud and apiforcrypto say when it expires; Cryptoprocessing's answer does not.
    assert_eq!(
        invoice.expires_at.is_some(),
        provider != Provider::Cryptoprocessing
    );
    assert_eq!(
        invoice.secret_key().is_some(),
        provider == Provider::ApiForCrypto
    );

    let expected = expected(provider, payment);
    act(&shop, provider, &invoice.invoice_id, payment).await;

    // The notifications, each verified by the checkout.
    let deliveries = shop.deliveries_of(&invoice.invoice_id).await;
    assert_eq!(
        deliveries.len(),
        expected.notified.len(),
        "{provider} {payment:?}: {deliveries:#?}"
    );
    let events: Vec<Event> = eventually("every notification verified", || async {
        let received = shop.received_about(&invoice.invoice_id);
        (received.len() >= expected.notified.len()).then_some(received)
    })
    .await
    .into_iter()
    .map(|verified| verified.expect("the checkout verifies the notification"))
    .collect();
    let mut states: Vec<&str> = events.iter().map(|e| e.lifecycle.as_str()).collect();
    let mut wanted: Vec<&str> = expected.notified.iter().map(|s| s.as_str()).collect();
    states.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(states, wanted, "{provider} {payment:?}");
    for event in &events {
        assert_eq!(event.provider, provider);
        assert_eq!(event.invoice_id, invoice.invoice_id);
        assert_eq!(event.order_id.as_deref(), Some(order_id.as_str()));
        let expected_paid = reported_paid(provider, payment, event.lifecycle);
        assert_eq!(
            amount(&event.paid),
            expected_paid,
            "{provider} {payment:?} {event:?}"
        );
        let typed = matches!(
            (provider, event.provider_event()),
            (Provider::CryptoCloud, ProviderEvent::CryptoCloud(_))
                | (
                    Provider::Cryptoprocessing,
                    ProviderEvent::Cryptoprocessing(_)
                )
                | (Provider::ApiForCrypto, ProviderEvent::ApiForCrypto(_))
        );
        assert!(typed, "{event:?}");
    }
    let mut keys: Vec<_> = events.iter().map(|e| e.dedup_key.clone()).collect();
    keys.dedup();
    assert_eq!(
        keys.len(),
        events.len(),
        "each notification has its own key"
    );

    // The look-up, where the provider has one.
    match shop.checkout.status(&invoice.invoice_id).await {
        Ok(status) => {
            let state = status.lifecycle;
            assert!(
                expected.looked_up.contains(&state),
                "{provider} {payment:?}: {state}"
            );
            check_amounts(&status, payment);
        }
        Err(CheckoutError::NotOffered { provider: p, .. }) => {
            assert_eq!(p, provider);
            assert!(!provider.offers_status() && expected.looked_up.is_empty());
        }
        Err(other) => panic!("{provider} {payment:?}: {other}"),
    }

    // A notification sent again is the same notification.
    if let Some(first) = deliveries.first() {
        let id = first["id"].as_u64().expect("a delivery id");
        shop.control(&format!("deliveries/{id}/resend"), Some(json!({})))
            .await;
        let again = eventually("the duplicate verified", || async {
            let received = shop.received_about(&invoice.invoice_id);
            received.get(events.len()).cloned()
        })
        .await
        .expect("the duplicate verifies");
        assert!(
            events.iter().any(|e| e.dedup_key == again.dedup_key),
            "{again:?}"
        );
    }
}

/// The amounts agree with the state: what was paid and what is due make up what was asked,
/// unless overpaid; apiforcrypto reports them only once paid.
fn check_amounts(status: &InvoiceStatus, payment: Payment) {
    let provider = status.provider;
    let asked = status.asked.clone().expect("the amount asked");
    assert_eq!(asked.amount, Decimal::new(4990, 2));
    match (&status.paid, &status.due) {
        (Some(paid), Some(due)) => {
            assert_eq!(
                amount(&status.paid),
                reported_paid(provider, payment, status.lifecycle)
            );
            assert!(paid.currency == asked.currency && due.currency == asked.currency);
            if status.lifecycle == Lifecycle::Overpaid {
                assert!(paid.amount > asked.amount && due.amount.is_zero());
            } else {
                assert_eq!(paid.amount + due.amount, asked.amount, "{status:?}");
            }
        }
        (None, None) => assert!(provider == Provider::ApiForCrypto && !status.lifecycle.is_paid()),
        other => panic!("{other:?}"),
    }
    let raw = matches!(
        (provider, status.raw()),
        (Provider::CryptoCloud, ProviderInvoice::CryptoCloud(_))
            | (Provider::ApiForCrypto, ProviderInvoice::ApiForCrypto(_))
    );
    assert!(raw, "{status:?}");
}

macro_rules! lifecycle_tests {
    ($($name:ident: $provider:ident, $payment:ident;)+) => {$(
        #[tokio::test]
        async fn $name() {
            invoice_lifecycle(Provider::$provider, Payment::$payment).await;
        }
    )+};
}

lifecycle_tests! {
    cryptocloud_paid_in_full: CryptoCloud, Full;
    cryptocloud_paid_in_part: CryptoCloud, Part;
    cryptocloud_overpaid: CryptoCloud, Over;
    cryptocloud_expired: CryptoCloud, Expire;
    cryptocloud_expired_after_a_part: CryptoCloud, PartThenExpire;
    cryptoprocessing_paid_in_full: Cryptoprocessing, Full;
    cryptoprocessing_paid_in_part: Cryptoprocessing, Part;
    cryptoprocessing_overpaid: Cryptoprocessing, Over;
    cryptoprocessing_expired: Cryptoprocessing, Expire;
    cryptoprocessing_expired_after_a_part: Cryptoprocessing, PartThenExpire;
    apiforcrypto_paid_in_full: ApiForCrypto, Full;
    apiforcrypto_paid_in_part: ApiForCrypto, Part;
    apiforcrypto_overpaid: ApiForCrypto, Over;
    apiforcrypto_expired: ApiForCrypto, Expire;
    apiforcrypto_expired_after_a_part: ApiForCrypto, PartThenExpire;
}
