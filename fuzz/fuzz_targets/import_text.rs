//! Anything a user imports: a curl command, a HAR file, a Postman collection, a pre-request
//! script. Read, or refused with what is wrong; never a panic, a hang or runaway memory.
#![no_main]

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use tokenvault_core::import::{curl, har, postman, postman_script};

fuzz_target!(|data: &[u8]| {
    let _ = har::each_entry(data, &mut |_, _| ControlFlow::Continue(()));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = curl::parse(text);
        let _ = postman::read(text, &[]);
        let _ = postman_script::sent_request(text, &BTreeMap::new());
    }
});
