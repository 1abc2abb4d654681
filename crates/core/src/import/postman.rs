//! A Postman collection (v2.1) as the source of accounts: each request that logs in (a
//! password-like field in its body) and each OAuth 2.0 set-up of the password or client
//! credentials grant becomes a proposed account, once per environment given, and so does
//! the login a pre-request script sends (read, never run: `postman_script`). What cannot
//! be understood (other auth types and grants, scripts that cannot be read, variables no
//! environment gives) is listed, never dropped in silence. No secret of the collection is
//! kept: passwords and client secrets are asked for.

use std::collections::BTreeMap;

use reqwest::Url;
use serde_json::Value;

use super::curl::CurlRequest;
use super::login::login_draft_from;
use super::postman_script;
use crate::error::{Error, Result};
use crate::secret::Secret;

const FROM: &str = "Postman collection";

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidImport {
        from: FROM,
        problem: problem.into(),
    }
}

/// A Postman environment: its name and variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Its name (`UAT`), which becomes the accounts' environment.
    pub name: String,
    /// Its enabled variables.
    pub values: BTreeMap<String, String>,
}

/// Reads a Postman environment file.
pub fn environment(text: &str) -> Result<Environment> {
    let json: Value = serde_json::from_str(text)
        .map_err(|e| invalid(format!("the environment is not JSON: {e}")))?;
    let name = json["name"].as_str().unwrap_or("Postman").to_owned();
    let values = json["values"]
        .as_array()
        .ok_or_else(|| invalid("the environment has no `values`"))?
        .iter()
        .filter(|v| v["enabled"].as_bool().unwrap_or(true))
        .filter_map(|v| Some((v["key"].as_str()?.to_owned(), text_of(&v["value"]))))
        .collect();
    Ok(Environment { name, values })
}

/// The OAuth 2.0 grants a collection's auth may use that an account can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// A user's name and password.
    Password,
    /// The client alone.
    ClientCredentials,
}

/// An account a collection proposes.
#[derive(Debug, Clone, PartialEq)]
pub enum Proposed {
    /// A request that logs in: its profile is made as from a curl command.
    Login {
        /// The item's path (`Auth / Log in`).
        item: String,
        /// The environment it was resolved in.
        environment: Option<String>,
        /// The request, variables resolved.
        request: CurlRequest,
    },
    /// An OAuth 2.0 set-up: a preset account at its token endpoint.
    OAuth {
        /// The item's path, or the collection's name for its own auth.
        item: String,
        /// The environment it was resolved in.
        environment: Option<String>,
        /// The grant.
        grant: Grant,
        /// The token endpoint.
        token_url: Url,
        /// The client id.
        client_id: String,
        /// The user, for the password grant.
        username: Option<String>,
    },
}

/// What a collection holds for Tokenvault.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    /// The collection's name.
    pub name: String,
    /// The accounts it proposes.
    pub proposed: Vec<Proposed>,
    /// What was not understood, a line each.
    pub not_understood: Vec<String>,
    /// How many other requests there were (not logins).
    pub other_requests: usize,
}

/// Reads a collection, once per environment (or once with its own variables when none is
/// given).
pub fn read(text: &str, environments: &[Environment]) -> Result<Collection> {
    let json: Value =
        serde_json::from_str(text).map_err(|e| invalid(format!("it is not JSON: {e}")))?;
    let schema = json["info"]["schema"].as_str().unwrap_or_default();
    if !schema.contains("/v2.1.") && !schema.contains("/v2.0.") {
        return Err(invalid(format!(
            "its schema is `{}`: collections of schema v2.1 (Postman's export \"Collection v2.1\") are read",
            if schema.is_empty() { "none" } else { schema }
        )));
    }
    let name = json["info"]["name"]
        .as_str()
        .unwrap_or("collection")
        .to_owned();
    let own: BTreeMap<String, String> = json["variable"]
        .as_array()
        .map(|vars| {
            vars.iter()
                .filter_map(|v| Some((v["key"].as_str()?.to_owned(), text_of(&v["value"]))))
                .collect()
        })
        .unwrap_or_default();
    let contexts: Vec<(Option<String>, BTreeMap<String, String>)> = if environments.is_empty() {
        vec![(None, own.clone())]
    } else {
        environments
            .iter()
            .map(|e| {
                let mut values = own.clone();
                values.extend(e.values.clone());
                (Some(e.name.clone()), values)
            })
            .collect()
    };
    let mut collection = Collection {
        name: name.clone(),
        proposed: Vec::new(),
        not_understood: Vec::new(),
        other_requests: 0,
    };
    for (environment, variables) in &contexts {
        let mut walk = Walk {
            environment: environment.clone(),
            variables,
            out: &mut collection,
        };
        let auth = &json["auth"];
        walk.script(&json, &name);
        walk.items(&json["item"], &name, auth, true);
        walk.auth(auth, &name, None);
    }
    collection.not_understood.dedup();
    Ok(collection)
}

