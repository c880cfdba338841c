//! The admin API the runner drives: tenants (create, list, read, delete), quirks
//! (read, patch), clients, users and group assignments, the admin token, the default
//! tenant at the root and the library entry points (`spawn`, `demo_tenant`).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn create_answers_201_with_issuer_and_credentials() {
    let idp = TestIdp::start().await;
    let mut s = jumpcloud("acme");
    // A client without id or secret gets both generated.
    s["clients"].as_array_mut().unwrap().push(json!({
        "redirect_uris": ["http://127.0.0.1:4000/cb"],
    }));
    let resp = idp.admin(Method::POST, "/tenants", Some(s)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let info: Value = resp.json().await.unwrap();
    assert_eq!(info["name"], "acme");
    assert_eq!(info["profile"], "jumpcloud");
    assert_eq!(info["issuer"], idp.url("/t/acme/"));
    assert_eq!(
        info["discovery_url"],
        idp.url("/t/acme/.well-known/openid-configuration")
    );
    assert_eq!(info["quirks"]["min_state_length"], 8);
    let clients = info["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 2);
    let generated = clients
        .iter()
        .find(|c| c["client_id"] != CLIENT_ID)
        .unwrap();
    assert!(generated["client_id"].as_str().unwrap().len() >= 16);
    assert!(generated["client_secret"].as_str().unwrap().len() >= 32);
    assert_eq!(
        generated["token_endpoint_auth_method"],
        "client_secret_post"
    );
    // Users are listed without passwords.
    let users = info["users"].as_array().unwrap();
    assert_eq!(users.len(), 3);
    assert!(users.iter().all(|u| u.get("password").is_none()));
    // Read and list.
    let got: Value = idp
        .admin(Method::GET, "/tenants/acme", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["issuer"], info["issuer"]);
    let list: Vec<Value> = idp
        .admin(Method::GET, "/tenants", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    // A nameless spec gets a generated name.
    let resp = idp
        .admin(
            Method::POST,
            "/tenants",
            Some(json!({"profile": "lenient"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let info: Value = resp.json().await.unwrap();
    assert!(!info["name"].as_str().unwrap().is_empty());
    assert_eq!(info["quirks"]["min_state_length"], 0);
}

#[tokio::test]
async fn bad_specs_are_refused_with_a_json_reason() {
    let idp = TestIdp::start().await;
    idp.create(jumpcloud("x")).await;
    // Duplicate name.
    let resp = idp
        .admin(Method::POST, "/tenants", Some(jumpcloud("x")))
        .await;
    let (status, error, desc) = json_error(resp).await;
    assert_eq!((status, error.as_str()), (StatusCode::CONFLICT, "conflict"));
    assert!(desc.contains("`x`"), "{desc}");
    let bad = |spec: Value, needle: &'static str| {
        let idp = &idp;
        async move {
            let resp = idp
                .admin(Method::POST, "/tenants", Some(spec.clone()))
                .await;
            let (status, error, desc) = json_error(resp).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{spec}: {desc}");
            assert_eq!(error, "invalid_request");
            assert!(desc.contains(needle), "{spec}: {desc}");
        }
    };
    // An unknown quirk is named.
    bad(
        with_quirks(jumpcloud("a"), json!({"min_state_lenght": 3})),
        "min_state_lenght",
    )
    .await;
    bad(
        with_quirks(jumpcloud("a"), json!({"min_state_length": "eight"})),
        "min_state_length",
    )
    .await;
    bad(json!({"name": "a", "profil": "jumpcloud"}), "profil").await;
    bad(json!({"name": "a", "profile": "octa"}), "octa").await;
    bad(json!({"name": "a/b"}), "a/b").await;
    bad(json!({"name": ".."}), "..").await;
    bad(
        json!({"name": "a", "clients": [{"client_id": "c", "redirect_uris": [], "grant_types": ["authorization_code"]}]}),
        "no redirect_uris",
    )
    .await;
    bad(
        json!({"name": "a", "clients": [{"client_id": "c", "redirect_uris": ["/cb"]}]}),
        "/cb",
    )
    .await;
    bad(
        json!({"name": "a", "clients": [{"client_id": "c", "redirect_uris": ["http://x/cb#f"]}]}),
        "http://x/cb#f",
    )
    .await;
    bad(
        json!({"name": "a", "users": [{"username": "u"}, {"username": "u"}]}),
        "duplicate user",
    )
    .await;
    bad(
        with_quirks(jumpcloud("a"), json!({"groups_claim": "aud"})),
        "aud",
    )
    .await;
    // Not JSON at all.
    let resp = idp
        .http
        .post(idp.url("/admin/tenants"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await.0, StatusCode::BAD_REQUEST);
    // Nothing was created along the way.
    let list: Vec<Value> = idp
        .admin(Method::GET, "/tenants", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
}

#[tokio::test]
async fn delete_answers_204_then_the_tenant_is_gone() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let resp = idp.admin(Method::DELETE, "/tenants/x", None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    for (m, p) in [
        (Method::GET, "/tenants/x"),
        (Method::DELETE, "/tenants/x"),
        (Method::GET, "/tenants/x/quirks"),
    ] {
        let (status, error, _) = json_error(idp.admin(m, p, None).await).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{p}"
        );
    }
    let resp = t
        .http
        .get(t.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    let (status, _, desc) = json_error(resp).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(desc.contains("'x'"), "{desc}");
    // The name can be used again.
    idp.create(lenient("x")).await;
}

#[tokio::test]
async fn quirks_can_be_read_and_patched() {
    let idp = TestIdp::start().await;
    idp.create(jumpcloud("x")).await;
    let q: Value = idp
        .admin(Method::GET, "/tenants/x/quirks", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(q["groups_claim"], "memberOf");
    assert_eq!(q["token_type"], "bearer");
    let resp = idp
        .admin(
            Method::PATCH,
            "/tenants/x/quirks",
            Some(json!({"token_type": "Bearer", "min_state_length": 0})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let q: Value = resp.json().await.unwrap();
    assert_eq!(q["token_type"], "Bearer");
    assert_eq!(q["min_state_length"], 0);
    assert_eq!(q["groups_claim"], "memberOf", "the rest is kept");
    // Unknown key: 400 naming it, nothing changed.
    let resp = idp
        .admin(
            Method::PATCH,
            "/tenants/x/quirks",
            Some(json!({"bogus": 1})),
        )
        .await;
    let (status, _, desc) = json_error(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(desc.contains("bogus"), "{desc}");
    let resp = idp
        .admin(Method::PATCH, "/tenants/nope/quirks", Some(json!({})))
        .await;
    assert_eq!(json_error(resp).await.0, StatusCode::NOT_FOUND);
    // Profiles and quirk docs.
    let p: Value = idp
        .admin(Method::GET, "/profiles", None)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = p["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "jumpcloud",
            "lenient",
            "okta",
            "okta_org",
            "entra",
            "entra_common",
            "google",
            "auth0",
            "keycloak",
            "cognito",
            "authentik"
        ]
    );
    assert_eq!(
        p["quirks"].as_array().unwrap().len(),
        stickler_idp::QUIRK_DOCS.len()
    );
}

#[tokio::test]
async fn clients_users_and_groups_can_be_added_later() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // A new user in a new group, and a new client bound to that group.
    let resp = idp
        .admin(
            Method::POST,
            "/tenants/x/users",
            Some(json!({"username": "dave", "password": "dave-pw", "groups": ["Ops"]})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let user: Value = resp.json().await.unwrap();
    assert_eq!(user["email"], "dave@example.com");
    let resp = idp
        .admin(
            Method::POST,
            "/tenants/x/clients",
            Some(json!({
                "client_id": "ops",
                "client_secret": "ops-secret",
                "token_endpoint_auth_method": "client_secret_basic",
                "redirect_uris": [APP_REDIRECT],
                "groups": ["Ops"],
            })),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let params = AuthParams::code_flow().set("client_id", "ops");
    let code = t.code(&params, "dave").await;
    let resp = t
        .exchange(Auth::Basic("ops", "ops-secret"), &code, None)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    // dave is not in the test app's groups...
    let resp = t.login(&AuthParams::code_flow(), "dave").await;
    assert_eq!(query_of(&location(&resp))["error"], "access_denied");
    // ...until he joins one.
    let resp = idp
        .admin(
            Method::PUT,
            "/tenants/x/users/dave/groups",
            Some(json!(["Ops", "Admins"])),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let tokens = t.sign_in(&AuthParams::code_flow(), "dave").await;
    let (_, c) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(c["memberOf"], "Admins");
    // The app's groups can be replaced.
    let resp = idp
        .admin(
            Method::PUT,
            "/tenants/x/clients/app/groups",
            Some(json!(["Sales"])),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = t.login(&AuthParams::code_flow(), "alice").await;
    assert_eq!(query_of(&location(&resp))["error"], "access_denied");
    // Duplicates and unknown targets.
    let resp = idp
        .admin(
            Method::POST,
            "/tenants/x/users",
            Some(json!({"username": "dave"})),
        )
        .await;
    assert_eq!(json_error(resp).await.0, StatusCode::BAD_REQUEST);
    let resp = idp
        .admin(
            Method::POST,
            "/tenants/x/clients",
            Some(json!({"client_id": "ops", "redirect_uris": [APP_REDIRECT]})),
        )
        .await;
    assert_eq!(json_error(resp).await.0, StatusCode::BAD_REQUEST);
    for path in [
        "/tenants/x/clients/nope/groups",
        "/tenants/x/users/nope/groups",
    ] {
        let resp = idp.admin(Method::PUT, path, Some(json!([]))).await;
        assert_eq!(json_error(resp).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let resp = idp
        .admin(Method::POST, "/tenants/x/users", Some(json!({"name": "x"})))
        .await;
    assert_eq!(json_error(resp).await.0, StatusCode::BAD_REQUEST);
    let resp = idp.admin(Method::GET, "/nothing/here", None).await;
    assert_eq!(json_error(resp).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_admin_token_guards_the_admin_api_only() {
    let idp = TestIdp::start_with_admin_token(Some("s3cret")).await;
    // With the token (the helper sends it).
    let t = idp.create(jumpcloud("x")).await;
    // Without, or with a wrong one.
    for auth in [
        None,
        Some("Bearer nope"),
        Some("Basic s3cret"),
        Some("s3cret"),
    ] {
        let mut rb = idp.http.get(idp.url("/admin/tenants"));
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        let resp = rb.send().await.unwrap();
        let (status, error, desc) = json_error(resp).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{auth:?}"
        );
        assert!(desc.contains("admin token"), "{desc}");
    }
    let resp = idp
        .http
        .delete(idp.url("/admin/tenants/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // The OpenID endpoints need no admin token.
    t.sign_in(&AuthParams::code_flow(), "alice").await;
    let resp = idp.admin(Method::GET, "/tenants/x", None).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_default_tenant_lives_at_the_root() {
    let running = stickler_idp::spawn("127.0.0.1:0".parse().unwrap(), None, None)
        .await
        .unwrap();
    let base = running.url();
    let info = running
        .idp
        .create_tenant(stickler_idp::demo::demo_tenant(
            &base,
            stickler_idp::Profile::Jumpcloud,
        ))
        .unwrap();
    assert_eq!(info.issuer, format!("{base}/"));
    let http = http_client();
    let disco: Value = http
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(disco["issuer"], format!("{base}/"));
    assert_eq!(
        disco["authorization_endpoint"],
        format!("{base}/oauth2/auth")
    );
    // Its callback page, for people trying the IdP by hand, shows the code.
    let callback = format!("{base}/_stickler/callback");
    let t = Tenant {
        http: http.clone(),
        name: "default".into(),
        base: base.clone(),
        issuer: info.issuer.clone(),
        info: Value::Null,
        disco,
    };
    let params = AuthParams::code_flow()
        .set("client_id", "demo-app")
        .set("redirect_uri", &callback);
    // The demo users' password is their name, not the tests' `<name>-pw`.
    let resp = t.login(&params, "alice").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let page = t.authorize(&params).await;
    let resp = t.submit_login(page, "alice", "alice").await;
    let loc = location(&resp);
    assert!(loc.starts_with(&callback), "{loc}");
    let html = http.get(&loc).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"code\">ory_ac_"), "{html}");
    // bob is not assigned to the demo app.
    let page = t.authorize(&params).await;
    let resp = t.submit_login(page, "bob", "bob").await;
    let html = http
        .get(location(&resp))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("access_denied"), "{html}");
    running.shutdown().await;
}

/// Sends one raw HTTP/1.1 request with the given `Host` header; `(status, body)`.
async fn raw(addr: std::net::SocketAddr, method: &str, path: &str, host: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn assert_admin_error(status: u16, body: &str, want_status: u16, want_error: &str) {
    assert_eq!(status, want_status, "{body}");
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    assert_eq!(v["error"], want_error, "{body}");
    assert!(
        v["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert_eq!(v.as_object().unwrap().len(), 2, "{body}");
}

#[tokio::test]
async fn without_a_token_only_loopback_or_public_hosts_reach_the_admin_api() {
    let idp = TestIdp::start().await;
    let addr = idp.running.addr;
    let port = addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "127.8.9.10".to_string(),
        format!("[::1]:{port}"),
    ] {
        let (status, body) = raw(addr, "GET", "/admin/tenants", &host).await;
        assert_eq!(status, 200, "{host}: {body}");
    }
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1.
    for host in [format!("evil.example:{port}"), "10.0.0.1".into(), "".into()] {
        let (status, body) = raw(addr, "GET", "/admin/tenants", &host).await;
        assert_admin_error(status, &body, 403, "forbidden_host");
    }
    // The tenant endpoints are not the admin API: they answer any host.
    let (status, _) = raw(
        addr,
        "GET",
        "/t/none/.well-known/openid-configuration",
        "evil.example",
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_public_url_host_reaches_the_admin_api_without_a_token() {
    let running = stickler_idp::spawn(
        "127.0.0.1:0".parse().unwrap(),
        Some("http://idp.example:9400".into()),
        None,
    )
    .await
    .unwrap();
    let (status, body) = raw(running.addr, "GET", "/admin/tenants", "idp.example:9400").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = raw(running.addr, "GET", "/admin/tenants", "other.example").await;
    assert_admin_error(status, &body, 403, "forbidden_host");
}

#[tokio::test]
async fn with_a_token_any_host_may_call_but_only_with_the_exact_token() {
    let idp = TestIdp::start_with_admin_token(Some("s3cret-token")).await;
    let addr = idp.running.addr;
    let (status, body) = raw(addr, "GET", "/admin/tenants", "evil.example").await;
    assert_admin_error(status, &body, 401, "unauthorized");
    for wrong in ["s3cret-toke", "s3cret-token2", "S3cret-token", ""] {
        let resp = idp
            .http
            .get(idp.url("/admin/tenants"))
            .bearer_auth(wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{wrong}");
    }
    let resp = idp.admin(Method::GET, "/tenants", None).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_methods_and_unknown_admin_paths_answer_json() {
    let idp = TestIdp::start().await;
    idp.create(jumpcloud("x")).await;
    for (method, path) in [
        (Method::PUT, "/tenants"),
        (Method::POST, "/tenants/x"),
        (Method::GET, "/tenants/x/keys/rotate"),
        (Method::DELETE, "/profiles"),
        (Method::PATCH, "/tenants/x/journal"),
    ] {
        let resp = idp.admin(method.clone(), path, None).await;
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        assert_admin_error(status, &body, 405, "method_not_allowed");
        let _ = (method, path);
    }
    for path in [
        "/nothing",
        "/tenants/x/nothing",
        "/tenants/x/clients/app/nothing",
    ] {
        let resp = idp.admin(Method::GET, path, None).await;
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        assert_admin_error(status, &body, 404, "not_found");
    }
}

#[tokio::test]
async fn tenants_past_the_cap_are_refused_with_507() {
    let idp = TestIdp::start().await;
    idp.running.idp.set_max_tenants(2);
    idp.create(jumpcloud("a")).await;
    idp.create(jumpcloud("b")).await;
    let resp = idp
        .admin(Method::POST, "/tenants", Some(jumpcloud("c")))
        .await;
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    assert_admin_error(status, &body, 507, "too_many_tenants");
    assert!(body.contains("at most 2 tenants"), "{body}");
    // Deleting one makes room.
    idp.admin(Method::DELETE, "/tenants/a", None).await;
    idp.create(jumpcloud("c")).await;
}
