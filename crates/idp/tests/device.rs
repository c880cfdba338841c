//! The device authorization grant (RFC 8628) over a real socket: discovery per profile
//! (JumpCloud has none), the device authorization answer, the verification page driven
//! by its HTML forms, polling (`authorization_pending`, `slow_down` growing the interval,
//! `expired_token`, `access_denied`), single use, public and confidential clients, the
//! device quirks and misbehaviours, the journal's polls, and bounded storage.

mod common;

use common::*;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

const DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The CLI's client id: a public client with only the device and refresh grants.
const CLI: &str = "jitsudo-cli";

/// The standard tenant plus a public CLI client bound to Engineering.
fn with_cli(mut spec: Value, quirks: Value) -> Value {
    spec["clients"].as_array_mut().unwrap().push(json!({
        "client_id": CLI,
        "token_endpoint_auth_method": "none",
        "grant_types": [DEVICE, "refresh_token"],
        "groups": ["Engineering"],
        "name": "jitsudo CLI",
    }));
    spec["quirks"] = quirks;
    spec
}

/// `POST` the device authorization endpoint.
async fn start(t: &Tenant, auth: Auth<'_>, scope: &str) -> Response {
    let mut form = vec![("scope".to_string(), scope.to_string())];
    let mut rb = t.http.post(t.endpoint("device_authorization_endpoint"));
    match auth {
        Auth::IdOnly(id) => form.push(("client_id".into(), id.into())),
        Auth::Post(id, secret) => {
            form.push(("client_id".into(), id.into()));
            form.push(("client_secret".into(), secret.into()));
        }
        Auth::Basic(id, secret) => rb = rb.basic_auth(id, Some(secret)),
        _ => {}
    }
    rb.form(&form).send().await.unwrap()
}

