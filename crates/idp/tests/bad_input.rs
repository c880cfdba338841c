//! Bad input never panics and never gets a framework default body: the answer is always
//! the profile's JSON error shape or the IdP's error page. Wrong methods, bodies that
//! are not forms, repeated parameters, garbage credentials and tokens, oversized bodies,
//! unknown tenants and paths, bytes that are not UTF-8.

mod common;

use common::*;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

#[tokio::test]
async fn wrong_methods_get_405_in_json() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let resp = t
        .http
        .get(t.endpoint("token_endpoint"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers().get(header::ALLOW).unwrap(), "POST");
    assert_json_error(
        resp,
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        &fosite(INVALID_REQUEST, "HTTP method is 'GET', expected 'POST'."),
    )
    .await;
    let cases = [
        (
            Method::PUT,
            t.endpoint("authorization_endpoint"),
            "HTTP method is 'PUT', expected 'GET' or 'POST'.",
        ),
        (
            Method::DELETE,
            t.endpoint("userinfo_endpoint"),
            "HTTP method is 'DELETE', expected 'GET' or 'POST'.",
        ),
        (
            Method::POST,
            t.url("/.well-known/openid-configuration"),
            "HTTP method is 'POST', expected 'GET'.",
        ),
        (
            Method::PATCH,
            t.endpoint("jwks_uri"),
            "HTTP method is 'PATCH', expected 'GET'.",
        ),
        (
            Method::GET,
            t.endpoint("revocation_endpoint"),
            "HTTP method is 'GET', expected 'POST'.",
        ),
        (
            Method::GET,
            t.url("/login"),
            "HTTP method is 'GET', expected 'POST'.",
        ),
        (
            Method::OPTIONS,
            t.endpoint("token_endpoint"),
            "HTTP method is 'OPTIONS', expected 'POST'.",
        ),
    ];
    for (m, url, hint) in cases {
        let resp = t.http.request(m, &url).send().await.unwrap();
        assert_json_error(
            resp,
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            &fosite(INVALID_REQUEST, hint),
        )
        .await;
    }
    // HEAD on discovery is fine.
    let resp = t
        .http
        .head(t.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_bodies_must_be_forms() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let e_empty = fosite(INVALID_REQUEST, "The POST body can not be empty.");
    // A JSON body (E-TOKEN-JSON): to fosite the form is empty.
    let resp = t
        .http
        .post(t.endpoint("token_endpoint"))
        .json(&json!({"grant_type": "authorization_code", "client_id": CLIENT_ID}))
        .send()
        .await
        .unwrap();
    assert_json_error(resp, StatusCode::BAD_REQUEST, "invalid_request", &e_empty).await;
    // No body; an empty form; a form body without the content type.
    let resp = t
        .http
        .post(t.endpoint("token_endpoint"))
        .send()
        .await
        .unwrap();
    assert_json_error(resp, StatusCode::BAD_REQUEST, "invalid_request", &e_empty).await;
    let resp = t.token(Auth::None, &[]).await;
    assert_json_error(resp, StatusCode::BAD_REQUEST, "invalid_request", &e_empty).await;
    let resp = t
        .http
        .post(t.endpoint("token_endpoint"))
        .body("grant_type=authorization_code")
        .send()
        .await
        .unwrap();
    assert_json_error(resp, StatusCode::BAD_REQUEST, "invalid_request", &e_empty).await;
    // The lenient profile explains.
    let t = idp.create(lenient("l")).await;
    let resp = t
        .http
        .post(t.endpoint("token_endpoint"))
        .json(&json!({"grant_type": "authorization_code"}))
        .send()
        .await
        .unwrap();
    let (status, error, desc) = json_error(resp).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    assert!(desc.contains("application/x-www-form-urlencoded"), "{desc}");
}

#[tokio::test]
async fn missing_grant_type_and_repeated_parameters() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // E-TOKEN-GT: no trailing period.
    let resp = t.token(POST, &[("code", "x")]).await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &fosite(INVALID_REQUEST, "Request parameter 'grant_type' is missing"),
    )
    .await;
    // A parameter twice at the token endpoint.
    let resp = t
        .token(
            POST,
            &[
                ("grant_type", "authorization_code"),
                ("code", "a"),
                ("code", "b"),
            ],
        )
        .await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "Parameter 'code' was included more than once.",
        ),
    )
    .await;
    // ...and at the authorization endpoint: the request cannot be trusted, so the
    // error page, even when the repeats are equal.
    let resp = t
        .authorize(&AuthParams::code_flow().add("state", STATE))
        .await;
    assert_error_page_redirect(
        &t,
        &resp,
        "invalid_request",
        &fosite(
            INVALID_REQUEST,
            "Parameter 'state' was included more than once.",
        ),
    );
    let resp = t
        .authorize(&AuthParams::code_flow().add("redirect_uri", "http://evil.example/"))
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert!(!location(&resp).contains("evil"));
}

