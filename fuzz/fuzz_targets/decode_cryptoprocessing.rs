#![no_main]
//! See `invoice_fuzz::decode`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| invoice_fuzz::decode::cryptoprocessing(data));
