//! `demo-api`: Stickler's demo API, a resource server that takes bearer tokens
//! (RFC 6750) the way jitsudo's server does: it validates the signature against the
//! JWKS named by discovery (fetched again on an unknown `kid`), `iss`, `aud`, `exp`,
//! `nbf` and the algorithm, then lets users of the allowed groups in. Correct by
//! default, with one `--bug` switch per mistake a `features/bearer_api` check catches.

mod bugs;
#[path = "../jose.rs"]
#[allow(dead_code, reason = "shared with demo-rp, which uses the rest")]
mod jose;
mod verify;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bugs::{Bug, Bugs};
use clap::Parser;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::Mutex;
use verify::{Answer, Expect, SignatureRule};

/// Stickler's demo API: validates bearer tokens from an OpenID Connect IdP, correct by
/// default, with one --bug switch per mistake.
#[derive(Debug, Parser)]
#[command(
    name = "demo-api",
    version,
    after_help = "Bug switches (--bug NAME, repeatable or comma-separated; env DEMO_API_BUGS):\n  skips-signature, accepts-alg-none, accepts-hs256, ignores-aud, ignores-exp, ignores-nbf,\n  ignores-iss, crash-on-bad-token, no-jwks-refresh, groups-string-crash, missing-groups-allowed,\n  issuer-slash-mismatch\n(see the README's `demo-api` section)"
)]
struct Args {
    /// The issuer exactly as the IdP publishes it.
    #[arg(long, env = "DEMO_API_ISSUER")]
    issuer: String,
    /// This API's own audience (the `aud` a token for it carries).
    #[arg(long, env = "DEMO_API_AUDIENCE", default_value = "jitsudo-server")]
    audience: String,
    /// Address to listen on, e.g. 127.0.0.1:8080.
    #[arg(long, env = "DEMO_API_LISTEN")]
    listen: SocketAddr,
    /// Name of the groups claim.
    #[arg(long, env = "DEMO_API_GROUPS_CLAIM", default_value = "groups")]
    groups_claim: String,
    /// Groups that may use the API (comma-separated; any one suffices).
    #[arg(
        long,
        env = "DEMO_API_ALLOWED_GROUPS",
        default_value = "Engineering",
        value_delimiter = ','
    )]
    allowed_groups: Vec<String>,
    /// The API's client secret at the IdP; only the `accepts-hs256` bug uses it.
    #[arg(long, env = "DEMO_API_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// A mistake to make (repeatable or comma-separated; listed below).
    #[arg(
        long = "bug",
        value_name = "NAME",
        env = "DEMO_API_BUGS",
        value_delimiter = ','
    )]
    bugs: Vec<String>,
}

struct Api {
    expect: Expect,
    bugs: Bugs,
    secret: Option<String>,
    jwks_uri: String,
    http: reqwest::Client,
    /// The keys last fetched; `None` before the first request.
    keys: Mutex<Option<JwkSet>>,
}

impl Api {
    async fn fetch_keys(&self) -> Result<JwkSet, String> {
        let r = self
            .http
            .get(&self.jwks_uri)
            .send()
            .await
            .map_err(|e| format!("cannot fetch the JWKS {}: {e}", self.jwks_uri))?;
        r.json::<JwkSet>()
            .await
            .map_err(|e| format!("the JWKS {} does not parse: {e}", self.jwks_uri))
    }

    /// The key for `kid`: from the cached set, else from a fresh fetch (unless the
    /// `no-jwks-refresh` bug keeps the first set forever).
    async fn key(&self, kid: Option<&str>) -> Result<jsonwebtoken::jwk::Jwk, String> {
        let mut keys = self.keys.lock().await;
        let find = |set: &JwkSet| match kid {
            Some(k) => set.find(k).cloned(),
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        };
        if let Some(k) = keys.as_ref().and_then(find) {
            return Ok(k);
        }
        if keys.is_none() || !self.bugs.has(Bug::NoJwksRefresh) {
            *keys = Some(self.fetch_keys().await?);
        }
        keys.as_ref().and_then(find).ok_or_else(|| match kid {
            Some(k) => format!("no key `{k}` in the IdP's JWKS"),
            None => "the token names no kid and the JWKS has several keys".into(),
        })
    }

