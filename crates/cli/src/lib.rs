//! The `tokenvault` command line as a library: its arguments, its commands, and the
//! handler that runs them for the token agent. The `tokenvault` binary is a thin `main`
//! over it; the desktop app uses [`commands::start_agent`] to serve the command line
//! while it runs.

pub mod args;
pub mod commands;
pub mod exit;
pub mod mask;
pub mod output;
pub mod variables;