/// A device authorization that must succeed: its JSON.
async fn started(t: &Tenant, auth: Auth<'_>, scope: &str) -> Value {
    let resp = start(t, auth, scope).await;
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

/// One poll at the token endpoint.
async fn poll(t: &Tenant, auth: Auth<'_>, device_code: &str) -> Response {
    t.token(
        auth,
        &[("grant_type", DEVICE), ("device_code", device_code)],
    )
    .await
}

/// A poll's OAuth error code (asserting 400 and the JSON shape).
async fn poll_error(t: &Tenant, auth: Auth<'_>, device_code: &str) -> (String, String) {
    let (status, error, description) = json_error(poll(t, auth, device_code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}: {description}");
    (error, description)
}

/// `POST` the verification page's form.
async fn page_post(t: &Tenant, action: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let resp = t.http.post(action).form(fields).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// The `action` of the first form in a page.
fn form_action(html: &str) -> String {
    let start = html.find("action=\"").expect("a form") + 8;
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&amp;", "&")
}

/// Opens `verification_uri_complete`, continues with the pre-filled code, signs in as
/// `user` and presses `button` (`sign_in` or `deny`); the final page.
async fn verify_as(t: &Tenant, started: &Value, user: &str, button: &str) -> (StatusCode, String) {
    let page = t
        .http
        .get(started["verification_uri_complete"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"stickler-device\""), "{html}");
    let code = started["user_code"].as_str().unwrap();
    assert!(
        html.contains(&format!("value=\"{code}\"")),
        "pre-filled: {html}"
    );
    let action = form_action(&html);
    let (status, login) =
        page_post(t, &action, &[("user_code", code), ("action", "continue")]).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    for id in ["stickler-login", "username", "password", "sign-in", "deny"] {
        assert!(login.contains(&format!("id=\"{id}\"")), "{id} in {login}");
    }
    let password = format!("{user}-pw");
    page_post(
        t,
        &form_action(&login),
        &[
            ("user_code", code),
            ("username", user),
            ("password", &password),
            ("action", button),
        ],
    )
    .await
}

#[tokio::test]
async fn discovery_has_the_device_endpoint_only_where_the_profile_serves_device_flow() {
    let idp = TestIdp::start().await;
    let lenient_t = idp.create(with_cli(lenient("len"), json!({}))).await;
    assert_eq!(
        lenient_t.disco["device_authorization_endpoint"],
        lenient_t.url("/device_authorization")
    );
    assert_eq!(
        lenient_t.disco["grant_types_supported"],
        json!(["authorization_code", "refresh_token", DEVICE])
    );
    // JumpCloud: no endpoint, only the grants it serves, and the paths are unknown.
    let jc = idp.create(with_cli(jumpcloud("jc"), json!({}))).await;
    assert!(jc.disco.get("device_authorization_endpoint").is_none());
    assert_eq!(
        jc.disco["grant_types_supported"],
        json!(["authorization_code", "refresh_token"])
    );
    for path in [
        "/oauth2/device/auth",
        "/oauth2/device/verify",
        "/device_authorization",
        "/device",
    ] {
        let r = jc
            .http
            .post(jc.url(path))
            .form(&[("client_id", CLI)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let (status, error, _) = json_error(
        jc.token(
            Auth::IdOnly(CLI),
            &[("grant_type", DEVICE), ("device_code", "x")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "unauthorized_client")
    );
    // Switched on, JumpCloud's layout puts it at Hydra's paths.
    let jc_on = idp
        .create(with_cli(jumpcloud("jc-on"), json!({"device_flow": true})))
        .await;
    assert_eq!(
        jc_on.disco["device_authorization_endpoint"],
        jc_on.url("/oauth2/device/auth")
    );
    let resp = start(&jc_on, Auth::IdOnly(CLI), "openid").await;
    assert_eq!(
        resp.headers()["content-type"],
        "application/json;charset=UTF-8",
        "fosite's bytes"
    );
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["verification_uri"], jc_on.url("/oauth2/device/verify"));
    assert!(v["device_code"].as_str().unwrap().starts_with("ory_dc_"));
    // fosite's words for the polling errors.
    let dc = v["device_code"].as_str().unwrap();
    let (error, description) = poll_error(&jc_on, Auth::IdOnly(CLI), dc).await;
    assert_eq!(error, "authorization_pending");
    assert_eq!(
        description,
        "The authorization request is still pending as the end user hasn't yet completed the user-interaction steps."
    );
    let (error, description) = poll_error(&jc_on, Auth::IdOnly(CLI), dc).await;
    assert_eq!(error, "slow_down");
    assert_eq!(
        description,
        "The authorization request was rate-limited to prevent system overload. Ensure that you don't call the token endpoint sooner than the polling interval (10 seconds)."
    );
}

#[tokio::test]
async fn a_public_cli_completes_the_device_flow_through_the_verification_page_once() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            lenient("pub"),
            json!({"device_poll_interval_secs": 0}),
        ))
        .await;
    let v = started(
        &t,
        Auth::IdOnly(CLI),
        "openid email profile groups offline_access",
    )
    .await;
    let user_code = v["user_code"].as_str().unwrap();
    assert_eq!(v["verification_uri"], t.url("/device"));
    assert_eq!(
        v["verification_uri_complete"],
        format!("{}?user_code={user_code}", t.url("/device"))
    );
    assert_eq!(v["expires_in"], 600);
    assert_eq!(v["interval"], 0);
    let device_code = v["device_code"].as_str().unwrap();
    let (error, _) = poll_error(&t, Auth::IdOnly(CLI), device_code).await;
    assert_eq!(error, "authorization_pending");
    let (status, page) = verify_as(&t, &v, "alice", "sign_in").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"device-approved\""), "{page}");
    let resp = poll(&t, Auth::IdOnly(CLI), device_code).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let tokens: Value = resp.json().await.unwrap();
    assert!(
        tokens["refresh_token"].is_string(),
        "offline_access: {tokens}"
    );
    // The ID token is the CLI's: aud is its client id.
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], CLI);
    assert_eq!(claims["groups"], json!(["Engineering"]));
    assert_eq!(claims["iss"], t.issuer.as_str());
    // Single use.
    let (error, description) = poll_error(&t, Auth::IdOnly(CLI), device_code).await;
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("already been used"), "{description}");
    // The refresh token works like any other.
    let rt = tokens["refresh_token"].as_str().unwrap();
    let resp = t
        .token(
            Auth::IdOnly(CLI),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn confidential_clients_authenticate_as_registered_at_both_endpoints() {
    let idp = TestIdp::start().await;
    // jumpcloud with device flow on: the app is client_secret_post, enforced.
    let t = idp
        .create(with_cli(
            jumpcloud("conf"),
            json!({"device_flow": true, "device_poll_interval_secs": 0}),
        ))
        .await;
    let v = started(&t, POST, "openid").await;
    let (status, error, _) = json_error(start(&t, BASIC, "openid").await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let (status, error, _) =
        json_error(start(&t, Auth::Post(CLIENT_ID, "wrong"), "openid").await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let (status, _) = verify_as(&t, &v, "alice", "sign_in").await;
    assert_eq!(status, StatusCode::OK);
    let device_code = v["device_code"].as_str().unwrap();
    // Another client cannot redeem it; the app without its secret cannot either.
    let (error, _) = poll_error(&t, Auth::IdOnly(CLI), device_code).await;
    assert_eq!(error, "invalid_grant");
    let (status, error, _) = json_error(poll(&t, Auth::IdOnly(CLIENT_ID), device_code).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let tokens: Value = poll(&t, POST, device_code).await.json().await.unwrap();
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(claims["aud"], json!([CLIENT_ID]));
    // A client not allowed the grant is refused at the device endpoint.
    let t2 = idp
        .create(with_cli(
            {
                let mut s = lenient("nogrant");
                s["clients"][0]["grant_types"] = json!(["authorization_code"]);
                s
            },
            json!({}),
        ))
        .await;
    let (status, error, _) = json_error(start(&t2, BASIC, "openid").await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "unauthorized_client")
    );
}

#[tokio::test]
async fn declining_or_being_outside_the_apps_groups_ends_in_access_denied() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            jumpcloud("deny"),
            json!({"device_flow": true, "device_poll_interval_secs": 0}),
        ))
        .await;
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    let (status, page) = verify_as(&t, &v, "alice", "deny").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("id=\"device-denied\""), "{page}");
    let (error, description) =
        poll_error(&t, Auth::IdOnly(CLI), v["device_code"].as_str().unwrap()).await;
    assert_eq!(error, "access_denied");
    assert!(description.contains("declined"), "{description}");
    // bob is in Sales only: JumpCloud refuses him after he signs in.
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    let (status, page) = verify_as(&t, &v, "bob", "sign_in").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("id=\"device-denied\""), "{page}");
    let (error, description) =
        poll_error(&t, Auth::IdOnly(CLI), v["device_code"].as_str().unwrap()).await;
    assert_eq!(error, "access_denied");
    assert!(
        description.contains(
            "The user 'bob' is not a member of any group assigned to the application 'jitsudo CLI'."
        ),
        "{description}"
    );
    // The same user on a tenant without group assignment gets in.
    let mut t2 = idp
        .create(with_cli(
            lenient("deny2"),
            json!({"device_poll_interval_secs": 0}),
        ))
        .await;
    t2.reload().await;
    let v = started(&t2, Auth::IdOnly(CLI), "openid").await;
    let (status, page) = verify_as(&t2, &v, "bob", "sign_in").await;
    assert!(
        status == StatusCode::OK && page.contains("device-approved"),
        "{page}"
    );
}

