//! The token endpoint: the token response, the nonce entropy rule (which bites only here,
//! after the user signed in), PKCE (S256 only, checked after login), code binding and
//! reuse, refresh tokens (offline scope, rotation, family revocation) and grant types.

mod common;

use common::*;
use reqwest::{StatusCode, header};
use serde_json::json;

const E_NONCE: &str = "The request used a security parameter (e.g., anti-replay, anti-csrf) with insufficient entropy. Parameter 'nonce' is set but does not satisfy the minimum entropy of 8 characters.";
const E_PKCE_PLAIN: &str = "Clients must use code_challenge_method=S256, plain is not allowed.";
const UNAUTHORIZED_CLIENT: &str =
    "The client is not authorized to request a token using this method.";

#[tokio::test]
async fn jumpcloud_token_response_is_lowercase_bearer_with_opaque_hydra_tokens() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    assert!(code.starts_with("ory_ac_"));
    let resp = t.exchange(POST, &code, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    assert_eq!(resp.headers().get(header::PRAGMA).unwrap(), "no-cache");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "openid email profile");
    let at = body["access_token"].as_str().unwrap();
    assert!(at.starts_with("ory_at_"), "{at}");
    assert_eq!(at.split('.').count(), 1, "opaque, not a JWT");
    assert!(body["id_token"].is_string());
    // No offline scope, no refresh token (J11).
    assert!(body.get("refresh_token").is_none(), "{body}");
}

#[tokio::test]
async fn lenient_token_response_says_bearer_and_has_no_prefixes() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let body = t.sign_in(&AuthParams::code_flow(), "alice").await;
    assert_eq!(body["token_type"], "Bearer");
    assert!(!body["access_token"].as_str().unwrap().starts_with("ory_"));
    // Lenient issues refresh tokens without offline scope.
    assert!(!body["refresh_token"].as_str().unwrap().starts_with("ory_"));
}

#[tokio::test]
async fn a_short_nonce_passes_login_and_fails_at_the_token_endpoint() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let params = AuthParams::code_flow().set("nonce", "1234567");
    // The authorization request is accepted and the user signs in...
    let code = t.code(&params, "alice").await;
    // ...then the token request fails.
    let resp = t.exchange(POST, &code, None).await;
    let h = assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "insufficient_entropy",
        E_NONCE,
    )
    .await;
    assert!(h.get(header::WWW_AUTHENTICATE).is_none());
    // Eight is enough, and the nonce is in the ID token.
    let tokens = t
        .sign_in(&AuthParams::code_flow().set("nonce", "12345678"), "alice")
        .await;
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["nonce"], "12345678");
    // No nonce at all is fine, and none is in the token.
    let tokens = t
        .sign_in(&AuthParams::code_flow().without("nonce"), "alice")
        .await;
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert!(claims.get("nonce").is_none());
}

#[tokio::test]
async fn nonce_rule_off_accepts_short_nonces() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("l")).await;
    let tokens = t
        .sign_in(&AuthParams::code_flow().set("nonce", "n"), "alice")
        .await;
    assert_eq!(
        jwt_parts(tokens["id_token"].as_str().unwrap()).1["nonce"],
        "n"
    );
    let t = idp
        .create(with_quirks(jumpcloud("x"), json!({"min_nonce_length": 0})))
        .await;
    let tokens = t
        .sign_in(&AuthParams::code_flow().set("nonce", "n"), "alice")
        .await;
    assert_eq!(
        jwt_parts(tokens["id_token"].as_str().unwrap()).1["nonce"],
        "n"
    );
}

#[tokio::test]
async fn pkce_s256_works_and_a_wrong_verifier_is_refused() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let params = AuthParams::code_flow().pkce(VERIFIER);
    let code = t.code(&params, "alice").await;
    t.tokens(&code, Some(VERIFIER)).await;
    // Mismatch (E-PKCE-MISMATCH).
    let code = t.code(&params, "alice").await;
    let other = "x".repeat(43);
    assert_json_error(
        t.exchange(POST, &code, Some(&other)).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(
            INVALID_GRANT,
            "The PKCE code challenge did not match the code verifier.",
        ),
    )
    .await;
}

