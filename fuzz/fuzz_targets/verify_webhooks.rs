#![no_main]
//! See `invoice_fuzz::webhooks`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| invoice_fuzz::webhooks::check(data));
