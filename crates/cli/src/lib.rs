//! The `tokenvault` command line as a library: its arguments, its commands, and the token
//! agent that runs them for other processes. The `tokenvault` binary is a thin `main`
//! over it; the desktop app uses [`agent`] to serve the command line while it runs.

pub mod agent;
pub mod args;
pub mod exit;
pub mod output;
pub mod run;
