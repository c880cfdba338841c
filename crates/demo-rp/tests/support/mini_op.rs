//! A scripted OpenID Provider for the demo app's tests: discovery, JWKS, an authorize
//! endpoint that answers at once, a token endpoint whose ID token can be tampered with,
//! and userinfo. Only what the demo app needs; the real fake IdP is `stickler-idp`.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// The client id the demo app is started with; generated ids may start with `-`.
pub const CLIENT_ID: &str = "-d3mo-app";
/// The signed-in user's subject.
pub const SUB: &str = "u-carol";
/// The signed-in user's email.
pub const EMAIL: &str = "carol@example.com";

const KEY_PEMS: [&str; 2] = [
    include_str!("../keys/rsa-a.pem"),
    include_str!("../keys/rsa-b.pem"),
];

/// One way the next ID token or userinfo answer goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// Nothing: a valid sign-in.
    Nothing,
    /// `iss` is another issuer.
    WrongIssuer,
    /// `aud` is another client.
    WrongAudience,
    /// `azp` names another client.
    ForeignAzp,
    /// The signature does not verify.
    BadSignature,
    /// `alg: none`, no signature.
    AlgNone,
    /// `exp` is an hour ago.
    Expired,
    /// `nonce` is not the one sent.
    WrongNonce,
    /// Userinfo speaks of another subject.
    UserinfoOtherSub,
    /// No `sub` in the ID token.
    MissingSub,
    /// No `iat` in the ID token.
    MissingIat,
    /// `iat` (and `exp`) a day in the future.
    IatInFuture,
    /// `at_hash` does not hash the access token.
    WrongAtHash,
    /// `email_verified` is the string "true", in the ID token and at userinfo.
    EmailVerifiedString,
    /// `email_verified` is the string "true" at userinfo only.
    UserinfoEmailVerifiedString,
    /// The ID token carries no email, name or groups; userinfo does.
    ThinIdToken,
    /// No `kid` in the header; the JWKS has one key, without `kid`.
    NoKid,
    /// No `kid` in the header; the JWKS has both keys, without `kid`, and the second
    /// one signs.
    NoKidSeveralKeys,
    /// The discovery document names another issuer (`{issuer}INVALID`).
    DiscoveryWrongIssuer,
}

/// The `Authorization` header and form of a token request.
pub type TokenRequest = (Option<String>, HashMap<String, String>);

/// `at_hash` of the access token `at-1` (left half of its SHA-256, base64url).
const AT_HASH: &str = "R8PYaIQdcYEdkSc9TeGyiQ";

struct Key {
    kid: String,
    encoding: EncodingKey,
    jwk: Jwk,
}

struct OpState {
    issuer: String,
    keys: Vec<Key>,
    /// Index of the key that signs; only it is published.
    current: usize,
    tamper: Tamper,
    /// The groups claim value in the ID token (None: absent).
    id_token_groups: Option<Value>,
    /// The groups claim value in userinfo (None: absent).
    userinfo_groups: Option<Value>,
    /// The nonce sent with each code.
    codes: HashMap<String, Option<String>>,
    /// The query of the last authorization request.
    last_authorize: HashMap<String, String>,
    /// The `Authorization` header and form of every token request, in order.
    token_requests: Vec<TokenRequest>,
    /// Refuse client_secret_basic with 401 `invalid_client`, before the code is looked
    /// at (as fosite does for a client registered for client_secret_post).
    post_only: bool,
    /// How many userinfo requests were answered.
    userinfo_calls: usize,
}