#[tokio::test]
async fn garbage_codes_tokens_and_credentials() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    for code in ["", "ory_ac_", "x", "ory_ac_%00", &"z".repeat(5000)] {
        let resp = t.exchange(POST, code, None).await;
        assert_json_error(
            resp,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            INVALID_GRANT,
        )
        .await;
    }
    let resp = t
        .token(
            POST,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "ory_rt_x"),
            ],
        )
        .await;
    assert_json_error(
        resp,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &fosite(
            INVALID_GRANT,
            "The refresh token is malformed or not valid.",
        ),
    )
    .await;
    let resp = t.token(POST, &[("grant_type", "refresh_token")]).await;
    assert_eq!(json_error(resp).await.1, "invalid_grant");
    // Authorization headers that are not Basic credentials.
    for value in ["Basic !!!", "Basic", "Bearer abc", "Basic Zm9v", "Digest x"] {
        let resp = t
            .http
            .post(t.endpoint("token_endpoint"))
            .header(header::AUTHORIZATION, value)
            .form(&[("grant_type", "authorization_code"), ("code", "x")])
            .send()
            .await
            .unwrap();
        let (status, error, _) = json_error(resp).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{value}"
        );
    }
    // Bearer tokens of every odd shape.
    for value in [
        "Bearer",
        "Bearer ",
        "bearer x y",
        "Basic abc",
        "Bearer \u{7f}",
    ] {
        let Ok(hv) = header::HeaderValue::from_str(value) else {
            continue;
        };
        let resp = t
            .http
            .get(t.endpoint("userinfo_endpoint"))
            .header(header::AUTHORIZATION, hv)
            .send()
            .await
            .unwrap();
        let (status, error, _) = json_error(resp).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{value}");
        assert_eq!(error, "request_unauthorized", "{value}");
    }
    // A header with bytes that are not ASCII.
    let resp = t
        .http
        .get(t.endpoint("userinfo_endpoint"))
        .header(
            header::AUTHORIZATION,
            header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await.0, StatusCode::UNAUTHORIZED);
    // Token both in the header and the body.
    let resp = t
        .http
        .post(t.endpoint("userinfo_endpoint"))
        .bearer_auth("a")
        .form(&[("access_token", "b")])
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await.1, "invalid_request");
}

#[tokio::test]
async fn oversized_bodies_get_413_in_json() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let big = format!("grant_type=authorization_code&code={}", "a".repeat(1 << 20));
    for url in [
        t.endpoint("token_endpoint"),
        t.endpoint("authorization_endpoint"),
        t.endpoint("revocation_endpoint"),
        t.url("/login"),
    ] {
        let resp = t
            .http
            .post(&url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(big.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let (status, error, desc) = json_error(resp).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{url}");
        assert_eq!(error, "invalid_request");
        assert!(desc.contains("larger than"), "{desc}");
    }
    // The server is still there.
    assert_eq!(
        t.exchange(POST, "x", None).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn unknown_tenants_and_paths_get_404_in_json() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let urls = [
        idp.url("/t/nope/.well-known/openid-configuration"),
        idp.url("/t/nope"),
        idp.url("/t/nope/oauth2/token"),
        // No default tenant was created.
        idp.url("/.well-known/openid-configuration"),
        t.url("/nothing"),
        t.url("/oauth2/userinfo"),
        t.url("//.well-known/openid-configuration"),
        t.url("/.well-known/openid-configuration/"),
    ];
    for url in urls {
        let resp = t.http.get(&url).send().await.unwrap();
        let (status, error, _) = json_error(resp).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{url}"
        );
    }
    let resp = t
        .http
        .post(idp.url("/t/nope/oauth2/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await.0, StatusCode::NOT_FOUND);
    // A tenant's root answers GET with its home page (tests/debugger.rs), and any other
    // method as an unknown endpoint.
    for url in [t.url(""), t.url("/"), idp.url("/")] {
        let resp = t.http.post(&url).send().await.unwrap();
        let (status, error, _) = json_error(resp).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "POST {url}"
        );
    }
}

#[tokio::test]
async fn bytes_that_are_not_utf8_are_answered_not_panicked_on() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // In the query.
    let url = format!(
        "{}?client_id=%FF%FE&state=%C3%28abcdefgh&redirect_uri=%zz",
        t.endpoint("authorization_endpoint")
    );
    let resp = t.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert!(location(&resp).contains("fallbacks/error"));
    // In a form body.
    let resp = t
        .http
        .post(t.endpoint("token_endpoint"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(
            b"grant_type=authorization_code&code=%ff\xff&client_id=app&client_secret=app-secret"
                .to_vec(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await.1, "invalid_grant");
    // In the path: the tenant name and the admin API.
    for url in [
        idp.url("/t/%FF/.well-known/openid-configuration"),
        idp.url("/t/%FF"),
        idp.url("/admin/tenants/%FF"),
        idp.url("/admin/tenants/%FF/journal"),
    ] {
        let resp = t.http.get(&url).send().await.unwrap();
        let status = resp.status();
        let body = resp.text().await.unwrap();
        let v: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{url}: {status} {body}"));
        assert!(v["error"].is_string(), "{url}: {body}");
        assert!(status.is_client_error(), "{url}: {status}");
    }
}

#[tokio::test]
async fn the_login_endpoint_and_error_page_take_any_input() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // No challenge, a JSON body, an unknown challenge: the error page, 400.
    for rb in [
        t.http.post(t.url("/login")),
        t.http
            .post(t.url("/login"))
            .json(&json!({"login_challenge": "x"})),
        t.http
            .post(t.url("/login"))
            .form(&[("login_challenge", "nope"), ("username", "alice")]),
    ] {
        let resp = rb.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(resp.text().await.unwrap().contains("id=\"idp-error\""));
    }
    // The error page escapes what it is given.
    let resp = t
        .http
        .get(t.url("/oauth2/fallbacks/error"))
        .query(&[
            ("error", "<script>x</script>"),
            ("error_description", "\"'&<>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(!html.contains("<script>x"), "{html}");
    let resp = t
        .http
        .get(t.url("/oauth2/fallbacks/error"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // A state that needs escaping in HTML and in URLs goes through intact.
    let state = "<\"'&>\r\n#?=&".repeat(3);
    let resp = t
        .login(&AuthParams::code_flow().set("state", &state), "alice")
        .await;
    assert_eq!(query_of(&location(&resp))["state"], state);
    // A large but legal query.
    let long = "s".repeat(30_000);
    let resp = t
        .authorize(&AuthParams::code_flow().set("state", &long))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
}
