//! Discovery, issuer and the authorization endpoint: the trailing-slash issuer and Hydra
//! paths, fosite's `state` entropy rule, redirect-URI matching and where each error is
//! delivered (to the app with `303`, or to the IdP's error page with `302`), the login
//! form, and the lenient profile's behaviour for each.

mod common;

use common::*;
use reqwest::{StatusCode, header};
use serde_json::json;

const E_STATE: &str = "The state is missing or does not have enough characters and is therefore considered too weak. Request parameter 'state' must be at least be 8 characters long to ensure sufficient entropy.";
const REDIR_MISMATCH: &str = "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.";

#[tokio::test]
async fn jumpcloud_discovery_is_hydras_document_with_a_trailing_slash_issuer() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let base = t.base.clone();
    assert_eq!(t.issuer, format!("{base}/"));
    // quirks.md §1.3, key for key, value for value, but for the grants.
    let expected = json!({
      "issuer": format!("{base}/"),
      "authorization_endpoint": format!("{base}/oauth2/auth"),
      "token_endpoint": format!("{base}/oauth2/token"),
      "jwks_uri": format!("{base}/.well-known/jwks.json"),
      "userinfo_endpoint": format!("{base}/userinfo"),
      "revocation_endpoint": format!("{base}/oauth2/revoke"),
      "end_session_endpoint": format!("{base}/oauth2/sessions/logout"),
      "subject_types_supported": ["public"],
      "response_types_supported": ["code","code id_token","id_token","token id_token","token","token id_token code"],
      "claims_supported": ["sub"],
      "scopes_supported": ["offline_access","offline","openid"],
      "token_endpoint_auth_methods_supported": ["client_secret_post","client_secret_basic","private_key_jwt","none"],
      "id_token_signing_alg_values_supported": ["RS256"],
      "id_token_signed_response_alg": ["RS256"],
      "userinfo_signed_response_alg": ["RS256"],
      "userinfo_signing_alg_values_supported": ["none","RS256"],
      // Hydra also lists implicit, client_credentials and device_code; a JumpCloud
      // app can use only these two (quirks.md §1.3, J16).
      "grant_types_supported": ["authorization_code","refresh_token"],
      "response_modes_supported": ["query","fragment","form_post"],
      "request_parameter_supported": true,
      "request_uri_parameter_supported": true,
      "require_request_uri_registration": true,
      "claims_parameter_supported": false,
      "backchannel_logout_supported": true,
      "backchannel_logout_session_supported": true,
      "frontchannel_logout_supported": true,
      "frontchannel_logout_session_supported": true,
      "request_object_signing_alg_values_supported": ["none","RS256","ES256"],
      "code_challenge_methods_supported": ["plain","S256"]
    });
    assert_eq!(t.disco, expected);
    // No device flow, and the grant is not advertised.
    assert!(t.disco.get("device_authorization_endpoint").is_none());
    // The JWKS is served where discovery says.
    let jwks = t.jwks().await;
    assert_eq!(jwks.keys.len(), 2);
    // Generic paths are not served.
    for p in ["/authorize", "/token", "/jwks"] {
        let r = t.http.get(t.url(p)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{p}");
    }
}

