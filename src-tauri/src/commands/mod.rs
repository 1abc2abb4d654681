//! The commands the window may call. Each is a thin step from IPC to the core: it
//! answers `{code, message, field?}` on failure, and no reply carries a secret except
//! where the user asked to see one (a private token, shown once when it is created).

pub mod accounts;
pub mod app;
pub mod calls;
pub mod copy;
pub mod import;
pub mod inspector;
pub mod proxy;
pub mod teams;

use std::sync::Arc;

use tokenvault_core::Vault;
use tokenvault_core::profile::Profile;

use crate::Shell;
use crate::view::FailureView;

/// What a command answers over IPC.
pub type IpcResult<T> = Result<T, FailureView>;

/// The open vault, or why there is none.
fn vault(shell: &Shell) -> IpcResult<&Arc<Vault>> {
    Ok(shell.vault.vault()?)
}

/// The profile an account speaks, overrides applied.
fn profile_of(vault: &Vault, id: &str) -> IpcResult<Profile> {
    let catalog = vault.catalog()?;
    let record = catalog.account(id)?;
    Ok(vault.target(record, &catalog)?.profile().clone())
}
