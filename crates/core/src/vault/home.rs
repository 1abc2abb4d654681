//! The data folder: the OS's convention (`~/.local/share/tokenvault` on Linux,
//! `~/Library/Application Support/tokenvault` on macOS, `%APPDATA%\tokenvault` on
//! Windows), or `TOKENVAULT_HOME` when set. Development builds use `tokenvault-dev`,
//! so running from source never touches a user's real vault.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The environment variable that overrides the data folder.
pub const HOME_VARIABLE: &str = "TOKENVAULT_HOME";

/// The keyring service name and folder name of this build.
pub fn app_name() -> &'static str {
    if cfg!(debug_assertions) {
        "tokenvault-dev"
    } else {
        "tokenvault"
    }
}

/// A data folder, created with owner-only permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home(PathBuf);

impl Home {
    /// The folder from `TOKENVAULT_HOME`, or the OS convention.
    pub fn resolve() -> Result<Self, Error> {
        match std::env::var_os(HOME_VARIABLE).filter(|v| !v.is_empty()) {
            Some(dir) => Self::at(PathBuf::from(dir)),
            None => {
                let base = dirs::data_dir().ok_or_else(|| Error::Storage {
                    action: "find",
                    path: "the user's data folder".into(),
                    problem: format!("the OS names none; set {HOME_VARIABLE}"),
                })?;
                Self::at(base.join(app_name()))
            }
        }
    }

    /// This folder, created if missing.
    pub fn at(dir: PathBuf) -> Result<Self, Error> {
        std::fs::create_dir_all(&dir).map_err(|e| Error::Storage {
            action: "create",
            path: dir.display().to_string(),
            problem: e.to_string(),
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(Self(dir))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The accounts catalog.
    pub fn catalog(&self) -> PathBuf {
        self.0.join("accounts.json")
    }

    /// The encrypted secret file (used only where no keyring is usable).
    pub fn encrypted_secrets(&self) -> PathBuf {
        self.0.join("secrets.enc")
    }

    /// The folder of access and refresh tokens, one file per account, encrypted under a
    /// key the OS keyring keeps.
    pub fn token_files(&self) -> PathBuf {
        self.0.join("tokens")
    }

    /// The audit trail.
    pub fn audit(&self) -> PathBuf {
        self.0.join("audit.jsonl")
    }

    /// The folder of per-account lock files.
    pub fn locks(&self) -> PathBuf {
        self.0.join("locks")
    }
}
