//! A bounded, seeded fuzz of every IdP endpoint over a real socket, on jumpcloud, lenient
//! and five vendor profiles (every error dialect, and the vendor layouts):
//! random and malformed parameters, methods, headers and bodies, mixed with real codes,
//! tokens and login challenges. Every answer must be below 500, no handler may panic,
//! and every error must come in its endpoint's format: OAuth JSON for token, userinfo,
//! revocation, discovery, JWKS, the device authorization endpoint and the admin API; a
//! redirect or an HTML page for the authorization, login, end-session and device
//! verification endpoints.
//!
//! `cargo test -p stickler-idp --test fuzz` runs 3,000 requests. The same at scale, with
//! a report of 5xx answers, panics, format violations and RSS growth:
//! `STICKLER_FUZZ_REQUESTS=1000000 cargo test --release -p stickler-idp --test fuzz -- --nocapture`.

mod common;

use common::*;
use reqwest::{Method, header};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use stickler_idp::layout::{EndpointLayout, EndpointPaths};

/// The fixed seed: a failure reproduces with the same request sequence per worker.
const SEED: u64 = 0x5711_c1e5_f022_0001;
/// Requests in a plain `cargo test`.
const DEFAULT_REQUESTS: usize = 3_000;
/// Concurrent workers, each with its own seeded generator.
const WORKERS: usize = 4;

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// xorshift64*: small, seedable, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What answers an endpoint may give.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// OAuth JSON errors (token, userinfo, revocation, discovery, JWKS, unknown paths).
    Json,
    /// The admin API: JSON errors too.
    Admin,
    /// Browser endpoints: a redirect or an HTML page (JSON only for 405 and 413).
    Browser,
    /// The pages for a person (callback, sign-in, exchange, journal): HTML, a redirect
    /// to the authorization endpoint, or JSON for 405.
    Page,
}

/// Codes, tokens and challenges from real flows, for requests that get further in.
struct Pool {
    codes: Vec<String>,
    access: Vec<String>,
    refresh: Vec<String>,
    id_tokens: Vec<String>,
    challenges: Vec<String>,
}

struct Target {
    name: &'static str,
    layout: EndpointLayout,
}

const TARGETS: [Target; 10] = [
    Target {
        name: "jc",
        layout: EndpointLayout::Hydra,
    },
    Target {
        name: "len",
        layout: EndpointLayout::Generic,
    },
    Target {
        name: "f1",
        layout: EndpointLayout::Hydra,
    },
    Target {
        name: "f2",
        layout: EndpointLayout::Generic,
    },
    Target {
        name: "nope",
        layout: EndpointLayout::Hydra,
    },
    // The vendor dialects and layouts, with the lenient tenant's codes and tokens.
    Target {
        name: "ok",
        layout: EndpointLayout::OktaCustom,
    },
    Target {
        name: "ms",
        layout: EndpointLayout::EntraCommon,
    },
    Target {
        name: "kc",
        layout: EndpointLayout::Keycloak,
    },
    Target {
        name: "ak",
        layout: EndpointLayout::Authentik,
    },
    Target {
        name: "gg",
        layout: EndpointLayout::Generic,
    },
];

/// The fuzz tenants on vendor profiles: (name, profile).
const VENDORS: [(&str, &str); 5] = [
    ("ok", "okta"),
    ("ms", "entra_common"),
    ("kc", "keycloak"),
    ("ak", "authentik"),
    ("gg", "google"),
];

const PARAM_NAMES: [&str; 33] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "prompt",
    "registration",
    "request",
    "grant_type",
    "code",
    "code_verifier",
    "refresh_token",
    "client_secret",
    "token",
    "access_token",
    "id_token_hint",
    "post_logout_redirect_uri",
    "login_challenge",
    "username",
    "password",
    "error",
    "error_description",
    "max_age",
    "ui_locales",
    "device_code",
    "user_code",
    "action",
    "",
    "\u{0}x",
];

