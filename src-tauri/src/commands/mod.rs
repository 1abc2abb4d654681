//! The commands the window may call. Each is a thin step from IPC to the core: it
//! answers `{code, message, field?}` on failure, and no reply carries a secret except
//! where the user asked to see one (a private token, shown once when it is created).

pub mod accounts;
pub mod app;
pub mod calls;
pub mod copy;
pub mod inspector;

use std::sync::Arc;

use tokenvault_core::profile::Profile;
use tokenvault_core::vault::accounts::Accounts;

use crate::Shell;
use crate::view::FailureView;

/// What a command answers.
pub type Reply<T> = Result<T, FailureView>;

/// The open vault's accounts, or why there are none.
fn accounts(shell: &Shell) -> Reply<&Arc<Accounts>> {
    Ok(shell.vault.accounts()?)
}

/// The profile an account speaks, overrides applied.
fn profile_of(accounts: &Accounts, id: &str) -> Reply<Profile> {
    let catalog = accounts.catalog()?;
    let record = catalog.account(id)?;
    Ok(accounts.target(record, &catalog)?.profile().clone())
}
