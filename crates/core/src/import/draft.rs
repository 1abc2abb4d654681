//! A whole profile from the curl command of an API's login: the login read from the
//! command, run once with the user's password, the tokens found in its answer, and, only
//! when the user agrees, at most three of the usual refresh calls tried with the refresh
//! token it gave. The result is a profile file, each decision a comment in it.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::curl::{self, CurlRequest};
use super::detect::detect;
use super::login::{LoginDraft, login_draft_from};
use crate::auth::{Authenticator, LoginSecrets, Target, TokenKind, find_token};
use crate::error::{Error, Result};
use crate::profile::{
    BodyEncoding, LoginRequest, Method, OAuthServer, Profile, RefreshRequest, TokenLocation,
    TokenPlacement, TokenSource,
};
use crate::secret::Secret;
use crate::vault::new_account::{NewAccount, ProfileChoice, account_id};

/// What a profile is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurlImport {
    /// The account's name (the profile's name and id come from it).
    pub name: String,
    /// The curl command of the login. Its password is never kept.
    pub command: String,
    /// The account's base URL, when given (else the login URL's origin).
    pub base_url: Option<String>,
    /// Who logs in, when given (else the identity in the command).
    pub identity: Option<String>,
    /// Whether the usual refresh calls may be tried (each at most once, three at most).
    pub try_refresh: bool,
    /// Plain http to a host that is not loopback.
    pub allow_plain_http: bool,
}

/// A profile made from a curl command, and the account it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The profile.
    pub profile: Profile,
    /// The account's base URL.
    pub base_url: String,
    /// Who logs in.
    pub identity: String,
    /// One line per decision, in order.
    pub decisions: Vec<String>,
}

impl Draft {
    /// The account this draft describes, called `name`, in `environment`; `origin` says
    /// where its profile was made from ("the curl command").
    pub fn account(&self, name: &str, environment: &str, origin: &str) -> NewAccount {
        NewAccount {
            name: name.to_owned(),
            environment: environment.to_owned(),
            profile: ProfileChoice::Custom {
                origin: origin.to_owned(),
                source: self.toml(),
            },
            base_url: self.base_url.clone(),
            identity: self.identity.clone(),
            client_id: None,
            second_factor: None,
            overrides: Vec::new(),
            allow_plain_http: false,
            ca_cert_pem: None,
        }
    }

    /// The profile file: the decisions as comments, then the profile.
    pub fn toml(&self) -> String {
        let mut text = format!(
            "# {}, made by `tokenvault account add` for {} as {}\n",
            self.profile.name, self.base_url, self.identity
        );
        for line in &self.decisions {
            text.push_str(&format!("# - {line}\n"));
        }
        text.push('\n');
        text.push_str(&toml::to_string(&self.profile).unwrap_or_default());
        text
    }
}

/// How many refresh calls are tried at most.
const MOST_TRIES: usize = 3;

/// Makes the profile: reads the command, logs in with `password`, finds the tokens, and
/// (when `import.try_refresh`) tries the usual refresh calls.
pub async fn from_curl(
    authenticator: &Authenticator,
    import: &CurlImport,
    password: &Secret,
    now: OffsetDateTime,
) -> Result<Draft> {
    let request = curl::parse(&import.command)?;
    from_request(authenticator, &request, import, "curl", password, now).await
}

/// The same from a request read elsewhere (`what`: `curl`, `Postman`): a profile of its
/// login, the real answer read, and the refresh tried when allowed.
pub async fn from_request(
    authenticator: &Authenticator,
    request: &CurlRequest,
    import: &CurlImport,
    what: &'static str,
    password: &Secret,
    now: OffsetDateTime,
) -> Result<Draft> {
    let from = if what == "curl" {
        "curl command"
    } else {
        "Postman collection"
    };
    let login = login_draft_from(request, import.base_url.as_deref(), from)?;
    let identity = identity_of(import.identity.as_deref(), &login, from)?;
    let mut decisions = login.decisions.clone();
    let mut profile = bare_profile(&import.name, what, login.login.clone());
    let target = Target::new(profile.clone(), &login.base_url, import.allow_plain_http)?;
    let secrets = LoginSecrets::password(password.clone());
    let answer = authenticator
        .login_answer(&target, &identity, &secrets)
        .await?;
    let detected = detect(&answer, now)?;
    decisions.extend(detected.decisions);
    profile.access_token = detected.access_token;
    if let Some(source) = detected.refresh_token {
        let refresh_token = find_token(&answer, &source, TokenKind::Refresh, now)?
            .map(|t| t.value)
            .unwrap_or_else(|| Secret::new(""));
        profile.refresh_token = Some(source.clone());
        if import.try_refresh {
            profile.refresh = try_refreshes(
                authenticator,
                &profile,
                &login.base_url,
                import.allow_plain_http,
                &source,
                &refresh_token,
                &secrets,
                now,
                &mut decisions,
            )
            .await?;
        } else {
            decisions.push(
                "refresh: not tried (allow it to try up to three usual refresh calls); renewed \
                 by logging in again"
                    .to_owned(),
            );
        }
        if profile.refresh.is_none() {
            profile.refresh_token = None;
        }
    }
    Ok(Draft {
        profile,
        base_url: login.base_url,
        identity,
        decisions,
    })
}