fn garbage(rng: &mut Rng) -> String {
    const PIECES: [&str; 16] = [
        "a", "%", "%FF", "%00", "é", "\u{202e}", "\"", "'", "<script>", "&", "=", "+", " ", "\n",
        "🦀", "..",
    ];
    let n = rng.below(12);
    (0..n).map(|_| *rng.pick(&PIECES)).collect()
}

fn value(rng: &mut Rng, name: &str, pool: &Pool) -> String {
    let good = |rng: &mut Rng| -> String {
        match name {
            "response_type" => rng
                .pick(&["code", "token", "id_token", "code id_token", "none"])
                .to_string(),
            "client_id" => rng
                .pick(&[CLIENT_ID, "public", "nobody", "narrow"])
                .to_string(),
            "redirect_uri" | "post_logout_redirect_uri" => rng
                .pick(&[
                    APP_REDIRECT,
                    APP_LOGOUT,
                    "http://127.0.0.1:9/callback",
                    "http://evil.example/",
                    "not a url",
                    "http://127.0.0.1:3000/callback#x",
                ])
                .to_string(),
            "scope" => rng
                .pick(&[
                    "openid",
                    "openid email profile",
                    "openid offline",
                    "groups",
                    "openid  email",
                    "",
                ])
                .to_string(),
            "state" | "nonce" => "x".repeat(rng.below(20)),
            "code_challenge" => s256(VERIFIER),
            "code_challenge_method" => rng.pick(&["S256", "plain", "s256", "RS256"]).to_string(),
            "code_verifier" => rng.pick(&[VERIFIER, "short", &"v".repeat(200)]).to_string(),
            "response_mode" => rng
                .pick(&["query", "fragment", "form_post", "jwt"])
                .to_string(),
            "prompt" => rng
                .pick(&["none", "login", "consent", "login none", "bogus"])
                .to_string(),
            "grant_type" => rng
                .pick(&[
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                    "password",
                    "urn:ietf:params:oauth:grant-type:device_code",
                    "urn:x",
                ])
                .to_string(),
            "code" if !pool.codes.is_empty() => rng.pick(&pool.codes).clone(),
            "refresh_token" if !pool.refresh.is_empty() => rng.pick(&pool.refresh).clone(),
            "token" | "access_token" if !pool.access.is_empty() => rng.pick(&pool.access).clone(),
            "id_token_hint" if !pool.id_tokens.is_empty() => rng.pick(&pool.id_tokens).clone(),
            "login_challenge" if !pool.challenges.is_empty() => rng.pick(&pool.challenges).clone(),
            "client_secret" => rng.pick(&[CLIENT_SECRET, "wrong", ""]).to_string(),
            "username" => rng.pick(&["alice", "bob", "carol", "nobody"]).to_string(),
            "password" => rng.pick(&["alice-pw", "bob-pw", "wrong"]).to_string(),
            "action" => rng
                .pick(&["continue", "sign_in", "deny", "other"])
                .to_string(),
            "user_code" => rng
                .pick(&["BCDF-GHJK", "bcdfghjk", "12345678", "-"])
                .to_string(),
            _ => garbage(rng),
        }
    };
    match rng.below(10) {
        0 => String::new(),
        1 => garbage(rng),
        2 if rng.chance(10) => "z".repeat(rng.below(8_000)),
        _ => good(rng),
    }
}

fn params(rng: &mut Rng, pool: &Pool) -> Vec<(String, String)> {
    let n = rng.below(10);
    let mut out = Vec::new();
    for _ in 0..n {
        let name = if rng.chance(90) {
            rng.pick(&PARAM_NAMES).to_string()
        } else {
            garbage(rng)
        };
        let v = value(rng, &name, pool);
        out.push((name, v));
    }
    out
}

