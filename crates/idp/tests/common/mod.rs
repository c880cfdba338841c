//! What every IdP integration test needs: a real server on `127.0.0.1:0`, tenants created
//! through the admin API, a browserless login (authorize → login form → code), token
//! requests with each client-authentication style, and ID token decoding and verification.
//!
//! Not every test binary uses every helper.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::{Client, Response, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use stickler_idp::RunningIdp;

/// The registered redirect URI of the test app.
pub const APP_REDIRECT: &str = "http://127.0.0.1:3000/callback";
/// The registered post-logout redirect URI of the test app.
pub const APP_LOGOUT: &str = "http://127.0.0.1:3000/";
/// The test app's client id.
pub const CLIENT_ID: &str = "app";
/// The test app's secret.
pub const CLIENT_SECRET: &str = "app-secret";
/// A state long enough for fosite (14 bytes).
pub const STATE: &str = "state-12345678";
/// A nonce long enough for fosite (14 bytes).
pub const NONCE: &str = "nonce-12345678";
/// A valid PKCE verifier (43 characters).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// fosite's base description of `invalid_request`.
pub const INVALID_REQUEST: &str = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.";
/// fosite's base description of `invalid_client`.
pub const INVALID_CLIENT: &str = "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).";
/// fosite's base description of `invalid_grant`.
pub const INVALID_GRANT: &str = "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";

/// A client for talking to the IdP: never follows redirects, never uses a proxy.
pub fn http_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// A running IdP and a client for it.
pub struct TestIdp {
    /// The server (stopped when dropped).
    pub running: RunningIdp,
    /// The HTTP client.
    pub http: Client,
    admin_token: Option<String>,
}

impl TestIdp {
    /// Spawns an IdP without an admin token.
    pub async fn start() -> TestIdp {
        Self::start_with_admin_token(None).await
    }

    /// Spawns an IdP; with a token every admin call must carry it.
    pub async fn start_with_admin_token(token: Option<&str>) -> TestIdp {
        let running = stickler_idp::spawn(
            "127.0.0.1:0".parse().unwrap(),
            None,
            token.map(str::to_string),
        )
        .await
        .expect("spawn the IdP");
        TestIdp {
            running,
            http: http_client(),
            admin_token: token.map(str::to_string),
        }
    }

    /// An absolute URL on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    /// An admin call (`path` below `/admin`), with the admin token when there is one.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut rb = self
            .http
            .request(method, self.url(&format!("/admin{path}")));
        if let Some(t) = &self.admin_token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send().await.expect("admin request")
    }

    /// Creates a tenant through the admin API (asserting `201`).
    pub async fn create(&self, spec: Value) -> Tenant {
        let resp = self
            .admin(reqwest::Method::POST, "/tenants", Some(spec))
            .await;
        let status = resp.status();
        let info: Value = resp.json().await.expect("tenant info JSON");
        assert_eq!(status, StatusCode::CREATED, "create tenant: {info}");
        let name = info["name"].as_str().unwrap().to_string();
        let mut t = Tenant {
            http: self.http.clone(),
            base: self.url(&format!("/t/{name}")),
            issuer: info["issuer"].as_str().unwrap().to_string(),
            name,
            info,
            disco: Value::Null,
        };
        t.reload().await;
        t
    }

    /// Changes quirks at runtime (asserting `200`).
    pub async fn patch_quirks(&self, tenant: &mut Tenant, quirks: Value) {
        let resp = self
            .admin(
                reqwest::Method::PATCH,
                &format!("/tenants/{}/quirks", tenant.name),
                Some(quirks),
            )
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::OK,
            "{}",
            resp.text().await.unwrap()
        );
        tenant.reload().await;
    }

    /// The tenant's journal.
    pub async fn journal(&self, tenant: &str) -> Vec<Value> {
        let resp = self
            .admin(
                reqwest::Method::GET,
                &format!("/tenants/{tenant}/journal"),
                None,
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json().await.unwrap()
    }
}

/// The standard tenant: one confidential client (`app`, auth method from the profile)
/// bound to `Engineering` and `Admins`; alice (Engineering), carol (Engineering, Admins,
/// Sales) and bob (Sales, so unassigned).
pub fn spec(name: &str, profile: &str) -> Value {
    json!({
        "name": name,
        "profile": profile,
        "clients": [{
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "name": "App",
            "redirect_uris": [APP_REDIRECT],
            "post_logout_redirect_uris": [APP_LOGOUT],
            "groups": ["Engineering", "Admins"],
        }],
        "users": [
            {"username": "alice", "password": "alice-pw", "groups": ["Engineering"]},
            {"username": "carol", "password": "carol-pw", "groups": ["Engineering", "Admins", "Sales"]},
            {"username": "bob", "password": "bob-pw", "groups": ["Sales"]},
        ],
    })
}

