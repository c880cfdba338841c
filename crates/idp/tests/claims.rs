//! What the ID token says and who gets one: fosite's claims (`aud` array, `rat`, `sid`,
//! `jti`, `at_hash`, `nonce`, the issuer with its slash) verified against the JWKS in
//! RS256 and ES256; JumpCloud's group scoping (unassigned users are turned away after
//! they sign in) and its groups claim (a configurable name; a string for one group, an
//! array for several; only the app's groups); and the lenient shapes.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn id_token_of(t: &Tenant, params: &AuthParams, user: &str) -> (Value, Value, Value) {
    let tokens = t.sign_in(params, user).await;
    let jwt = tokens["id_token"].as_str().unwrap();
    let claims = t.verify_id_token(jwt).await;
    let (header, _) = jwt_parts(jwt);
    (tokens, header, claims)
}

#[tokio::test]
async fn jumpcloud_id_token_has_fosites_claims_and_verifies() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let (tokens, header, c) = id_token_of(&t, &AuthParams::code_flow(), "alice").await;
    assert_eq!(header["alg"], "RS256");
    let kid = header["kid"].as_str().unwrap();
    let jwks = t.jwks().await;
    assert!(jwks.find(kid).is_some(), "kid {kid} is published");
    assert_eq!(c["iss"], format!("{}/", t.base));
    assert_eq!(c["aud"], json!([CLIENT_ID]), "aud is always an array");
    assert_eq!(c["nonce"], NONCE);
    let at = tokens["access_token"].as_str().unwrap();
    assert_eq!(c["at_hash"], at_hash(at));
    assert_eq!(
        c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(),
        3600
    );
    for k in ["rat", "auth_time", "iat"] {
        assert!(c[k].is_u64(), "{k}: {c}");
    }
    assert!(c["rat"].as_u64() <= c["auth_time"].as_u64());
    assert!(
        uuid::Uuid::parse_str(c["sid"].as_str().unwrap()).is_ok(),
        "{c}"
    );
    assert!(
        uuid::Uuid::parse_str(c["jti"].as_str().unwrap()).is_ok(),
        "{c}"
    );
    assert!(c.get("azp").is_none());
    // sub: a 24-hex id, stable per user (J17).
    let sub = c["sub"].as_str().unwrap();
    assert_eq!(sub.len(), 24);
    assert!(sub.bytes().all(|b| b.is_ascii_hexdigit()));
    let (_, _, again) = id_token_of(&t, &AuthParams::code_flow(), "alice").await;
    assert_eq!(again["sub"], sub);
    assert_ne!(again["sid"], c["sid"]);
    assert_ne!(again["jti"], c["jti"]);
    // Scopes release claims: email (boolean verified, J18), and J7's minimal profile.
    assert_eq!(c["email"], "alice@example.com");
    assert_eq!(c["email_verified"], true);
    assert_eq!(c["given_name"], "Alice");
    assert!(c.get("family_name").is_some());
    assert!(c.get("name").is_none() && c.get("preferred_username").is_none());
    let (_, _, bare) =
        id_token_of(&t, &AuthParams::code_flow().set("scope", "openid"), "alice").await;
    assert!(bare.get("email").is_none() && bare.get("given_name").is_none());
}

#[tokio::test]
async fn es256_id_tokens_verify_against_the_jwks() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_quirks(
            jumpcloud("x"),
            json!({"id_token_signing_alg": "ES256"}),
        ))
        .await;
    assert_eq!(
        t.disco["id_token_signing_alg_values_supported"],
        json!(["ES256"])
    );
    let (tokens, header, c) = id_token_of(&t, &AuthParams::code_flow(), "alice").await;
    assert_eq!(header["alg"], "ES256");
    let jwks = t.jwks().await;
    let jwk = jwks.find(header["kid"].as_str().unwrap()).unwrap();
    assert!(matches!(
        jwk.algorithm,
        jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_)
    ));
    assert_eq!(
        c["at_hash"],
        at_hash(tokens["access_token"].as_str().unwrap())
    );
}

#[tokio::test]
async fn a_tampered_id_token_does_not_verify() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let jwt = tokens["id_token"].as_str().unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let (_, mut payload) = jwt_parts(jwt);
    payload["sub"] = json!("someone-else");
    use base64::Engine;
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    let jwks = t.jwks().await;
    let h = jsonwebtoken::decode_header(jwt).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(jwks.find(&h.kid.unwrap()).unwrap()).unwrap();
    let mut v = jsonwebtoken::Validation::new(h.alg);
    v.set_audience(&[CLIENT_ID]);
    assert!(jsonwebtoken::decode::<Value>(jwt, &key, &v).is_ok());
    assert!(jsonwebtoken::decode::<Value>(&forged, &key, &v).is_err());
}

#[tokio::test]
async fn lenient_id_token_is_plain_oidc() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "alice").await;
    assert_eq!(c["iss"], t.base);
    assert_eq!(c["aud"], CLIENT_ID, "a string");
    for k in ["rat", "sid", "jti"] {
        assert!(c.get(k).is_none(), "{k}: {c}");
    }
    assert_eq!(c["name"], "Alice Example");
    assert_eq!(c["preferred_username"], "alice");
}

