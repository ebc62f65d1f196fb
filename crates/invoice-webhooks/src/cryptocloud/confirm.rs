//! Confirming a postback with the provider's own record of the invoice.

use std::fmt;

use ::cryptocloud::invoice_id::same;
use ::cryptocloud::types::{ErrorResponse, InvoiceInfoRequest, InvoiceStatus};
use ::cryptocloud::{ApiError, BoundedVec, Client};
use http::{HeaderMap, StatusCode};

use super::{Event, Invoice, Verifier};
use crate::request_checks::shown;
use crate::{trace, DedupKey, Rejection, Verified};

/// A postback whose invoice the provider's API confirmed: the verified postback, and the
/// invoice as the information endpoint returns it, which is the truth to act on (its amounts
/// and status, rather than the postback's, which the token does not sign).
///
/// What to credit: the record's `received`, "Amount credited to the balance in
/// cryptocurrency" (cryptocloud-invoice-info.txt), in `currency.fullcode`. It is the invoice's
/// total, not one payment's, so keep it per invoice and credit only what exceeds the total
/// already credited: a redelivery then credits nothing, and a later postback about the same
/// invoice reporting more credits the difference. Not `amount`, the "Invoice amount in the
/// selected cryptocurrency" (what was asked), nor the postback's `amount_crypto`, which the
/// token does not sign.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Confirmed {
    /// The verified postback.
    pub event: Event,
    /// The provider's record of the invoice.
    pub invoice: Invoice,
}

impl Confirmed {
    /// The key to deduplicate by: as [`Event::dedup_key`], with the provider's status of the
    /// invoice in place of the postback's `invoice_info.status` (the same key when the
    /// postback's `invoice_info` agrees with the provider).
    pub fn dedup_key(&self) -> DedupKey {
        DedupKey::new([
            "cryptocloud",
            super::bare(&self.event.postback.invoice_id),
            self.event.postback.status.as_str(),
            self.invoice.status.as_str(),
        ])
    }
}

/// Why [`Verifier::verify_and_confirm`] refused a postback: the postback itself, or the
/// provider's record of it ([`Rejection::InvoiceNotFound`],
/// [`Rejection::ConfirmationMismatch`]), or the look-up failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfirmError {
    /// The postback was refused: by the verifier, or because the provider's record
    /// contradicts it.
    Rejected(Rejection),
    /// The invoice could not be looked up (network, the provider's error, an unreadable
    /// answer): the postback is neither confirmed nor refused.
    Api(ApiError<ErrorResponse>),
}

impl ConfirmError {
    /// The HTTP status to answer the postback with: the rejection's, or 503 when the look-up
    /// failed (so that a provider that resends postbacks sends this one again).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Rejected(rejection) => rejection.status(),
            Self::Api(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// A stable short name: the rejection's, or `confirmation_unavailable`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rejected(rejection) => rejection.code(),
            Self::Api(_) => "confirmation_unavailable",
        }
    }

    /// The rejection, if the postback was refused.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Self::Rejected(rejection) => Some(rejection),
            Self::Api(_) => None,
        }
    }
}

impl From<Rejection> for ConfirmError {
    fn from(rejection: Rejection) -> Self {
        Self::Rejected(rejection)
    }
}

impl From<ApiError<ErrorResponse>> for ConfirmError {
    fn from(error: ApiError<ErrorResponse>) -> Self {
        Self::Api(error)
    }
}

impl fmt::Display for ConfirmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(rejection) => rejection.fmt(f),
            Self::Api(error) => write!(f, "the invoice could not be looked up: {error}"),
        }
    }
}

impl std::error::Error for ConfirmError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Rejected(rejection) => Some(rejection),
            Self::Api(error) => Some(error),
        }
    }
}

impl Verifier {
    /// Verifies a postback as [`verify`](Self::verify) does, then confirms it with the
    /// provider's record of the invoice ([`Verified::confirm`]): the answer holds both.
    ///
    /// The future is `Send`. The client needs only the project's API key; it is not the
    /// secret key the token is signed with.
    pub async fn verify_and_confirm(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        client: &Client,
    ) -> Result<Confirmed, ConfirmError> {
        let verified = self.verify(headers, body)?;
        verified.confirm(client).await
    }
}

