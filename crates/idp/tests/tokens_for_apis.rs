//! Tokens for API checks: `POST /admin/tenants/{name}/tokens` mints the ID token or
//! access token a tenant would issue, bent by a misbehaviour and then by claim
//! overrides; the `access_token_format` quirk makes access tokens RFC 9068 JWTs. Every
//! token is verified (or refused) with `jsonwebtoken` against the published JWKS.

mod common;

use common::*;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Mints a token and returns the whole answer (asserting `201`).
async fn mint(idp: &TestIdp, tenant: &str, body: Value) -> Value {
    let resp = idp
        .admin(
            Method::POST,
            &format!("/tenants/{tenant}/tokens"),
            Some(body),
        )
        .await;
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

/// A mint request's error answer: `(status, error, description)`.
async fn mint_error(idp: &TestIdp, tenant: &str, body: Value) -> (StatusCode, String, String) {
    let resp = idp
        .admin(
            Method::POST,
            &format!("/tenants/{tenant}/tokens"),
            Some(body),
        )
        .await;
    json_error(resp).await
}

/// Verifies a JWT as an API would: signature by `kid` from the JWKS, `iss`, `aud`,
/// `exp` and `nbf`.
async fn api_verify(t: &Tenant, jwt: &str, aud: &str) -> Result<Value, ErrorKind> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| e.into_kind())?;
    let jwks = t.jwks().await;
    let kid = header.kid.clone().ok_or(ErrorKind::InvalidToken)?;
    let jwk = jwks.find(&kid).ok_or(ErrorKind::InvalidKeyFormat)?;
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[aud]);
    v.set_issuer(&[&t.issuer]);
    v.validate_nbf = true;
    v.leeway = 0;
    decode::<Value>(jwt, &key, &v)
        .map(|d| d.claims)
        .map_err(|e| e.into_kind())
}

#[tokio::test]
async fn a_minted_id_token_is_what_the_tenant_issues_and_verifies_against_the_jwks() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("mint")).await;
    let v = mint(
        &idp,
        "mint",
        json!({"client_id": CLIENT_ID, "user": "carol", "scope": "openid email profile groups"}),
    )
    .await;
    assert_eq!(v["kind"], "id_token");
    let jwt = v["token"].as_str().unwrap();
    let claims = t.verify_id_token(jwt).await;
    assert_eq!(claims, v["claims"]);
    assert_eq!(v["header"]["kid"], "mint-rsa-1");
    assert_eq!(v["header"]["alg"], "RS256");
    // JumpCloud's shapes: aud an array, only the app's groups under memberOf, rat/sid/jti.
    assert_eq!(claims["aud"], json!([CLIENT_ID]));
    assert_eq!(claims["memberOf"], json!(["Engineering", "Admins"]));
    assert_eq!(claims["email"], "carol@example.com");
    assert!(claims["sid"].is_string() && claims["jti"].is_string());
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
    // The user may be named by email or sub as well.
    let sub = claims["sub"].as_str().unwrap();
    for who in ["carol@example.com", sub] {
        let v = mint(&idp, "mint", json!({"client_id": CLIENT_ID, "user": who})).await;
        assert_eq!(v["claims"]["sub"], sub);
    }
}

#[tokio::test]
async fn each_misbehaviour_bends_the_minted_token_the_way_an_api_must_refuse() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("bent")).await;
    let token = |m: &'static str| {
        let idp = &idp;
        async move {
            let v = mint(
                idp,
                "bent",
                json!({"client_id": CLIENT_ID, "user": "alice", "misbehaviour": m}),
            )
            .await;
            v["token"].as_str().unwrap().to_string()
        }
    };
    assert!(
        api_verify(&t, &token("none").await, CLIENT_ID)
            .await
            .is_ok()
    );
    let cases = [
        ("wrong_iss", ErrorKind::InvalidIssuer),
        ("wrong_aud", ErrorKind::InvalidAudience),
        ("exp_in_past", ErrorKind::ExpiredSignature),
        ("nbf_in_future", ErrorKind::ImmatureSignature),
        ("bad_signature", ErrorKind::InvalidSignature),
        ("unknown_kid", ErrorKind::InvalidKeyFormat),
    ];
    for (m, want) in cases {
        let got = api_verify(&t, &token(m).await, CLIENT_ID).await;
        assert_eq!(got.unwrap_err(), want, "{m}");
    }
    // nbf is a day ahead, exp after it.
    let (_, p) = jwt_parts(&token("nbf_in_future").await);
    assert!(p["nbf"].as_u64().unwrap() > p["iat"].as_u64().unwrap() + 80_000);
    assert!(p["exp"].as_u64() > p["nbf"].as_u64());
    // alg none: no signature at all.
    let none = token("alg_none").await;
    let (h, _) = jwt_parts(&none);
    assert_eq!(h["alg"], "none");
    assert!(none.ends_with('.'));
    assert!(api_verify(&t, &none, CLIENT_ID).await.is_err());
    // HS256 keyed with the client secret verifies with that secret, not with the JWKS.
    let hs = token("hs256_client_secret").await;
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[CLIENT_ID]);
    decode::<Value>(&hs, &DecodingKey::from_secret(CLIENT_SECRET.as_bytes()), &v)
        .expect("HS256 with the client secret");
    assert!(api_verify(&t, &hs, CLIENT_ID).await.is_err());
    // Claims the API relies on can go missing.
    let (_, p) = jwt_parts(&token("missing_sub").await);
    assert!(p.get("sub").is_none());
}

