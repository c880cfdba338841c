//! The vendor profiles over a real socket: for each, the exact bytes of every observable
//! `quirks.md` catalogues (issuer form, discovery location and paths, error delivery and
//! texts, claim names and shapes). Catalogue ids are in each test's comments.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The last journal entry of a tenant.
async fn last_entry(idp: &TestIdp, t: &Tenant) -> Value {
    idp.journal(&t.name).await.pop().expect("a journal entry")
}

/// Asserts the tenant's discovery document names these paths below `t.base`.
fn assert_paths(t: &Tenant, issuer: &str, paths: &[(&str, &str)]) {
    assert_eq!(t.disco["issuer"], json!(t.url(issuer)), "{}", t.disco);
    for (key, path) in paths {
        assert_eq!(t.disco[key], json!(t.url(path)), "{key}");
    }
}

/// An authorization request with an unregistered redirect URI: the vendor's page (400,
/// no redirect), and the exact description in the page and the journal.
async fn assert_redirect_page(idp: &TestIdp, t: &Tenant, text: &str) {
    let resp = t
        .authorize(&AuthParams::code_flow().set("redirect_uri", "http://127.0.0.1:3000/other"))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().get("location").is_none());
    let html = resp.text().await.unwrap();
    assert!(html.contains(text), "{html}");
    let e = last_entry(idp, t).await;
    assert_eq!(e["outcome"], "error_page");
    assert_eq!(e["error_description"], json!(text));
}

#[tokio::test]
async fn okta_custom_server_paths_errors_and_thin_tokens() {
    let idp = TestIdp::start().await;
    let t = idp.create(spec("o", "okta")).await;
    // O1: the custom authorization server `default`.
    assert_paths(
        &t,
        "/oauth2/default",
        &[
            ("authorization_endpoint", "/oauth2/default/v1/authorize"),
            ("token_endpoint", "/oauth2/default/v1/token"),
            ("userinfo_endpoint", "/oauth2/default/v1/userinfo"),
            ("jwks_uri", "/oauth2/default/v1/keys"),
        ],
    );
    assert_eq!(
        t.info["discovery_url"],
        json!(t.url("/oauth2/default/.well-known/openid-configuration"))
    );
    // O6: an unregistered redirect URI is Okta's 400 page.
    assert_redirect_page(&idp, &t, "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: https://stickler-admin.okta.com/admin/app/oidc_client/instance/app#tab-general").await;
    // O5: a user not assigned to the app goes back with `access_denied`.
    let resp = t.login(&AuthParams::code_flow(), "bob").await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(
        location(&resp),
        format!(
            "{APP_REDIRECT}?error=access_denied&error_description=User+is+not+assigned+to+the+client+application&state={STATE}"
        )
    );
    // O7: credentials in the header and the body at once, byte for byte.
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t
        .exchange(Auth::Both(CLIENT_ID, CLIENT_SECRET), &code, None)
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.text().await.unwrap(),
        r#"{"error_description":"Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.","error":"invalid_request"}"#
    );
    // O4, O3: a thin ID token, no groups claim; userinfo has the profile and email.
    let tokens = t.sign_in(&AuthParams::code_flow(), "carol").await;
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    for absent in ["email", "given_name", "name", "groups", "memberOf"] {
        assert!(claims.get(absent).is_none(), "{absent} in {claims}");
    }
    assert_eq!(claims["iss"], json!(t.url("/oauth2/default")));
    let info = t.userinfo_of(&tokens).await;
    assert_eq!(info["email"], "carol@example.com");
    assert!(info.get("groups").is_none());
    // §12 rank 11: no refresh token without `offline_access`.
    assert!(tokens.get("refresh_token").is_none());
}

#[tokio::test]
async fn okta_org_server_has_no_issuer_path() {
    let idp = TestIdp::start().await;
    let t = idp.create(spec("org", "okta_org")).await;
    // O1: the org authorization server.
    assert_paths(
        &t,
        "",
        &[
            ("authorization_endpoint", "/oauth2/v1/authorize"),
            ("token_endpoint", "/oauth2/v1/token"),
            ("userinfo_endpoint", "/oauth2/v1/userinfo"),
            ("jwks_uri", "/oauth2/v1/keys"),
        ],
    );
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(claims["iss"], json!(t.base));
}

