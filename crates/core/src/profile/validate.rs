//! Checks a parsed profile for mistakes that TOML types cannot express.

use super::{LoginFlow, Profile, TokenLocation, TokenPlacement};

/// The first problem found, as `(field, what is wrong)`.
pub(super) fn check(profile: &Profile) -> Result<(), (String, String)> {
    if profile.id.is_empty()
        || !profile
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err((
            "id".into(),
            format!(
                "`{}` must be lower-case letters, digits and dashes",
                profile.id
            ),
        ));
    }
    check_path("login.path", &profile.login.path)?;
    match profile.login.flow {
        LoginFlow::Password => {
            for (field, value) in [
                ("login.identity_field", &profile.login.identity_field),
                ("login.password_field", &profile.login.password_field),
            ] {
                if value.trim().is_empty() {
                    return Err((field.into(), "must name a body field".into()));
                }
            }
        }
        LoginFlow::Device | LoginFlow::Browser => {
            let (name, endpoint) = match profile.login.flow {
                LoginFlow::Device => ("device", "it polls"),
                _ => ("browser", "the authorization code is exchanged at"),
            };
            if profile.client.is_none() {
                return Err((
                    "client".into(),
                    format!(
                        "the {name} flow speaks for an OAuth client: add a [client] (auth = \"none\" \
                         for a public one)"
                    ),
                ));
            }
            match &profile.login.token_path {
                Some(path) => check_path("login.token_path", path)?,
                None => {
                    return Err((
                        "login.token_path".into(),
                        format!("the {name} flow needs the token endpoint {endpoint}"),
                    ));
                }
            }
        }
        LoginFlow::ClientCredentials => {
            if !profile.needs_client_secret() {
                return Err((
                    "client.auth".into(),
                    "the client-credentials flow needs a [client] that authenticates with a \
                     secret (client_secret_basic or client_secret_post)"
                        .into(),
                ));
            }
        }
    }
    match (profile.login.redirect_port, profile.login.flow) {
        (Some(0), _) => {
            return Err((
                "login.redirect_port".into(),
                "0 is not a port: leave it out to take a free one at each sign-in".into(),
            ));
        }
        (Some(_), flow) if flow != LoginFlow::Browser => {
            return Err((
                "login.redirect_port".into(),
                "only the browser flow (login.flow = \"browser\") is sent back to a port".into(),
            ));
        }
        _ => {}
    }
    if profile
        .login
        .otp_field
        .as_deref()
        .is_some_and(|f| f.trim().is_empty())
    {
        return Err(("login.otp_field".into(), "must name a body field".into()));
    }
    check_location("access_token", &profile.access_token.location)?;
    if let Some(source) = &profile.refresh_token {
        check_location("refresh_token", &source.location)?;
    }
    match (&profile.refresh, &profile.refresh_token) {
        (Some(_), None) => {
            return Err((
                "refresh_token".into(),
                "a profile with a [refresh] call must say where the refresh token comes from"
                    .into(),
            ));
        }
        (Some(refresh), Some(_)) => {
            check_path("refresh.path", &refresh.path)?;
            let name = match &refresh.send {
                TokenPlacement::Header { name } | TokenPlacement::Cookie { name } => name,
                TokenPlacement::Body { field } => field,
            };
            if name.trim().is_empty() {
                return Err((
                    "refresh.send".into(),
                    "must name the header, cookie or field".into(),
                ));
            }
        }
        _ => {}
    }
    if let Some(validate) = &profile.validate {
        check_path("validate.path", &validate.path)?;
    }
    match &profile.api.send {
        Some(TokenPlacement::Body { .. }) => {
            return Err((
                "api.send".into(),
                "the API's calls carry the token in a header or a cookie (in = \"header\" or \"cookie\")"
                    .into(),
            ));
        }
        Some(TokenPlacement::Header { name } | TokenPlacement::Cookie { name })
            if name.trim().is_empty() =>
        {
            return Err(("api.send".into(), "must name the header or cookie".into()));
        }
        _ => {}
    }
    if let Some(ott) = &profile.ott {
        check_path("ott.path", &ott.path)?;
        if ott.token_field.trim().is_empty() {
            return Err(("ott.token_field".into(), "must name a body field".into()));
        }
    }
    for (field, path) in [
        ("oauth.revocation_path", &profile.oauth.revocation_path),
        (
            "oauth.introspection_path",
            &profile.oauth.introspection_path,
        ),
    ] {
        if let Some(path) = path {
            check_path(field, path)?;
        }
    }
    for (field, url) in [
        ("oauth.jwks_url", &profile.oauth.jwks_url),
        ("oauth.issuer", &profile.oauth.issuer),
    ] {
        if let Some(url) = url {
            if !super::is_absolute(url) {
                return Err((
                    field.into(),
                    format!("`{url}` must be a whole https:// URL"),
                ));
            }
            check_path(field, url)?;
        }
    }
    if let Some(private) = &profile.private_tokens {
        check_path("private_tokens.create.path", &private.create.path)?;
        check_path("private_tokens.list.path", &private.list.path)?;
        check_path("private_tokens.revoke.path", &private.revoke.path)?;
        if !private.revoke.path.contains("{id}") {
            return Err((
                "private_tokens.revoke.path".into(),
                format!(
                    "`{}` must contain `{{id}}` where the token id goes",
                    private.revoke.path
                ),
            ));
        }
    }
    Ok(())
}

