//! The vault: where accounts and their secrets live between runs, shared by the
//! desktop app and the command line.
//!
//! - [`home`]: the data folder (OS conventions, `TOKENVAULT_HOME`, a separate one for
//!   development builds).
//! - [`catalog`]: the secret-free accounts file, written atomically.
//! - [`exchange`]: import and export of accounts and custom profiles, with no secret.
//! - [`secrets`]: passwords and tokens in the OS keyring, or an encrypted file where no
//!   keyring is usable.
//! - [`lock`]: one renewal per account across processes.
//! - [`keeper`]: follows the catalog and renews its accounts from a long-running process.
//! - [`audit`]: a bounded trail of what happened, without any secret.
//! - [`new_account`]: a new account as a user describes it, checked field by field.
//! - [`accounts`]: accounts with their secrets, and fresh tokens renewed once across processes.

pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod exchange;
pub mod home;
pub mod keeper;
pub mod lock;
pub mod new_account;
pub mod secrets;

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `bytes` to `path` so that a crash at any moment leaves the old or the new
/// content, never a mix: write a temporary file beside it, flush it to disk, rename it
/// over the old one, then flush the folder so the rename itself is durable.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let storage = |action: &'static str, e: std::io::Error| Error::Storage {
        action,
        path: path.display().to_string(),
        problem: e.to_string(),
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        restrict_to_owner(&file)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        #[cfg(unix)]
        std::fs::File::open(folder)?.sync_all()?;
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        storage("write", e)
    })
}

/// Makes a file readable and writable by its owner only (Unix).
pub(crate) fn restrict_to_owner(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}
