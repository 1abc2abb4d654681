//! Integration tests: the core's auth engine against the demo API over real loopback HTTP.
//!
//! - `presets`: every preset logs in, and renews the way its dialect does.
//! - `faults`: every fault mode of the demo API, and what the engine makes of it.
//! - `calls`: validate, one-time-token verification and private tokens through the engine.
//! - `custom_profile`: a profile written from documentation alone, for a dialect no preset knows.
//! - `browser_sign_in`: authorization code with PKCE, a person signing in on the server's page.
//! - `device_sign_in`: the device flow, a person approving the code on the server's page.
//! - `demo_api`: the demo API's own calls (validate, OTT, private tokens, counters).
//! - `editing`: adding and editing accounts as the app's form does, nothing kept on a failed login.
//! - `keeper`: background renewal of every account, and what it does when a server fails.
//! - `load`: 1,000 accounts expiring in the same minute, each renewed once, in time.
//! - `second_factor`: one-time codes at login, generated from a kept TOTP secret or asked.
//! - `teams`: accounts shared through a real OpenBao, a dev server and a three-node cluster.
//! - `tls`: a real TLS server trusted as an extra CA; a redirect to plain http is refused.
//! - `vault`: the real keyring, the encrypted fallback without a session bus, crash-safe catalog writes.

mod browser_sign_in;
mod calls;
mod custom_profile;
mod demo_api;
mod device_sign_in;
mod editing;
mod faults;
mod keeper;
mod load;
mod presets;
mod second_factor;
mod teams;
mod tls;
mod vault;