#[tokio::test]
async fn pkce_verifier_shape_is_checked() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let params = AuthParams::code_flow().pkce(VERIFIER);
    let too_long = "a".repeat(129);
    let cases = [
        (
            Some("short"),
            "The PKCE code verifier must be at least 43 characters.",
        ),
        (
            None,
            "The PKCE code verifier must be at least 43 characters.",
        ),
        (
            Some(too_long.as_str()),
            "The PKCE code verifier can not be longer than 128 characters.",
        ),
        (
            Some("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+b"),
            "The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'.",
        ),
    ];
    for (verifier, hint) in cases {
        let code = t.code(&params, "alice").await;
        assert_json_error(
            t.exchange(POST, &code, verifier).await,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            &fosite(INVALID_GRANT, hint),
        )
        .await;
    }
    // A verifier without any PKCE at authorize.
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    assert_json_error(
        t.exchange(POST, &code, Some(VERIFIER)).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(
            INVALID_GRANT,
            "Unable to find initial PKCE data tied to this request",
        ),
    )
    .await;
    // S256 announced without a challenge: accepted at authorize, refused here.
    let code = t
        .code(
            &AuthParams::code_flow().set("code_challenge_method", "S256"),
            "alice",
        )
        .await;
    assert_json_error(
        t.exchange(POST, &code, Some(VERIFIER)).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(
            INVALID_GRANT,
            "The PKCE code verifier was provided but the code challenge was absent from the authorization request.",
        ),
    )
    .await;
}

#[tokio::test]
async fn plain_pkce_is_refused_only_after_the_user_signed_in() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let desc = fosite(INVALID_REQUEST, E_PKCE_PLAIN);
    for params in [
        AuthParams::code_flow()
            .set("code_challenge", VERIFIER)
            .set("code_challenge_method", "plain"),
        // A challenge without a method is plain.
        AuthParams::code_flow().set("code_challenge", VERIFIER),
    ] {
        let page = t.authorize(&params).await;
        assert_eq!(page.status(), StatusCode::OK, "the login page comes first");
        let resp = t.submit_login(page, "alice", "alice-pw").await;
        assert_error_redirect(&resp, "invalid_request", &desc, STATE);
    }
    // E-PKCE-2
    let params = AuthParams::code_flow()
        .set("code_challenge", VERIFIER)
        .set("code_challenge_method", "S512");
    let resp = t.login(&params, "alice").await;
    assert_error_redirect(
        &resp,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "The code_challenge_method is not supported, use S256 instead.",
        ),
        STATE,
    );
}

#[tokio::test]
async fn plain_pkce_works_when_allowed() {
    let idp = TestIdp::start().await;
    for t in [
        idp.create(lenient("l")).await,
        idp.create(with_quirks(
            jumpcloud("x"),
            json!({"pkce_plain_allowed": true}),
        ))
        .await,
    ] {
        let params = AuthParams::code_flow()
            .set("code_challenge", VERIFIER)
            .set("code_challenge_method", "plain");
        let code = t.code(&params, "alice").await;
        let resp = t
            .exchange(Auth::Post(CLIENT_ID, CLIENT_SECRET), &code, Some(VERIFIER))
            .await;
        assert_eq!(resp.status(), StatusCode::OK, "{}", t.name);
        let code = t
            .code(
                &AuthParams::code_flow().set("code_challenge", VERIFIER),
                "alice",
            )
            .await;
        let resp = t.exchange(POST, &code, Some(VERIFIER)).await;
        assert_eq!(resp.status(), StatusCode::OK, "{}", t.name);
    }
}

