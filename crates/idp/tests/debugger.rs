//! The pages for a person, over a real socket: the home page of each tenant (issuer,
//! discovery, clients, users, a sign-in button per client), the sign-in it starts (state,
//! nonce and PKCE made by the IdP), the callback page's code exchange with the client's
//! registered authentication method, the decoded ID token and userinfo, a refused
//! sign-in, the live journal page, and who may see secrets.

mod common;

use common::*;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

/// The standard tenant whose client also registered the built-in callback.
fn with_callback(idp: &TestIdp, mut spec: Value) -> Value {
    spec["clients"][0]["redirect_uris"] = json!([APP_REDIRECT, idp.url("/_stickler/callback")]);
    spec
}

/// The text inside the element with this id (entities for `<>&"'` decoded).
fn text_of(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let start = html[at..].find('>').unwrap() + at + 1;
    let end = html[start..].find("</").unwrap() + start;
    unescape(&html[start..end])
}

/// An attribute of the element with this id.
fn attr_of(html: &str, id: &str, name: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap();
    let tag_start = html[..at].rfind('<').unwrap();
    let tag_end = html[at..].find('>').unwrap() + at;
    let tag = &html[tag_start..tag_end];
    let a = tag
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + name.len()
        + 3;
    unescape(&tag[a..a + tag[a..].find('"').unwrap()])
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn page(idp: &TestIdp, rb: reqwest::RequestBuilder) -> (StatusCode, String) {
    let resp = rb.send().await.unwrap();
    let status = resp.status();
    let ct = resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(ct.starts_with("text/html"), "{status} {ct}");
    let _ = idp;
    (status, resp.text().await.unwrap())
}

/// Clicks the home page's sign-in button of `client_id`, signs in as `user` and follows
/// the browser back to the callback; the callback page's HTML.
async fn sign_in_from_home(idp: &TestIdp, t: &Tenant, user: &str) -> String {
    let resp = idp
        .http
        .post(idp.url("/_stickler/sign-in"))
        .form(&[("tenant", t.name.as_str()), ("client_id", CLIENT_ID)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let authorize = location(&resp);
    let q = query_of(&authorize);
    assert_eq!(
        without_query(&authorize),
        t.endpoint("authorization_endpoint")
    );
    assert_eq!(q["redirect_uri"], idp.url("/_stickler/callback"));
    assert!(q["state"].len() >= 8 && q["nonce"].len() >= 8, "{q:?}");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    let login = idp.http.get(&authorize).send().await.unwrap();
    let back = t.submit_login(login, user, &format!("{user}-pw")).await;
    assert!(back.status().is_redirection(), "{}", back.status());
    let callback = location(&back);
    assert!(
        callback.starts_with(&idp.url("/_stickler/callback?")),
        "{callback}"
    );
    assert_eq!(query_of(&callback)["state"], q["state"]);
    let (status, html) = page(idp, idp.http.get(&callback)).await;
    assert_eq!(status, StatusCode::OK);
    html
}

/// Presses "Exchange the code" on a callback page.
async fn exchange(idp: &TestIdp, callback_html: &str) -> String {
    let code = text_of(callback_html, "code");
    let state = text_of(callback_html, "state");
    assert!(
        callback_html.contains("id=\"exchange-form\""),
        "{callback_html}"
    );
    let (status, html) = page(
        idp,
        idp.http
            .post(idp.url("/_stickler/exchange"))
            .form(&[("code", code.as_str()), ("state", state.as_str())]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    html
}

#[tokio::test]
async fn a_tenant_home_shows_issuer_discovery_clients_users_and_a_sign_in_button() {
    let idp = TestIdp::start().await;
    let t = idp.create(with_callback(&idp, jumpcloud("acme"))).await;
    for path in ["/t/acme/", "/t/acme"] {
        let (status, html) = page(&idp, idp.http.get(idp.url(path))).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(attr_of(&html, "tenant-home", "data-tenant"), "acme");
        assert_eq!(text_of(&html, "issuer"), t.issuer);
        assert_eq!(
            attr_of(&html, "discovery-url", "href"),
            t.url("/.well-known/openid-configuration")
        );
        assert!(html.contains("data-client-id=\"app\""), "{html}");
        assert!(html.contains("class=\"sign-in-client\""), "{html}");
        for user in ["alice", "bob", "carol"] {
            assert!(
                html.contains(&format!("data-username=\"{user}\"")),
                "{user}"
            );
        }
        // Loopback without an admin token: as the printed setup and the admin API show.
        assert!(html.contains("<code>app-secret</code>"), "{html}");
        assert!(html.contains("<code>alice-pw</code>"), "{html}");
        assert!(!html.contains("id=\"secrets-hidden\""));
        assert_eq!(
            attr_of(&html, "journal-link", "href"),
            "/_stickler/journal/acme"
        );
    }
    // JumpCloud has no device grant; a lenient tenant shows its device endpoints.
    let (_, html) = page(&idp, idp.http.get(t.url("/"))).await;
    assert!(!html.contains("device-authorization-endpoint"));
    let lenient_t = idp.create(lenient("open")).await;
    let (_, html) = page(&idp, idp.http.get(lenient_t.url("/"))).await;
    assert_eq!(
        text_of(&html, "device-authorization-endpoint"),
        lenient_t.endpoint("device_authorization_endpoint")
    );
    // A client without the built-in callback gets no button.
    let other = idp.create(jumpcloud("plain")).await;
    let (_, html) = page(&idp, idp.http.get(other.url("/"))).await;
    assert!(!html.contains("class=\"sign-in-client\""));
    assert!(html.contains("class=\"no-callback muted\""), "{html}");
}

#[tokio::test]
async fn secrets_are_masked_where_the_admin_api_would_refuse() {
    let idp = TestIdp::start().await;
    idp.create(with_callback(&idp, jumpcloud("acme"))).await;
    // A name of someone else's that resolves here (DNS rebinding): the admin API's 403.
    let port = idp.running.addr.port();
    let (status, html) = page(
        &idp,
        idp.http
            .get(idp.url("/t/acme/"))
            .header(header::HOST, format!("rebind.example:{port}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"secrets-hidden\""));
    assert!(
        !html.contains("app-secret") && !html.contains("alice-pw"),
        "{html}"
    );
    assert!(html.contains("***(10)"), "the secret's length only: {html}");

    // With an admin token: only the bearer token shows them.
    let idp = TestIdp::start_with_admin_token(Some("t0ken")).await;
    idp.create(with_callback(&idp, jumpcloud("acme"))).await;
    let (_, html) = page(&idp, idp.http.get(idp.url("/t/acme/"))).await;
    assert!(!html.contains("app-secret") && html.contains("id=\"secrets-hidden\""));
    let (_, html) = page(&idp, idp.http.get(idp.url("/t/acme/")).bearer_auth("t0ken")).await;
    assert!(html.contains("<code>app-secret</code>"), "{html}");
}

#[tokio::test]
async fn the_root_is_the_default_tenants_home_and_the_admin_api_stays_json() {
    let idp = TestIdp::start().await;
    let (status, html) = page(&idp, idp.http.get(idp.url("/"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"no-root-tenant\""), "{html}");

    let mut spec = with_callback(&idp, jumpcloud("default"));
    spec["name"] = json!("default");
    idp.create(spec).await;
    idp.create(lenient("other")).await;
    let (status, html) = page(&idp, idp.http.get(idp.url("/"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attr_of(&html, "tenant-home", "data-tenant"), "default");
    assert_eq!(text_of(&html, "issuer"), idp.url("/"));
    assert!(html.contains("href=\"/t/other/\""), "{html}");

    // Other methods at the root are the root tenant's endpoints, as before: JSON 404.
    let resp = idp.http.post(idp.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "not_found");
    for path in ["/admin", "/admin/", "/admin/nothing"] {
        let resp = idp.http.get(idp.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(resp.json::<Value>().await.unwrap()["error"], "not_found");
    }
    let resp = idp.admin(Method::GET, "/tenants", None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    // The browser's favicon request is answered without filling the root's journal.
    let before = idp.journal("default").await.len();
    let resp = idp.http.get(idp.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(idp.journal("default").await.len(), before);
}

#[tokio::test]
async fn signing_in_from_the_home_page_exchanges_the_code_as_the_client_is_registered() {
    for (profile, method, seen) in [
        ("jumpcloud", "client_secret_post", "post"),
        ("lenient", "client_secret_basic", "basic"),
        ("jumpcloud", "none", "none"),
    ] {
        let idp = TestIdp::start().await;
        let mut spec = with_auth_method(with_callback(&idp, spec("acme", profile)), method);
        if method == "none" {
            spec["clients"][0]
                .as_object_mut()
                .unwrap()
                .remove("client_secret");
        }
        let t = idp.create(spec).await;
        let callback = sign_in_from_home(&idp, &t, "alice").await;
        assert!(text_of(&callback, "code").len() > 20);
        let html = exchange(&idp, &callback).await;
        assert_eq!(text_of(&html, "token-status"), "200", "{method}: {html}");
        assert!(text_of(&html, "token-auth").starts_with(method), "{html}");
        let tokens: Value = serde_json::from_str(&text_of(&html, "token-response")).unwrap();
        assert!(tokens["access_token"].is_string() && tokens["id_token"].is_string());
        let header: Value = serde_json::from_str(&text_of(&html, "id-token-header")).unwrap();
        assert_eq!(header["alg"], "RS256");
        let claims: Value = serde_json::from_str(&text_of(&html, "id-token-claims")).unwrap();
        assert_eq!(claims["iss"], t.issuer);
        let sub = claims["sub"].as_str().unwrap().to_string();
        assert_eq!(
            attr_of(&html, "id-token-signature", "data-verified"),
            "true",
            "{html}"
        );
        assert!(text_of(&html, "id-token-signature").starts_with("verified: RS256"));
        assert_eq!(text_of(&html, "id-token-nonce"), "matches the nonce sent");
        assert_eq!(text_of(&html, "userinfo-status"), "200");
        let userinfo: Value = serde_json::from_str(&text_of(&html, "userinfo-response")).unwrap();
        assert_eq!(userinfo["sub"], sub.as_str());
        assert_eq!(userinfo["email"], "alice@example.com");

        // The journal shows the debugger's requests as any client's: PKCE S256 at
        // authorize, the registered method at the token endpoint.
        let journal = idp.journal("acme").await;
        let authorize = journal
            .iter()
            .find(|e| e["endpoint"] == "authorize")
            .unwrap();
        assert_eq!(authorize["pkce_method"], "S256");
        let token = journal.iter().find(|e| e["endpoint"] == "token").unwrap();
        assert_eq!(
            (token["client_auth"].as_str(), token["status"].as_u64()),
            (Some(seen), Some(200))
        );
        assert!(
            token["params"]["code_verifier"]
                .as_str()
                .unwrap()
                .starts_with("***(")
        );

        // A code works once: a second press shows the IdP's refusal.
        let again = exchange(&idp, &callback).await;
        assert_eq!(text_of(&again, "token-status"), "400");
        assert!(again.contains("id=\"exchange-error\""));
        assert!(
            text_of(&again, "exchange-error").contains("invalid_grant"),
            "{again}"
        );
        assert!(!again.contains("id=\"userinfo-status\""));
    }
}

#[tokio::test]
async fn a_refused_sign_in_shows_the_refusal_and_nothing_about_a_code() {
    let idp = TestIdp::start().await;
    let t = idp.create(with_callback(&idp, jumpcloud("acme"))).await;
    let html = sign_in_from_home(&idp, &t, "bob").await;
    assert_eq!(text_of(&html, "error-code"), "access_denied");
    assert!(!text_of(&html, "error-description").is_empty());
    assert!(html.contains("id=\"refusal-note\""));
    assert!(
        !html.contains("id=\"code\"") && !html.contains("exchange-form"),
        "{html}"
    );
    assert!(!html.contains("Exchange the code"), "{html}");
    assert!(!html.contains("10 minutes"), "{html}");
}

#[tokio::test]
async fn a_bad_signature_and_a_wrong_nonce_are_shown_as_such() {
    let idp = TestIdp::start().await;
    let mut t = idp.create(with_callback(&idp, jumpcloud("acme"))).await;
    idp.patch_quirks(&mut t, json!({"id_token_misbehaviour": "bad_signature"}))
        .await;
    let html = exchange(&idp, &sign_in_from_home(&idp, &t, "alice").await).await;
    assert_eq!(
        attr_of(&html, "id-token-signature", "data-verified"),
        "false"
    );
    assert!(
        text_of(&html, "id-token-signature")
            .starts_with("not verified: the signature does not verify"),
        "{html}"
    );
    idp.patch_quirks(&mut t, json!({"id_token_misbehaviour": "wrong_nonce"}))
        .await;
    let html = exchange(&idp, &sign_in_from_home(&idp, &t, "alice").await).await;
    assert_eq!(
        attr_of(&html, "id-token-signature", "data-verified"),
        "true"
    );
    assert!(
        text_of(&html, "id-token-nonce").contains("differs from the nonce sent"),
        "{html}"
    );
}

#[tokio::test]
async fn the_debugger_leaves_an_apps_code_alone() {
    let idp = TestIdp::start().await;
    let t = idp.create(with_callback(&idp, jumpcloud("acme"))).await;
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let (status, html) = page(
        &idp,
        idp.http
            .post(idp.url("/_stickler/exchange"))
            .form(&[("code", code.as_str())]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        text_of(&html, "debugger-error").contains("belongs to an app"),
        "{html}"
    );
    // The app still redeems it.
    t.tokens(&code, None).await;
    // The callback page shows an app's code without offering to exchange it.
    let (_, html) = page(
        &idp,
        idp.http
            .get(idp.url(&format!("/_stickler/callback?code={code}&state=x"))),
    )
    .await;
    assert_eq!(text_of(&html, "code"), code);
    assert!(!html.contains("exchange-form"));
    let (status, html) = page(
        &idp,
        idp.http
            .post(idp.url("/_stickler/exchange"))
            .form(&[("code", "nope")]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text_of(&html, "debugger-error").contains("No tenant"));
}

#[tokio::test]
async fn the_journal_page_polls_the_admin_api() {
    let idp = TestIdp::start().await;
    idp.create(jumpcloud("acme")).await;
    let (status, html) = page(&idp, idp.http.get(idp.url("/_stickler/journal/acme"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attr_of(&html, "journal-view", "data-tenant"), "acme");
    assert!(html.contains("id=\"journal-entries\""));
    assert!(html.contains("'/admin/tenants/' + encodeURIComponent(tenant) + '/journal?since='"));
    assert!(
        !html.contains("id=\"admin-token\""),
        "no token field without a token"
    );
    let (status, _) = page(&idp, idp.http.get(idp.url("/_stickler/journal/nope"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let idp = TestIdp::start_with_admin_token(Some("t0ken")).await;
    idp.create(jumpcloud("acme")).await;
    let (_, html) = page(&idp, idp.http.get(idp.url("/_stickler/journal/acme"))).await;
    assert!(html.contains("id=\"admin-token\""));
}

#[tokio::test]
async fn the_pages_answer_other_methods_and_bad_forms_clearly() {
    let idp = TestIdp::start().await;
    idp.create(jumpcloud("acme")).await;
    for (method, path) in [
        (Method::GET, "/_stickler/exchange"),
        (Method::GET, "/_stickler/sign-in"),
        (Method::POST, "/_stickler/callback"),
        (Method::DELETE, "/_stickler/journal/acme"),
    ] {
        let resp = idp
            .http
            .request(method.clone(), idp.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert!(resp.json::<Value>().await.unwrap()["error"].is_string());
    }
    for (form, why) in [
        (vec![("tenant", "acme")], "needs `tenant` and `client_id`"),
        (
            vec![("tenant", "nope"), ("client_id", "app")],
            "no tenant 'nope'",
        ),
        (
            vec![("tenant", "acme"), ("client_id", "nope")],
            "no client 'nope'",
        ),
        (
            vec![("tenant", "acme"), ("client_id", "app")],
            "has not registered",
        ),
    ] {
        let (status, html) = page(
            &idp,
            idp.http.post(idp.url("/_stickler/sign-in")).form(&form),
        )
        .await;
        assert!(status.is_client_error(), "{form:?}");
        assert!(
            text_of(&html, "debugger-error").contains(why),
            "{form:?}: {html}"
        );
    }
}
