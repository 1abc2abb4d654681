//! The agent's named pipe on Windows. Pipe names are one namespace for the whole machine,
//! so the name is random (128 bits from the OS's generator) and only the data folder, which
//! is the user's, says it: `agent.pipe`. The pipe admits the current user alone (a
//! protected DACL naming the user's SID), refuses remote clients, and its first instance
//! must be new, so nobody can have made that name first. `agent.lock` in the data folder,
//! held while the agent runs, keeps it to one agent per folder; a name left by an agent
//! that is gone leads nowhere, and the next agent writes its own.
//!
//! The pipe's security attributes come from Win32 calls with no safe wrapper in the
//! dependency tree: the unsafe code of the agent is here, each block with what makes it
//! sound.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::fs::File;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::net::windows::named_pipe::{
    ClientOptions, NamedPipeClient, NamedPipeServer, ServerOptions,
};
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{
    GetTokenInformation, PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES, TOKEN_QUERY, TOKEN_USER,
    TokenUser,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

use super::{Peer, Reached};
use crate::StartError;

/// The file in the data folder that names the running agent's pipe.
const PIPE_FILE: &str = "agent.pipe";
/// Held by the running agent.
const LOCK_FILE: &str = "agent.lock";
/// `\\.\pipe\tokenvault-agent-` and 32 hex digits.
const PIPE_NAME_LENGTH: usize = 26 + 32;
/// `ERROR_PIPE_BUSY`: every instance is taken; a new one comes as soon as one connects.
const PIPE_BUSY: i32 = 231;

/// A connection to or from the agent.
pub enum Stream {
    /// The agent's end.
    Server(NamedPipeServer),
    /// The command line's end.
    Client(NamedPipeClient),
}

/// The pipe, with the next instance waiting for a client.
pub struct Listener {
    name: String,
    waiting: NamedPipeServer,
    security: Security,
    _one_agent: File,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// The next connection. The pipe's security descriptor admitted only this user.
    /// An instance whose client went away before it was served is replaced.
    pub async fn accept(&mut self) -> std::io::Result<(Stream, Peer)> {
        let connected = self.waiting.connect().await;
        let next = self.security.create(&self.name, false)?;
        let instance = std::mem::replace(&mut self.waiting, next);
        connected?;
        Ok((Stream::Server(instance), Ok(())))
    }
}

/// Creates the agent's pipe for `home` and names it in `agent.pipe`; refuses while another
/// agent holds the folder. Returns it with the path to show and to [`unbind`].
pub async fn bind(home: &Path) -> Result<(Listener, PathBuf), StartError> {
    let lock_path = home.join(LOCK_FILE);
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| local(&lock_path, &e))?;
    let marker = home.join(PIPE_FILE);
    if lock.try_lock().is_err() {
        return Err(StartError::AlreadyServed(marker));
    }
    let name = format!(r"\\.\pipe\tokenvault-agent-{}", random_hex());
    let security = Security::current_user().map_err(|e| local(&marker, &e))?;
    let waiting = security
        .create(&name, true)
        .map_err(|e| local(&marker, &e))?;
    std::fs::write(&marker, &name).map_err(|e| local(&marker, &e))?;
    Ok((
        Listener {
            name,
            waiting,
            security,
            _one_agent: lock,
        },
        marker,
    ))
}

/// Forgets the pipe's name, so no client looks for it.
pub fn unbind(marker: &Path) {
    let _ = std::fs::remove_file(marker);
}

/// Reaches the agent of `home` through the pipe its `agent.pipe` names.
pub async fn connect(home: &Path) -> Reached {
    let Ok(name) = std::fs::read_to_string(home.join(PIPE_FILE)) else {
        return Reached::None;
    };
    let name = name.trim();
    // Only an agent's pipe; an empty or cut name is a file being written.
    if !name.starts_with(r"\\.\pipe\tokenvault-agent-") || name.len() != PIPE_NAME_LENGTH {
        return Reached::None;
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match ClientOptions::new().open(name) {
            Ok(client) => return Reached::Agent(Stream::Client(client)),
            Err(e) if e.raw_os_error() == Some(PIPE_BUSY) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            // No such pipe: the name of an agent that is gone.
            Err(_) => return Reached::None,
        }
    }
}

/// 128 random bits in hex: std's hasher keys come from the OS's generator.
fn random_hex() -> String {
    let random = || std::collections::hash_map::RandomState::new().hash_one(0u8);
    format!("{:016x}{:016x}", random(), random())
}