#[tokio::test]
async fn pkce_can_be_required() {
    let idp = TestIdp::start().await;
    let mut s = with_quirks(jumpcloud("x"), json!({"pkce_required": "always"}));
    s["clients"].as_array_mut().unwrap().push(json!({
        "client_id": "spa",
        "token_endpoint_auth_method": "none",
        "redirect_uris": [APP_REDIRECT],
        "groups": ["Engineering"],
    }));
    let mut t = idp.create(s).await;
    let resp = t.login(&AuthParams::code_flow(), "alice").await;
    assert_error_redirect(
        &resp,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "Clients must include a code_challenge when performing the authorize code flow, but it is missing.",
        ),
        STATE,
    );
    idp.patch_quirks(&mut t, json!({"pkce_required": "public_clients"}))
        .await;
    // Confidential clients may skip it now; public ones may not.
    t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t
        .login(&AuthParams::code_flow().set("client_id", "spa"), "alice")
        .await;
    assert_error_redirect(
        &resp,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "This client must include a code_challenge when performing the authorize code flow, but it is missing.",
        ),
        STATE,
    );
    // The public client with S256 and only its id at the token endpoint.
    let code = t
        .code(
            &AuthParams::code_flow()
                .set("client_id", "spa")
                .pkce(VERIFIER),
            "alice",
        )
        .await;
    let resp = t.exchange(Auth::IdOnly("spa"), &code, Some(VERIFIER)).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_code_is_bound_to_its_redirect_uri_and_client() {
    let idp = TestIdp::start().await;
    let mut s = jumpcloud("x");
    s["clients"].as_array_mut().unwrap().push(json!({
        "client_id": "other",
        "client_secret": "other-secret",
        "redirect_uris": [APP_REDIRECT],
        "groups": ["Engineering"],
    }));
    let t = idp.create(s).await;
    let e_redir = fosite(
        INVALID_GRANT,
        "The 'redirect_uri' from this request does not match the one from the authorize request.",
    );
    // A different redirect URI (E-CODE-REDIR)...
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t
        .token(
            POST,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1:3000/callback/"),
            ],
        )
        .await;
    assert_json_error(resp, StatusCode::BAD_REQUEST, "invalid_grant", &e_redir).await;
    // ...or none at all, when one was sent at authorize.
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t
        .token(
            POST,
            &[("grant_type", "authorization_code"), ("code", &code)],
        )
        .await;
    assert_json_error(resp, StatusCode::BAD_REQUEST, "invalid_grant", &e_redir).await;
    // Another client (E-CODE-CLIENT).
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t
        .exchange(Auth::Post("other", "other-secret"), &code, None)
        .await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(
            INVALID_GRANT,
            "The OAuth 2.0 Client ID from this request does not match the one from the authorize request.",
        ),
    )
    .await;
    // A code that never existed: base text only (E-CODE-BAD).
    assert_json_error(
        t.exchange(POST, "ory_ac_garbage", None).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        INVALID_GRANT,
    )
    .await;
}