#[tokio::test]
async fn polling_too_fast_is_slow_down_and_the_interval_grows_by_five_seconds() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            lenient("slow"),
            json!({"device_poll_interval_secs": 1}),
        ))
        .await;
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    assert_eq!(v["interval"], 1);
    let dc = v["device_code"].as_str().unwrap();
    assert_eq!(
        poll_error(&t, Auth::IdOnly(CLI), dc).await.0,
        "authorization_pending"
    );
    let (error, description) = poll_error(&t, Auth::IdOnly(CLI), dc).await;
    assert_eq!(error, "slow_down");
    assert!(
        description.contains("polling interval (6 seconds)"),
        "{description}"
    );
    let (error, description) = poll_error(&t, Auth::IdOnly(CLI), dc).await;
    assert_eq!(error, "slow_down");
    assert!(
        description.contains("polling interval (11 seconds)"),
        "{description}"
    );
    // A code polled at its interval is only pending.
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    let dc = v["device_code"].as_str().unwrap();
    assert_eq!(
        poll_error(&t, Auth::IdOnly(CLI), dc).await.0,
        "authorization_pending"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        poll_error(&t, Auth::IdOnly(CLI), dc).await.0,
        "authorization_pending"
    );
    // The journal has each poll with the time since the previous one of its code.
    let polls: Vec<Value> = idp
        .journal("slow")
        .await
        .into_iter()
        .filter(|e| e["endpoint"] == "token" && e["grant_type"] == DEVICE)
        .collect();
    assert_eq!(polls.len(), 5);
    let errors: Vec<&str> = polls.iter().map(|e| e["error"].as_str().unwrap()).collect();
    assert_eq!(
        errors,
        [
            "authorization_pending",
            "slow_down",
            "slow_down",
            "authorization_pending",
            "authorization_pending"
        ]
    );
    assert!(polls[0].get("since_last_poll_ms").is_none());
    assert!(polls[1]["since_last_poll_ms"].as_u64().unwrap() < 1000);
    assert!(polls[3].get("since_last_poll_ms").is_none());
    assert!(polls[4]["since_last_poll_ms"].as_u64().unwrap() >= 1000);
    for p in &polls {
        assert!(
            p["params"]["device_code"]
                .as_str()
                .unwrap()
                .starts_with("***("),
            "{p}"
        );
        assert_eq!(p["client_id"], CLI);
    }
}