impl Verified<Event> {
    /// Looks the postback's invoice up with the invoice-information endpoint (`get_invoices`,
    /// with the invoice's `INV-` identifier) and checks the provider's record against the
    /// postback:
    ///
    /// - the provider must know the invoice ([`Rejection::InvoiceNotFound`] otherwise);
    /// - the record's `status` must be `paid` or `overpaid`: the postback is sent "after an
    ///   invoice is confirmed (paid)", and "only successful payments are notified"
    ///   (more-pages.md 1.6); `created`, `partial`, `canceled` and unknown statuses are refused;
    /// - the postback's `currency`, the "full currency code", if sent, must be the record's
    ///   `currency.fullcode`;
    /// - the postback's `order_id`, "your `order_id`", if sent and not empty, must be the
    ///   record's.
    ///
    /// Amounts are not compared. The postback's `amount_crypto` is the "paid amount in the
    /// coin" (more-pages.md 1.6), the record's `amount` the "Invoice amount in the selected
    /// cryptocurrency" (cryptocloud-invoice-info.txt): what was paid and what was asked, which
    /// differ whenever an invoice is overpaid, so comparing them would refuse every authentic
    /// postback of an overpaid invoice. Nor is `amount_crypto` compared with the record's
    /// `received`, "Amount credited to the balance", which fees may make smaller than what was
    /// paid; and the docs' own overpaid postback shows `amount_crypto` 100 beside `amount` 100,
    /// so what the postback's figure holds is not even settled. The token does not sign it: credit
    /// the record's `received` instead ([`Confirmed`]).
    ///
    /// A disagreement is [`Rejection::ConfirmationMismatch`] naming the field. A failed call
    /// keeps the client's error ([`ConfirmError::Api`]).
    pub async fn confirm(self, client: &Client) -> Result<Confirmed, ConfirmError> {
        let event = self.into_event();
        let uuids = BoundedVec::new(vec![event.invoice_uuid()])
            .expect("one identifier is within the endpoint's bounds");
        let answer = client
            .get_invoices()
            .body(InvoiceInfoRequest { uuids })
            .send()
            .await?
            .into_inner();
        let invoice = answer
            .result
            .into_iter()
            .rev()
            .find(|invoice| same(&invoice.uuid, &event.postback.invoice_id))
            .ok_or(Rejection::InvoiceNotFound)
            .inspect_err(trace::rejected::<Event>)?;
        check(&event, &invoice).inspect_err(trace::rejected::<Event>)?;
        Ok(Confirmed { event, invoice })
    }
}

/// The provider's record against the postback: status, currency and order, never the amounts
/// (see [`Verified::confirm`]).
fn check(event: &Event, invoice: &Invoice) -> Result<(), Rejection> {
    let postback = &event.postback;
    let mismatch = |field, postback: &str, provider: &str| {
        Err(Rejection::ConfirmationMismatch {
            field,
            postback: shown(postback),
            provider: shown(provider),
        })
    };
    if !matches!(
        invoice.status,
        InvoiceStatus::Paid | InvoiceStatus::Overpaid
    ) {
        return mismatch("status", postback.status.as_str(), invoice.status.as_str());
    }
    if let Some(currency) = &postback.currency {
        if currency.as_str() != invoice.currency.fullcode.as_str() {
            return mismatch(
                "currency",
                currency.as_str(),
                invoice.currency.fullcode.as_str(),
            );
        }
    }
    if let Some(order_id) = postback.order_id.as_deref().filter(|id| !id.is_empty()) {
        if invoice.order_id.as_deref() != Some(order_id) {
            return mismatch(
                "order_id",
                order_id,
                invoice.order_id.as_deref().unwrap_or(""),
            );
        }
    }
    Ok(())
}