fn local(path: &Path, error: &std::io::Error) -> StartError {
    StartError::Local(tokenvault_core::Error::Storage {
        action: "serve",
        path: path.display().to_string(),
        problem: error.to_string(),
    })
}

/// A security descriptor that gives the current user, and nobody else, full access.
struct Security {
    descriptor: PSECURITY_DESCRIPTOR,
}

// The descriptor is read-only once made, and freed once, on drop.
unsafe impl Send for Security {}
unsafe impl Sync for Security {}

impl Security {
    fn current_user() -> std::io::Result<Self> {
        let sid = current_user_sid()?;
        // D:P: a protected DACL (nothing inherited); A;;GA;;;SID: all access, this user only.
        let sddl: Vec<u16> = format!("D:P(A;;GA;;;{sid})")
            .encode_utf16()
            .chain([0])
            .collect();
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: `sddl` is a NUL-terminated UTF-16 string; the descriptor it allocates is
        // freed with LocalFree on drop.
        let made = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                sddl.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            )
        };
        if made == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Self { descriptor })
    }

    /// A new instance of the pipe `name` under this descriptor.
    fn create(&self, name: &str, first: bool) -> std::io::Result<NamedPipeServer> {
        let mut attributes = SECURITY_ATTRIBUTES {
            nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: self.descriptor,
            bInheritHandle: 0,
        };
        let mut options = ServerOptions::new();
        options
            .first_pipe_instance(first)
            .reject_remote_clients(true);
        // SAFETY: `attributes` points to a valid descriptor for the length of the call.
        unsafe {
            options
                .create_with_security_attributes_raw(name, (&raw mut attributes).cast::<c_void>())
        }
    }
}

impl Drop for Security {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW.
        unsafe { LocalFree(self.descriptor) };
    }
}

/// The current user's SID as text (`S-1-5-21-…`).
fn current_user_sid() -> std::io::Result<String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: the pseudo-handle of this process needs no closing; `token` is closed below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(std::io::Error::last_os_error());
    }
    let sid = (|| {
        let mut needed = 0u32;
        // SAFETY: a size query with no buffer.
        unsafe { GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut needed) };
        let mut buffer = vec![0u64; (needed as usize).div_ceil(8)];
        // SAFETY: `buffer` is `needed` bytes at least, aligned for TOKEN_USER.
        let read = unsafe {
            GetTokenInformation(
                token,
                TokenUser,
                buffer.as_mut_ptr().cast::<c_void>(),
                needed,
                &mut needed,
            )
        };
        if read == 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: GetTokenInformation filled a TOKEN_USER at the start of `buffer`.
        let user = unsafe { &*buffer.as_ptr().cast::<TOKEN_USER>() };
        let mut text: windows_sys::core::PWSTR = std::ptr::null_mut();
        // SAFETY: the SID lives in `buffer`; the string it allocates is freed below.
        if unsafe { ConvertSidToStringSidW(user.User.Sid, &mut text) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a NUL-terminated UTF-16 string from ConvertSidToStringSidW.
        let sid = unsafe {
            let length = (0..).take_while(|&i| *text.add(i) != 0).count();
            String::from_utf16_lossy(std::slice::from_raw_parts(text, length))
        };
        // SAFETY: allocated by ConvertSidToStringSidW.
        unsafe { LocalFree(text.cast()) };
        Ok(sid)
    })();
    // SAFETY: opened above.
    unsafe { CloseHandle(token) };
    sid
}

impl tokio::io::AsyncRead for Stream {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Server(pipe) => std::pin::Pin::new(pipe).poll_read(cx, buf),
            Stream::Client(pipe) => std::pin::Pin::new(pipe).poll_read(cx, buf),
        }
    }
}

impl tokio::io::AsyncWrite for Stream {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Server(pipe) => std::pin::Pin::new(pipe).poll_write(cx, buf),
            Stream::Client(pipe) => std::pin::Pin::new(pipe).poll_write(cx, buf),
        }
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Server(pipe) => std::pin::Pin::new(pipe).poll_flush(cx),
            Stream::Client(pipe) => std::pin::Pin::new(pipe).poll_flush(cx),
        }
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Server(pipe) => std::pin::Pin::new(pipe).poll_shutdown(cx),
            Stream::Client(pipe) => std::pin::Pin::new(pipe).poll_shutdown(cx),
        }
    }
}