#[tokio::test]
async fn lenient_discovery_has_no_slash_and_generic_paths() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let base = t.base.clone();
    assert_eq!(t.issuer, base);
    assert_eq!(t.disco["issuer"], base);
    assert_eq!(
        t.disco["authorization_endpoint"],
        format!("{base}/authorize")
    );
    assert_eq!(t.disco["token_endpoint"], format!("{base}/token"));
    assert_eq!(t.disco["jwks_uri"], format!("{base}/jwks"));
    assert_eq!(t.disco["revocation_endpoint"], format!("{base}/revoke"));
    assert_eq!(t.disco["end_session_endpoint"], format!("{base}/logout"));
    assert_eq!(
        t.disco["code_challenge_methods_supported"],
        json!(["S256", "plain"])
    );
    assert_eq!(
        t.disco["grant_types_supported"],
        json!([
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ])
    );
    assert_eq!(
        t.disco["device_authorization_endpoint"],
        format!("{base}/device_authorization")
    );
    let r = t.http.get(t.url("/oauth2/auth")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issuer_slash_and_layout_can_be_switched_one_by_one() {
    let idp = TestIdp::start().await;
    let mut t = idp
        .create(with_quirks(
            jumpcloud("x"),
            json!({"issuer_trailing_slash": false}),
        ))
        .await;
    assert_eq!(t.issuer, t.base);
    assert_eq!(t.disco["issuer"], t.base.as_str());
    assert_eq!(t.disco["token_endpoint"], t.url("/oauth2/token"));
    idp.patch_quirks(
        &mut t,
        json!({"issuer_trailing_slash": true, "endpoint_layout": "generic"}),
    )
    .await;
    assert_eq!(t.disco["issuer"], format!("{}/", t.base));
    assert_eq!(t.disco["token_endpoint"], t.url("/token"));
    // The ID token follows: `iss` is the issuer with the slash.
    let tokens = t.sign_in(&AuthParams::code_flow(), "alice").await;
    t.issuer = format!("{}/", t.base);
    let claims = t
        .verify_id_token(tokens["id_token"].as_str().unwrap())
        .await;
    assert_eq!(claims["iss"], format!("{}/", t.base));
}

#[tokio::test]
async fn missing_state_is_refused_with_fosites_exact_redirect() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let resp = t.authorize(&AuthParams::code_flow().without("state")).await;
    let loc = assert_error_redirect(&resp, "invalid_state", E_STATE, "");
    // Byte for byte what JumpCloud sends (tolgee/tolgee-platform#1830): keys sorted,
    // `'` escaped, and an empty `state=` at the end.
    assert_eq!(
        loc,
        "http://127.0.0.1:3000/callback?error=invalid_state&error_description=The+state+is+missing+or+does+not+have+enough+characters+and+is+therefore+considered+too+weak.+Request+parameter+%27state%27+must+be+at+least+be+8+characters+long+to+ensure+sufficient+entropy.&state="
    );
    assert_eq!(resp.headers().get(header::PRAGMA).unwrap(), "no-cache");
}

