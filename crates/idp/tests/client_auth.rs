//! Client authentication at the token endpoint with fosite's detection rules and exact
//! 401 messages (E-AUTH-*): one registered method per client, post judged before basic,
//! Basic credentials form-url-decoded; and the lenient behaviour (either method works).

mod common;

use common::*;
use reqwest::{StatusCode, header};
use serde_json::json;

fn e_auth(registered: &str, requested: &str) -> String {
    fosite(
        INVALID_CLIENT,
        &format!(
            "The OAuth 2.0 Client supports client authentication method '{registered}', but method '{requested}' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept '{requested}'."
        ),
    )
}

/// Signs alice in and tries to redeem the code with `auth`.
async fn redeem(t: &Tenant, auth: Auth<'_>) -> reqwest::Response {
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    t.exchange(auth, &code, None).await
}

/// A 401 fosite sends: JSON, no `WWW-Authenticate`.
async fn assert_401(resp: reqwest::Response, description: &str) {
    let h = assert_json_error(
        resp,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        description,
    )
    .await;
    assert!(h.get(header::WWW_AUTHENTICATE).is_none());
}

#[tokio::test]
async fn jumpcloud_defaults_to_post_and_refuses_basic() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    assert_eq!(
        t.info["clients"][0]["token_endpoint_auth_method"],
        "client_secret_post"
    );
    // E-AUTH-BASIC (sourcebot#1022: Auth.js sends Basic by default).
    assert_401(
        redeem(&t, BASIC).await,
        &e_auth("client_secret_post", "client_secret_basic"),
    )
    .await;
    // Post works.
    assert_eq!(redeem(&t, POST).await.status(), StatusCode::OK);
    // Both to a post client: post passes, then the Basic secret is refused.
    assert_401(
        redeem(&t, Auth::Both(CLIENT_ID, CLIENT_SECRET)).await,
        &e_auth("client_secret_post", "client_secret_basic"),
    )
    .await;
}

#[tokio::test]
async fn a_basic_client_refuses_post_and_both() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_auth_method(jumpcloud("x"), "client_secret_basic"))
        .await;
    // E-AUTH-POST (mozilla-django-oidc against a "Client Secret Basic" app).
    assert_401(
        redeem(&t, POST).await,
        &e_auth("client_secret_basic", "client_secret_post"),
    )
    .await;
    // Both (jumpserver): judged as post first.
    assert_401(
        redeem(&t, Auth::Both(CLIENT_ID, CLIENT_SECRET)).await,
        &e_auth("client_secret_basic", "client_secret_post"),
    )
    .await;
    assert_eq!(redeem(&t, BASIC).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_or_missing_credentials() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // Wrong secret, unknown client, no secret: base text only (E-AUTH-BAD).
    for auth in [
        Auth::Post(CLIENT_ID, "wrong"),
        Auth::Post("nobody", "x"),
        Auth::IdOnly(CLIENT_ID),
    ] {
        assert_401(redeem(&t, auth).await, INVALID_CLIENT).await;
    }
    // Nothing at all: 400 (E-AUTH-MISSING).
    assert_json_error(
        redeem(&t, Auth::None).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.",
        ),
    )
    .await;
}

#[tokio::test]
async fn basic_credentials_are_form_url_decoded() {
    let idp = TestIdp::start().await;
    let secret = "s+cr/t=x y%z";
    let mut s = with_auth_method(jumpcloud("x"), "client_secret_basic");
    s["clients"][0]["client_secret"] = json!(secret);
    s["clients"][0]["client_id"] = json!("my app");
    s["clients"][0]["groups"] = json!(["Engineering"]);
    let t = idp.create(s).await;
    let params = AuthParams::code_flow().set("client_id", "my app");
    // Encoded as RFC 6749 §2.3.1 says: works.
    let code = t.code(&params, "alice").await;
    let resp = t.exchange(Auth::Basic("my app", secret), &code, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    // Raw: `+` becomes a space, so the secret is wrong (ory/hydra#536).
    let code = t.code(&params, "alice").await;
    let resp = t
        .exchange(Auth::RawBasic("my+app:s+cr/t=x y%25z"), &code, None)
        .await;
    assert_401(resp, INVALID_CLIENT).await;
    // A `%` that is not an escape (E-AUTH-ENC), in the secret and in the id.
    let code = t.code(&params, "alice").await;
    let resp = t
        .exchange(Auth::RawBasic("my+app:100%zz"), &code, None)
        .await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "The client secret in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'.",
        ),
    )
    .await;
    let resp = t.exchange(Auth::RawBasic("my%zzapp:x"), &code, None).await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "The client id in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'.",
        ),
    )
    .await;
}

#[tokio::test]
async fn a_public_client_must_not_send_a_secret() {
    let idp = TestIdp::start().await;
    let s = with_auth_method(jumpcloud("x"), "none");
    let t = idp.create(s).await;
    // E-AUTH-NONE, both ways.
    assert_401(
        redeem(&t, POST).await,
        &e_auth("none", "client_secret_post"),
    )
    .await;
    assert_401(
        redeem(&t, BASIC).await,
        &e_auth("none", "client_secret_basic"),
    )
    .await;
    assert_eq!(
        redeem(&t, Auth::IdOnly(CLIENT_ID)).await.status(),
        StatusCode::OK
    );
    // An empty Basic password is tolerated on a public client.
    assert_eq!(
        redeem(&t, Auth::RawBasic("app:")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn lenient_accepts_either_method() {
    let idp = TestIdp::start().await;
    for s in [
        lenient("l"),
        with_auth_method(lenient("lb"), "client_secret_post"),
        with_quirks(jumpcloud("x"), json!({"enforce_token_auth_method": false})),
    ] {
        let t = idp.create(s).await;
        for auth in [POST, BASIC, Auth::Both(CLIENT_ID, CLIENT_SECRET)] {
            assert_eq!(
                redeem(&t, auth).await.status(),
                StatusCode::OK,
                "{} {auth:?}",
                t.name
            );
        }
        // A wrong secret is still wrong; lenient answers with its own short text.
        let (status, error, _) = json_error(redeem(&t, Auth::Post(CLIENT_ID, "no")).await).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::UNAUTHORIZED, "invalid_client")
        );
    }
    // The lenient default method is basic, JumpCloud's is post.
    let t = idp.create(lenient("l2")).await;
    assert_eq!(
        t.info["clients"][0]["token_endpoint_auth_method"],
        "client_secret_basic"
    );
}

#[tokio::test]
async fn lenient_still_refuses_a_secret_from_a_public_client() {
    let idp = TestIdp::start().await;
    let t = idp.create(with_auth_method(lenient("l"), "none")).await;
    let code = t
        .code(&AuthParams::code_flow().pkce(VERIFIER), "alice")
        .await;
    let resp = t.exchange(POST, &code, Some(VERIFIER)).await;
    let (status, error, _) = json_error(resp).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
}

#[tokio::test]
async fn revocation_authenticates_the_same_way() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let at = tokens["access_token"].as_str().unwrap();
    let resp = t
        .http
        .post(t.endpoint("revocation_endpoint"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("token", at)])
        .send()
        .await
        .unwrap();
    assert_401(resp, &e_auth("client_secret_post", "client_secret_basic")).await;
    assert_eq!(t.userinfo(at).await.status(), StatusCode::OK);
}