/// A path below the base URL (`/token`), or a whole `http(s)://` URL for an endpoint on
/// another host (as discovery finds them).
fn check_path(field: &str, path: &str) -> Result<(), (String, String)> {
    if super::is_absolute(path) {
        return match url::Url::parse(path) {
            Ok(url) if url.host().is_none() => {
                Err((field.into(), format!("`{path}` names no host")))
            }
            Ok(url) if !url.username().is_empty() || url.password().is_some() => {
                Err((field.into(), "credentials do not belong in a URL".into()))
            }
            Ok(_) => Ok(()),
            Err(e) => Err((field.into(), format!("`{path}` is not a URL: {e}"))),
        };
    }
    if !path.starts_with('/') {
        return Err((
            field.into(),
            format!("`{path}` must start with `/` (or be a whole https:// URL)"),
        ));
    }
    if path.contains("://") {
        return Err((
            field.into(),
            format!("`{path}` must be a path, or a URL starting with https://"),
        ));
    }
    Ok(())
}

fn check_location(field: &str, location: &TokenLocation) -> Result<(), (String, String)> {
    let empty = match location {
        TokenLocation::Json { path } => path.as_deref().is_some_and(|p| p.trim().is_empty()),
        TokenLocation::Cookie { name } | TokenLocation::Header { name } => name.trim().is_empty(),
    };
    if empty {
        return Err((
            field.into(),
            "names an empty field, cookie or header".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::profile::{Profile, TokenPlacement};

    const LOGIN: &str = r#"
id = "api"
name = "API"
[login]
path = "/login"
identity_field = "user"
password_field = "password"
"#;

    #[test]
    fn the_api_calls_carry_the_token_in_a_header_or_a_cookie_never_a_body() {
        let header = Profile::from_toml(
            "t",
            &format!("{LOGIN}[api]\nsend = {{ in = \"header\", name = \"token\" }}\n"),
        )
        .expect("a header is fine");
        assert_eq!(
            header.api.send,
            Some(TokenPlacement::Header {
                name: "token".into()
            })
        );
        let body = Profile::from_toml(
            "t",
            &format!("{LOGIN}[api]\nsend = {{ in = \"body\", field = \"t\" }}\n"),
        )
        .expect_err("a body is not where calls carry a token");
        assert!(body.to_string().contains("api.send"), "{body}");
        let bare = Profile::from_toml("t", LOGIN).expect("no [api] at all");
        assert!(bare.api.is_default());
    }
}