#[tokio::test]
async fn the_slow_down_first_poll_misbehaviour_answers_slow_down_however_late() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            lenient("first"),
            json!({"device_poll_interval_secs": 0, "device_slow_down_first_poll": true}),
        ))
        .await;
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    let dc = v["device_code"].as_str().unwrap();
    let (error, description) = poll_error(&t, Auth::IdOnly(CLI), dc).await;
    assert_eq!(error, "slow_down");
    assert!(
        description.contains("polling interval (5 seconds)"),
        "{description}"
    );
}

#[tokio::test]
async fn codes_expire_at_their_lifetime_or_early_by_misbehaviour() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            lenient("exp"),
            json!({"device_poll_interval_secs": 0, "device_code_lifetime_secs": 1}),
        ))
        .await;
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    assert_eq!(v["expires_in"], 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let dc = v["device_code"].as_str().unwrap();
    assert_eq!(
        poll_error(&t, Auth::IdOnly(CLI), dc).await.0,
        "expired_token"
    );
    // The page says so too.
    let page = t
        .http
        .get(v["verification_uri_complete"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (status, html) = page_post(
        &t,
        &form_action(&page),
        &[
            ("user_code", v["user_code"].as_str().unwrap()),
            ("action", "continue"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"device-error\""), "{html}");
    assert!(
        html.contains("<code id=\"error-code\">expired_token</code>"),
        "{html}"
    );
    // device_expire_early: approved, then expired at the next poll, and for good.
    let t2 = idp
        .create(with_cli(
            lenient("early"),
            json!({"device_poll_interval_secs": 0, "device_expire_early": true}),
        ))
        .await;
    let v = started(&t2, Auth::IdOnly(CLI), "openid").await;
    let dc = v["device_code"].as_str().unwrap();
    assert_eq!(
        poll_error(&t2, Auth::IdOnly(CLI), dc).await.0,
        "authorization_pending"
    );
    let (status, _) = verify_as(&t2, &v, "alice", "sign_in").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        poll_error(&t2, Auth::IdOnly(CLI), dc).await.0,
        "expired_token"
    );
    assert_eq!(
        poll_error(&t2, Auth::IdOnly(CLI), dc).await.0,
        "expired_token"
    );
}

#[tokio::test]
async fn unknown_codes_are_refused_on_the_page_and_at_the_token_endpoint() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            lenient("unk"),
            json!({"device_poll_interval_secs": 0, "device_user_code_format": "digits"}),
        ))
        .await;
    let (error, description) = poll_error(&t, Auth::IdOnly(CLI), "no-such-code").await;
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("unknown"), "{description}");
    let (status, error, _) =
        json_error(t.token(Auth::IdOnly(CLI), &[("grant_type", DEVICE)]).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    let (status, html) = page_post(
        &t,
        &t.url("/device"),
        &[("user_code", "BCDF-GHJK"), ("action", "continue")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("<code id=\"error-code\">invalid_request</code>"),
        "{html}"
    );
    assert!(html.contains("id=\"error-description\""), "{html}");
    // Digit codes; entry ignores dashes and spaces.
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    let code = v["user_code"].as_str().unwrap().to_string();
    assert!(
        code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    let typed = format!("{} {}-", &code[..4], &code[4..]);
    let (status, html) = page_post(
        &t,
        &t.url("/device"),
        &[("user_code", typed.as_str()), ("action", "continue")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"stickler-login\""));
    // A wrong password shows the form again; the code stays pending.
    let (status, html) = page_post(
        &t,
        &t.url("/device"),
        &[
            ("user_code", code.as_str()),
            ("username", "alice"),
            ("password", "nope"),
            ("action", "sign_in"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("id=\"login-error\"") && html.contains("id=\"deny\""));
    assert_eq!(
        poll_error(&t, Auth::IdOnly(CLI), v["device_code"].as_str().unwrap())
            .await
            .0,
        "authorization_pending"
    );
}

#[tokio::test]
async fn the_journal_masks_device_and_user_codes_and_names_each_step() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            lenient("jr"),
            json!({"device_poll_interval_secs": 0}),
        ))
        .await;
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    verify_as(&t, &v, "alice", "sign_in").await;
    let journal = idp.journal("jr").await;
    let text = serde_json::to_string(&journal).unwrap();
    let user_code = v["user_code"].as_str().unwrap();
    assert!(!text.contains(user_code), "user code leaked: {text}");
    assert!(!text.contains(v["device_code"].as_str().unwrap()));
    let auth = journal
        .iter()
        .find(|e| e["endpoint"] == "device_authorization")
        .unwrap();
    assert_eq!(auth["client_id"], CLI);
    assert_eq!(auth["client_auth"], "none");
    assert_eq!(auth["outcome"], "ok");
    let outcomes: Vec<&str> = journal
        .iter()
        .filter(|e| e["endpoint"] == "device_verify")
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "login_page", "approved"]);
    let verify = journal.iter().find(|e| e["outcome"] == "approved").unwrap();
    assert_eq!(
        verify["params"]["user_code"],
        format!("***({})", user_code.len())
    );
    assert_eq!(verify["params"]["username"], "alice");
}