#[tokio::test]
async fn entra_single_tenant_paths_and_aadsts_pages() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_quirks(
            spec("e", "entra"),
            json!({"require_group_assignment": true}),
        ))
        .await;
    let tid = "5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    // E1, E6, E4: `/{tid}/v2.0`, keys at `/{tid}/discovery/v2.0/keys`, Graph's userinfo path.
    assert_paths(
        &t,
        &format!("/{tid}/v2.0"),
        &[
            ("jwks_uri", &format!("/{tid}/discovery/v2.0/keys")),
            ("userinfo_endpoint", "/oidc/userinfo"),
        ],
    );
    // E9: AADSTS50011 on Microsoft's page.
    assert_redirect_page(&idp, &t, "AADSTS50011: The redirect URI 'http://127.0.0.1:3000/other' specified in the request does not match the redirect URIs configured for the application 'app'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.").await;
    // E10: an unassigned user, on Microsoft's page too.
    let resp = t.login(&AuthParams::code_flow(), "bob").await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let e = last_entry(&idp, &t).await;
    assert_eq!(e["error"], "access_denied");
    assert_eq!(
        e["error_description"],
        "AADSTS50105: The signed in user 'bob' is not assigned to a role for the application 'app'(App)."
    );
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(claims["iss"], json!(t.url(&format!("/{tid}/v2.0"))));
}

#[tokio::test]
async fn entra_common_publishes_the_templated_issuer() {
    let idp = TestIdp::start().await;
    let t = idp.create(spec("ec", "entra_common")).await;
    let tid = "5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    // E2: configured as `/common/v2.0`; discovery says `{tenantid}` literally.
    assert_eq!(t.issuer, t.url("/common/v2.0"));
    assert_eq!(
        t.info["discovery_url"],
        json!(t.url("/common/v2.0/.well-known/openid-configuration"))
    );
    assert_eq!(t.disco["issuer"], json!(t.url("/{tenantid}/v2.0")));
    assert_eq!(
        t.disco["authorization_endpoint"],
        json!(t.url("/common/oauth2/v2.0/authorize"))
    );
    // ... while the ID token carries the user's real tenant (so a check against the
    // configured issuer fails, as it does for go-oidc).
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["iss"], json!(t.url(&format!("/{tid}/v2.0"))));
    // The tenant is also the `tid` claim, which fills the template.
    assert_eq!(claims["tid"], json!(tid));
}

#[tokio::test]
async fn google_refuses_unknown_scopes_and_has_no_logout_metadata() {
    let idp = TestIdp::start().await;
    let mut t = idp.create(spec("g", "google")).await;
    assert_eq!(t.disco["issuer"], json!(t.base));
    // G5 [I]: no end_session_endpoint.
    assert!(t.disco.get("end_session_endpoint").is_none(), "{}", t.disco);
    // G3: `groups` refused on Google's page.
    let resp = t
        .authorize(&AuthParams::code_flow().set("scope", "openid profile groups"))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let e = last_entry(&idp, &t).await;
    assert_eq!(e["error"], "invalid_scope");
    assert_eq!(
        e["error_description"],
        "Some requested scopes were invalid. {valid=[openid, https://www.googleapis.com/auth/userinfo.profile], invalid=[groups]}"
    );
    // G6 [I]: a reused code is a terse `Bad Request`.
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    t.tokens(&code, None).await;
    let resp = t.exchange(POST, &code, None).await;
    assert_eq!(
        resp.text().await.unwrap(),
        r#"{"error":"invalid_grant","error_description":"Bad Request"}"#
    );
    // G1: the legacy schemeless `iss`, when switched on; discovery keeps the URL.
    idp.patch_quirks(&mut t, json!({"id_token_iss_without_scheme": true}))
        .await;
    assert_eq!(t.disco["issuer"], json!(t.base));
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["iss"], json!(t.base.trim_start_matches("http://")));
    assert!(claims.get("groups").is_none());
}