/// A running scripted OP.
pub struct MiniOp {
    /// The issuer, with a path and a trailing slash, as JumpCloud publishes it.
    pub issuer: String,
    state: Arc<Mutex<OpState>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MiniOp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl MiniOp {
    /// Starts on 127.0.0.1 with a random port.
    pub async fn start() -> MiniOp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}/t/demo/", listener.local_addr().unwrap());
        let keys = KEY_PEMS
            .iter()
            .enumerate()
            .map(|(i, pem)| {
                let kid = format!("key-{i}");
                let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
                let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).unwrap();
                jwk.common.key_id = Some(kid.clone());
                jwk.common.public_key_use = Some(PublicKeyUse::Signature);
                Key { kid, encoding, jwk }
            })
            .collect();
        let state = Arc::new(Mutex::new(OpState {
            issuer: issuer.clone(),
            keys,
            current: 0,
            tamper: Tamper::Nothing,
            id_token_groups: Some(json!("Engineering")),
            userinfo_groups: None,
            codes: HashMap::new(),
            last_authorize: HashMap::new(),
            token_requests: Vec::new(),
            post_only: false,
            userinfo_calls: 0,
        }));
        let routes = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/logout", get(|| async { "signed out" }));
        let app = Router::new()
            .nest("/t/demo", routes)
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        MiniOp {
            issuer,
            state,
            task,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut OpState) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// Makes the next ID tokens (or userinfo answers) go wrong this way.
    pub fn tamper(&self, t: Tamper) {
        self.with(|s| s.tamper = t);
    }

    /// Rotates to the second key: it signs and only it is published.
    pub fn rotate_key(&self) {
        self.with(|s| s.current = 1);
    }

    /// Sets the groups claim in the ID token and in userinfo.
    pub fn groups(&self, in_id_token: Option<Value>, in_userinfo: Option<Value>) {
        self.with(|s| {
            s.id_token_groups = in_id_token;
            s.userinfo_groups = in_userinfo;
        });
    }

    /// The query of the last authorization request.
    pub fn last_authorize(&self) -> HashMap<String, String> {
        self.with(|s| s.last_authorize.clone())
    }

    /// How many userinfo requests were answered so far.
    pub fn userinfo_calls(&self) -> usize {
        self.with(|s| s.userinfo_calls)
    }

    /// The `Authorization` header and form of the last token request.
    pub fn last_token(&self) -> Option<TokenRequest> {
        self.with(|s| s.token_requests.last().cloned())
    }

    /// Every token request so far, in order.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.with(|s| s.token_requests.clone())
    }

    /// From now on, client_secret_basic is refused with 401 `invalid_client` before
    /// the code is looked at: only client_secret_post signs in.
    pub fn require_post(&self) {
        self.with(|s| s.post_only = true);
    }
}

type Shared = State<Arc<Mutex<OpState>>>;