#[tokio::test]
async fn code_reuse_is_refused_and_revokes_what_the_code_gave() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let code = t
        .code(
            &AuthParams::code_flow().set("scope", "openid offline_access"),
            "alice",
        )
        .await;
    let first = t.tokens(&code, None).await;
    let at = first["access_token"].as_str().unwrap();
    let rt = first["refresh_token"].as_str().unwrap();
    assert_eq!(t.userinfo(at).await.status(), StatusCode::OK);
    assert_json_error(
        t.exchange(POST, &code, None).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(
            INVALID_GRANT,
            "The authorization code has already been used.",
        ),
    )
    .await;
    assert_eq!(t.userinfo(at).await.status(), StatusCode::UNAUTHORIZED);
    let resp = t
        .token(
            POST,
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn code_reuse_can_leave_tokens_alone() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_quirks(
            jumpcloud("x"),
            json!({"code_reuse_revokes_tokens": false}),
        ))
        .await;
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let first = t.tokens(&code, None).await;
    let resp = t.exchange(POST, &code, None).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let at = first["access_token"].as_str().unwrap();
    assert_eq!(t.userinfo(at).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_tokens_need_offline_scope_and_rotate() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // Both offline and offline_access count.
    for scope in ["openid offline", "openid offline_access"] {
        let body = t
            .sign_in(&AuthParams::code_flow().set("scope", scope), "alice")
            .await;
        assert!(
            body["refresh_token"]
                .as_str()
                .unwrap()
                .starts_with("ory_rt_"),
            "{scope}: {body}"
        );
    }
    let body = t
        .sign_in(
            &AuthParams::code_flow().set("scope", "openid offline_access"),
            "alice",
        )
        .await;
    let rt1 = body["refresh_token"].as_str().unwrap().to_string();
    let (_, id1) = jwt_parts(body["id_token"].as_str().unwrap());
    let refresh = |rt: String| {
        let t = &t;
        async move {
            t.token(
                POST,
                &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
            )
            .await
        }
    };
    // Rotation: a new refresh token, a new access token, a new ID token.
    let resp = refresh(rt1.clone()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body2: serde_json::Value = resp.json().await.unwrap();
    let rt2 = body2["refresh_token"].as_str().unwrap().to_string();
    let at2 = body2["access_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    assert_eq!(body2["token_type"], "bearer");
    let id2 = t.verify_id_token(body2["id_token"].as_str().unwrap()).await;
    assert_eq!(id2["sub"], id1["sub"]);
    assert_ne!(id2["jti"], id1["jti"]);
    assert_eq!(id2["at_hash"], at_hash(&at2));
    assert!(id2.get("nonce").is_none(), "no nonce on refresh");
    assert_eq!(t.userinfo(&at2).await.status(), StatusCode::OK);
    // Reusing the rotated token (E-RT-REUSE) revokes the whole family.
    assert_json_error(
        refresh(rt1.clone()).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(INVALID_GRANT, "The refresh token was already used."),
    )
    .await;
    let (status, error, _) = json_error(refresh(rt2.clone()).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert_eq!(t.userinfo(&at2).await.status(), StatusCode::UNAUTHORIZED);
    // Garbage (E-RT-BAD).
    assert_json_error(
        refresh("ory_rt_garbage".into()).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(
            INVALID_GRANT,
            "The refresh token is malformed or not valid.",
        ),
    )
    .await;
}

#[tokio::test]
async fn lenient_refresh_tokens_come_without_offline_and_do_not_rotate() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let body = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let rt = body["refresh_token"].as_str().unwrap();
    for _ in 0..2 {
        let resp = t
            .token(
                POST,
                &[("grant_type", "refresh_token"), ("refresh_token", rt)],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let b: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(b["refresh_token"], rt);
    }
}

#[tokio::test]
async fn refresh_tokens_are_bound_to_their_client_and_grant() {
    let idp = TestIdp::start().await;
    let mut s = jumpcloud("x");
    s["clients"].as_array_mut().unwrap().push(json!({
        "client_id": "other",
        "client_secret": "other-secret",
        "redirect_uris": [APP_REDIRECT],
        "groups": ["Engineering"],
        "grant_types": ["authorization_code"],
    }));
    let t = idp.create(s).await;
    let body = t
        .sign_in(
            &AuthParams::code_flow().set("scope", "openid offline"),
            "alice",
        )
        .await;
    let rt = body["refresh_token"].as_str().unwrap();
    // E-RT-CLIENT... but `other` may not refresh at all: E-GRANT comes first.
    let resp = t
        .token(
            Auth::Post("other", "other-secret"),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        &fosite(
            UNAUTHORIZED_CLIENT,
            "The OAuth 2.0 Client is not allowed to use authorization grant 'refresh_token'.",
        ),
    )
    .await;
    // A client without the refresh grant gets no refresh token, even with offline.
    let params = AuthParams::code_flow()
        .set("client_id", "other")
        .set("scope", "openid offline_access");
    let code = t.code(&params, "alice").await;
    let resp = t
        .exchange(Auth::Post("other", "other-secret"), &code, None)
        .await;
    let b: serde_json::Value = resp.json().await.unwrap();
    assert!(b.get("refresh_token").is_none(), "{b}");
}

#[tokio::test]
async fn refresh_by_another_client_is_refused() {
    let idp = TestIdp::start().await;
    let mut s = jumpcloud("x");
    s["clients"].as_array_mut().unwrap().push(json!({
        "client_id": "other",
        "client_secret": "other-secret",
        "redirect_uris": [APP_REDIRECT],
    }));
    let t = idp.create(s).await;
    let body = t
        .sign_in(
            &AuthParams::code_flow().set("scope", "openid offline"),
            "alice",
        )
        .await;
    let rt = body["refresh_token"].as_str().unwrap();
    let resp = t
        .token(
            Auth::Post("other", "other-secret"),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(
            INVALID_GRANT,
            "The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.",
        ),
    )
    .await;
}

#[tokio::test]
async fn only_the_code_and_refresh_grants_are_allowed() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // No device flow (J16). The hint's double quotes became single quotes.
    let device = "urn:ietf:params:oauth:grant-type:device_code";
    let resp = t
        .token(POST, &[("grant_type", device), ("device_code", "abc")])
        .await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        "The client is not authorized to request a token using this method. The OAuth 2.0 Client is not allowed to use authorization grant 'urn:ietf:params:oauth:grant-type:device_code'.",
    )
    .await;
    for grant in ["client_credentials", "password"] {
        let resp = t.token(POST, &[("grant_type", grant)]).await;
        assert_json_error(
            resp,
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &fosite(
                UNAUTHORIZED_CLIENT,
                &format!(
                    "The OAuth 2.0 Client is not allowed to use authorization grant '{grant}'."
                ),
            ),
        )
        .await;
    }
    let resp = t.token(POST, &[("grant_type", "magic")]).await;
    let (status, error, _) = json_error(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error, "unsupported_grant_type");
    // A client registered without the code grant.
    let mut s = jumpcloud("y");
    s["clients"][0]["grant_types"] = json!(["refresh_token"]);
    let t = idp.create(s).await;
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    assert_json_error(
        t.exchange(POST, &code, None).await,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        &fosite(
            UNAUTHORIZED_CLIENT,
            "The OAuth 2.0 Client is not allowed to use authorization grant 'authorization_code'.",
        ),
    )
    .await;
}

#[tokio::test]
async fn code_and_token_lifetimes_are_quirks() {
    let idp = TestIdp::start().await;
    // A code that expires at once: base text only (E-CODE-EXPIRED).
    let t = idp
        .create(with_quirks(
            jumpcloud("x"),
            json!({"code_lifetime_secs": 0}),
        ))
        .await;
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    assert_json_error(
        t.exchange(POST, &code, None).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        INVALID_GRANT,
    )
    .await;
    // Tokens for a minute; then tokens that are dead on arrival.
    let mut t = idp
        .create(with_quirks(
            jumpcloud("y"),
            json!({"token_lifetime_secs": 60}),
        ))
        .await;
    let body = t.sign_in(&AuthParams::code_flow(), "alice").await;
    assert_eq!(body["expires_in"], 60);
    let (_, c) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 60);
    idp.patch_quirks(&mut t, json!({"token_lifetime_secs": 0}))
        .await;
    let body = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let resp = t.userinfo(body["access_token"].as_str().unwrap()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_fosite_token_response_is_typed_exactly_as_fosite_writes_it() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t.exchange(POST, &code, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get(header::CONTENT_TYPE).unwrap().as_bytes(),
        b"application/json;charset=UTF-8"
    );
    assert_eq!(
        resp.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let t = idp.create(lenient("y")).await;
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t.exchange(BASIC, &code, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
}
