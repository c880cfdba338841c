//! The misbehaviours added for the gap checks, over a real socket: what the ID token,
//! userinfo, JWKS and discovery then say, and signing-key rotation through the admin API.

mod common;

use base64::Engine;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The claims of a JWT, unverified.
fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

async fn misbehaving(idp: &TestIdp, m: &str) -> Tenant {
    idp.create(with_quirks(
        jumpcloud(m),
        json!({"id_token_misbehaviour": m}),
    ))
    .await
}

#[tokio::test]
async fn iat_missing_or_a_day_ahead() {
    let idp = TestIdp::start().await;
    let t = misbehaving(&idp, "missing_iat").await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let c = payload(tokens["id_token"].as_str().unwrap());
    assert!(c.get("iat").is_none(), "{c}");
    assert!(
        c["exp"].is_u64() && c["sub"].is_string(),
        "the rest stays: {c}"
    );

    let t = misbehaving(&idp, "iat_in_future").await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let c = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let iat = c["iat"].as_u64().unwrap();
    assert!(iat > now + 86_000, "iat {iat} is a day ahead of {now}");
    assert!(c["exp"].as_u64().unwrap() > iat);
}

#[tokio::test]
async fn no_kid_with_three_rsa_keys_none_with_a_kid() {
    let idp = TestIdp::start().await;
    let t = misbehaving(&idp, "no_kid_several_keys").await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let jwt = tokens["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.kid, None);
    let jwks = t.jwks().await;
    assert_eq!(jwks.keys.len(), 3, "three RSA keys");
    assert!(jwks.keys.iter().all(|k| k.common.key_id.is_none()));
    // Exactly one of them verifies the token.
    let verifying = jwks
        .keys
        .iter()
        .filter(|k| {
            let key = jsonwebtoken::DecodingKey::from_jwk(k).unwrap();
            let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
            v.set_audience(&[CLIENT_ID]);
            jsonwebtoken::decode::<Value>(jwt, &key, &v).is_ok()
        })
        .count();
    assert_eq!(verifying, 1);
}

#[tokio::test]
async fn email_verified_as_a_string_in_the_id_token_and_at_userinfo() {
    let idp = TestIdp::start().await;
    let t = misbehaving(&idp, "email_verified_string").await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let c = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(c["email_verified"], json!("true"));
    let info: Value = t.userinfo_of(&tokens).await;
    assert_eq!(info["email_verified"], json!("true"), "{info}");
}

#[tokio::test]
async fn tid_mismatch_names_another_tenant_than_iss() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_quirks(
            jumpcloud("tid"),
            json!({"id_token_misbehaviour": "tid_mismatch", "endpoint_layout": "entra_common"}),
        ))
        .await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let c = payload(tokens["id_token"].as_str().unwrap());
    // `iss` keeps the tenant's own id (with JumpCloud's trailing slash here); `tid` is
    // `/consumers`' (quirks.md E2).
    assert_eq!(
        c["iss"],
        json!(t.url("/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/v2.0/"))
    );
    assert_eq!(c["tid"], json!("9188040d-6c67-4c5b-b112-36a304b66dad"));
}

#[tokio::test]
async fn replay_answers_with_the_previous_id_token() {
    let idp = TestIdp::start().await;
    let mut t = idp.create(jumpcloud("r")).await;
    // With nothing issued yet, the first token is fresh even with the switch on.
    let first = t.sign_in(&AuthParams::code_flow(), "alice").await;
    idp.patch_quirks(&mut t, json!({"id_token_misbehaviour": "replay_id_token"}))
        .await;
    let second = t.sign_in(&AuthParams::code_flow(), "alice").await;
    assert_eq!(
        second["id_token"], first["id_token"],
        "replayed byte for byte"
    );
    assert_ne!(second["access_token"], first["access_token"]);
    let third = t.sign_in(&AuthParams::code_flow(), "alice").await;
    assert_eq!(third["id_token"], first["id_token"]);
    // Off again: fresh tokens.
    idp.patch_quirks(&mut t, json!({"id_token_misbehaviour": "none"}))
        .await;
    let fourth = t.sign_in(&AuthParams::code_flow(), "alice").await;
    assert_ne!(fourth["id_token"], first["id_token"]);
}

#[tokio::test]
async fn discovery_names_another_issuer() {
    let idp = TestIdp::start().await;
    let t = misbehaving(&idp, "discovery_wrong_issuer").await;
    let doc: Value = t
        .http
        .get(format!("{}.well-known/openid-configuration", t.issuer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["issuer"], format!("{}INVALID", t.issuer));
    // Tokens keep the real issuer.
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    t.verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
}

#[tokio::test]
async fn rotating_keys_replaces_the_rsa_key_and_its_kid() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("k")).await;
    let before = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let old_kid = jsonwebtoken::decode_header(before["id_token"].as_str().unwrap())
        .unwrap()
        .kid
        .unwrap();
    let resp = idp
        .admin(
            reqwest::Method::POST,
            &format!("/tenants/{}/keys/rotate", t.name),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let new_kid = resp.json::<Value>().await.unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_kid, old_kid);
    let jwks = t.jwks().await;
    assert!(jwks.find(&old_kid).is_none(), "the old key is gone");
    assert!(jwks.find(&new_kid).is_some());
    let after = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let jwt = after["id_token"].as_str().unwrap();
    assert_eq!(
        jsonwebtoken::decode_header(jwt).unwrap().kid.as_deref(),
        Some(new_kid.as_str())
    );
    t.verify_id_token(jwt).await;
    // An unknown tenant is the admin API's 404.
    let resp = idp
        .admin(reqwest::Method::POST, "/tenants/nope/keys/rotate", None)
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}
