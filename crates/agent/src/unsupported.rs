//! Where there are no Unix sockets (Windows, until named pipes are built), no agent is
//! ever found and starting one says it is not available.

/// Asking an agent: there is none.
pub mod client {
    use std::path::Path;

    pub use crate::Asked;
    use crate::protocol::Request;

    /// Always [`Asked::NoAgent`].
    pub async fn ask(_home: &Path, _request: Request) -> Asked {
        Asked::NoAgent
    }
}

/// Serving: not available here.
pub mod server {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use tokenvault_core::{Error, Vault};

    use crate::{Handler, StartError};

    /// Not available here.
    #[derive(Debug)]
    pub struct Agent;

    impl Agent {
        /// Not available here.
        pub fn new(_vault: Arc<Vault>, _handler: Arc<dyn Handler>) -> Arc<Self> {
            Arc::new(Self)
        }

        /// Not available here.
        pub async fn lock_when_idle(self: Arc<Self>, _idle: std::time::Duration) {}

        /// Not available here.
        pub fn lock(&self) {}

        /// Not available here.
        pub fn unlock(&self) {}

        /// Never locked: there is nothing to lock.
        pub fn is_locked(&self) -> bool {
            false
        }
    }

    /// A listener that never comes.
    #[derive(Debug)]
    pub struct Listener;

    /// Says the agent is not available on this OS.
    pub async fn bind(_home: &Path) -> Result<(Listener, PathBuf), StartError> {
        Err(StartError::Local(Error::NotSupported {
            profile: "this OS".into(),
            call: "token agent",
        }))
    }

    /// Never called: `bind` fails first.
    pub async fn serve(_agent: Arc<Agent>, _listener: Listener, _stop: impl Future<Output = ()>) {}
}