/// The standard tenant on the `jumpcloud` profile.
pub fn jumpcloud(name: &str) -> Value {
    spec(name, "jumpcloud")
}

/// The standard tenant on the `lenient` profile.
pub fn lenient(name: &str) -> Value {
    spec(name, "lenient")
}

/// A spec with quirk overrides.
pub fn with_quirks(mut spec: Value, quirks: Value) -> Value {
    spec["quirks"] = quirks;
    spec
}

/// A spec whose client uses another token endpoint auth method.
pub fn with_auth_method(mut spec: Value, method: &str) -> Value {
    spec["clients"][0]["token_endpoint_auth_method"] = json!(method);
    spec
}

/// Authorization request parameters, in order.
#[derive(Debug, Clone)]
pub struct AuthParams(pub Vec<(String, String)>);

impl AuthParams {
    /// A correct code-flow request of the test app: openid email profile, state, nonce.
    pub fn code_flow() -> AuthParams {
        AuthParams(
            [
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", APP_REDIRECT),
                ("scope", "openid email profile"),
                ("state", STATE),
                ("nonce", NONCE),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        )
    }

    /// Sets (or adds) a parameter.
    pub fn set(mut self, k: &str, v: &str) -> Self {
        match self.0.iter_mut().find(|(n, _)| n == k) {
            Some(p) => p.1 = v.to_string(),
            None => self.0.push((k.to_string(), v.to_string())),
        }
        self
    }

    /// Adds a parameter even when it is already there.
    pub fn add(mut self, k: &str, v: &str) -> Self {
        self.0.push((k.to_string(), v.to_string()));
        self
    }

    /// Removes a parameter.
    pub fn without(mut self, k: &str) -> Self {
        self.0.retain(|(n, _)| n != k);
        self
    }

    /// Adds an S256 challenge for `verifier`.
    pub fn pkce(self, verifier: &str) -> Self {
        self.set("code_challenge", &s256(verifier))
            .set("code_challenge_method", "S256")
    }

    /// A parameter's value.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
}

/// How a token request authenticates the client.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// `client_id` and `client_secret` in the form body.
    Post(&'a str, &'a str),
    /// `Authorization: Basic`, id and secret form-url-encoded first (RFC 6749 §2.3.1).
    Basic(&'a str, &'a str),
    /// `Authorization: Basic base64(<raw>)`, nothing encoded.
    RawBasic(&'a str),
    /// Both of the above (Basic encoded), as jumpserver does.
    Both(&'a str, &'a str),
    /// Only `client_id` in the body (public clients).
    IdOnly(&'a str),
    /// No credentials at all.
    None,
}

/// The test app with `client_secret_post`.
pub const POST: Auth<'static> = Auth::Post(CLIENT_ID, CLIENT_SECRET);
/// The test app with `client_secret_basic`.
pub const BASIC: Auth<'static> = Auth::Basic(CLIENT_ID, CLIENT_SECRET);

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_encode(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// One tenant of a [`TestIdp`], with its discovery document.
pub struct Tenant {
    /// The HTTP client.
    pub http: Client,
    /// The tenant name.
    pub name: String,
    /// `http://127.0.0.1:P/t/<name>` (no trailing slash).
    pub base: String,
    /// The issuer as the admin API reported it.
    pub issuer: String,
    /// What the admin API answered at creation.
    pub info: Value,
    /// The discovery document.
    pub disco: Value,
}

impl Tenant {
    /// An absolute URL below the tenant.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Fetches discovery again (after a quirk change).
    pub async fn reload(&mut self) {
        let at = self.info["discovery_url"].as_str().unwrap().to_string();
        let resp = self.http.get(at).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        self.disco = resp.json().await.unwrap();
    }

    /// An endpoint from discovery, e.g. `token_endpoint`.
    pub fn endpoint(&self, key: &str) -> String {
        self.disco[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in discovery: {}", self.disco))
            .to_string()
    }

    /// `GET` the authorization endpoint.
    pub async fn authorize(&self, params: &AuthParams) -> Response {
        self.http
            .get(self.endpoint("authorization_endpoint"))
            .query(&params.0)
            .send()
            .await
            .unwrap()
    }

    /// Fills the login form of an authorize answer and submits it.
    pub async fn submit_login(&self, login_page: Response, user: &str, password: &str) -> Response {
        assert_eq!(
            login_page.status(),
            StatusCode::OK,
            "expected the login page"
        );
        let html = login_page.text().await.unwrap();
        let form = LoginForm::parse(&html);
        self.http
            .post(&form.action)
            .form(&[
                ("login_challenge", form.challenge.as_str()),
                ("username", user),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Authorize, then sign in as `user` (password `<user>-pw`); the login POST's answer.
    pub async fn login(&self, params: &AuthParams, user: &str) -> Response {
        let page = self.authorize(params).await;
        self.submit_login(page, user, &format!("{user}-pw")).await
    }

    /// A full login that must succeed: the code from the `303` back to the app.
    pub async fn code(&self, params: &AuthParams, user: &str) -> String {
        let resp = self.login(params, user).await;
        let status = resp.status();
        let loc = location(&resp);
        assert!(
            status == StatusCode::SEE_OTHER || status == StatusCode::FOUND,
            "login answered {status} {loc}"
        );
        let q = query_of(&loc);
        assert_eq!(
            q.get("state").map(String::as_str),
            params.get("state"),
            "{loc}"
        );
        q.get("code")
            .unwrap_or_else(|| panic!("no code in {loc}"))
            .clone()
    }

    /// `POST` the token endpoint.
    pub async fn token(&self, auth: Auth<'_>, form: &[(&str, &str)]) -> Response {
        let mut body: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut rb = self.http.post(self.endpoint("token_endpoint"));
        let basic = |id: &str, secret: &str| {
            format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{}", form_encode(id), form_encode(secret)))
            )
        };
        match auth {
            Auth::Post(id, secret) => {
                body.push(("client_id".into(), id.into()));
                body.push(("client_secret".into(), secret.into()));
            }
            Auth::Basic(id, secret) => rb = rb.header(header::AUTHORIZATION, basic(id, secret)),
            Auth::RawBasic(raw) => {
                rb = rb.header(
                    header::AUTHORIZATION,
                    format!("Basic {}", STANDARD.encode(raw)),
                )
            }
            Auth::Both(id, secret) => {
                rb = rb.header(header::AUTHORIZATION, basic(id, secret));
                body.push(("client_id".into(), id.into()));
                body.push(("client_secret".into(), secret.into()));
            }
            Auth::IdOnly(id) => body.push(("client_id".into(), id.into())),
            Auth::None => {}
        }
        rb.form(&body).send().await.unwrap()
    }

    /// Exchanges a code for the default redirect URI, authenticating with `auth`.
    pub async fn exchange(&self, auth: Auth<'_>, code: &str, verifier: Option<&str>) -> Response {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", APP_REDIRECT),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        self.token(auth, &form).await
    }

    /// A successful exchange's JSON.
    pub async fn tokens(&self, code: &str, verifier: Option<&str>) -> Value {
        let resp = self.exchange(POST, code, verifier).await;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "token: {body}");
        body
    }

    /// Signs `user` in with `params` and exchanges the code (`client_secret_post`).
    pub async fn sign_in(&self, params: &AuthParams, user: &str) -> Value {
        let code = self.code(params, user).await;
        self.tokens(&code, None).await
    }

    /// `GET` userinfo with a bearer token.
    pub async fn userinfo(&self, access_token: &str) -> Response {
        self.http
            .get(self.endpoint("userinfo_endpoint"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
    }

    /// The userinfo answer (as JSON) for a token response's access token.
    pub async fn userinfo_of(&self, tokens: &Value) -> Value {
        let token = tokens["access_token"].as_str().expect("an access token");
        self.userinfo(token)
            .await
            .json()
            .await
            .expect("userinfo JSON")
    }

    /// The JWKS.
    pub async fn jwks(&self) -> jsonwebtoken::jwk::JwkSet {
        self.http
            .get(self.endpoint("jwks_uri"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Verifies an ID token's signature with the published JWKS (by `kid`), its `iss`
    /// (exactly this tenant's issuer) and `aud` (the test app); returns its claims.
    pub async fn verify_id_token(&self, jwt: &str) -> Value {
        let header = jsonwebtoken::decode_header(jwt).expect("JWT header");
        let kid = header.kid.clone().expect("kid in the header");
        let jwks = self.jwks().await;
        let jwk = jwks
            .find(&kid)
            .unwrap_or_else(|| panic!("kid {kid} not in JWKS"));
        let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
        let mut v = jsonwebtoken::Validation::new(header.alg);
        v.set_audience(&[CLIENT_ID]);
        v.set_issuer(&[&self.issuer]);
        jsonwebtoken::decode::<Value>(jwt, &key, &v)
            .expect("ID token verifies")
            .claims
    }
}

/// The login form of the IdP's login page.
#[derive(Debug)]
pub struct LoginForm {
    /// Where it posts.
    pub action: String,
    /// The hidden `login_challenge`.
    pub challenge: String,
}

impl LoginForm {
    /// Reads the form out of the page's HTML.
    pub fn parse(html: &str) -> LoginForm {
        let attr = |from: &str, name: &str| -> String {
            let start = from
                .find(&format!("{name}=\""))
                .unwrap_or_else(|| panic!("no {name} in {from}"))
                + name.len()
                + 2;
            let end = from[start..].find('"').unwrap() + start;
            from[start..end].replace("&amp;", "&")
        };
        let form = &html[html.find("id=\"stickler-login\"").expect("login form")..];
        let hidden = &html[html
            .find("name=\"login_challenge\"")
            .expect("login_challenge input")..];
        LoginForm {
            action: attr(form, "action"),
            challenge: attr(hidden, "value"),
        }
    }
}

/// The `Location` header.
pub fn location(resp: &Response) -> String {
    resp.headers()
        .get(header::LOCATION)
        .unwrap_or_else(|| panic!("no Location in a {} answer", resp.status()))
        .to_str()
        .unwrap()
        .to_string()
}

/// The query parameters of a URL (each must appear once).
pub fn query_of(url: &str) -> BTreeMap<String, String> {
    let u = url::Url::parse(url).unwrap();
    let mut out = BTreeMap::new();
    for (k, v) in u.query_pairs() {
        assert!(
            out.insert(k.to_string(), v.to_string()).is_none(),
            "{k} repeated in {url}"
        );
    }
    out
}

/// A URL without its query.
pub fn without_query(url: &str) -> String {
    url.split('?').next().unwrap().to_string()
}

/// Asserts a JSON OAuth error answer: status, `error`, exact `error_description`, the
/// fosite content type and `Cache-Control: no-store`. Returns the headers.
pub async fn assert_json_error(
    resp: Response,
    status: StatusCode,
    error: &str,
    description: &str,
) -> header::HeaderMap {
    let headers = resp.headers().clone();
    let got = resp.status();
    let body = resp.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert_eq!(
        headers.get(header::CONTENT_TYPE).unwrap(),
        "application/json;charset=UTF-8",
        "{body}"
    );
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    assert_eq!(v["error"], error, "{body}");
    assert_eq!(v["error_description"], description, "{body}");
    assert_eq!(
        v.as_object().unwrap().len(),
        2,
        "only error and description: {body}"
    );
    headers
}

/// A JSON error's `(status, error, error_description)`, checking the shape only.
pub async fn json_error(resp: Response) -> (StatusCode, String, String) {
    let status = resp.status();
    let body = resp.text().await.unwrap();
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    (
        status,
        v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error: {body}"))
            .to_string(),
        v["error_description"]
            .as_str()
            .unwrap_or_else(|| panic!("no error_description: {body}"))
            .to_string(),
    )
}

/// Asserts a fosite authorize error redirect to the app: `303`, `no-store`, the app's
/// redirect URI, and exactly `error`, `error_description` and `state` (which fosite
/// always sends). Returns the Location.
pub fn assert_error_redirect(
    resp: &Response,
    error: &str,
    description: &str,
    state: &str,
) -> String {
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let loc = location(resp);
    assert_eq!(without_query(&loc), APP_REDIRECT, "{loc}");
    let q = query_of(&loc);
    assert_eq!(q.len(), 3, "error, error_description, state only: {loc}");
    assert_eq!(q["error"], error, "{loc}");
    assert_eq!(q["error_description"], description, "{loc}");
    assert_eq!(q["state"], state, "{loc}");
    loc
}

/// Asserts a fosite redirect to the IdP's own error page (`302`, no state); returns the
/// error page URL.
pub fn assert_error_page_redirect(
    tenant: &Tenant,
    resp: &Response,
    error: &str,
    description: &str,
) -> String {
    assert_eq!(resp.status(), StatusCode::FOUND);
    let loc = location(resp);
    assert_eq!(
        without_query(&loc),
        tenant.url("/oauth2/fallbacks/error"),
        "{loc}"
    );
    let q = query_of(&loc);
    assert_eq!(
        q.len(),
        2,
        "error and error_description only, no state: {loc}"
    );
    assert_eq!(q["error"], error, "{loc}");
    assert_eq!(q["error_description"], description, "{loc}");
    loc
}

/// fosite's description + " " + hint.
pub fn fosite(base: &str, hint: &str) -> String {
    format!("{base} {hint}")
}

/// PKCE S256 of a verifier.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A JWT's header and payload, not verified.
pub fn jwt_parts(jwt: &str) -> (Value, Value) {
    let mut it = jwt.split('.');
    let mut part = || -> Value {
        let bytes = URL_SAFE_NO_PAD
            .decode(it.next().expect("JWT part"))
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let h = part();
    let p = part();
    (h, p)
}

/// `at_hash` of an access token: left half of SHA-256, base64url.
pub fn at_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16])
}
