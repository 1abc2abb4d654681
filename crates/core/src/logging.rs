//! Logging for the binaries: to stderr, filtered by `TOKENVAULT_LOG` (e.g. `debug`).
//! Nothing the core logs holds a secret; `Secret` prints as `<redacted>`.

/// Installs the stderr logger; `default` applies when `TOKENVAULT_LOG` is unset.
pub fn init(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOKENVAULT_LOG")
        .unwrap_or_else(|_| default.into());
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
}