#[tokio::test]
async fn claim_overrides_come_last_set_replace_and_null_removes() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("over")).await;
    let v = mint(
        &idp,
        "over",
        json!({
            "client_id": CLIENT_ID, "user": "carol",
            "misbehaviour": "wrong_aud",
            "claims": {"groups": "Engineering", "roles": ["admin"], "email": null, "aud": "jitsudo-server"},
            "expires_in": 60,
        }),
    )
    .await;
    let jwt = v["token"].as_str().unwrap();
    // The override of `aud` wins over the misbehaviour's.
    let claims = api_verify(&t, jwt, "jitsudo-server").await.unwrap();
    assert_eq!(claims["groups"], "Engineering");
    assert_eq!(claims["roles"], json!(["admin"]));
    assert!(claims.get("email").is_none());
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        60
    );
    // Groups missing altogether, or under another name.
    let v = mint(
        &idp,
        "over",
        json!({"client_id": CLIENT_ID, "user": "carol", "claims": {"groups": null, "memberOf": ["Admins"]}}),
    )
    .await;
    let claims = api_verify(&t, v["token"].as_str().unwrap(), CLIENT_ID)
        .await
        .unwrap();
    assert!(claims.get("groups").is_none());
    assert_eq!(claims["memberOf"], json!(["Admins"]));
    // `audience` names another API.
    let v = mint(
        &idp,
        "over",
        json!({"client_id": CLIENT_ID, "user": "alice", "audience": "jitsudo-server"}),
    )
    .await;
    let jwt = v["token"].as_str().unwrap();
    assert!(api_verify(&t, jwt, "jitsudo-server").await.is_ok());
    assert_eq!(
        api_verify(&t, jwt, CLIENT_ID).await.unwrap_err(),
        ErrorKind::InvalidAudience
    );
}

#[tokio::test]
async fn jwt_access_tokens_have_rfc9068s_shape_at_the_token_endpoint_and_from_the_admin_api() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_quirks(
            lenient("at"),
            json!({"access_token_format": "jwt"}),
        ))
        .await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "carol").await;
    let at = tokens["access_token"].as_str().unwrap();
    let (h, _) = jwt_parts(at);
    assert_eq!(h["typ"], "at+jwt");
    assert_eq!(h["kid"], "at-rsa-1");
    let claims = api_verify(&t, at, CLIENT_ID).await.unwrap();
    for k in [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "jti",
        "client_id",
        "scope",
    ] {
        assert!(claims.get(k).is_some(), "{k} in {claims}");
    }
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(claims["scope"], "openid email profile");
    assert_eq!(claims["groups"], json!(["Engineering", "Admins", "Sales"]));
    // at_hash covers the JWT, and userinfo takes it.
    let id = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(id["at_hash"], at_hash(at));
    let ui = t.userinfo_of(&tokens).await;
    assert_eq!(ui["sub"], claims["sub"]);
    // The admin API mints the same shape, with another audience and bent.
    let v = mint(
        &idp,
        "at",
        json!({"client_id": CLIENT_ID, "user": "alice", "kind": "access_token", "audience": "api://jitsudo"}),
    )
    .await;
    assert_eq!(v["kind"], "access_token");
    assert_eq!(v["header"]["typ"], "at+jwt");
    let minted = v["token"].as_str().unwrap();
    let claims = api_verify(&t, minted, "api://jitsudo").await.unwrap();
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(t.userinfo(minted).await.status(), StatusCode::OK);
    let v = mint(
        &idp,
        "at",
        json!({"client_id": CLIENT_ID, "user": "alice", "kind": "access_token", "misbehaviour": "exp_in_past"}),
    )
    .await;
    assert_eq!(
        api_verify(&t, v["token"].as_str().unwrap(), CLIENT_ID)
            .await
            .unwrap_err(),
        ErrorKind::ExpiredSignature
    );
}