#[tokio::test]
async fn id_token_misbehaviours_bend_device_issued_id_tokens_too() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            lenient("bent"),
            json!({"device_poll_interval_secs": 0, "id_token_misbehaviour": "wrong_aud", "access_token_format": "jwt"}),
        ))
        .await;
    let v = started(&t, Auth::IdOnly(CLI), "openid").await;
    verify_as(&t, &v, "alice", "sign_in").await;
    let tokens: Value = poll(&t, Auth::IdOnly(CLI), v["device_code"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], json!(["some-other-client"]));
    let (h, at) = jwt_parts(tokens["access_token"].as_str().unwrap());
    assert_eq!(h["typ"], "at+jwt");
    assert_eq!(at["client_id"], CLI);
}

#[tokio::test]
async fn pending_device_codes_are_bounded_and_the_oldest_go_first() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_cli(
            lenient("cap"),
            json!({"device_poll_interval_secs": 0}),
        ))
        .await;
    let first = started(&t, Auth::IdOnly(CLI), "openid").await;
    let mut last = Value::Null;
    for _ in 0..stickler_idp::limits::MAX_DEVICE_CODES {
        last = started(&t, Auth::IdOnly(CLI), "openid").await;
    }
    let (error, _) = poll_error(
        &t,
        Auth::IdOnly(CLI),
        first["device_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(error, "invalid_grant", "the oldest was dropped");
    let (error, _) = poll_error(&t, Auth::IdOnly(CLI), last["device_code"].as_str().unwrap()).await;
    assert_eq!(error, "authorization_pending");
    let tenant = idp.running.idp.tenant("cap").unwrap();
    assert_eq!(
        tenant.lock().device_codes.len(),
        stickler_idp::limits::MAX_DEVICE_CODES
    );
}
