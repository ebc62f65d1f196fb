#![no_main]
//! See `invoice_fuzz::time`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| invoice_fuzz::time::check(data));