#[tokio::test]
async fn a_seven_character_state_is_refused_and_echoed() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let resp = t
        .authorize(&AuthParams::code_flow().set("state", "1234567"))
        .await;
    assert_error_redirect(&resp, "invalid_state", E_STATE, "1234567");
    // An empty state counts as missing (Go's url.Values.Get).
    let resp = t.authorize(&AuthParams::code_flow().set("state", "")).await;
    assert_error_redirect(&resp, "invalid_state", E_STATE, "");
    // Length is counted in bytes: 4 two-byte characters pass.
    let resp = t
        .authorize(&AuthParams::code_flow().set("state", "éééé"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_eight_character_state_gets_the_login_page_and_comes_back() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let params = AuthParams::code_flow().set("state", "12345678");
    let resp = t.authorize(&params).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let resp = t.submit_login(resp, "alice", "alice-pw").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let loc = location(&resp);
    // Hydra's success redirect: code, the granted scope, state; keys sorted.
    let q = query_of(&loc);
    assert!(q["code"].starts_with("ory_ac_"), "{loc}");
    let code = &q["code"];
    assert_eq!(
        loc,
        format!("{APP_REDIRECT}?code={code}&scope=openid+email+profile&state=12345678")
    );
}

#[tokio::test]
async fn state_rule_off_lets_requests_without_state_through() {
    let idp = TestIdp::start().await;
    // The quirk alone, on the JumpCloud profile: fosite still always sends `state=`.
    let t = idp
        .create(with_quirks(jumpcloud("x"), json!({"min_state_length": 0})))
        .await;
    let resp = t
        .login(&AuthParams::code_flow().without("state"), "alice")
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // The lenient profile: no state in, none out, 302.
    let t = idp.create(lenient("l")).await;
    let resp = t
        .login(&AuthParams::code_flow().without("state"), "alice")
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let q = query_of(&location(&resp));
    assert!(q.contains_key("code"));
    assert!(!q.contains_key("state"));
    // A short state is fine too, and echoed.
    let code = t
        .code(&AuthParams::code_flow().set("state", "ab"), "alice")
        .await;
    assert!(
        !code.starts_with("ory_ac_"),
        "lenient codes have no Hydra prefix"
    );
    // The minimum is a number, not a switch.
    let mut t = idp.create(jumpcloud("y")).await;
    idp.patch_quirks(&mut t, json!({"min_state_length": 12}))
        .await;
    let resp = t
        .authorize(&AuthParams::code_flow().set("state", "12345678901"))
        .await;
    let d = E_STATE.replace("at least be 8", "at least be 12");
    assert_error_redirect(&resp, "invalid_state", &d, "12345678901");
}

#[tokio::test]
async fn redirect_uri_must_match_byte_for_byte_and_errors_go_to_the_idp_page() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let desc = fosite(INVALID_REQUEST, REDIR_MISMATCH);
    for bad in [
        "http://127.0.0.1:3000/callback/",
        "http://127.0.0.1:3000/Callback",
        "http://127.0.0.1:3000/callback?x=1",
        "https://127.0.0.1:3000/callback",
    ] {
        let resp = t
            .authorize(&AuthParams::code_flow().set("redirect_uri", bad))
            .await;
        let page = assert_error_page_redirect(&t, &resp, "invalid_request", &desc);
        assert_eq!(
            resp.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        // Even a short state does not matter: the redirect URI is checked first, and
        // the app never hears about it.
        assert!(!page.contains("state"));
        // The page renders the error for the person.
        let page = t.http.get(&page).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        let html = page.text().await.unwrap();
        assert!(html.contains("id=\"idp-error\""), "{html}");
        assert!(
            html.contains("<code id=\"error-code\">invalid_request</code>"),
            "{html}"
        );
        assert!(html.contains(&desc), "{html}");
    }
}

#[tokio::test]
async fn loopback_ips_may_use_any_port_but_localhost_may_not() {
    let idp = TestIdp::start().await;
    let mut s = jumpcloud("x");
    s["clients"][0]["redirect_uris"] = json!([
        APP_REDIRECT,
        "http://[::1]:8080/cb",
        "http://localhost:3001/cb"
    ]);
    let mut t = idp.create(s).await;
    let desc = fosite(INVALID_REQUEST, REDIR_MISMATCH);
    // 127.0.0.1 on another port: accepted, and the code goes to that port.
    let other = "http://127.0.0.1:45678/callback";
    let params = AuthParams::code_flow().set("redirect_uri", other);
    let resp = t.login(&params, "alice").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let loc = location(&resp);
    assert_eq!(without_query(&loc), other);
    let code = query_of(&loc)["code"].clone();
    // The token request must repeat the redirect URI actually used.
    let ok = t
        .token(
            POST,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", other),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    // [::1] too.
    let resp = t
        .authorize(&AuthParams::code_flow().set("redirect_uri", "http://[::1]:9/cb"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    // But the path must still match.
    let resp = t
        .authorize(&AuthParams::code_flow().set("redirect_uri", "http://127.0.0.1:45678/other"))
        .await;
    assert_error_page_redirect(&t, &resp, "invalid_request", &desc);
    // localhost is a name, not an IP: the port counts.
    let resp = t
        .authorize(&AuthParams::code_flow().set("redirect_uri", "http://localhost:3002/cb"))
        .await;
    assert_error_page_redirect(&t, &resp, "invalid_request", &desc);
    let resp = t
        .authorize(&AuthParams::code_flow().set("redirect_uri", "http://localhost:3001/cb"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    // The quirk off: the port counts everywhere.
    idp.patch_quirks(&mut t, json!({"redirect_uri_loopback_any_port": false}))
        .await;
    let resp = t
        .authorize(&AuthParams::code_flow().set("redirect_uri", other))
        .await;
    assert_error_page_redirect(&t, &resp, "invalid_request", &desc);
}

#[tokio::test]
async fn unknown_client_and_missing_redirect_uri_go_to_the_error_page() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let resp = t
        .authorize(&AuthParams::code_flow().set("client_id", "nope"))
        .await;
    assert_error_page_redirect(
        &t,
        &resp,
        "invalid_client",
        &fosite(
            INVALID_CLIENT,
            "The requested OAuth 2.0 Client does not exist.",
        ),
    );
    let resp = t
        .authorize(&AuthParams::code_flow().without("client_id"))
        .await;
    assert_error_page_redirect(
        &t,
        &resp,
        "invalid_client",
        &fosite(
            INVALID_CLIENT,
            "The requested OAuth 2.0 Client does not exist.",
        ),
    );
    // E-REDIR-MISSING: with `openid`, even a single registered URI is not assumed.
    let resp = t
        .authorize(&AuthParams::code_flow().without("redirect_uri"))
        .await;
    assert_error_page_redirect(
        &t,
        &resp,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "The 'redirect_uri' parameter is required when using OpenID Connect 1.0.",
        ),
    );
    // Without `openid` the single registered URI is used.
    let params = AuthParams::code_flow()
        .without("redirect_uri")
        .set("scope", "email");
    let resp = t.login(&params, "alice").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(without_query(&location(&resp)), APP_REDIRECT);
}

#[tokio::test]
async fn lenient_profile_renders_errors_directly_and_assumes_the_single_redirect_uri() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let resp = t
        .authorize(&AuthParams::code_flow().set("redirect_uri", "http://127.0.0.1:3000/callback/"))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"idp-error\""), "{html}");
    // A single registered URI is used even with openid.
    let resp = t
        .login(&AuthParams::code_flow().without("redirect_uri"), "alice")
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(without_query(&location(&resp)), APP_REDIRECT);
}

#[tokio::test]
async fn errors_before_login_follow_fosites_order() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // E-RMODE: parsed before the redirect URI is trusted → the error page.
    let resp = t
        .authorize(&AuthParams::code_flow().set("response_mode", "xyz"))
        .await;
    assert_error_page_redirect(
        &t,
        &resp,
        "unsupported_response_mode",
        "The authorization server does not support obtaining a response using this response mode. Request with unsupported response_mode 'xyz'.",
    );
    // E-RT-MISSING, with fosite's stray backtick, to the app.
    let resp = t
        .authorize(&AuthParams::code_flow().without("response_type"))
        .await;
    assert_error_redirect(
        &resp,
        "unsupported_response_type",
        "The authorization server does not support obtaining a token using this method. `The request is missing the 'response_type' parameter.",
        STATE,
    );
    // E-RT
    let resp = t
        .authorize(&AuthParams::code_flow().set("response_type", "id_token"))
        .await;
    assert_error_redirect(
        &resp,
        "unsupported_response_type",
        "The authorization server does not support obtaining a token using this method. The client is not allowed to request response_type 'id_token'.",
        STATE,
    );
    // E-REGISTRATION
    let resp = t
        .authorize(&AuthParams::code_flow().set("registration", "{}"))
        .await;
    assert_error_redirect(
        &resp,
        "registration_not_supported",
        "The OP does not support use of the registration parameter.",
        STATE,
    );
    // response_type is checked before state: a bad response_type wins over a short state.
    let resp = t
        .authorize(
            &AuthParams::code_flow()
                .without("response_type")
                .set("state", "x"),
        )
        .await;
    assert_eq!(
        query_of(&location(&resp))["error"],
        "unsupported_response_type"
    );
    // prompt=none: there is never a session.
    let resp = t
        .authorize(&AuthParams::code_flow().set("prompt", "none"))
        .await;
    assert_error_redirect(
        &resp,
        "login_required",
        "The Authorization Server requires End-User authentication. Prompt 'none' was requested, but no existing login session was found.",
        STATE,
    );
}

