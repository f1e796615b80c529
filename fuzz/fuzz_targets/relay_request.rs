//! The relay's request parser: any bytes as a written request (headers and body) and as a body
//! alone. Nothing panics; a refusal is a fixed code that repeats nothing of the input; a request
//! that holds for the vector device's key is the vector itself (or one with the same signed
//! parts); the phone's reading of an answer takes only this version's shape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, DEVICE_KEY};
use televisit_protocol::relay::{self, CheckIn, CheckInAnswer, RequestSignature};

fuzz_target!(|data: &[u8]| {
    // A body alone, as the relay reads it.
    match CheckIn::parse(data) {
        Ok(checkin) => {
            assert_eq!(checkin.v, relay::RELAY_VERSION);
            assert!(checkin.exports.len() <= relay::MAX_EXPORTS && checkin.receipts.len() <= relay::MAX_RECEIPTS);
        }
        Err(err) => assert_no_echo(&err.body(), data),
    }
    if let Some(answer) = CheckInAnswer::parse(data) {
        assert_eq!(answer.v, relay::RELAY_VERSION);
    }
    let Some(text) = text(data) else { return };
    // Headers read one by one, as the relay gets them.
    let mut lines = text.lines();
    let mut next = || lines.next().map(str::trim);
    let (device, time, nonce, signature) = (next(), next(), next(), next());
    if let Ok(read) = RequestSignature::from_headers(device, time, nonce, signature) {
        assert!(read.device_id.starts_with("dev_"));
        let _ = read.is_fresh(read.time);
        let _ = read.is_fresh(i64::MAX);
        let _ = read.is_fresh(i64::MIN);
    }
    // A whole written request: it holds for the vector key only when it is the vector's.
    if let Some((path, signature, body)) = relay::read_written(text) {
        if signature.holds(&DEVICE_KEY, "POST", &path, &body) {
            let vector = relay::read_written(&televisit_protocol::vectors::relay_request()).unwrap();
            assert_eq!((path, signature.time, signature.nonce, body), (vector.0, vector.1.time, vector.1.nonce, vector.2));
        }
    }
});
