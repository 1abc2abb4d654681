//! Files of the vault written so that a crash leaves the old or the new content, and
//! readable by their owner only.

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
        replace(&temporary, path)?;
        #[cfg(unix)]
        std::fs::File::open(folder)?.sync_all()?;
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        storage("write", e)
    })
}

/// Renames `from` over `to`. On Windows, a rename over a file that another process has open
/// (a command line reading its tokens while the agent renews them) is refused with "access
/// denied" unless the file system takes a POSIX-semantics rename, which the standard
/// library tries next: NTFS on Windows 10 1809 and later does; older systems, network
/// shares and Wine do not, and an antivirus scanner may hold a new file a moment. Readers
/// hold these files only while they read them, so the rename is tried again, for up to
/// [`REPLACE_PATIENCE`].
fn replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        use std::time::{Duration, Instant};
        let deadline = Instant::now() + REPLACE_PATIENCE;
        let mut pause = Duration::from_millis(1);
        loop {
            match std::fs::rename(from, to) {
                Err(e)
                    if e.kind() == std::io::ErrorKind::PermissionDenied
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                done => return done,
            }
        }
    }
    #[cfg(not(windows))]
    std::fs::rename(from, to)
}

/// How long a write waits for readers to let go of the file it replaces (Windows).
#[cfg(windows)]
const REPLACE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

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
