#![no_main]
//! See `invoice_fuzz::refusals`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| invoice_fuzz::refusals::check(data));