/// Who logs in: the one given, else the one the request names.
pub(super) fn identity_of(
    given: Option<&str>,
    login: &LoginDraft,
    from: &'static str,
) -> Result<String> {
    given
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(str::to_owned)
        .or(login.identity.clone())
        .ok_or_else(|| Error::InvalidImport {
            from,
            problem: format!(
                "it names no one in `{}`: give who logs in (--username)",
                login.login.identity_field
            ),
        })
}

/// A profile of `login` alone, for account `name`, made from `what` (`curl`, `HAR`).
pub(super) fn bare_profile(name: &str, what: &str, login: LoginRequest) -> Profile {
    Profile {
        id: format!("{what}-{}", id_part(name)).to_ascii_lowercase(),
        name: format!("{} (from {what})", name.trim()),
        description: format!("Made from the {what} of its login."),
        login,
        client: None,
        access_token: TokenSource::default(),
        refresh_token: None,
        refresh: None,
        validate: None,
        ott: None,
        private_tokens: None,
        oauth: OAuthServer::default(),
        api: Default::default(),
    }
}

/// Tries the guesses in turn; the first that gives an access token is the refresh.
#[allow(clippy::too_many_arguments)]
async fn try_refreshes(
    authenticator: &Authenticator,
    profile: &Profile,
    base_url: &str,
    allow_plain_http: bool,
    source: &TokenSource,
    refresh_token: &Secret,
    secrets: &LoginSecrets,
    now: OffsetDateTime,
    decisions: &mut Vec<String>,
) -> Result<Option<RefreshRequest>> {
    let guesses = refresh_guesses(profile, source);
    for (n, guess) in guesses.iter().take(MOST_TRIES).enumerate() {
        let mut trial = profile.clone();
        trial.refresh = Some(guess.clone());
        let target = Target::new(trial, base_url, allow_plain_http)?;
        let said = format!(
            "{} {} with the refresh token in {}",
            method_name(guess.method),
            guess.path,
            placement_words(&guess.send)
        );
        match authenticator
            .refresh(&target, refresh_token, secrets, now)
            .await
        {
            Ok(_) => {
                decisions.push(format!(
                    "refresh: {said}: it answered a new access token (try {} of at most {MOST_TRIES})",
                    n + 1
                ));
                return Ok(Some(guess.clone()));
            }
            Err(error) => decisions.push(format!("refresh tried: {said}: no ({})", error.code())),
        }
    }
    decisions
        .push("refresh: none of the usual calls worked; renewed by logging in again".to_owned());
    Ok(None)
}

