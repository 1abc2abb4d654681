//! Accounts: the list, the presets a new one can speak, "Test login", add and remove.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};
use tokenvault_core::auth::{LoginSecrets, SignIn, SignInPrompt, TokenSet};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::inspect::{Report, Verification, inspect};
use tokenvault_core::profile::{Profile, presets as all_presets};
use tokenvault_core::vault::Revocation;
use tokenvault_core::vault::catalog::SecondFactor;
use tokenvault_core::vault::new_account::{NewAccount, ProfileChoice};
use tokenvault_core::{ErrorCode, Secret};

use super::{IpcResult, profile_of, vault};
use crate::Shell;
use crate::view::{self, AccountView, FailureView, millis};

/// Every account with its token status.
#[tauri::command]
pub fn list_accounts(shell: State<'_, Shell>) -> Vec<AccountView> {
    view::accounts(&shell.statuses.borrow())
}

/// What a profile can do, for the form and the account's panel.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    id: String,
    name: String,
    description: String,
    /// Whether a login needs a user's identity and password (not the client-credentials flow).
    password: bool,
    /// Whether it speaks for an OAuth client, whose id the form asks.
    client: bool,
    /// Whether that client authenticates with a secret, which the form asks.
    client_secret: bool,
    /// Whether a login can carry a one-time code (a second factor), which the form offers.
    otp: bool,
    /// Whether it signs in with a person there (the device or the browser flow): no
    /// identity or password is asked.
    person: bool,
    /// Whether that person signs in on the server's page in this machine's browser (the
    /// browser flow), rather than with a code in any browser (the device flow).
    browser: bool,
    refresh: bool,
    validate: bool,
    ott: bool,
    private_tokens: bool,
}

impl From<&Profile> for ProfileView {
    fn from(profile: &Profile) -> Self {
        Self {
            id: profile.id.clone(),
            name: profile.name.clone(),
            description: profile.description.clone(),
            password: profile.needs_password(),
            client: profile.client.is_some(),
            client_secret: profile.needs_client_secret(),
            otp: profile.login.otp_field.is_some(),
            person: profile.needs_person(),
            browser: profile.login.flow == tokenvault_core::profile::LoginFlow::Browser,
            refresh: profile.has_refresh(),
            validate: profile.validate.is_some(),
            ott: profile.ott.is_some(),
            private_tokens: profile.private_tokens.is_some(),
        }
    }
}

/// The built-in presets.
#[tauri::command]
pub fn presets() -> Vec<ProfileView> {
    all_presets()
        .iter()
        .map(|p| ProfileView::from(&p.profile))
        .collect()
}

/// A new account as the form describes it.
#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountForm {
    name: String,
    environment: String,
    /// A preset id, or none when a profile file was loaded.
    preset: Option<String>,
    /// The text of a loaded profile file.
    profile_source: Option<String>,
    /// The loaded file's name, for error messages.
    profile_file_name: Option<String>,
    base_url: String,
    /// An OpenID Connect issuer whose discovery document gives the endpoints (the base
    /// URL may then be left empty).
    #[serde(default)]
    issuer: Option<String>,
    identity: String,
    /// The OAuth client id, for profiles that speak for a client.
    #[serde(default)]
    client_id: Option<String>,
    /// How its logins answer a request for a one-time code: none, `totp` or `ask`.
    #[serde(default)]
    #[ts(type = "\"totp\" | \"ask\" | null")]
    second_factor: Option<SecondFactor>,
    #[serde(default)]
    allow_plain_http: bool,
    /// A CA certificate (PEM) to trust for this API beside the system's: a private CA's.
    #[serde(default)]
    ca_cert_pem: Option<String>,
}

impl AccountForm {
    /// The issuer to discover, when one was given.
    fn issuer(&self) -> Option<String> {
        self.issuer
            .as_deref()
            .map(str::trim)
            .filter(|issuer| !issuer.is_empty())
            .map(str::to_owned)
    }
}

impl TryFrom<AccountForm> for NewAccount {
    type Error = FailureView;

    fn try_from(form: AccountForm) -> Result<Self, FailureView> {
        let profile = match (form.preset, form.profile_source) {
            (Some(id), _) if !id.is_empty() => ProfileChoice::Preset(id),
            (_, Some(source)) => ProfileChoice::Custom {
                origin: form
                    .profile_file_name
                    .unwrap_or_else(|| "the loaded profile".into()),
                source,
            },
            _ => {
                return Err(FailureView::invalid(
                    ErrorCode::InvalidAccount,
                    "profile",
                    "profile: choose a preset or load a profile file".into(),
                ));
            }
        };
        Ok(NewAccount {
            name: form.name,
            environment: form.environment,
            profile,
            base_url: form.base_url,
            identity: form.identity,
            client_id: form.client_id,
            second_factor: form.second_factor,
            overrides: Vec::new(),
            allow_plain_http: form.allow_plain_http,
            ca_cert_pem: form.ca_cert_pem.filter(|pem| !pem.trim().is_empty()),
        })
    }
}