fn endpoint_paths(layout: EndpointLayout) -> [(&'static str, Kind); 11] {
    let p = EndpointPaths::of(layout);
    // Device flow is off on the jumpcloud tenants: JSON 404s there, unless an admin call
    // switched it on.
    [
        (p.discovery, Kind::Json),
        (p.jwks, Kind::Json),
        (p.authorize, Kind::Browser),
        (p.token, Kind::Json),
        (p.userinfo, Kind::Json),
        (p.revoke, Kind::Json),
        (p.end_session, Kind::Browser),
        (p.login, Kind::Browser),
        (p.error_page, Kind::Browser),
        (p.device_authorization, Kind::Json),
        (p.device_verify, Kind::Browser),
    ]
}

const ADMIN_PATHS: [&str; 16] = [
    "/admin",
    "/admin/",
    "/admin/tenants/nope/quirks",
    "/admin/profiles",
    "/admin/tenants",
    "/admin/tenants/TENANT",
    "/admin/tenants/TENANT/quirks",
    "/admin/tenants/TENANT/keys/rotate",
    "/admin/tenants/TENANT/clients",
    "/admin/tenants/TENANT/clients/app/groups",
    "/admin/tenants/TENANT/users",
    "/admin/tenants/TENANT/users/alice/groups",
    "/admin/tenants/TENANT/journal",
    "/admin/tenants/TENANT/tokens",
    "/admin/tenants/TENANT/nothing",
    "/admin/%FF",
];

const QUIRK_VALUES: [&str; 14] = [
    "true",
    "false",
    "0",
    "8",
    "18446744073709551615",
    "-1",
    "\"x\"",
    "\"none\"",
    "\"server_error\"",
    "\"hs256_client_secret\"",
    "\"ES256\"",
    "null",
    "[]",
    "{}",
];

fn admin_body(rng: &mut Rng, tenant: &str) -> Vec<u8> {
    match rng.below(9) {
        0 => b"{".to_vec(),
        1 => b"[\"Engineering\"]".to_vec(),
        2 => garbage(rng).into_bytes(),
        3 => json!({"name": tenant, "profile": rng.pick(&["jumpcloud", "lenient", "octa"]),
                    "clients": [{"client_id": "app", "redirect_uris": [APP_REDIRECT], "groups": ["Engineering"]},
                                {"client_id": "public", "token_endpoint_auth_method": "none", "redirect_uris": [APP_REDIRECT]}],
                    "users": [{"username": "alice", "password": "alice-pw", "groups": ["Engineering"]}]})
        .to_string()
        .into_bytes(),
        4 => json!({"redirect_uris": [garbage(rng)], "scope": garbage(rng)}).to_string().into_bytes(),
        5 => json!({"username": garbage(rng), "claims": {"department": 1}}).to_string().into_bytes(),
        6 => json!({"client_id": rng.pick(&["app", "public", "nobody"]), "user": rng.pick(&["alice", "alice@example.com", "nobody"]),
                    "kind": rng.pick(&["id_token", "access_token", "x"]), "misbehaviour": rng.pick(&["none", "alg_none", "nbf_in_future", "replay_id_token", "x"]),
                    "claims": {"groups": rng.pick(&[json!(null), json!("g"), json!([1])])}, "expires_in": rng.below(100_000)})
        .to_string()
        .into_bytes(),
        _ => {
            let name = stickler_idp::QUIRK_DOCS[rng.below(stickler_idp::QUIRK_DOCS.len())].name;
            format!("{{\"{name}\": {}}}", rng.pick(&QUIRK_VALUES)).into_bytes()
        }
    }
}

#[derive(Default)]
struct Outcome {
    sent: usize,
    /// Answers by class: 2xx, 3xx, 4xx.
    classes: [usize; 3],
    server_errors: usize,
    transport_errors: usize,
    retries: usize,
    violations: Vec<String>,
}

struct Fuzzer {
    http: reqwest::Client,
    base: String,
    pools: Vec<Pool>,
}

impl Fuzzer {
    async fn one(&self, rng: &mut Rng, out: &mut Outcome) {
        let ti = rng.below(TARGETS.len());
        let target = &TARGETS[ti];
        let pool = &self.pools[ti.min(self.pools.len() - 1)];
        let method = match rng.below(10) {
            0..=3 => Method::GET,
            4..=7 => Method::POST,
            _ => rng
                .pick(&[
                    Method::PUT,
                    Method::DELETE,
                    Method::PATCH,
                    Method::HEAD,
                    Method::OPTIONS,
                    Method::from_bytes(b"FROB").unwrap(),
                ])
                .clone(),
        };
        let (path, kind) = match rng.below(20) {
            0..=13 => {
                let (p, k) = *rng.pick(&endpoint_paths(target.layout));
                // A tenant that does not exist has no pages: a JSON 404.
                let k = if target.name == "nope" { Kind::Json } else { k };
                (format!("/t/{}{p}", target.name), k)
            }
            14..=16 => {
                let p = rng
                    .pick(&ADMIN_PATHS)
                    .replace("TENANT", rng_tenant_name(target.name));
                (p, Kind::Admin)
            }
            17 => {
                let p = rng.pick(&[
                    "/_stickler/callback",
                    "/_stickler/sign-in",
                    "/_stickler/exchange",
                    "/_stickler/journal/jc",
                ]);
                (p.to_string(), Kind::Page)
            }
            _ => {
                let p = rng.pick(&[
                    "/",
                    "//.well-known/openid-configuration",
                    "/oauth2/auth/",
                    "/t/%FF/x",
                    "/t/jc/%2e%2e/admin/tenants",
                    "/t/jc",
                    "/t/",
                    "/favicon.ico",
                ]);
                (p.to_string(), Kind::Json)
            }
        };
        let ps = params(rng, pool);
        let mut rb = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        let in_query = method != Method::POST || rng.chance(20);
        if in_query {
            rb = rb.query(&ps);
        }
        if kind == Kind::Admin && matches!(method, Method::POST | Method::PATCH | Method::PUT) {
            rb = rb
                .header(header::CONTENT_TYPE, "application/json")
                .body(admin_body(rng, rng_tenant_name(target.name)));
        } else if method == Method::POST || rng.chance(5) {
            rb = match rng.below(10) {
                0 => rb.header(header::CONTENT_TYPE, "application/json").body(
                    serde_json::to_vec(
                        &ps.iter()
                            .cloned()
                            .collect::<std::collections::BTreeMap<_, _>>(),
                    )
                    .unwrap(),
                ),
                1 => rb.body(garbage(rng).into_bytes()),
                2 => rb
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(vec![0xFFu8, b'=', 0xFE, b'&', b'%']),
                3 if rng.chance(20) => rb
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(vec![b'a'; 70_000]),
                4 => rb
                    .header(
                        header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded; charset=ISO-8859-1",
                    )
                    .form(&ps),
                _ => rb.form(&ps),
            };
        }
        rb = match rng.below(10) {
            0 => rb.basic_auth(CLIENT_ID, Some(CLIENT_SECRET)),
            1 => rb.header(header::AUTHORIZATION, format!("Basic {}", garbage(rng))),
            2 => rb.header(header::AUTHORIZATION, "Basic"),
            3 if !pool.access.is_empty() => rb.bearer_auth(rng.pick(&pool.access)),
            4 => rb.header(
                header::AUTHORIZATION,
                format!("Bearer {}", "t".repeat(rng.below(9_000))),
            ),
            5 => rb.header(
                header::AUTHORIZATION,
                header::HeaderValue::from_bytes(&[b'B', b'a', b's', b'i', b'c', b' ', 0xE9, 0xFF])
                    .unwrap(),
            ),
            _ => rb,
        };
        if rng.chance(5) {
            rb = rb.header(header::ACCEPT, "application/json");
        }
        out.sent += 1;
        let req = match rb.build() {
            Ok(r) => r,
            // The client refused to build it (e.g. a newline in a header): not sent.
            Err(_) => {
                out.sent -= 1;
                return;
            }
        };
        let again = req.try_clone();
        let resp = match self.http.execute(req).await {
            Ok(r) => r,
            // A pooled connection the server had just closed (after a 413 it does not
            // read the rest of the body): the request never reached a handler. Once more
            // on a fresh connection; only a second failure counts.
            Err(_) if again.is_some() => {
                out.retries += 1;
                match self.http.execute(again.expect("cloned")).await {
                    Ok(r) => r,
                    Err(e) => return transport_error(out, &method, &path, &e),
                }
            }
            Err(e) => return transport_error(out, &method, &path, &e),
        };
        let status = resp.status();
        let ct = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let has_location = resp.headers().get(header::LOCATION).is_some();
        let body = resp.bytes().await.unwrap_or_default();
        if let Some(c) = out
            .classes
            .get_mut((status.as_u16() / 100).saturating_sub(2) as usize)
        {
            *c += 1;
        }
        let what = format!("{method} {path} {ps:?} -> {status}");
        if status.is_server_error() {
            out.server_errors += 1;
            push(
                &mut out.violations,
                format!("{what}: {}", String::from_utf8_lossy(&body)),
            );
            return;
        }
        if method == Method::HEAD {
            return;
        }
        let json_error = || -> Result<(), String> {
            if !ct.starts_with("application/json") {
                return Err(format!("content type {ct:?}"));
            }
            let v: Value = serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}"))?;
            if !v["error"].is_string() || !v["error_description"].is_string() {
                return Err(format!("not an OAuth error: {v}"));
            }
            Ok(())
        };
        let verdict: Result<(), String> = match kind {
            Kind::Json | Kind::Admin if status.as_u16() >= 400 => json_error(),
            Kind::Json | Kind::Admin => Ok(()),
            Kind::Browser => match status.as_u16() {
                302 | 303 if has_location => Ok(()),
                302 | 303 => Err("a redirect without Location".into()),
                // 404: a fuzz tenant deleted or re-laid-out by an admin call.
                404 | 405 | 413 => json_error(),
                // 403: the device page's denial (declined, or outside the app's groups).
                200 | 400 | 401 | 403 if ct.starts_with("text/html") => Ok(()),
                s => Err(format!("status {s} with {ct:?}")),
            },
            Kind::Page => match status.as_u16() {
                // A sign-in started from the debugger: off to the authorization endpoint.
                303 if has_location => Ok(()),
                200 | 400 | 404 | 413 if ct.starts_with("text/html") => Ok(()),
                405 => json_error(),
                s => Err(format!("status {s} with {ct:?}")),
            },
        };
        if let Err(why) = verdict {
            push(&mut out.violations, format!("{what}: {why}"));
        }
    }
}

