#![no_main]
//! See `invoice_fuzz::signed`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| invoice_fuzz::signed::check(data));