#[tokio::test]
async fn query_of_the_registered_redirect_uri_is_kept_and_sorted_with_the_answer() {
    let idp = TestIdp::start().await;
    let mut s = jumpcloud("x");
    let registered = "http://127.0.0.1:3000/callback?tenant=acme&a=1";
    s["clients"][0]["redirect_uris"] = json!([registered]);
    let t = idp.create(s).await;
    let resp = t
        .login(
            &AuthParams::code_flow().set("redirect_uri", registered),
            "alice",
        )
        .await;
    let loc = location(&resp);
    let code = query_of(&loc)["code"].clone();
    // Go's url.Values.Encode: every key sorted.
    assert_eq!(
        loc,
        format!(
            "http://127.0.0.1:3000/callback?a=1&code={code}&scope=openid+email+profile&state={STATE}&tenant=acme"
        )
    );
}

#[tokio::test]
async fn redirect_parameters_are_escaped_like_go_url_values() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // bob is in no assigned group, so the state comes back in an error redirect. Go's
    // QueryEscape keeps `~` and escapes `*`, `!`, `(` and `)`.
    let state = "a~b*c!(d) e/f";
    let resp = t
        .login(&AuthParams::code_flow().set("state", state), "bob")
        .await;
    let loc = location(&resp);
    assert!(loc.ends_with("&state=a~b%2Ac%21%28d%29+e%2Ff"), "{loc}");
    assert_eq!(query_of(&loc)["state"], state);
}