#[tokio::test]
async fn auth0_slash_issuer_namespaced_claims_and_hs256_legacy_apps() {
    let idp = TestIdp::start().await;
    let mut spec = spec("a0", "auth0");
    spec["users"][0]["claims"] = json!({"department": "R&D", "https://app.example.com/roles": ["admin"], "https://x.auth0.com/y": 1});
    let mut t = idp.create(spec).await;
    // A1: the trailing slash, and the double-slash discovery URL is a 404.
    assert_eq!(t.disco["issuer"], json!(format!("{}/", t.base)));
    let resp = t
        .http
        .get(format!("{}//.well-known/openid-configuration", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // A5: no end_session_endpoint.
    assert!(t.disco.get("end_session_endpoint").is_none());
    // A4: only namespaced custom claims, never `*.auth0.com` ones.
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(claims["https://app.example.com/roles"], json!(["admin"]));
    assert!(claims.get("department").is_none());
    assert!(claims.get("https://x.auth0.com/y").is_none());
    // A3: a legacy app's HS256 ID token, signed with the client secret.
    idp.patch_quirks(&mut t, json!({"id_token_hs256_client_secret": true}))
        .await;
    assert_eq!(
        t.disco["id_token_signing_alg_values_supported"],
        json!(["HS256"])
    );
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let jwt = tokens["id_token"].as_str().unwrap();
    let (header, _) = jwt_parts(jwt);
    assert_eq!(header["alg"], "HS256");
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.set_audience(&[CLIENT_ID]);
    jsonwebtoken::decode::<Value>(
        jwt,
        &jsonwebtoken::DecodingKey::from_secret(CLIENT_SECRET.as_bytes()),
        &v,
    )
    .expect("HS256 with the client secret");
}

#[tokio::test]
async fn keycloak_realm_paths_full_path_groups_and_its_texts() {
    let idp = TestIdp::start().await;
    let t = idp.create(spec("k", "keycloak")).await;
    // K1: `/realms/{realm}`.
    assert_paths(
        &t,
        "/realms/stickler",
        &[
            (
                "authorization_endpoint",
                "/realms/stickler/protocol/openid-connect/auth",
            ),
            (
                "token_endpoint",
                "/realms/stickler/protocol/openid-connect/token",
            ),
        ],
    );
    // K5: the redirect page and the unknown client.
    assert_redirect_page(&idp, &t, "Invalid parameter: redirect_uri").await;
    t.authorize(&AuthParams::code_flow().set("client_id", "nope"))
        .await;
    assert_eq!(
        last_entry(&idp, &t).await["error_description"],
        "Client not found."
    );
    // K4: a wrong secret.
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t
        .exchange(Auth::Basic(CLIENT_ID, "wrong"), &code, None)
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.text().await.unwrap(),
        r#"{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}"#
    );
    // K3: the redirect URI at the token endpoint, then a reused code.
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let resp = t
        .token(
            BASIC,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1:3000/other"),
            ],
        )
        .await;
    assert_eq!(
        resp.text().await.unwrap(),
        r#"{"error":"invalid_grant","error_description":"Incorrect redirect_uri"}"#
    );
    let resp = t.exchange(BASIC, &code, None).await;
    assert_eq!(
        resp.text().await.unwrap(),
        r#"{"error":"invalid_grant","error_description":"Code not valid"}"#
    );
    // K6: a PKCE mismatch.
    let other = "x".repeat(43);
    let code = t
        .code(&AuthParams::code_flow().pkce(VERIFIER), "alice")
        .await;
    let resp = t.exchange(BASIC, &code, Some(&other)).await;
    assert_eq!(
        resp.text().await.unwrap(),
        r#"{"error":"invalid_grant","error_description":"PKCE verification failed: Code mismatch"}"#
    );
    // K8: groups as full paths; K10: no claim for a user without assigned groups.
    let tokens = t.sign_in(&AuthParams::code_flow(), "carol").await;
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(
        claims["groups"],
        json!(["/Engineering", "/Admins", "/Sales"])
    );
    let tokens = t.sign_in(&AuthParams::code_flow(), "bob").await;
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(claims["groups"], json!(["/Sales"]));
}

#[tokio::test]
async fn cognito_endpoints_apart_from_the_issuer_and_string_email_verified() {
    let idp = TestIdp::start().await;
    let t = idp.create(spec("c", "cognito")).await;
    // C1: issuer `/{userPoolId}`, endpoints on the hosted-UI paths.
    assert_paths(
        &t,
        "/us-east-1_Stickler",
        &[
            ("authorization_endpoint", "/oauth2/authorize"),
            ("token_endpoint", "/oauth2/token"),
            ("userinfo_endpoint", "/oauth2/userInfo"),
            ("end_session_endpoint", "/logout"),
        ],
    );
    // C3: a string at userinfo, a boolean in the ID token; C5 [I]: `cognito:groups`.
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(claims["email_verified"], json!(true));
    assert_eq!(claims["cognito:groups"], json!(["Engineering"]));
    let resp = t.userinfo(tokens["access_token"].as_str().unwrap()).await;
    let body = resp.text().await.unwrap();
    assert!(body.contains(r#""email_verified":"true""#), "{body}");
}

#[tokio::test]
async fn authentik_per_application_issuer_and_its_pages() {
    let idp = TestIdp::start().await;
    let t = idp.create(spec("ak", "authentik")).await;
    // AK1: `/application/o/{slug}/`, with the slash.
    assert_eq!(t.disco["issuer"], json!(t.url("/application/o/stickler/")));
    assert_eq!(
        t.info["discovery_url"],
        json!(t.url("/application/o/stickler/.well-known/openid-configuration"))
    );
    // AK4: the redirect and client-id texts.
    assert_redirect_page(&idp, &t, "The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).").await;
    t.authorize(&AuthParams::code_flow().set("client_id", "nope"))
        .await;
    assert_eq!(
        last_entry(&idp, &t).await["error_description"],
        "The client identifier (client_id) is missing or invalid."
    );
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(claims["iss"], json!(t.url("/application/o/stickler/")));
}
