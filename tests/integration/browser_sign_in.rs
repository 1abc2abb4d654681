//! Browser sign-in (authorization code with PKCE) against the demo API: a person signs in on
//! the server's own page, whose form sends the browser back to the vault's listener on
//! 127.0.0.1, over real HTTP as their browser would. No password is kept; a redirect that
//! is not the vault's own, a cancelled sign-in, a code used already and a browser that never
//! comes back each end with their own error and keep nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenvault_core::auth::{BrowserSignIn, LoginSecrets, SignIn, SignInPrompt};
use tokenvault_core::inspect::Verification;
use tokenvault_core::vault::new_account::{NewAccount, ProfileChoice};
use tokenvault_core::vault::secrets::{SecretKey, SecretKind};
use tokenvault_core::vault::{Revocation, Source, Vault};
use tokenvault_demo_api::{
    BROWSER_CLIENT, Config, DemoServer, Dialect, Endpoint, Fault, FaultRule,
};
use tokenvault_tests::{memory_vault as vault, user};

/// What the person at the browser does with the sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    /// Signs in with the right user and password.
    SignsIn,
    /// Presses Cancel.
    Cancels,
    /// Signs in, but the browser is sent back with another sign-in's state.
    ComesBackWithAnotherState,
    /// Signs in, but somebody else trades the code first (without the verifier).
    HasTheCodeTakenFirst,
    /// Never opens the page.
    IsAway,
}

/// A person at a browser, and what the browser showed at the end.
#[derive(Debug, Clone)]
struct Person {
    act: Act,
    wait: Duration,
    shown: Arc<Mutex<Vec<BrowserSignIn>>>,
    browsing: Arc<Mutex<Option<tokio::task::JoinHandle<String>>>>,
}

impl Person {
    fn who(act: Act) -> Self {
        Self {
            act,
            wait: Duration::from_secs(60),
            shown: Arc::default(),
            browsing: Arc::default(),
        }
    }

    /// The last page the browser showed: the vault's own, telling how the sign-in ended.
    async fn last_page(&self) -> String {
        let browsing = self.browsing.lock().expect("not poisoned").take();
        browsing
            .expect("the browser was opened")
            .await
            .expect("the browser's steps all worked")
    }
}

impl SignInPrompt for Person {
    fn show(&self, sign_in: &SignIn) {
        let SignIn::Browser(sign_in) = sign_in else {
            panic!("a browser sign-in opens a page, got {sign_in:?}");
        };
        self.shown
            .lock()
            .expect("not poisoned")
            .push(sign_in.clone());
        if self.act == Act::IsAway {
            return;
        }
        let act = self.act;
        let url = sign_in.url.clone();
        *self.browsing.lock().expect("not poisoned") = Some(tokio::spawn(browse(act, url)));
    }

    fn browser_wait(&self) -> Duration {
        self.wait
    }
}

/// The browser's steps: the page, the form, and the redirect back to the vault.
async fn browse(act: Act, url: String) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let page = http.get(&url).send().await.expect("the page answers");
    assert_eq!(page.status(), 200, "the sign-in page opens");
    let parsed = reqwest::Url::parse(&url).expect("an address");
    let who = user(Dialect::Oidc);
    let mut form: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let decision = if act == Act::Cancels {
        "deny"
    } else {
        "approve"
    };
    for (name, value) in [
        ("username", who.identity),
        ("password", who.password),
        ("decision", decision),
    ] {
        form.push((name.to_owned(), value.to_owned()));
    }
    let mut action = parsed.clone();
    action.set_query(None);
    let answer = http
        .post(action.clone())
        .form(&form)
        .send()
        .await
        .expect("the form answers");
    assert_eq!(answer.status(), 302, "the form sends the browser back");
    let mut back = reqwest::Url::parse(
        answer.headers()["location"]
            .to_str()
            .expect("a readable location"),
    )
    .expect("an address to go back to");
    assert_eq!(back.host_str(), Some("127.0.0.1"));
    match act {
        Act::ComesBackWithAnotherState => {
            let pairs: Vec<(String, String)> = back
                .query_pairs()
                .into_owned()
                .map(|(k, v)| {
                    let v = if k == "state" {
                        "someone-elses".into()
                    } else {
                        v
                    };
                    (k, v)
                })
                .collect();
            back.query_pairs_mut().clear().extend_pairs(pairs);
        }
        Act::HasTheCodeTakenFirst => {
            let code = back
                .query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
                .expect("a code");
            let token = action.as_str().replace("/authorize", "/token");
            let stolen = http
                .post(token)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", BROWSER_CLIENT),
                    ("code", &code),
                    ("redirect_uri", "http://127.0.0.1:1/callback"),
                    ("code_verifier", &"x".repeat(43)),
                ])
                .send()
                .await
                .expect("the token endpoint answers");
            assert_eq!(
                stolen.status(),
                400,
                "without the verifier the code is worthless"
            );
        }
        _ => {}
    }
    http.get(back)
        .send()
        .await
        .expect("the vault's listener answers")
        .text()
        .await
        .expect("a page")
}

