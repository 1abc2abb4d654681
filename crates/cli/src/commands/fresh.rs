//! Fresh tokens for the commands that hand them to other programs (`exec`, `proxy`): from
//! the running agent when there is one, as `tokenvault token` gets them, or from the
//! vault this process opens.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use tokenvault_agent::client::{Asked, ask};
use tokenvault_agent::protocol::{self, Request, TokenFormat};
use tokenvault_core::auth::Token;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::vault::audit::AuditKind;
use tokenvault_core::vault::home::Home;
use tokenvault_core::{Secret, Vault};
use tokenvault_proxy::source::Pending;
use tokenvault_proxy::{TokenFailure, TokenSource};
use tokio::sync::OnceCell;

use super::open_vault;
use crate::exit::{self, Failure};
use crate::output;

/// Where tokens come from: asked of the agent until it turns out there is none, then
/// from a vault opened here (once).
#[derive(Debug)]
pub struct Fresh {
    home: Home,
    passphrase_stdin: bool,
    use_agent: std::sync::atomic::AtomicBool,
    local: OnceCell<Arc<Vault>>,
}

impl Fresh {
    /// Tokens of the vault in `home`; `no_agent` opens it here whatever runs.
    pub fn new(home: Home, no_agent: bool, passphrase_stdin: bool) -> Self {
        Self {
            home,
            passphrase_stdin,
            use_agent: std::sync::atomic::AtomicBool::new(!no_agent),
            local: OnceCell::new(),
        }
    }

    /// The data folder.
    pub fn home(&self) -> &Home {
        &self.home
    }

    /// Makes sure tokens can be had before they are needed: an agent answers, or the vault
    /// opens here (so a keyring that cannot be opened is said at once, not at the first
    /// request of a proxy).
    pub async fn ready(&self) -> Result<(), Failure> {
        use std::sync::atomic::Ordering;
        if self.use_agent.load(Ordering::Relaxed) {
            match ask(self.home.path(), Request::Ping).await {
                Asked::Answered(reply) if reply.refused.is_none() => return Ok(()),
                Asked::Unsafe(why) => output::note(&format!("tokenvault: {why}")),
                _ => {}
            }
            self.use_agent.store(false, Ordering::Relaxed);
        }
        self.vault().await.map(|_| ())
    }

    async fn vault(&self) -> Result<&Arc<Vault>, Failure> {
        self.local
            .get_or_try_init(|| async {
                open_vault(Some(self.home.path()), self.passphrase_stdin)
                    .await
                    .map(Arc::new)
            })
            .await
    }

    /// A token of `name` valid for `min_valid` (`renew`: a new one whatever is held).
    pub async fn token(
        &self,
        name: &str,
        min_valid: Duration,
        renew: bool,
    ) -> Result<Token, Failure> {
        use std::sync::atomic::Ordering;
        if self.use_agent.load(Ordering::Relaxed) {
            let command = protocol::Command::Token {
                name: name.to_owned(),
                min_valid: u32::try_from(min_valid.whole_seconds().max(0)).unwrap_or(u32::MAX),
                format: TokenFormat::Json,
                force_refresh: renew,
            };
            if let Some(reply) = super::relay::ask_agent(&self.home, command).await? {
                return from_agent(reply);
            }
            self.use_agent.store(false, Ordering::Relaxed);
        }
        let vault = self.vault().await?;
        let (token, _) = if renew {
            vault.renew_now(name).await?
        } else {
            vault.access_token(name, min_valid).await?
        };
        let id = vault.catalog()?.account(name)?.id.clone();
        vault.audit_event(&id, AuditKind::Copy, "ok");
        Ok(token)
    }
}

/// The token in an agent's reply to `token --format json`.
fn from_agent(reply: protocol::Reply) -> Result<Token, Failure> {
    if let Some(failure) =
        super::relay::refusal(&reply).or_else(|| super::relay::failure_of(&reply))
    {
        return Err(failure);
    }
    let unreadable = || Failure::Relayed {
        message: "the agent's token answer is not readable; restart the agent".into(),
        exit: exit::LOCAL,
    };
    let answer: Value = serde_json::from_str(&reply.stdout).map_err(|_| unreadable())?;
    let instant = |field: &str| {
        answer[field]
            .as_str()
            .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
    };
    Ok(Token {
        value: Secret::new(answer["token"].as_str().ok_or_else(unreadable)?),
        expires_at: instant("expires_at"),
        obtained_at: instant("obtained_at").unwrap_or_else(|| SystemClock.now()),
    })
}

/// The proxy's tokens, the same way.
impl TokenSource for Fresh {
    fn token<'a>(
        &'a self,
        account: &'a str,
        min_valid: Duration,
    ) -> Pending<'a, Result<Token, TokenFailure>> {
        Box::pin(async move {
            Fresh::token(self, account, min_valid, false)
                .await
                .map_err(failure)
        })
    }

    fn renew<'a>(&'a self, account: &'a str) -> Pending<'a, Result<Token, TokenFailure>> {
        Box::pin(async move {
            Fresh::token(self, account, Duration::ZERO, true)
                .await
                .map_err(failure)
        })
    }
}

fn failure(failure: Failure) -> TokenFailure {
    let said = failure.to_string();
    let code_said = said
        .strip_suffix(']')
        .and_then(|rest| rest.rsplit_once('['))
        .map(|(_, code)| code.to_owned());
    let code = match (&failure, code_said) {
        (Failure::Core(error), _) => error.code().to_string(),
        (_, Some(code)) => code,
        (other, None) => match other.exit_code() {
            exit::REJECTED => "rejected".into(),
            exit::REMOTE => "remote".into(),
            exit::USAGE => "usage".into(),
            _ => "local".into(),
        },
    };
    TokenFailure {
        code,
        message: said,
    }
}

/// The data folder of `--home`, or the default one.
pub fn home_folder(dir: Option<PathBuf>) -> Result<Home, Failure> {
    super::home_at(dir.as_deref())
}