#[tokio::test]
async fn opaque_access_tokens_work_at_userinfo_and_refuse_what_only_a_jwt_can_carry() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("opaque")).await;
    let v = mint(
        &idp,
        "opaque",
        json!({"client_id": CLIENT_ID, "user": "alice", "kind": "access_token"}),
    )
    .await;
    let at = v["token"].as_str().unwrap();
    assert!(at.starts_with("ory_at_"), "{at}");
    assert!(v["header"].is_null() && v["claims"].is_null());
    assert_eq!(t.userinfo(at).await.status(), StatusCode::OK);
    let (status, error, description) = mint_error(
        &idp,
        "opaque",
        json!({"client_id": CLIENT_ID, "user": "alice", "kind": "access_token", "claims": {"x": 1}}),
    )
    .await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    assert!(description.contains("access_token_format"), "{description}");
    // The token endpoint's access tokens stay opaque too.
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    assert!(
        tokens["access_token"]
            .as_str()
            .unwrap()
            .starts_with("ory_at_")
    );
}

#[tokio::test]
async fn bad_mint_requests_are_json_errors_that_say_what_is_wrong() {
    let idp = TestIdp::start().await;
    idp.create(lenient("bad")).await;
    let cases = [
        (
            json!({"client_id": "nope", "user": "alice"}),
            "no client 'nope'",
        ),
        (
            json!({"client_id": CLIENT_ID, "user": "zed"}),
            "no user 'zed'",
        ),
        (json!({"client_id": CLIENT_ID}), "missing field `user`"),
        (
            json!({"client_id": CLIENT_ID, "user": "alice", "kind": "refresh_token"}),
            "unknown variant `refresh_token`",
        ),
        (
            json!({"client_id": CLIENT_ID, "user": "alice", "misbehaviour": "wrong_isss"}),
            "unknown variant `wrong_isss`",
        ),
        (
            json!({"client_id": CLIENT_ID, "user": "alice", "misbehaviour": "replay_id_token"}),
            "about an endpoint",
        ),
        (
            json!({"client_id": CLIENT_ID, "user": "alice", "lifetime": 3}),
            "unknown field `lifetime`",
        ),
    ];
    for (body, want) in cases {
        let (status, error, description) = mint_error(&idp, "bad", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error, "invalid_request", "{body}");
        assert!(description.contains(want), "{body}: {description}");
    }
    let (status, error, _) = mint_error(
        &idp,
        "nobody",
        json!({"client_id": CLIENT_ID, "user": "alice"}),
    )
    .await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

#[tokio::test]
async fn after_a_key_rotation_minted_tokens_carry_the_new_kid_and_the_old_one_is_gone() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("rot")).await;
    let before = mint(
        &idp,
        "rot",
        json!({"client_id": CLIENT_ID, "user": "alice"}),
    )
    .await;
    let resp = idp
        .admin(Method::POST, "/tenants/rot/keys/rotate", None)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let after = mint(
        &idp,
        "rot",
        json!({"client_id": CLIENT_ID, "user": "alice"}),
    )
    .await;
    assert_eq!(after["header"]["kid"], "rot-rsa-2");
    assert!(
        api_verify(&t, after["token"].as_str().unwrap(), CLIENT_ID)
            .await
            .is_ok()
    );
    assert_eq!(
        api_verify(&t, before["token"].as_str().unwrap(), CLIENT_ID)
            .await
            .unwrap_err(),
        ErrorKind::InvalidKeyFormat,
        "the old kid left the JWKS"
    );
}

#[tokio::test]
async fn a_public_clients_hs256_token_is_keyed_with_its_empty_secret_not_refused() {
    let idp = TestIdp::start().await;
    let mut spec = lenient("pub");
    spec["clients"].as_array_mut().unwrap().push(json!({
        "client_id": "cli", "token_endpoint_auth_method": "none",
    }));
    idp.create(spec).await;
    let v = mint(
        &idp,
        "pub",
        json!({"client_id": "cli", "user": "alice", "misbehaviour": "hs256_client_secret"}),
    )
    .await;
    assert_eq!(v["header"]["alg"], "HS256");
    assert_eq!(v["claims"]["aud"], "cli");
    // An API that accepts HS256 with an empty key would accept it: the bytes are right.
    let mut val = Validation::new(Algorithm::HS256);
    val.set_audience(&["cli"]);
    let got = decode::<Value>(
        v["token"].as_str().unwrap(),
        &DecodingKey::from_secret(b""),
        &val,
    );
    assert!(got.is_ok(), "{got:?}");
}