/// The usual refresh calls, most likely first: an OAuth token endpoint's own grant; else
/// a `refresh` beside the login's path and below it, sent back the way the token came.
pub fn refresh_guesses(profile: &Profile, source: &TokenSource) -> Vec<RefreshRequest> {
    let login = &profile.login;
    if login.fields.contains_key("grant_type") {
        let mut fields = BTreeMap::from([("grant_type".to_owned(), "refresh_token".to_owned())]);
        if let Some(client) = login.fields.get("client_id") {
            fields.insert("client_id".to_owned(), client.clone());
        }
        return vec![RefreshRequest {
            method: Method::Post,
            path: login.path.clone(),
            send: TokenPlacement::Body {
                field: "refresh_token".to_owned(),
            },
            body: login.body,
            fields,
            headers: login.headers.clone(),
            rotates: true,
        }];
    }
    let send = match &source.location {
        TokenLocation::Cookie { name } => TokenPlacement::Cookie { name: name.clone() },
        TokenLocation::Header { name } => TokenPlacement::Header { name: name.clone() },
        TokenLocation::Json { path } => TokenPlacement::Body {
            field: path
                .as_deref()
                .and_then(|p| p.rsplit('.').next())
                .unwrap_or("refresh_token")
                .to_owned(),
        },
    };
    let path = login.path.split('?').next().unwrap_or_default();
    let slash = if path.ends_with('/') { "/" } else { "" };
    let trimmed = path.trim_end_matches('/');
    let parent = trimmed.rsplit_once('/').map_or("", |(parent, _)| parent);
    let beside = format!("{parent}/refresh{slash}");
    let below = format!("{trimmed}/refresh{slash}");
    let call = |method: Method, path: String, send: TokenPlacement| RefreshRequest {
        method,
        path,
        send,
        body: match login.body {
            BodyEncoding::Form => BodyEncoding::Form,
            BodyEncoding::Json => BodyEncoding::Json,
        },
        fields: BTreeMap::new(),
        headers: login.headers.clone(),
        rotates: true,
    };
    vec![
        call(Method::Post, beside, send.clone()),
        call(Method::Post, below.clone(), send),
        // TraderEvolution's way: a GET with the bare token in a `token` header.
        call(
            Method::Get,
            below,
            TokenPlacement::Header {
                name: "token".to_owned(),
            },
        ),
    ]
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
    }
}

fn placement_words(send: &TokenPlacement) -> String {
    match send {
        TokenPlacement::Header { name } => format!("a `{name}` header"),
        TokenPlacement::Cookie { name } => format!("the `{name}` cookie"),
        TokenPlacement::Body { field } => format!("the body field `{field}`"),
    }
}

/// An account name as part of a profile id: lower-case ASCII letters, digits and dashes.
fn id_part(name: &str) -> String {
    let id: String = account_id(name)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let id = id.trim_matches('-').to_owned();
    if id.is_empty() {
        "login".to_owned()
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::curl::parse;
    use crate::import::login::login_draft;

    fn profile_of(command: &str) -> Profile {
        let login = login_draft(&parse(command).unwrap(), None).unwrap();
        bare_profile("t", "curl", login.login)
    }

    #[test]
    fn the_refresh_guesses_are_beside_the_login_below_it_and_a_token_header_get() {
        let profile =
            profile_of(r#"curl https://x.example/auth/token -d '{"login":"a","password":"b"}'"#);
        let source = TokenSource {
            location: TokenLocation::Json {
                path: Some("data.refreshToken".into()),
            },
            expiry: Default::default(),
        };
        let guesses: Vec<(Method, String, TokenPlacement)> = refresh_guesses(&profile, &source)
            .into_iter()
            .map(|g| (g.method, g.path, g.send))
            .collect();
        assert_eq!(
            guesses,
            [
                (
                    Method::Post,
                    "/auth/refresh".into(),
                    TokenPlacement::Body {
                        field: "refreshToken".into()
                    }
                ),
                (
                    Method::Post,
                    "/auth/token/refresh".into(),
                    TokenPlacement::Body {
                        field: "refreshToken".into()
                    }
                ),
                (
                    Method::Get,
                    "/auth/token/refresh".into(),
                    TokenPlacement::Header {
                        name: "token".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_trailing_slash_is_kept_and_an_oauth_login_refreshes_at_its_own_endpoint() {
        let profile =
            profile_of(r#"curl https://x.example/api/token/ -d '{"username":"a","password":"b"}'"#);
        let source = TokenSource {
            location: TokenLocation::Json {
                path: Some("refresh".into()),
            },
            expiry: Default::default(),
        };
        assert_eq!(
            refresh_guesses(&profile, &source)[1].path,
            "/api/token/refresh/"
        );
        let oauth = profile_of(
            "curl https://idp.example/token -d grant_type=password -d client_id=cli -d username=a -d password=b",
        );
        let guesses = refresh_guesses(&oauth, &source);
        assert_eq!(guesses.len(), 1);
        assert_eq!(guesses[0].path, "/token");
        assert_eq!(
            guesses[0].fields.get("grant_type").map(String::as_str),
            Some("refresh_token")
        );
        assert_eq!(
            guesses[0].fields.get("client_id").map(String::as_str),
            Some("cli")
        );
    }

    #[test]
    fn profile_ids_come_from_account_names() {
        assert_eq!(
            bare_profile(
                "Finvera UAT",
                "curl",
                profile_of("curl https://x.example/l -d 'user=a&password=b'").login
            )
            .id,
            "curl-finvera-uat"
        );
        assert_eq!(id_part("  "), "login");
    }
}