fn transport_error(out: &mut Outcome, method: &Method, path: &str, e: &reqwest::Error) {
    out.transport_errors += 1;
    let mut why = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        why = format!("{why}: {s}");
        src = s.source();
    }
    push(
        &mut out.violations,
        format!("{method} {path}: no answer: {why}"),
    );
}

/// Admin calls go to the fuzz tenants only, so the profile tenants stay as made and
/// `nope` never comes to exist.
fn rng_tenant_name(name: &'static str) -> &'static str {
    match name {
        "len" | "f2" => "f2",
        _ => "f1",
    }
}

fn push(v: &mut Vec<String>, msg: String) {
    if v.len() < 20 {
        let mut msg = msg;
        if msg.len() > 600 {
            let chars: Vec<char> = msg.chars().collect();
            let head: String = chars[..200.min(chars.len())].iter().collect();
            let tail: String = chars[chars.len().saturating_sub(300)..].iter().collect();
            msg = format!("{head} … {tail}");
        }
        v.push(msg);
    }
}

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

async fn pool_for(idp: &TestIdp, t: &Tenant) -> Pool {
    let mut pool = Pool {
        codes: vec![],
        access: vec![],
        refresh: vec![],
        id_tokens: vec![],
        challenges: vec![],
    };
    let params = AuthParams::code_flow().set("scope", "openid email offline");
    for _ in 0..4 {
        let code = t.code(&params, "alice").await;
        let tokens = t.sign_in(&params, "alice").await;
        pool.codes.push(code);
        pool.access
            .push(tokens["access_token"].as_str().unwrap().into());
        if let Some(rt) = tokens["refresh_token"].as_str() {
            pool.refresh.push(rt.into());
        }
        pool.id_tokens
            .push(tokens["id_token"].as_str().unwrap().into());
        let page = t.authorize(&params).await.text().await.unwrap();
        pool.challenges.push(LoginForm::parse(&page).challenge);
    }
    let _ = idp;
    pool
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_random_input_in_its_format() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::Relaxed);
        previous(info);
    }));
    let requests: usize = std::env::var("STICKLER_FUZZ_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_REQUESTS);
    let idp = TestIdp::start().await;
    let mut pools = Vec::new();
    for (name, spec) in [("jc", jumpcloud("jc")), ("len", lenient("len"))] {
        let mut spec = spec;
        spec["clients"].as_array_mut().unwrap().extend([
            json!({"client_id": "public", "token_endpoint_auth_method": "none", "redirect_uris": [APP_REDIRECT], "groups": ["Engineering"]}),
            json!({"client_id": "narrow", "scope": "openid", "redirect_uris": [APP_REDIRECT], "groups": ["Engineering"]}),
        ]);
        let t = idp.create(spec).await;
        assert_eq!(t.name, name);
        pools.push(pool_for(&idp, &t).await);
    }
    idp.create(jumpcloud("f1")).await;
    idp.create(lenient("f2")).await;
    for (name, profile) in VENDORS {
        idp.create(spec(name, profile)).await;
    }
    let fuzzer = Arc::new(Fuzzer {
        http: http_client(),
        base: idp.running.url(),
        pools,
    });
    let started = Instant::now();
    let rss_start = rss_kb("VmRSS:");
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let fuzzer = fuzzer.clone();
        let n = requests / WORKERS + usize::from(w < requests % WORKERS);
        workers.push(tokio::spawn(async move {
            let mut rng = Rng(SEED ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut out = Outcome::default();
            for _ in 0..n {
                fuzzer.one(&mut rng, &mut out).await;
            }
            out
        }));
    }
    let mut total = Outcome::default();
    let mut violations = 0;
    for w in workers {
        let o = w.await.expect("a fuzz worker panicked");
        total.sent += o.sent;
        for (t, c) in total.classes.iter_mut().zip(o.classes) {
            *t += c;
        }
        total.server_errors += o.server_errors;
        total.transport_errors += o.transport_errors;
        total.retries += o.retries;
        violations += o.violations.len();
        total.violations.extend(o.violations);
    }
    let elapsed = started.elapsed();
    let rss_end = rss_kb("VmRSS:");
    let panics = PANICS.load(Ordering::Relaxed);
    println!(
        "fuzz: {} requests in {:.1} s ({:.0}/s), seed {SEED:#x}: {} 2xx, {} 3xx, {} 4xx, {} 5xx, {} panics, {} without an answer ({} retried on a fresh connection), {} format violations (first 20 kept); RSS {} kB -> {} kB ({:+} kB), peak {} kB",
        total.sent,
        elapsed.as_secs_f64(),
        total.sent as f64 / elapsed.as_secs_f64(),
        total.classes[0],
        total.classes[1],
        total.classes[2],
        total.server_errors,
        panics,
        total.transport_errors,
        total.retries,
        violations,
        rss_start,
        rss_end,
        rss_end as i64 - rss_start as i64,
        rss_kb("VmHWM:"),
    );
    assert!(
        total.violations.is_empty() && panics == 0,
        "{} panics; violations:\n{}",
        panics,
        total.violations.join("\n")
    );
}