async fn browser_server() -> DemoServer {
    DemoServer::start(Config::default(), 0)
        .await
        .expect("the demo API starts")
}

fn support_desk(server: &DemoServer) -> NewAccount {
    NewAccount {
        name: "Support desk".into(),
        environment: "UAT".into(),
        profile: ProfileChoice::Preset("oidc".into()),
        base_url: server.base_url(Dialect::Oidc),
        identity: String::new(),
        client_id: Some(BROWSER_CLIENT.into()),
        second_factor: None,
        overrides: Vec::new(),
        allow_plain_http: false,
        ca_cert_pem: None,
    }
}

/// The support desk added, its person signing in.
async fn signed_in(server: &DemoServer, vault: &Vault) {
    vault
        .add_after_sign_in(
            support_desk(server),
            LoginSecrets::default(),
            &Person::who(Act::SignsIn),
        )
        .await
        .expect("added");
}

/// A sign-in that `person` makes fail: the server it ran against, and the error. Whatever
/// the failure, the vault keeps nothing.
async fn failed_sign_in(scratch: &str, person: &Person) -> (DemoServer, tokenvault_core::Error) {
    let server = browser_server().await;
    let vault = vault(scratch);
    let error = vault
        .add_after_sign_in(support_desk(&server), LoginSecrets::default(), person)
        .await
        .expect_err("the sign-in fails");
    assert!(
        vault.catalog().expect("a catalog").accounts.is_empty(),
        "nothing kept"
    );
    (server, error)
}

#[tokio::test]
async fn a_person_who_signs_in_in_the_browser_adds_the_account_as_themselves_and_no_password_is_kept()
 {
    let server = browser_server().await;
    let vault = vault("browser-signed-in");
    let person = Person::who(Act::SignsIn);
    vault
        .add_after_sign_in(support_desk(&server), LoginSecrets::default(), &person)
        .await
        .expect("the sign-in adds the account");
    let page = person.last_page().await;
    assert!(page.contains("Signed in"), "{page}");
    assert!(page.contains("You can close this tab"), "{page}");

    let shown = person.shown.lock().expect("not poisoned").clone();
    assert_eq!(shown.len(), 1, "the browser is opened once");
    assert!(shown[0].url.contains("code_challenge_method=S256"));
    assert!(!shown[0].url.contains("code_verifier"));
    assert_eq!(server.count(Dialect::Oidc, Endpoint::Login), 1);

    let record = vault
        .catalog()
        .expect("a catalog")
        .account("Support desk")
        .expect("the account")
        .clone();
    assert_eq!(record.identity, "desk.agent", "the token says who");
    assert!(
        vault
            .store()
            .get(&SecretKey::new(&record.id, SecretKind::Password))
            .expect("the store reads")
            .is_none(),
        "no password is kept"
    );
    let (_, source) = vault
        .renew_now("Support desk")
        .await
        .expect("the refresh works");
    assert_eq!(source, Source::Refreshed);
}

