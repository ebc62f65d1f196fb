//! Helpers on the generated [`cryptocloud::Client`], as an extension trait ([`ClientExt`]):
//!
//! - [`ClientExt::list_all`]: every invoice of a period, as a stream that walks the list
//!   endpoint's windows and holds at most one page in memory;
//! - [`ClientExt::get_many`]: any number of invoices by identifier, in requests of at most 100
//!   identifiers with a bounded number in flight, answered in the order asked.
//!
//! The list endpoint's `offset` is the index of the first record (from 0) and `limit` the
//! number of the last one (from 1, inclusive): the window `offset = 200, limit = 300` is the
//! 201st to the 300th record. `all_count` is the number of invoices in the whole period. The
//! spec's note on `limit` says why this reading was chosen.

use std::collections::hash_map::{Entry, HashMap};
use std::future::Future;

use cryptocloud::invoice_id::bare;
use cryptocloud::types::{ErrorResponse, Invoice, InvoiceInfoRequest, InvoiceListRequest};
use cryptocloud::{ApiError, BoundedInt, BoundedVec, DayMonthYear};
use futures::stream::{self, Stream, StreamExt, TryStreamExt};

/// The error of a CryptoCloud call.
pub type Error = ApiError<ErrorResponse>;

/// Most records the list endpoint returns for one request (from the spec's window rule).
pub const MAX_PAGE: usize = InvoiceListRequest::MAX_WINDOW as usize;

/// Most identifiers the information endpoint takes (from the spec's `maxItems`).
pub const MAX_IDS: usize = max_items(|request: &InvoiceInfoRequest| &request.uuids);

const fn max_items<T, const MIN: usize, const MAX: usize>(
    _field: fn(&InvoiceInfoRequest) -> &BoundedVec<T, MIN, MAX>,
) -> usize {
    MAX
}

/// Requests [`ClientExt::get_many`] keeps in flight by default.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// What [`ClientExt::get_many`] found.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// The invoices found, in the order their identifiers were first asked for.
    pub found: Vec<Invoice>,
    /// The identifiers asked for that no invoice answered, as given.
    pub missing: Vec<String>,
}

/// Paging and batching on [`cryptocloud::Client`].
pub trait ClientExt {
    /// Every invoice created from `start` to `end` (inclusive), `page_size` records per
    /// request (at most [`MAX_PAGE`]). The stream ends after the last window, or at the first
    /// error.
    fn list_all(
        &self,
        start: DayMonthYear,
        end: DayMonthYear,
        page_size: usize,
    ) -> impl Stream<Item = Result<Invoice, Error>> + Send + '_;

    /// The invoices with these identifiers (`INV-XXXXXXXX` or `XXXXXXXX`), asked for in
    /// requests of at most [`MAX_IDS`] identifiers, `concurrency` at a time. Identifiers asked
    /// for twice are asked for once.
    fn get_many<I, S>(
        &self,
        ids: I,
        concurrency: usize,
    ) -> impl Future<Output = Result<Lookup, Error>> + Send
    where
        I: IntoIterator<Item = S>,
        S: Into<String>;
}

impl ClientExt for cryptocloud::Client {
    fn list_all(
        &self,
        start: DayMonthYear,
        end: DayMonthYear,
        page_size: usize,
    ) -> impl Stream<Item = Result<Invoice, Error>> + Send + '_ {
        let page_size = page_size.clamp(1, MAX_PAGE) as i64;
        // The state is the next window's offset, or None once the last one was read.
        let pages = stream::try_unfold(Some(0_i64), move |offset| async move {
            let Some(offset) = offset else {
                return Ok::<_, Error>(None);
            };
            let request = InvoiceListRequest {
                start,
                end,
                offset: bound(offset)?,
                limit: bound(offset + page_size)?,
            };
            let page: cryptocloud::types::InvoiceListResponse = self
                .list_invoices()
                .body(request)
                .send()
                .await?
                .into_inner();
            let read = offset + page.result.len() as i64;
            // An empty window ends the walk even if `all_count` says more should come (it can
            // change while we read).
            let next = (!page.result.is_empty() && read < page.all_count).then_some(read);
            Ok(Some((page.result, next)))
        });
        pages
            .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
            .try_flatten()
    }

    fn get_many<I, S>(
        &self,
        ids: I,
        concurrency: usize,
    ) -> impl Future<Output = Result<Lookup, Error>> + Send
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids: Vec<String> = ids.into_iter().map(Into::into).collect();
        async move {
            // The rank of each identifier's first ask, on its bare form; repeats are not asked
            // again. Borrowed from `ids`, which stays as given (for `missing`).
            let mut rank: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
            let mut asked: Vec<&str> = Vec::with_capacity(ids.len());
            for id in &ids {
                if let Entry::Vacant(slot) = rank.entry(bare(id)) {
                    slot.insert(asked.len());
                    asked.push(id);
                }
            }
            // `buffered` keeps the batches' order whatever order they complete in; each
            // batch's identifiers are copied only when it is sent. The answers go into one
            // vector sized for every distinct identifier asked, and are ordered there in place.
            let mut found: Vec<Invoice> = stream::iter(asked.chunks(MAX_IDS).map(owned))
                .map(|batch| look_up(self, batch))
                .buffered(concurrency.max(1))
                .try_fold(
                    Vec::with_capacity(asked.len()),
                    |mut all, answer| async move {
                        all.extend(answer.result);
                        Ok(all)
                    },
                )
                .await?;
            // One invoice per identifier asked: invoices not asked for are dropped, and of an
            // invoice answered more than once the last answer is kept.
            let mut answered = vec![false; asked.len()];
            let keep: Vec<bool> = found
                .iter()
                .rev()
                .map(|invoice| match rank.get(bare(&invoice.uuid)) {
                    Some(&r) if !answered[r] => {
                        answered[r] = true;
                        true
                    }
                    _ => false,
                })
                .collect();
            let mut from_end = keep.len();
            found.retain(|_| {
                from_end -= 1;
                keep[from_end]
            });
            // Then in the order first asked (each rank now appears once).
            found.sort_by_cached_key(|invoice| rank[bare(&invoice.uuid)]);
            let missing = asked
                .iter()
                .zip(&answered)
                .filter(|(_, &answered)| !answered)
                .map(|(&id, _)| id.to_owned())
                .collect();
            Ok(Lookup { found, missing })
        }
    }
}

/// One information request, for 1 to [`MAX_IDS`] identifiers.
async fn look_up(
    client: &cryptocloud::Client,
    batch: Vec<String>,
) -> Result<cryptocloud::types::InvoiceInfoResponse, Error> {
    let uuids = BoundedVec::new(batch).expect("batches hold 1 to MAX_IDS identifiers");
    let request = InvoiceInfoRequest { uuids };
    Ok(client
        .get_invoices()
        .body(request)
        .send()
        .await?
        .into_inner())
}

/// A batch's identifiers, as the request takes them. (A function rather than a closure: the
/// future holding the iterator must be `Send` for every lifetime of the borrowed batch.)
fn owned(batch: &[&str]) -> Vec<String> {
    batch.iter().map(|&id| id.to_owned()).collect()
}

fn bound(value: i64) -> Result<BoundedInt<0, { i64::MAX }>, Error> {
    BoundedInt::new(value).map_err(|e| ApiError::InvalidRequest(format!("window: {e}")))
}
