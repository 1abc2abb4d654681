//! Integration tests: the core's auth engine against the demo API over real loopback HTTP.
//!
//! - `presets`: every preset logs in, and renews the way its dialect does.
//! - `faults`: every fault mode of the demo API, and what the engine makes of it.
//! - `demo_api`: the demo API's own calls (validate, OTT, private tokens, counters).

mod demo_api;
mod faults;
mod presets;