#[tokio::test]
async fn a_refused_refresh_needs_the_person_again_and_nothing_opens_a_browser_without_them() {
    let server = browser_server().await;
    let vault = vault("browser-again");
    signed_in(&server, &vault).await;
    server.inject(FaultRule {
        fault: Fault::RefreshTokenReused,
        dialect: Some(Dialect::Oidc),
        endpoint: Some(Endpoint::Refresh),
        times: Some(1),
    });
    let error = vault
        .renew_now("Support desk")
        .await
        .expect_err("the refresh is refused");
    assert_eq!(error.code(), "sign_in_required", "{error}");
    assert!(
        error.to_string().contains("tokenvault login Support desk"),
        "{error}"
    );
    assert_eq!(
        server.count(Dialect::Oidc, Endpoint::Login),
        1,
        "no code was traded without a person"
    );
    let person = Person::who(Act::SignsIn);
    vault
        .sign_in("Support desk", &person)
        .await
        .expect("the person signs in again");
    assert!(person.last_page().await.contains("Signed in"));
    let record = vault
        .catalog()
        .expect("a catalog")
        .account("Support desk")
        .expect("the account")
        .clone();
    assert!(
        record.tokens.last_failure.is_none(),
        "the failure is cleared"
    );
}

#[tokio::test]
async fn a_cancelled_sign_in_is_denied_by_name_and_keeps_nothing() {
    let person = Person::who(Act::Cancels);
    let (_server, error) = failed_sign_in("browser-cancelled", &person).await;
    assert_eq!(error.code(), "sign_in_denied", "{error}");
    assert!(error.to_string().contains("cancelled"), "{error}");
    let page = person.last_page().await;
    assert!(page.contains("Sign-in failed"), "{page}");
}

#[tokio::test]
async fn a_redirect_with_another_sign_ins_state_is_refused_and_its_code_never_traded() {
    let person = Person::who(Act::ComesBackWithAnotherState);
    let (server, error) = failed_sign_in("browser-state", &person).await;
    assert_eq!(error.code(), "sign_in_mismatch", "{error}");
    assert!(person.last_page().await.contains("does not match"));
    assert_eq!(
        server.count(Dialect::Oidc, Endpoint::Login),
        0,
        "the code it carried was not used"
    );
}

#[tokio::test]
async fn a_code_traded_by_somebody_else_first_is_refused_by_name() {
    let person = Person::who(Act::HasTheCodeTakenFirst);
    let (_server, error) = failed_sign_in("browser-code-used", &person).await;
    assert_eq!(error.code(), "sign_in_denied", "{error}");
    assert!(
        error
            .to_string()
            .contains("the authorization code was refused"),
        "{error}"
    );
    assert!(person.last_page().await.contains("Sign-in failed"));
}

#[tokio::test]
async fn a_browser_that_never_comes_back_ends_the_sign_in_after_the_wait_it_was_given() {
    let person = Person {
        wait: Duration::from_secs(1),
        ..Person::who(Act::IsAway)
    };
    let (_server, error) = failed_sign_in("browser-away", &person).await;
    assert_eq!(error.code(), "sign_in_expired", "{error}");
    assert!(error.to_string().contains("within 1 s"), "{error}");
    assert_eq!(
        person.shown.lock().expect("not poisoned").len(),
        1,
        "the page was offered"
    );
}

/// The support desk added from the demo provider's issuer alone, signed in by `person`.
async fn added_from_the_issuer(server: &DemoServer, vault: &Vault, person: &Person) {
    let account = NewAccount {
        base_url: String::new(),
        ..support_desk(server)
    };
    let account = vault
        .discovered(account, &server.base_url(Dialect::Oidc))
        .await
        .expect("the issuer describes itself");
    vault
        .add_after_sign_in(account, LoginSecrets::default(), person)
        .await
        .expect("the sign-in adds the account");
}