#[tokio::test]
async fn form_post_and_post_requests_are_supported() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // POST to the authorization endpoint.
    let page = t
        .http
        .post(t.endpoint("authorization_endpoint"))
        .form(&AuthParams::code_flow().0)
        .send()
        .await
        .unwrap();
    let resp = t.submit_login(page, "alice", "alice-pw").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // response_mode=form_post: an auto-submitting form to the app.
    let resp = t
        .login(
            &AuthParams::code_flow().set("response_mode", "form_post"),
            "alice",
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains(&format!("action=\"{APP_REDIRECT}\"")),
        "{html}"
    );
    assert!(html.contains("name=\"code\" value=\"ory_ac_"), "{html}");
    assert!(
        html.contains(&format!("name=\"state\" value=\"{STATE}\"")),
        "{html}"
    );
    // response_mode=fragment
    let resp = t
        .login(
            &AuthParams::code_flow().set("response_mode", "fragment"),
            "alice",
        )
        .await;
    let loc = location(&resp);
    assert!(
        loc.starts_with(&format!("{APP_REDIRECT}#code=ory_ac_")),
        "{loc}"
    );
}

#[tokio::test]
async fn the_login_form_refuses_wrong_passwords_and_spent_challenges() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let page = t.authorize(&AuthParams::code_flow()).await;
    let html = page.text().await.unwrap();
    let form = LoginForm::parse(&html);
    assert!(html.contains("id=\"username\"") && html.contains("id=\"password\""));
    let post = |user: &'static str, pw: &'static str| {
        t.http
            .post(&form.action)
            .form(&[
                ("login_challenge", form.challenge.as_str()),
                ("username", user),
                ("password", pw),
            ])
            .send()
    };
    // Wrong password, unknown user: the form again, with an error, same challenge.
    for (u, p) in [("alice", "wrong"), ("nobody", "x")] {
        let resp = post(u, p).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let html = resp.text().await.unwrap();
        assert!(html.contains("id=\"login-error\""), "{html}");
        assert_eq!(LoginForm::parse(&html).challenge, form.challenge);
    }
    let resp = post("alice", "alice-pw").await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // The challenge is spent.
    let resp = post("alice", "alice-pw").await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("id=\"idp-error\""));
}

#[tokio::test]
async fn unknown_prompt_values_are_refused_only_after_login() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // prompt=create (OpenID Connect's registration initiation): E-PROMPT, after the
    // password, with Go's slice formatting.
    let page = t
        .authorize(&AuthParams::code_flow().set("prompt", "login create"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let resp = t.submit_login(page, "alice", "alice-pw").await;
    assert_error_redirect(
        &resp,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "Used unknown value '[login create]' for prompt parameter",
        ),
        STATE,
    );
    // E-PROMPT-NONE: `none` with company.
    let resp = t
        .login(
            &AuthParams::code_flow().set("prompt", "none login"),
            "alice",
        )
        .await;
    assert_error_redirect(
        &resp,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "Parameter 'prompt' was set to 'none', but contains other values as well which is not allowed.",
        ),
        STATE,
    );
    // Every known value is fine.
    let params = AuthParams::code_flow().set("prompt", "login consent select_account");
    t.code(&params, "alice").await;
    // The lenient profile ignores what it does not know.
    let t = idp.create(lenient("l")).await;
    t.code(&AuthParams::code_flow().set("prompt", "create"), "alice")
        .await;
}

