#![no_main]
//! See `invoice_fuzz::amount`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| invoice_fuzz::amount::check(data));
