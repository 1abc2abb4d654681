//! Files a user already has, made against the demo API: a browser's HAR recording of a
//! login and a refresh, and a Postman collection. Each holds secrets of its own, returned
//! beside the file so that a test can look for them where they must not be.

use std::path::{Path, PathBuf};

use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use tokenvault_demo_api::{DemoServer, Dialect};

use super::user;

/// A recording and the secrets it holds.
pub struct Recording {
    pub path: PathBuf,
    pub secrets: Vec<String>,
}

/// The password a recording's login request carries: not the real one, so that a test can
/// tell it was never used nor kept.
pub const PASSWORD_IN_THE_RECORDING: &str = "the-password-in-the-recording";

/// A HAR file, as a browser saves it, of a Finvera login and the refresh after it: the
/// demo API's real answers (their token cookies), the login request carrying
/// [`PASSWORD_IN_THE_RECORDING`]. Written at `path`.
pub async fn finvera_har(server: &DemoServer, path: &Path) -> Recording {
    let base = server.base_url(Dialect::Finvera);
    let identity = user(Dialect::Finvera).identity;
    let client = reqwest::Client::new();
    let login_url = format!("{base}/kms/api/v1/auth/token");
    let login = client
        .post(&login_url)
        .json(&json!({"email": identity, "password": user(Dialect::Finvera).password}))
        .send()
        .await
        .expect("the demo API answers the login");
    let (login_answer, mut secrets) = recorded_answer(login).await;
    let refresh_token = cookie_value(&login_answer, "DT_REFRESH_TOKEN");
    let refresh_url = format!("{base}/kms/api/v1/auth/refresh");
    let refresh = client
        .post(&refresh_url)
        .header(COOKIE, format!("DT_REFRESH_TOKEN={refresh_token}"))
        .send()
        .await
        .expect("the demo API answers the refresh");
    let (refresh_answer, refreshed) = recorded_answer(refresh).await;
    secrets.extend(refreshed);
    secrets.push(PASSWORD_IN_THE_RECORDING.to_owned());
    let har = json!({"log": {
        "version": "1.2",
        "creator": {"name": "tokenvault tests", "version": "1"},
        "entries": [
            {
                "startedDateTime": "2026-12-07T10:00:00.000Z",
                "request": {
                    "method": "POST",
                    "url": login_url,
                    "headers": [{"name": "Content-Type", "value": "application/json"}],
                    "postData": {
                        "mimeType": "application/json",
                        "text": json!({"email": identity, "password": PASSWORD_IN_THE_RECORDING})
                            .to_string(),
                    },
                },
                "response": login_answer,
            },
            {
                "startedDateTime": "2026-12-07T10:05:00.000Z",
                "request": {
                    "method": "POST",
                    "url": refresh_url,
                    "headers": [{"name": "Cookie", "value": format!("DT_REFRESH_TOKEN={refresh_token}")}],
                },
                "response": refresh_answer,
            },
        ],
    }});
    std::fs::write(path, har.to_string()).expect("the HAR file is written");
    Recording {
        path: path.to_path_buf(),
        secrets,
    }
}

/// An answer as a HAR holds it, and the cookie values it set.
async fn recorded_answer(answer: reqwest::Response) -> (Value, Vec<String>) {
    assert!(answer.status().is_success(), "{}", answer.status());
    let status = answer.status().as_u16();
    let mut headers = Vec::new();
    let mut cookies = Vec::new();
    for (name, value) in answer.headers() {
        let value = value.to_str().expect("an ASCII header");
        headers.push(json!({"name": name.as_str(), "value": value}));
        if name == SET_COOKIE {
            let pair = value.split(';').next().unwrap_or_default();
            let (cookie, set) = pair.split_once('=').expect("a cookie of NAME=VALUE");
            cookies.push(json!({"name": cookie, "value": set}));
        }
    }
    let mime = answer
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let text = answer.text().await.expect("the answer's body");
    let set: Vec<String> = cookies
        .iter()
        .filter_map(|c| c["value"].as_str())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    let recorded = json!({
        "status": status,
        "headers": headers,
        "cookies": cookies,
        "content": {"mimeType": mime, "text": text},
    });
    (recorded, set)
}

fn cookie_value(answer: &Value, name: &str) -> String {
    answer["cookies"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == name)
        .and_then(|c| c["value"].as_str())
        .unwrap_or_else(|| panic!("the answer sets the {name} cookie"))
        .to_owned()
}

/// The client secret a collection carries: not the real one.
pub const SECRET_IN_THE_COLLECTION: &str = "the-client-secret-in-the-collection";

/// A Postman collection (v2.1) with one OAuth 2.0 client-credentials set-up for the demo
/// API's reporting service, its client secret [`SECRET_IN_THE_COLLECTION`]. Written at
/// `path`; the account it gives is called `reporting`.
pub fn client_credentials_collection(server: &DemoServer, path: &Path) -> Recording {
    let collection = json!({
        "info": {
            "name": "Reports",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [{
            "name": "Reporting",
            "auth": {"type": "oauth2", "oauth2": [
                {"key": "grant_type", "value": "client_credentials"},
                {"key": "accessTokenUrl", "value": format!("{}/token", server.base_url(Dialect::Oauth2ClientCredentials))},
                {"key": "clientId", "value": user(Dialect::Oauth2ClientCredentials).identity},
                {"key": "clientSecret", "value": SECRET_IN_THE_COLLECTION},
            ]},
            "request": {"method": "GET", "url": format!("{}/reports", server.base_url(Dialect::Oauth2ClientCredentials))},
        }],
    });
    std::fs::write(path, collection.to_string()).expect("the collection is written");
    Recording {
        path: path.to_path_buf(),
        secrets: vec![SECRET_IN_THE_COLLECTION.to_owned()],
    }
}
