//! Floors: what a hand-written client would declare for the same payloads, `f64` amounts and
//! `String` everything else (enums, dates, identifiers).
// Fields exist to be decoded, not read.
#![allow(dead_code)]

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, Debug)]
pub struct FloorListResponse {
    pub status: String,
    pub result: Vec<FloorInvoice>,
    pub all_count: i64,
}

#[derive(Deserialize, Debug)]
pub struct FloorInfoResponse {
    pub status: String,
    pub result: Vec<FloorInvoice>,
}

#[derive(Deserialize, Debug)]
pub struct FloorInvoice {
    pub uuid: String,
    pub created: String,
    pub address: String,
    pub currency: FloorCurrency,
    pub date_finished: Option<String>,
    pub expiry_date: String,
    pub side_commission: String,
    pub side_commission_cc: String,
    pub type_payments: Option<String>,
    pub status: String,
    pub is_email_required: bool,
    pub project: FloorProject,
    pub tx_list: Option<Vec<Value>>,
    pub test_mode: bool,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub user_email: Option<String>,
    pub pay_url: Option<String>,
    pub phone: Option<String>,
    pub order_id: Option<String>,
    pub fiat_currency: Option<String>,
    pub link: Option<String>,
    pub amount_in_crypto: Option<f64>,
    pub amount_in_fiat: f64,
    pub amount: f64,
    pub amount_usd: f64,
    pub amount_to_pay: Option<f64>,
    pub amount_to_pay_usd: Option<f64>,
    pub amount_paid: Option<f64>,
    pub amount_paid_usd: Option<f64>,
    pub fee: f64,
    pub fee_usd: f64,
    pub service_fee: f64,
    pub service_fee_usd: f64,
    pub received: f64,
    pub received_usd: f64,
    pub to_surcharge: f64,
    pub to_surcharge_usd: f64,
}

#[derive(Deserialize, Debug)]
pub struct FloorCurrency {
    pub id: i64,
    pub code: String,
    pub fullcode: String,
    pub network: FloorNetwork,
    pub name: String,
    pub is_email_required: bool,
    pub stablecoin: bool,
    pub icon_base: String,
    pub icon_network: String,
    pub icon_qr: String,
    pub order: i64,
}

#[derive(Deserialize, Debug)]
pub struct FloorNetwork {
    pub code: String,
    pub id: i64,
    pub icon: String,
    pub fullname: String,
}

#[derive(Deserialize, Debug)]
pub struct FloorProject {
    pub id: i64,
    pub name: String,
    pub fail: String,
    pub success: String,
    pub logo: String,
}

/// Cryptoprocessing's create response.
#[derive(Deserialize, Debug)]
pub struct FloorCpCreateResponse {
    pub data: FloorCpInvoice,
}

#[derive(Deserialize, Debug)]
pub struct FloorCpInvoice {
    pub id: i64,
    pub url: String,
    pub foreign_id: String,
    pub end_user_reference: Option<Value>,
    pub address: String,
    pub title: String,
    pub status: String,
    pub currency: String,
    pub amount: String,
    pub sender_currency: Option<String>,
    pub sender_amount: Option<String>,
    pub fixed_at: Option<i64>,
    pub release_at: Option<i64>,
    pub seconds_left: Option<i64>,
}

/// apiforcrypto's invoice.
#[derive(Deserialize, Debug)]
pub struct FloorAfInvoice {
    pub id: String,
    pub blockchain: String,
    pub symbol: String,
    pub address: String,
    pub contract_address: Option<String>,
    pub active: bool,
    pub value: f64,
    pub created: String,
    pub expiry: String,
    pub status: String,
    pub confirmations: i64,
    pub fiat_currency: Option<FloorAfFiat>,
    pub txs: Option<Vec<String>>,
    pub data: Option<FloorAfData>,
    pub url_pay: Option<String>,
}

#[derive(Deserialize, Debug)]
pub struct FloorAfFiat {
    pub currency: Option<String>,
    pub value: Option<f64>,
    pub percent: Option<i64>,
}

#[derive(Deserialize, Debug)]
pub struct FloorAfData {
    pub order_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub url_callback: Option<String>,
    pub attempts_callback: Option<i64>,
    pub url_success: Option<String>,
    pub url_failed: Option<String>,
    pub user_data: Option<String>,
}