    /// The verified claims, or why the token is not valid.
    async fn verified(&self, token: &str) -> Result<Map<String, Value>, String> {
        let jws = jose::Jws::parse(token)?;
        let alg = jws.header.get("alg").and_then(Value::as_str).unwrap_or("");
        let rule = verify::signature_rule(alg, &self.bugs)?;
        let (key, alg) = match rule {
            SignatureRule::Skip => return Ok(jws.payload),
            SignatureRule::ClientSecret => (
                DecodingKey::from_secret(self.secret.as_deref().unwrap_or("").as_bytes()),
                Algorithm::HS256,
            ),
            SignatureRule::Jwks => {
                let jwk = self.key(jws.kid()).await?;
                let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable key: {e}"))?;
                (key, Algorithm::from_str(alg).map_err(|e| e.to_string())?)
            }
        };
        // Claims are checked by `verify::check_claims`, with the bugs applied.
        let mut v = Validation::new(alg);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v)
            .map(|d| d.claims)
            .map_err(|e| format!("the signature does not verify: {e}"))
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn answer(a: Answer) -> Response {
    let challenge = |error: &str, why: &str| {
        format!(
            "Bearer error=\"{error}\", error_description=\"{}\"",
            why.replace(['"', '\\'], "'")
        )
    };
    match a {
        Answer::Ok(body) => (StatusCode::OK, axum::Json(body)).into_response(),
        Answer::Invalid(why) => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge("invalid_token", &why))],
            axum::Json(json!({"error": "invalid_token", "error_description": why})),
        )
            .into_response(),
        Answer::Forbidden(why) => (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"error": "forbidden", "error_description": why})),
        )
            .into_response(),
        Answer::Crash(why) => {
            eprintln!("demo-api: unhandled error: {why}");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
    }
}

async fn whoami(State(api): State<Arc<Api>>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer".to_string())],
            axum::Json(json!({"error": "invalid_request", "error_description": "no bearer token"})),
        )
            .into_response();
    };
    let a = match api.verified(token).await {
        Ok(claims) => {
            let now = chrono::Utc::now().timestamp();
            verify::check_claims(&claims, &api.expect, now, &api.bugs)
        }
        Err(why) if api.bugs.has(Bug::CrashOnBadToken) => Answer::Crash(why),
        Err(why) => Answer::Invalid(why),
    };
    answer(a)
}

async fn discover(http: &reqwest::Client, issuer: &str) -> Result<String, String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    for _ in 0..25 {
        if let Ok(r) = http.get(&url).send().await
            && let Ok(doc) = r.json::<Value>().await
        {
            return doc["jwks_uri"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{url} names no jwks_uri"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    Err(format!("cannot fetch {url}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let bugs = match Bugs::parse(&args.bugs) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("demo-api: {e}");
            return ExitCode::from(2);
        }
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("a plain HTTP client builds");
    let jwks_uri = match discover(&http, &args.issuer).await {
        Ok(u) => u,
        Err(e) => {
            eprintln!("demo-api: {e}");
            return ExitCode::from(1);
        }
    };
    let api = Arc::new(Api {
        expect: Expect {
            issuer: match args.issuer.strip_suffix('/') {
                Some(bare) if bugs.has(Bug::IssuerSlashMismatch) => bare.to_string(),
                None if bugs.has(Bug::IssuerSlashMismatch) => format!("{}/", args.issuer),
                _ => args.issuer.clone(),
            },
            audience: args.audience.clone(),
            groups_claim: args.groups_claim,
            allowed_groups: args.allowed_groups,
        },
        bugs,
        secret: args.client_secret,
        jwks_uri,
        http,
        keys: Mutex::new(None),
    });
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("demo-api: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(1);
        }
    };
    println!(
        "demo-api listening on http://{} (issuer {}, audience {}, bugs: {:?})",
        args.listen, args.issuer, args.audience, args.bugs
    );
    let app = axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/whoami", get(whoami))
        .with_state(api);
    let stop = async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {},
        }
    };
    match axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-api: serving failed: {e}");
            ExitCode::from(1)
        }
    }
}