async fn discovery(State(s): Shared) -> Json<Value> {
    let (issuer, tamper) = {
        let s = s.lock().unwrap();
        (s.issuer.clone(), s.tamper)
    };
    let named = if tamper == Tamper::DiscoveryWrongIssuer {
        format!("{issuer}INVALID")
    } else {
        issuer.clone()
    };
    Json(json!({
        "issuer": named,
        "authorization_endpoint": format!("{issuer}authorize"),
        "token_endpoint": format!("{issuer}token"),
        "userinfo_endpoint": format!("{issuer}userinfo"),
        "jwks_uri": format!("{issuer}jwks"),
        "end_session_endpoint": format!("{issuer}logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
}

async fn jwks(State(s): Shared) -> Json<Value> {
    let s = s.lock().unwrap();
    let without_kid = |k: &Key| {
        let mut jwk = k.jwk.clone();
        jwk.common.key_id = None;
        jwk
    };
    match s.tamper {
        Tamper::NoKid => Json(json!({ "keys": [without_kid(&s.keys[s.current])] })),
        Tamper::NoKidSeveralKeys => {
            let keys: Vec<Jwk> = s.keys.iter().map(without_kid).collect();
            Json(json!({ "keys": keys }))
        }
        _ => Json(json!({ "keys": [s.keys[s.current].jwk] })),
    }
}

async fn authorize(State(s): Shared, Query(q): Query<HashMap<String, String>>) -> Response {
    let code = format!("code-{}", rand_suffix());
    let mut s = s.lock().unwrap();
    s.codes.insert(code.clone(), q.get("nonce").cloned());
    s.last_authorize = q.clone();
    let mut target = url::Url::parse(&q["redirect_uri"]).unwrap();
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = q.get("state") {
        target.query_pairs_mut().append_pair("state", state);
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

fn rand_suffix() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

async fn token(
    State(s): Shared,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut s = s.lock().unwrap();
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let basic = auth.as_deref().is_some_and(|a| a.starts_with("Basic "));
    s.token_requests.push((auth, form.clone()));
    if s.post_only && (basic || !form.contains_key("client_secret")) {
        // Client authentication comes first: the code stays unused.
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({
                "error": "invalid_client",
                "error_description": "Client authentication failed.",
            })),
        )
            .into_response();
    }
    let Some(nonce) = form.get("code").and_then(|c| s.codes.remove(c)) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    let t = s.tamper;
    let mut claims = json!({
        "iss": if t == Tamper::WrongIssuer { "http://127.0.0.1:1/evil/".to_string() } else { s.issuer.clone() },
        "sub": SUB,
        "aud": if t == Tamper::WrongAudience { "another-app" } else { CLIENT_ID },
        "iat": now(),
        "exp": if t == Tamper::Expired { now() - 3600 } else { now() + 300 },
        "email": EMAIL,
        "name": "Carol Example",
    });
    if t == Tamper::ForeignAzp {
        claims["azp"] = json!("another-app");
    }
    claims["at_hash"] = json!(if t == Tamper::WrongAtHash {
        "AAAAAAAAAAAAAAAAAAAAAA"
    } else {
        AT_HASH
    });
    claims["email_verified"] = if t == Tamper::EmailVerifiedString {
        json!("true")
    } else {
        json!(true)
    };
    let c = claims.as_object_mut().unwrap();
    match t {
        Tamper::MissingSub => {
            c.remove("sub");
        }
        Tamper::MissingIat => {
            c.remove("iat");
        }
        Tamper::IatInFuture => {
            c.insert("iat".into(), json!(now() + 86_400));
            c.insert("exp".into(), json!(now() + 86_400 + 3600));
        }
        _ => {}
    }
    let nonce = if t == Tamper::WrongNonce {
        Some("not-the-nonce-you-sent".to_string())
    } else {
        nonce
    };
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    if let Some(g) = &s.id_token_groups {
        claims["memberOf"] = g.clone();
    }
    if t == Tamper::ThinIdToken {
        let c = claims.as_object_mut().unwrap();
        for k in ["email", "email_verified", "name", "memberOf"] {
            c.remove(k);
        }
    }
    let key = if t == Tamper::NoKidSeveralKeys {
        &s.keys[1]
    } else {
        &s.keys[s.current]
    };
    let id_token = match t {
        Tamper::AlgNone => format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        ),
        _ => {
            let mut header = Header::new(Algorithm::RS256);
            if !matches!(t, Tamper::NoKid | Tamper::NoKidSeveralKeys) {
                header.kid = Some(key.kid.clone());
            }
            let jwt = jsonwebtoken::encode(&header, &claims, &key.encoding).unwrap();
            if t == Tamper::BadSignature {
                // Another payload under the same signature.
                let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
                claims["name"] = json!("Mallory");
                parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
                parts.join(".")
            } else {
                jwt
            }
        }
    };
    Json(json!({
        "access_token": "at-1",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

async fn userinfo(State(s): Shared, headers: HeaderMap) -> Response {
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some("Bearer at-1")
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_token"})),
        )
            .into_response();
    }
    let mut s = s.lock().unwrap();
    s.userinfo_calls += 1;
    let sub = if s.tamper == Tamper::UserinfoOtherSub {
        "u-mallory"
    } else {
        SUB
    };
    let verified = if matches!(
        s.tamper,
        Tamper::EmailVerifiedString | Tamper::UserinfoEmailVerifiedString
    ) {
        json!("true")
    } else {
        json!(true)
    };
    let mut body = json!({
        "sub": sub,
        "email": EMAIL,
        "email_verified": verified,
        "name": "Carol Example",
    });
    if s.tamper == Tamper::ThinIdToken && s.userinfo_groups.is_none() {
        body["memberOf"] = json!("Engineering");
    }
    if let Some(g) = &s.userinfo_groups {
        body["memberOf"] = g.clone();
    }
    Json(body).into_response()
}