/// What a login gave, for the form: when the token expires, whether a refresh token
/// came, and the token's decoded claims (never the token itself).
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LoginPreview {
    access_expires_at: Option<i64>,
    refresh_token: bool,
    refresh_expires_at: Option<i64>,
    /// `None` when the access token is not a JWT (an opaque token).
    report: Option<Report>,
}

impl From<&TokenSet> for LoginPreview {
    fn from(tokens: &TokenSet) -> Self {
        let report = inspect(tokens.access.value.expose(), SystemClock.now())
            .ok()
            .map(|seen| Report::new(&seen, &Verification::Unverified));
        Self {
            access_expires_at: millis(tokens.access.expires_at),
            refresh_token: tokens.refresh.is_some(),
            refresh_expires_at: millis(tokens.refresh.as_ref().and_then(|r| r.expires_at)),
            report,
        }
    }
}

/// The secrets a form gives, which go one way: into the vault, never back to the window.
/// An empty field gives none (when editing: keep the saved one).
#[derive(Debug, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct FormSecrets {
    password: String,
    client_secret: String,
    /// An otpauth:// URI or base32 text, for a second factor generated by the vault.
    totp_secret: String,
    /// The code of a second factor asked at every login.
    one_time_code: String,
}

impl From<FormSecrets> for LoginSecrets {
    fn from(form: FormSecrets) -> Self {
        let given = |value: String| Some(Secret::new(value)).filter(|s| !s.is_empty());
        LoginSecrets {
            password: given(form.password),
            client_secret: given(form.client_secret),
            totp_secret: given(form.totp_secret),
            one_time_code: given(form.one_time_code.trim().to_owned()),
        }
    }
}

/// Logs in as the form says, storing nothing.
#[tauri::command]
pub async fn test_login(
    shell: State<'_, Shell>,
    form: AccountForm,
    secrets: FormSecrets,
) -> IpcResult<LoginPreview> {
    let issuer = form.issuer();
    let vault = vault(&shell)?;
    let account = NewAccount::try_from(form)?;
    let account = match issuer {
        Some(issuer) => vault.discovered(account, &issuer).await?,
        None => account,
    };
    let tokens = vault.try_login(&account, &secrets.into()).await?;
    Ok(LoginPreview::from(&tokens))
}

/// An account that was added.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Added {
    id: String,
    login: LoginPreview,
}

/// A sign-in the window shows while it waits for its person.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SignInView {
    /// A code to enter on a page, in any browser.
    Device {
        user_code: String,
        verification_uri: String,
        verification_uri_complete: Option<String>,
        /// Unix milliseconds.
        expires_at: i64,
    },
    /// The server's sign-in page, opened in the system browser.
    Browser {
        url: String,
        /// Whether a browser was started (if not, the window asks the person to open it).
        opened: bool,
        /// Unix milliseconds.
        expires_at: i64,
    },
}

/// Shows a sign-in in the window (the `sign-in` event), opening the browser for a browser
/// sign-in.
#[derive(Debug)]
struct WindowPrompt(AppHandle);

impl SignInPrompt for WindowPrompt {
    fn show(&self, sign_in: &SignIn) {
        let expires_at = millis(Some(sign_in.expires_at())).unwrap_or_default();
        let view = match sign_in {
            SignIn::Device(device) => SignInView::Device {
                user_code: device.user_code.clone(),
                verification_uri: device.verification_uri.clone(),
                verification_uri_complete: device.verification_uri_complete.clone(),
                expires_at,
            },
            SignIn::Browser(browser) => {
                let opened = tokenvault_core::opener::open_in_browser(&browser.url);
                if let Err(why) = &opened {
                    tracing::warn!("could not open the sign-in page: {why}");
                }
                SignInView::Browser {
                    url: browser.url.clone(),
                    opened: opened.is_ok(),
                    expires_at,
                }
            }
        };
        if let Err(e) = self.0.emit("sign-in", view) {
            tracing::warn!("could not show the sign-in: {e}");
        }
    }
}

/// Adds the account if it can log in (or, for a device sign-in, once the person approved
/// the code the window shows); nothing is kept when it cannot.
#[tauri::command]
pub async fn add_account(
    app: AppHandle,
    shell: State<'_, Shell>,
    form: AccountForm,
    secrets: FormSecrets,
) -> IpcResult<Added> {
    let issuer = form.issuer();
    let vault = vault(&shell)?;
    let account = NewAccount::try_from(form)?;
    let account = match issuer {
        Some(issuer) => vault.discovered(account, &issuer).await?,
        None => account,
    };
    let id = account.id();
    let tokens = if account.profile()?.needs_person() {
        let prompt = WindowPrompt(app);
        until_cancelled(
            &shell,
            vault.add_after_sign_in(account, secrets.into(), &prompt),
        )
        .await??
    } else {
        vault.add_after_login(account, secrets.into()).await?
    };
    Ok(Added {
        id,
        login: LoginPreview::from(&tokens),
    })
}

