//! The demo API's other calls, driven with real HTTP: Finvera's validate, OTT
//! verification, private tokens, and the control endpoints.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokenvault_demo_api::{Dialect, Endpoint};
use tokenvault_tests::{account, demo_api};

async fn access_token(server: &tokenvault_demo_api::DemoServer, dialect: Dialect) -> String {
    let session = account(server, dialect).await;
    let token = session
        .access_token(time::Duration::seconds(30))
        .await
        .expect("login");
    token.value.expose().to_owned()
}

#[tokio::test]
async fn finvera_validate_describes_the_user_of_a_valid_token_and_refuses_others() {
    let server = demo_api(120).await;
    let token = access_token(&server, Dialect::Finvera).await;
    let url = format!(
        "{}/kms/api/v1/auth/validate",
        server.base_url(Dialect::Finvera)
    );
    let http = reqwest::Client::new();
    let ok: Value = http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["email"], "analyst@finvera.demo");
    assert_eq!(ok["licensing_tier_id"], "enterprise");
    let refused = http
        .get(&url)
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.count(Dialect::Finvera, Endpoint::Validate), 2);
}

#[tokio::test]
async fn a_one_time_token_verifies_once_then_is_not_valid() {
    let server = demo_api(120).await;
    let token = access_token(&server, Dialect::Traderevolution).await;
    let base = server.base_url(Dialect::Traderevolution);
    let http = reqwest::Client::new();
    let issued: Value = http
        .post(format!("{base}/external/token"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ott = issued["token"].as_str().expect("an OTT").to_owned();
    let verify = |ott: String| {
        let http = http.clone();
        let token = token.clone();
        let url = format!("{base}/external/token/verify");
        async move {
            let answer = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({"token": ott}))
                .send();
            answer.await.unwrap().json::<Value>().await.unwrap()
        }
    };
    assert_eq!(
        verify(ott.clone()).await,
        json!({"valid": true, "login": "bo.trader"})
    );
    let reused = verify(ott).await;
    assert_eq!(reused["valid"], false);
    assert_eq!(reused["message"], "token is not valid: already used");
    let unknown = verify("ott-made-up".into()).await;
    assert_eq!(unknown["message"], "token is not valid: unknown token");
}

#[tokio::test]
async fn private_tokens_are_created_listed_revoked_and_refused_after_revocation() {
    let server = demo_api(120).await;
    let login_token = access_token(&server, Dialect::PrivateTokens).await;
    let base = server.base_url(Dialect::PrivateTokens);
    let http = reqwest::Client::new();
    let expires_at = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let created = http
        .post(format!("{base}/api/v1/private-tokens"))
        .bearer_auth(&login_token)
        .json(&json!({"name": "ci-pipeline", "expires_at": expires_at}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let private = created["token"]
        .as_str()
        .expect("the new token is shown once")
        .to_owned();

    let me = format!("{base}/api/v1/me");
    let whoami: Value = http
        .get(&me)
        .bearer_auth(&private)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(whoami["token_type"], "private");

    let list: Value = http
        .get(format!("{base}/api/v1/private-tokens"))
        .bearer_auth(&login_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["name"], "ci-pipeline");
    assert!(
        list[0].get("token").is_none(),
        "a listing never shows the token itself"
    );

    let id = created["id"].as_u64().unwrap();
    let revoked = http
        .delete(format!("{base}/api/v1/private-tokens/{id}"))
        .bearer_auth(&login_token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let after = http.get(&me).bearer_auth(&private).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let body: Value = after.json().await.unwrap();
    assert_eq!(body["code"], "token_not_valid");
}

#[tokio::test]
async fn faults_can_be_switched_and_counts_read_over_http() {
    let server = demo_api(120).await;
    let base = format!("http://{}", server.addr());
    let http = reqwest::Client::new();
    let rule = json!({"fault": "http500", "dialect": "prive", "endpoint": "login", "times": 1});
    let set = http
        .post(format!("{base}/_demo/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let login = format!("{}/restful/login/", server.base_url(Dialect::Prive));
    let body = json!({"username": "advisor@prive.demo", "password": "prive-demo-password"});
    let first = http.post(&login).json(&body).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let second = http.post(&login).json(&body).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::OK, "the fault applied once");
    let counts: Value = http
        .get(format!("{base}/_demo/counts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["prive"]["login"], 2);
    let cleared = http
        .delete(format!("{base}/_demo/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
}