#[tokio::test]
async fn an_account_from_an_issuer_alone_signs_in_verifies_its_tokens_with_the_published_keys_and_is_revoked_on_removal()
 {
    let server = browser_server().await;
    let vault = vault("browser-issuer");
    let issuer = server.base_url(Dialect::Oidc);
    let person = Person::who(Act::SignsIn);
    added_from_the_issuer(&server, &vault, &person).await;
    let record = vault
        .catalog()
        .expect("a catalog")
        .account("Support desk")
        .expect("added")
        .clone();
    assert_eq!(record.base_url, issuer, "the issuer is the base URL");
    assert!(
        person.shown.lock().expect("not poisoned")[0]
            .url
            .starts_with(&format!("{issuer}/authorize?"))
    );

    let access = vault
        .stored_access_token("Support desk")
        .await
        .expect("the store reads")
        .expect("a token");
    let verification = vault
        .check_signature("Support desk", &access.value, None)
        .await
        .expect("the keys are fetched");
    assert!(
        matches!(verification, Verification::Verified { .. }),
        "verified with the discovered JWKS: {verification:?}"
    );

    let removed = vault.remove("Support desk").await.expect("removed");
    assert!(
        matches!(removed.revocation, Revocation::Revoked),
        "{:?}",
        removed.revocation
    );
    assert_eq!(server.count(Dialect::Oidc, Endpoint::TokenRevocation), 1);
}

#[tokio::test]
async fn a_discovery_document_that_speaks_for_another_issuer_is_not_used() {
    let server = browser_server().await;
    let vault = vault("browser-other-issuer");
    // The same server under another name: its document names 127.0.0.1, not localhost.
    let asked = server
        .base_url(Dialect::Oidc)
        .replace("127.0.0.1", "localhost");
    let error = vault
        .discovered(support_desk(&server), &asked)
        .await
        .expect_err("another issuer's document");
    assert_eq!(error.code(), "unexpected_response", "{error}");
    assert!(
        error.to_string().contains("not http://localhost"),
        "{error}"
    );
}

#[tokio::test]
async fn an_account_whose_server_cannot_revoke_its_token_is_removed_all_the_same_and_says_so() {
    let server = browser_server().await;
    let vault = vault("browser-revocation-fails");
    added_from_the_issuer(&server, &vault, &Person::who(Act::SignsIn)).await;
    server.inject(FaultRule {
        fault: Fault::Http500,
        dialect: Some(Dialect::Oidc),
        endpoint: Some(Endpoint::TokenRevocation),
        times: None,
    });
    let removed = vault
        .remove("Support desk")
        .await
        .expect("removed all the same");
    match removed.revocation {
        Revocation::Failed(error) => assert_eq!(error.code(), "server_error", "{error}"),
        other => panic!("the failure is told: {other:?}"),
    }
    assert!(vault.catalog().expect("a catalog").accounts.is_empty());
    let key = SecretKey::new("support-desk", SecretKind::RefreshToken);
    assert!(
        vault.store().get(&key).expect("the store reads").is_none(),
        "the refresh token is forgotten here even though the server kept it"
    );
}

#[tokio::test]
async fn an_edited_browser_account_is_signed_in_again_by_its_person_and_keeps_who_they_are() {
    let server = browser_server().await;
    let vault = vault("browser-edited");
    signed_in(&server, &vault).await;
    let id = vault
        .catalog()
        .expect("a catalog")
        .account("Support desk")
        .expect("added")
        .id
        .clone();
    let renamed = NewAccount {
        name: "Support desk (EU)".into(),
        ..support_desk(&server)
    };
    // Without a person there the edit cannot sign in, and changes nothing.
    let refused = vault
        .edit_after_login(&id, renamed.clone(), LoginSecrets::default())
        .await
        .expect_err("a sign-in needs a person");
    assert_eq!(refused.code(), "sign_in_required", "{refused}");
    let person = Person::who(Act::SignsIn);
    vault
        .edit_after_sign_in(&id, renamed, LoginSecrets::default(), &person)
        .await
        .expect("the person signs in again");
    assert!(person.last_page().await.contains("Signed in"));
    let record = vault
        .catalog()
        .expect("a catalog")
        .account(&id)
        .expect("kept")
        .clone();
    assert_eq!(record.name, "Support desk (EU)");
    assert_eq!(
        record.identity, "desk.agent",
        "the token says who, as at adding"
    );
    assert_eq!(server.count(Dialect::Oidc, Endpoint::Login), 2);
}