/// The form of an existing account, to edit it (its password is never sent back).
#[tauri::command]
pub fn account_form(shell: State<'_, Shell>, id: String) -> IpcResult<AccountForm> {
    let catalog = vault(&shell)?.catalog()?;
    let record = catalog.account(&id)?;
    let custom = catalog.profiles.iter().find(|p| p.id == record.profile);
    let is_preset = all_presets().iter().any(|p| p.profile.id == record.profile);
    Ok(AccountForm {
        name: record.name.clone(),
        environment: record.environment.clone(),
        preset: is_preset.then(|| record.profile.clone()),
        profile_source: custom.filter(|_| !is_preset).map(|p| p.source.clone()),
        profile_file_name: custom
            .filter(|_| !is_preset)
            .map(|p| format!("saved profile {}", p.id)),
        base_url: record.base_url.clone(),
        issuer: None,
        identity: record.identity.clone(),
        client_id: record.client_id.clone(),
        second_factor: record.second_factor,
        allow_plain_http: record.allow_plain_http,
        ca_cert_pem: record.ca_cert_pem.clone(),
    })
}

/// Changes an account if the changed account can log in (or, for an API whose sign-in
/// needs a person, once they have signed in again); an empty password or client secret
/// keeps the saved one.
#[tauri::command]
pub async fn edit_account(
    app: AppHandle,
    shell: State<'_, Shell>,
    id: String,
    form: AccountForm,
    secrets: FormSecrets,
) -> IpcResult<Added> {
    let account = NewAccount::try_from(form)?;
    let vault = vault(&shell)?;
    let tokens = if account.profile()?.needs_person() {
        let prompt = WindowPrompt(app);
        let edited = vault.edit_after_sign_in(&id, account, secrets.into(), &prompt);
        until_cancelled(&shell, edited).await??
    } else {
        vault.edit_after_login(&id, account, secrets.into()).await?
    };
    Ok(Added {
        id,
        login: LoginPreview::from(&tokens),
    })
}

/// Logs an account in now with the one-time code the user typed (accounts whose code is
/// asked at every login).
#[tauri::command]
pub async fn log_in_with_code(shell: State<'_, Shell>, id: String, code: String) -> IpcResult<()> {
    let code = Secret::new(code.trim().to_owned());
    vault(&shell)?.login_with_code(&id, code).await?;
    Ok(())
}

/// Signs an account in again with the person at the window (a device sign-in).
#[tauri::command]
pub async fn sign_in_again(app: AppHandle, shell: State<'_, Shell>, id: String) -> IpcResult<()> {
    let prompt = WindowPrompt(app);
    until_cancelled(&shell, vault(&shell)?.sign_in(&id, &prompt)).await??;
    Ok(())
}

/// Ends the sign-in waiting for its person: its listener closes, its polling stops, and
/// the command that started it answers `cancelled`.
#[tauri::command]
pub fn cancel_sign_in(shell: State<'_, Shell>) {
    shell.sign_in_cancel.notify_waiters();
}

/// Runs a sign-in until it ends or the window cancels it (dropping it ends its listener or
/// polling at once).
async fn until_cancelled<T>(
    shell: &Shell,
    sign_in: impl std::future::Future<Output = T>,
) -> Result<T, FailureView> {
    let cancelled = shell.sign_in_cancel.notified();
    tokio::select! {
        outcome = sign_in => Ok(outcome),
        () = cancelled => Err(FailureView::new(
            crate::view::ShellCode::Cancelled,
            "the sign-in was cancelled".into(),
        )),
    }
}

/// An account removed, and what its server was told (token revocation, RFC 7009).
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RemovedView {
    name: String,
    /// `revoked`, `not_offered` (the server offers no revocation, or no token was held), or
    /// `failed` (the account is removed all the same).
    #[ts(type = "\"revoked\" | \"not_offered\" | \"failed\"")]
    server: &'static str,
    /// Why the server could not be told, for `failed`.
    detail: Option<String>,
}

/// Removes an account and every secret of it, revoking its token where its server offers
/// it, and says what the server was told.
#[tauri::command]
pub async fn remove_account(shell: State<'_, Shell>, id: String) -> IpcResult<RemovedView> {
    let removed = vault(&shell)?.remove(&id).await?;
    let (server, detail) = match removed.revocation {
        Revocation::NotOffered => ("not_offered", None),
        Revocation::Revoked => ("revoked", None),
        Revocation::Failed(error) => ("failed", Some(error.to_string())),
    };
    Ok(RemovedView {
        name: removed.record.name,
        server,
        detail,
    })
}

/// What the account's panel shows beyond its row: what its profile can do, and its
/// access token decoded (never the token itself).
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetails {
    profile: ProfileView,
    report: Option<Report>,
}

/// The account's profile and decoded access token.
#[tauri::command]
pub async fn account_details(shell: State<'_, Shell>, id: String) -> IpcResult<AccountDetails> {
    let vault = vault(&shell)?;
    let profile = profile_of(vault, &id)?;
    let report = vault
        .stored_access_token(&id)
        .await?
        .and_then(|token| inspect(token.value.expose(), SystemClock.now()).ok())
        .map(|seen| Report::new(&seen, &Verification::Unverified));
    Ok(AccountDetails {
        profile: ProfileView::from(&profile),
        report,
    })
}
