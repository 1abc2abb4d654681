//! `tokenvault`: fresh API tokens for scripts, on the same vault as the desktop app.
//!
//! A thin layer over `tokenvault-core`: it parses arguments, calls the core, prints
//! results (tokens on stdout only; progress and errors on stderr), and turns the
//! core's stable error codes into the documented exit codes.

use std::process::ExitCode;

use clap::Parser;
use tokenvault_cli::{args, commands, exit};

/// Freed memory holds zeros, not the tokens and passwords that passed through it.
#[global_allocator]
static ALLOCATOR: tokenvault_core::memory::ZeroingAllocator =
    tokenvault_core::memory::ZeroingAllocator;

fn main() -> ExitCode {
    tokenvault_core::logging::init("warn");
    if let Err(e) = tokenvault_core::memory::keep_private() {
        tracing::warn!("this process's memory stays readable by its user's other processes: {e}");
    }
    let cli = args::Cli::parse();
    // The proxy serves many connections at once: it gets a thread per core.
    let mut builder = if matches!(cli.command, args::Command::Proxy(_)) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tokenvault: cannot start: {e}");
            return ExitCode::from(exit::LOCAL);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.is_silent() {
                eprintln!("tokenvault: {failure}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