struct Walk<'a> {
    environment: Option<String>,
    variables: &'a BTreeMap<String, String>,
    out: &'a mut Collection,
}

impl Walk<'_> {
    fn items(&mut self, items: &Value, path: &str, inherited: &Value, top: bool) {
        let Some(items) = items.as_array() else {
            return;
        };
        for item in items {
            let name = item["name"].as_str().unwrap_or("(unnamed)");
            let here = if top {
                name.to_owned()
            } else {
                format!("{path} / {name}")
            };
            let auth = if item["auth"].is_object() {
                &item["auth"]
            } else {
                inherited
            };
            self.script(item, &here);
            if item["item"].is_array() {
                self.items(&item["item"], &here, auth, false);
                continue;
            }
            if item["auth"].is_object() {
                self.auth(&item["auth"], &here, Some(&item["request"]));
            }
            self.request(&item["request"], &here);
        }
    }

    /// An auth set-up: an OAuth 2.0 grant an account can use, or a line of what is not.
    fn auth(&mut self, auth: &Value, here: &str, _request: Option<&Value>) {
        let kind = auth["type"].as_str().unwrap_or("noauth");
        match kind {
            "noauth" | "inherit" | "bearer" => {}
            "oauth2" => {
                let field = |key: &str| {
                    auth["oauth2"].as_array().and_then(|pairs| {
                        pairs
                            .iter()
                            .find(|p| p["key"] == key)
                            .map(|p| self.resolve(&text_of(&p["value"])))
                    })
                };
                let grant = match field("grant_type").flatten().as_deref() {
                    Some("password_credentials") => Grant::Password,
                    Some("client_credentials") => Grant::ClientCredentials,
                    other => {
                        self.out.not_understood.push(format!(
                            "{here}: OAuth 2.0 with the `{}` grant: add it with --issuer (a browser sign-in) or a preset",
                            other.unwrap_or("authorization_code")
                        ));
                        return;
                    }
                };
                let Some(Some(url)) = field("accessTokenUrl") else {
                    self.out.not_understood.push(format!(
                        "{here}: OAuth 2.0 with no token URL (or a variable no environment gives)"
                    ));
                    return;
                };
                let Ok(token_url) = Url::parse(&url) else {
                    self.out
                        .not_understood
                        .push(format!("{here}: OAuth 2.0 token URL `{url}` is not a URL"));
                    return;
                };
                if grant == Grant::Password
                    && field("clientSecret")
                        .flatten()
                        .is_some_and(|s| !s.is_empty())
                {
                    self.out.not_understood.push(format!(
                        "{here}: the password grant of a confidential client: add it with --preset oauth2-password --set client.auth=client_secret_basic"
                    ));
                    return;
                }
                self.out.proposed.push(Proposed::OAuth {
                    item: here.to_owned(),
                    environment: self.environment.clone(),
                    grant,
                    token_url,
                    client_id: field("clientId").flatten().unwrap_or_default(),
                    username: field("username").flatten().filter(|u| !u.is_empty()),
                });
            }
            other => self.out.not_understood.push(format!(
                "{here}: auth of type `{other}`, which an account does not log in with"
            )),
        }
    }

    /// The login a pre-request script (of an item, a folder or the collection) sends, read
    /// without running it; a script that cannot be read is listed.
    fn script(&mut self, node: &Value, here: &str) {
        let Some(text) = pre_request_script(node) else {
            return;
        };
        let unread = |why: &str| {
            format!(
                "{here}: its pre-request script is not read ({why}); if it logs in, add that login's request to the collection"
            )
        };
        let sent = match postman_script::sent_request(&text, self.variables) {
            Ok(Some(sent)) => sent,
            Ok(None) => return,
            Err(why) => {
                self.out.not_understood.push(unread(&why));
                return;
            }
        };
        let Ok(url) = Url::parse(&sent.url) else {
            self.out
                .not_understood
                .push(unread("its request's URL is not a URL"));
            return;
        };
        let request = CurlRequest {
            method: sent.method,
            url,
            headers: sent.headers,
            body: sent.body.map(Secret::new),
            user: None,
            cookies: Vec::new(),
            ignored: Vec::new(),
        };
        if login_draft_from(&request, None, FROM).is_ok() {
            self.out.proposed.push(Proposed::Login {
                item: format!("{here} (pre-request script)"),
                environment: self.environment.clone(),
                request,
            });
        } else {
            self.out.not_understood.push(format!(
                "{here}: its pre-request script sends {} {}, which is not a login",
                request.method,
                request.url.path()
            ));
        }
    }

    /// A request that logs in becomes a proposal; others are counted.
    fn request(&mut self, request: &Value, here: &str) {
        let Some(request) = self.curl_request(request, here) else {
            return;
        };
        if login_draft_from(&request, None, FROM).is_ok() {
            self.out.proposed.push(Proposed::Login {
                item: here.to_owned(),
                environment: self.environment.clone(),
                request,
            });
        } else {
            self.out.other_requests += 1;
        }
    }

    fn curl_request(&mut self, request: &Value, here: &str) -> Option<CurlRequest> {
        let raw_url = match &request["url"] {
            Value::String(url) => url.clone(),
            url => url["raw"].as_str()?.to_owned(),
        };
        let Some(url) = self.resolve(&raw_url) else {
            self.out.not_understood.push(format!(
                "{here}: its URL `{raw_url}` uses a variable no environment gives"
            ));
            return None;
        };
        let url = Url::parse(&url).ok()?;
        let headers = request["header"]
            .as_array()
            .map(|hs| {
                hs.iter()
                    .filter(|h| !h["disabled"].as_bool().unwrap_or(false))
                    .filter_map(|h| {
                        Some((
                            h["key"].as_str()?.to_owned(),
                            self.resolve(&text_of(&h["value"]))?,
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let body = &request["body"];
        let text = match body["mode"].as_str() {
            Some("raw") => body["raw"]
                .as_str()
                .map(|t| self.resolve(t).unwrap_or_else(|| t.to_owned())),
            Some("urlencoded") => body["urlencoded"].as_array().map(|pairs| {
                pairs
                    .iter()
                    .filter(|p| !p["disabled"].as_bool().unwrap_or(false))
                    .map(|p| {
                        let value = text_of(&p["value"]);
                        format!(
                            "{}={}",
                            p["key"].as_str().unwrap_or_default(),
                            self.resolve(&value).unwrap_or(value)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            }),
            _ => None,
        };
        Some(CurlRequest {
            method: request["method"]
                .as_str()
                .unwrap_or("GET")
                .to_ascii_uppercase(),
            url,
            headers,
            body: text.map(Secret::new),
            user: None,
            cookies: Vec::new(),
            ignored: Vec::new(),
        })
    }

    /// `text` with its `{{variables}}` replaced; `None` when one has no value.
    fn resolve(&self, text: &str) -> Option<String> {
        fill(text, self.variables).ok()
    }
}

/// `text` with its `{{variables}}` filled from `variables`; `Err` says what is missing.
pub(super) fn fill(text: &str, variables: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or("a `{{` with no `}}`")?;
        let name = after[..end].trim();
        out.push_str(
            variables
                .get(name)
                .ok_or_else(|| format!("the variable `{name}`, which no environment gives"))?,
        );
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The text of a node's pre-request script, when it has one that is not empty.
fn pre_request_script(node: &Value) -> Option<String> {
    let event = node["event"]
        .as_array()?
        .iter()
        .find(|e| e["listen"] == "prerequest")?;
    let text = match &event["script"]["exec"] {
        Value::Array(lines) => lines
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        Value::String(text) => text.clone(),
        _ => return None,
    };
    (!text.trim().is_empty()).then_some(text)
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLLECTION: &str = r#"{
      "info": {"name": "Desk APIs", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
      "variable": [{"key": "realm", "value": "ops"}],
      "item": [
        {"name": "Auth", "item": [
          {"name": "Log in", "request": {"method": "POST",
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": {"mode": "raw", "raw": "{\"email\": \"{{user}}\", \"password\": \"{{password}}\"}"},
            "url": {"raw": "{{baseUrl}}/kms/api/v1/auth/token"}}},
          {"name": "Me", "request": {"method": "GET", "url": "{{baseUrl}}/me"}}
        ]},
        {"name": "Keycloak", "auth": {"type": "oauth2", "oauth2": [
            {"key": "grant_type", "value": "password_credentials"},
            {"key": "accessTokenUrl", "value": "{{idp}}/realms/{{realm}}/protocol/openid-connect/token"},
            {"key": "clientId", "value": "desk"}, {"key": "username", "value": "support.agent"},
            {"key": "password", "value": "in-the-collection"}]},
          "request": {"method": "GET", "url": "{{idp}}/admin"}},
        {"name": "Legacy", "auth": {"type": "apikey"}, "request": {"method": "GET", "url": "{{baseUrl}}/legacy"},
         "event": [{"listen": "prerequest", "script": {"exec": ["pm.sendRequest(login)"]}}]}
      ]}"#;

    fn env(name: &str, base: &str) -> Environment {
        environment(&format!(
            r#"{{"name": "{name}", "values": [{{"key": "baseUrl", "value": "{base}", "enabled": true}},
               {{"key": "idp", "value": "https://id.example"}}, {{"key": "user", "value": "ana@example.com"}},
               {{"key": "password", "value": "env-secret"}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn logins_and_oauth_set_ups_are_proposed_once_per_environment_and_the_rest_listed() {
        let read = read(
            COLLECTION,
            &[
                env("UAT", "https://uat.example"),
                env("Production", "https://api.example"),
            ],
        )
        .unwrap();
        assert_eq!(read.name, "Desk APIs");
        let summary: Vec<String> = read
            .proposed
            .iter()
            .map(|p| match p {
                Proposed::Login {
                    item,
                    environment,
                    request,
                } => {
                    format!(
                        "login {item} {} {}",
                        environment.as_deref().unwrap_or("-"),
                        request.url
                    )
                }
                Proposed::OAuth {
                    item,
                    environment,
                    grant,
                    token_url,
                    client_id,
                    username,
                } => format!(
                    "oauth {item} {} {grant:?} {token_url} {client_id} {}",
                    environment.as_deref().unwrap_or("-"),
                    username.as_deref().unwrap_or("-")
                ),
            })
            .collect();
        assert_eq!(
            summary,
            [
                "login Auth / Log in UAT https://uat.example/kms/api/v1/auth/token",
                "oauth Keycloak UAT Password https://id.example/realms/ops/protocol/openid-connect/token desk support.agent",
                "login Auth / Log in Production https://api.example/kms/api/v1/auth/token",
                "oauth Keycloak Production Password https://id.example/realms/ops/protocol/openid-connect/token desk support.agent",
            ]
        );
        assert_eq!(
            read.other_requests, 6,
            "Me, Keycloak's and Legacy's own requests, twice"
        );
        assert!(
            read.not_understood
                .iter()
                .any(|l| l.contains("Legacy: auth of type `apikey`"))
        );
        assert!(read.not_understood.iter().any(|l| l.contains(
            "Legacy: its pre-request script is not read (`login` is not bound before the request)"
        )));
        assert!(
            !format!("{read:?}").contains("env-secret"),
            "no password in what is said"
        );
    }

    #[test]
    fn the_login_a_collections_pre_request_script_sends_is_proposed() {
        let collection = r#"{
          "info": {"name": "Scripted", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
          "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": [
            "const login = {",
            "  url: pm.environment.get('baseUrl') + '/kms/api/v1/auth/token',",
            "  method: 'POST',",
            "  header: { 'Content-Type': 'application/json' },",
            "  body: { mode: 'raw', raw: JSON.stringify({ email: pm.environment.get('user'), password: pm.environment.get('password') }) }",
            "};",
            "pm.sendRequest(login, (err, res) => pm.environment.set('jwt', res.json().data.jwt));"]}}],
          "item": [{"name": "Me", "request": {"method": "GET", "url": "{{baseUrl}}/me"},
            "event": [{"listen": "prerequest", "script": {"exec": ["pm.sendRequest(pm.environment.get('baseUrl') + '/ping')"]}}]}]}"#;
        let read = read(collection, &[env("UAT", "https://uat.example")]).unwrap();
        let [
            Proposed::Login {
                item,
                environment,
                request,
            },
        ] = read.proposed.as_slice()
        else {
            panic!("one login: {:?}", read.proposed);
        };
        assert_eq!(item, "Scripted (pre-request script)");
        assert_eq!(environment.as_deref(), Some("UAT"));
        assert_eq!(
            request.url.as_str(),
            "https://uat.example/kms/api/v1/auth/token"
        );
        assert_eq!(
            read.not_understood,
            ["Me: its pre-request script sends GET /ping, which is not a login"]
        );
    }

    #[test]
    fn a_variable_no_environment_gives_is_listed_and_a_later_schema_refused() {
        let read = read(COLLECTION, &[]).unwrap();
        assert!(
            read.not_understood.iter().any(|l| l.contains(
                "`{{baseUrl}}/kms/api/v1/auth/token` uses a variable no environment gives"
            )),
            "{:?}",
            read.not_understood
        );
        let later = COLLECTION.replace("v2.1.0", "v3.0.0");
        let error = super::read(&later, &[]).unwrap_err();
        assert!(error.to_string().contains("schema v2.1"), "{error}");
    }
}
