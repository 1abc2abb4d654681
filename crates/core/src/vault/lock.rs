//! Locks shared between processes (the app, the command line, an agent): a lock file
//! per account makes one renewal at a time, and one for the catalog serializes writers.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::error::Error;

/// An exclusive lock on a file, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct FileLock {
    file: File,
}

impl FileLock {
    /// Waits for and takes the lock on `path` (the file is created if missing).
    pub fn exclusive(path: &Path) -> Result<Self, Error> {
        let storage = |e: std::io::Error| Error::Storage {
            action: "lock",
            path: path.display().to_string(),
            problem: e.to_string(),
        };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(storage)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(storage)?;
        file.lock().map_err(storage)?;
        Ok(Self { file })
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// The lock that serializes renewals of one account across processes.
pub fn account_lock(locks_folder: &Path, account_id: &str) -> Result<FileLock, Error> {
    let safe: String = account_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    FileLock::exclusive(&locks_folder.join(format!("{safe}.lock")))
}