#[tokio::test]
async fn a_forced_authorize_error_reaches_the_app_in_the_profile_style() {
    let idp = TestIdp::start().await;
    let mut t = idp
        .create(with_quirks(
            jumpcloud("x"),
            json!({"authorize_error": "invalid_state"}),
        ))
        .await;
    // Even a perfect request, with fosite's exact short-state text.
    let resp = t.authorize(&AuthParams::code_flow()).await;
    assert_error_redirect(&resp, "invalid_state", E_STATE, STATE);
    let j = idp.journal("x").await;
    let e = j.last().unwrap();
    assert_eq!(e["outcome"], "error_redirect");
    assert_eq!(e["error"], "invalid_state");
    assert_eq!(e["error_description"], E_STATE);
    // Other codes carry fosite's base description.
    idp.patch_quirks(
        &mut t,
        json!({"authorize_error": "temporarily_unavailable"}),
    )
    .await;
    let resp = t.authorize(&AuthParams::code_flow()).await;
    assert_error_redirect(
        &resp,
        "temporarily_unavailable",
        "The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.",
        STATE,
    );
    // Unknown clients still go to the IdP's page, never to an app.
    let resp = t
        .authorize(&AuthParams::code_flow().set("client_id", "nobody"))
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert!(location(&resp).contains("/oauth2/fallbacks/error"));
    // Switched off again, the request reaches the login page.
    idp.patch_quirks(&mut t, json!({"authorize_error": "none"}))
        .await;
    assert_eq!(
        t.authorize(&AuthParams::code_flow()).await.status(),
        StatusCode::OK
    );
    let bad = idp
        .admin(
            reqwest::Method::PATCH,
            "/tenants/x/quirks",
            Some(json!({"authorize_error": "teapot"})),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_forced_error_in_the_rfc_style_is_a_302_with_the_state_sent() {
    let idp = TestIdp::start().await;
    let t = idp
        .create(with_quirks(
            lenient("x"),
            json!({"authorize_error": "access_denied"}),
        ))
        .await;
    let resp = t.authorize(&AuthParams::code_flow()).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let q = query_of(&location(&resp));
    assert_eq!(q["error"], "access_denied");
    assert_eq!(
        q["error_description"],
        "The resource owner or authorization server denied the request."
    );
    assert_eq!(q["state"], STATE);
    let resp = t.authorize(&AuthParams::code_flow().without("state")).await;
    assert!(!query_of(&location(&resp)).contains_key("state"));
}

#[tokio::test]
async fn a_scope_the_client_may_not_request_is_refused_before_login() {
    let idp = TestIdp::start().await;
    let mut s = jumpcloud("x");
    s["clients"][0]["scope"] = json!("openid email");
    let t = idp.create(s).await;
    let resp = t.authorize(&AuthParams::code_flow()).await;
    let loc = assert_error_redirect(
        &resp,
        "invalid_scope",
        "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope 'profile'.",
        STATE,
    );
    assert_eq!(
        loc,
        "http://127.0.0.1:3000/callback?error=invalid_scope&error_description=The+requested+scope+is+invalid%2C+unknown%2C+or+malformed.+The+OAuth+2.0+Client+is+not+allowed+to+request+scope+%27profile%27.&state=state-12345678"
    );
    // fosite judges the scope before `registration`, `response_type` and `state`.
    let resp = t
        .authorize(
            &AuthParams::code_flow()
                .set("registration", "{}")
                .without("response_type")
                .set("state", "short"),
        )
        .await;
    let q = query_of(&location(&resp));
    assert_eq!(q["error"], "invalid_scope");
    // ... but after the redirect URI.
    let resp = t
        .authorize(&AuthParams::code_flow().set("redirect_uri", "http://evil.example/cb"))
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(query_of(&location(&resp))["error"], "invalid_request");
    // Allowed scopes sign in; a client added through the admin API takes a list.
    t.code(
        &AuthParams::code_flow().set("scope", "openid email"),
        "alice",
    )
    .await;
    let resp = idp
        .admin(
            reqwest::Method::POST,
            "/tenants/x/clients",
            Some(json!({"client_id": "narrow", "redirect_uris": [APP_REDIRECT], "scopes": ["openid"]})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let info: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(info["scopes"], json!(["openid"]));
    let resp = t
        .authorize(
            &AuthParams::code_flow()
                .set("client_id", "narrow")
                .set("scope", "openid email"),
        )
        .await;
    assert_eq!(query_of(&location(&resp))["error"], "invalid_scope");
    // Changed later: a string, then null for any scope again.
    let put = |body: serde_json::Value| {
        idp.admin(
            reqwest::Method::PUT,
            "/tenants/x/clients/narrow/scopes",
            Some(body),
        )
    };
    let resp = put(json!("openid email")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let info: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(info["scopes"], json!(["openid", "email"]));
    let params = AuthParams::code_flow()
        .set("client_id", "narrow")
        .set("scope", "openid email groups");
    let resp = t.authorize(&params).await;
    assert_eq!(query_of(&location(&resp))["error"], "invalid_scope");
    let resp = put(json!(null)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(t.authorize(&params).await.status(), StatusCode::OK);
    assert_eq!(put(json!(7)).await.status(), StatusCode::BAD_REQUEST);
}
