//! Userinfo (Hydra's shape: the ID token's claims minus the ID-token-only ones), its
//! bearer errors (`request_unauthorized` with a `WWW-Authenticate` challenge), token
//! revocation, and RP-initiated logout.

mod common;

use common::*;
use reqwest::{StatusCode, header};
use serde_json::Value;

const E_USERINFO: &str = "The request could not be authorized. Check that you provided valid credentials in the right format.";

async fn assert_request_unauthorized(resp: reqwest::Response) {
    let h = assert_json_error(
        resp,
        StatusCode::UNAUTHORIZED,
        "request_unauthorized",
        E_USERINFO,
    )
    .await;
    assert_eq!(
        h.get(header::WWW_AUTHENTICATE).unwrap(),
        &format!("Bearer error=\"request_unauthorized\",error_description=\"{E_USERINFO}\"")
    );
}

#[tokio::test]
async fn jumpcloud_userinfo_echoes_the_id_token_minus_its_own_claims() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "carol").await;
    let at = tokens["access_token"].as_str().unwrap();
    let (_, id) = jwt_parts(tokens["id_token"].as_str().unwrap());
    let get = t.userinfo(at).await;
    assert_eq!(get.status(), StatusCode::OK);
    assert_eq!(
        get.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let get: Value = get.json().await.unwrap();
    // POST with the bearer header answers the same.
    let post: Value = t
        .http
        .post(t.endpoint("userinfo_endpoint"))
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // And so does the token in a form body (RFC 6750 §2.2).
    let body: Value = t
        .http
        .post(t.endpoint("userinfo_endpoint"))
        .form(&[("access_token", at)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut expected = id.as_object().unwrap().clone();
    for k in ["nonce", "at_hash", "exp", "sid", "jti"] {
        assert!(expected.remove(k).is_some(), "the ID token has {k}");
    }
    for answer in [&get, &post, &body] {
        let mut got = answer.as_object().unwrap().clone();
        // `iat` is the time of the userinfo answer.
        assert!(got.remove("iat").unwrap().is_u64());
        let mut want = expected.clone();
        want.remove("iat");
        assert_eq!(got, want);
    }
    // Kept, as in harbor#20779 (J15).
    for k in ["iss", "aud", "rat", "auth_time", "sub", "memberOf", "email"] {
        assert!(get.get(k).is_some(), "{k}: {get}");
    }
}

#[tokio::test]
async fn lenient_userinfo_has_only_user_claims() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let info: Value = t.userinfo_of(&tokens).await;
    for k in ["iss", "aud", "iat", "rat", "auth_time", "exp"] {
        assert!(info.get(k).is_none(), "{k}: {info}");
    }
    assert_eq!(info["preferred_username"], "alice");
    assert_eq!(info["groups"], serde_json::json!(["Engineering"]));
}

#[tokio::test]
async fn bad_bearer_tokens_get_fosites_request_unauthorized() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    assert_request_unauthorized(t.userinfo("ory_at_garbage").await).await;
    // No token at all.
    let resp = t
        .http
        .get(t.endpoint("userinfo_endpoint"))
        .send()
        .await
        .unwrap();
    assert_request_unauthorized(resp).await;
    // A refresh token is not an access token.
    let tokens = t
        .sign_in(
            &AuthParams::code_flow().set("scope", "openid offline"),
            "alice",
        )
        .await;
    let resp = t.userinfo(tokens["refresh_token"].as_str().unwrap()).await;
    let h = assert_json_error(
        resp,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "The access token provided is expired, revoked, malformed, or invalid for other reasons. Only access tokens are allowed in the authorization header.",
    )
    .await;
    assert!(
        h.get(header::WWW_AUTHENTICATE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("Bearer error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn lenient_bad_bearer_tokens_get_invalid_token() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let resp = t.userinfo("garbage").await;
    let h = resp.headers().clone();
    let (status, error, _) = json_error(resp).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    assert!(
        h.get(header::WWW_AUTHENTICATE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("Bearer error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn revoking_a_token_ends_it() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let revoke = |token: String| {
        let t = &t;
        async move {
            t.http
                .post(t.endpoint("revocation_endpoint"))
                .form(&[
                    ("token", token.as_str()),
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let tokens = t
        .sign_in(
            &AuthParams::code_flow().set("scope", "openid offline"),
            "alice",
        )
        .await;
    let at = tokens["access_token"].as_str().unwrap().to_string();
    let rt = tokens["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(t.userinfo(&at).await.status(), StatusCode::OK);
    assert_eq!(revoke(at.clone()).await.status(), StatusCode::OK);
    assert_request_unauthorized(t.userinfo(&at).await).await;
    // The refresh token of the same grant went with it.
    let resp = t
        .token(
            POST,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // Unknown tokens are not an error (RFC 7009 §2.2).
    assert_eq!(revoke("nothing".into()).await.status(), StatusCode::OK);
    // Revoking a refresh token ends its access tokens too.
    let tokens = t
        .sign_in(
            &AuthParams::code_flow().set("scope", "openid offline"),
            "alice",
        )
        .await;
    let at = tokens["access_token"].as_str().unwrap().to_string();
    revoke(tokens["refresh_token"].as_str().unwrap().into()).await;
    assert_eq!(t.userinfo(&at).await.status(), StatusCode::UNAUTHORIZED);
    // A missing token parameter.
    let resp = t
        .http
        .post(t.endpoint("revocation_endpoint"))
        .form(&[("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)])
        .send()
        .await
        .unwrap();
    let (status, error, _) = json_error(resp).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
}

#[tokio::test]
async fn another_client_cannot_revoke_my_tokens() {
    let idp = TestIdp::start().await;
    let mut s = jumpcloud("x");
    s["clients"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "client_id": "other",
            "client_secret": "other-secret",
            "redirect_uris": [APP_REDIRECT],
        }));
    let t = idp.create(s).await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let at = tokens["access_token"].as_str().unwrap();
    let resp = t
        .http
        .post(t.endpoint("revocation_endpoint"))
        .form(&[
            ("token", at),
            ("client_id", "other"),
            ("client_secret", "other-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(t.userinfo(at).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn end_session_returns_to_a_registered_uri_with_state() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let end = t.endpoint("end_session_endpoint");
    let resp = t
        .http
        .get(&end)
        .query(&[
            ("post_logout_redirect_uri", APP_LOGOUT),
            ("state", "bye-bye-1"),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), format!("{APP_LOGOUT}?state=bye-bye-1"));
    // Without state: the URI as registered, nothing appended.
    let resp = t
        .http
        .get(&end)
        .query(&[("post_logout_redirect_uri", APP_LOGOUT)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&resp), APP_LOGOUT);
    // The client found from id_token_hint.
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let resp = t
        .http
        .post(&end)
        .form(&[
            ("post_logout_redirect_uri", APP_LOGOUT),
            ("id_token_hint", tokens["id_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // No target: a signed-out page.
    let resp = t.http.get(&end).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("id=\"signed-out\""));
}

#[tokio::test]
async fn end_session_refuses_an_unregistered_uri_on_the_error_page() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let end = t.endpoint("end_session_endpoint");
    let desc = fosite(
        INVALID_REQUEST,
        "Logout failed because query parameter post_logout_redirect_uri is not a whitelisted as a post_logout_redirect_uri for the client.",
    );
    for uri in [
        "http://127.0.0.1:3000",
        "https://evil.example/",
        APP_REDIRECT,
    ] {
        let resp = t
            .http
            .get(&end)
            .query(&[("post_logout_redirect_uri", uri), ("state", "bye-bye-1")])
            .send()
            .await
            .unwrap();
        assert_error_page_redirect(&t, &resp, "invalid_request", &desc);
    }
    // Registered, but for another client.
    let resp = t
        .http
        .get(&end)
        .query(&[
            ("post_logout_redirect_uri", APP_LOGOUT),
            ("client_id", "other"),
        ])
        .send()
        .await
        .unwrap();
    assert_error_page_redirect(&t, &resp, "invalid_request", &desc);
}