#[tokio::test]
async fn users_outside_the_apps_groups_are_turned_away_after_signing_in() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // bob (Sales) gets the login page like anyone...
    let page = t.authorize(&AuthParams::code_flow()).await;
    assert_eq!(page.status(), StatusCode::OK);
    // ...and access_denied back at the app once he signed in (J3).
    let resp = t.submit_login(page, "bob", "bob-pw").await;
    assert_error_redirect(
        &resp,
        "access_denied",
        "The resource owner or authorization server denied the request. The user 'bob' is not a member of any group assigned to the application 'App'.",
        STATE,
    );
    // Assigning his group to the app lets him in.
    let resp = idp
        .admin(
            reqwest::Method::PUT,
            "/tenants/x/clients/app/groups",
            Some(json!(["Engineering", "Admins", "Sales"])),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    t.sign_in(&AuthParams::code_flow(), "bob").await;
    // The lenient profile lets everybody in.
    let t = idp.create(lenient("l")).await;
    t.sign_in(&AuthParams::code_flow(), "bob").await;
    // So does the quirk alone.
    let t = idp
        .create(with_quirks(
            jumpcloud("y"),
            json!({"require_group_assignment": false}),
        ))
        .await;
    t.sign_in(&AuthParams::code_flow(), "bob").await;
}

#[tokio::test]
async fn groups_claim_is_a_string_for_one_group_and_an_array_for_several() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // alice: one assigned group → a JSON string (J5).
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "alice").await;
    assert_eq!(c["memberOf"], "Engineering");
    assert!(c.get("groups").is_none());
    // carol: Engineering, Admins, Sales; the app has the first two → an array of those
    // only (J6).
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "carol").await;
    assert_eq!(c["memberOf"], json!(["Engineering", "Admins"]));
}

#[tokio::test]
async fn groups_claim_name_and_shape_are_quirks() {
    let idp = TestIdp::start().await;
    let mut t = idp
        .create(with_quirks(
            jumpcloud("x"),
            json!({"groups_claim": "https://app.example/groups"}),
        ))
        .await;
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "alice").await;
    assert_eq!(c["https://app.example/groups"], "Engineering");
    assert!(c.get("memberOf").is_none());
    idp.patch_quirks(
        &mut t,
        json!({"groups_claim": "groups", "groups_claim_shape": "array", "groups_claim_only_assigned": false}),
    )
    .await;
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "alice").await;
    assert_eq!(c["groups"], json!(["Engineering"]));
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "carol").await;
    assert_eq!(c["groups"], json!(["Engineering", "Admins", "Sales"]));
    // An empty name: no groups claim at all.
    idp.patch_quirks(&mut t, json!({"groups_claim": ""})).await;
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "carol").await;
    assert!(
        c.get("groups").is_none() && c.get("memberOf").is_none(),
        "{c}"
    );
    // A registered claim name cannot be used.
    let resp = idp
        .admin(
            reqwest::Method::PATCH,
            "/tenants/x/quirks",
            Some(json!({"groups_claim": "sub"})),
        )
        .await;
    let (status, _, desc) = json_error(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(desc.contains("`sub`"), "{desc}");
}

#[tokio::test]
async fn lenient_groups_claim_is_an_array_named_groups_with_every_group() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "alice").await;
    assert_eq!(c["groups"], json!(["Engineering"]));
    let (_, _, c) = id_token_of(&t, &AuthParams::code_flow(), "bob").await;
    assert_eq!(c["groups"], json!(["Sales"]));
    assert!(c.get("memberOf").is_none());
}

#[tokio::test]
async fn a_users_extra_claims_reach_the_id_token_and_userinfo() {
    let idp = TestIdp::start().await;
    let mut spec = jumpcloud("x");
    spec["users"][0]["claims"] =
        json!({"department": "R&D", "employee_id": 42, "roles": ["a", "b"]});
    let t = idp.create(spec).await;
    // Extra claims do not depend on the scope.
    let params = AuthParams::code_flow().set("scope", "openid");
    let (tokens, _, c) = id_token_of(&t, &params, "alice").await;
    assert_eq!(c["department"], "R&D");
    assert_eq!(c["employee_id"], 42);
    assert_eq!(c["roles"], json!(["a", "b"]));
    let info: Value = t.userinfo_of(&tokens).await;
    assert_eq!(info["department"], "R&D", "{info}");
    // Other users have none.
    let (_, _, carol) = id_token_of(&t, &params, "carol").await;
    assert!(carol.get("department").is_none(), "{carol}");
}

#[tokio::test]
async fn an_extra_claim_may_not_replace_a_registered_one() {
    let idp = TestIdp::start().await;
    let mut spec = jumpcloud("x");
    spec["users"][0]["claims"] = json!({"iss": "https://attacker.example.com/"});
    let resp = idp
        .admin(reqwest::Method::POST, "/tenants", Some(spec))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    let d = body["error_description"].as_str().unwrap();
    assert!(d.contains("user `alice`") && d.contains("`iss`"), "{d}");
}
