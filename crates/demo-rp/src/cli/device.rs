//! The device authorization grant as a public client (RFC 8628 §3.1-§3.5): ask for a
//! device code, show the user code, poll at the interval (5 s slower after
//! `slow_down`), stop on `access_denied` and `expired_token`; each rule bent by its bug.

use serde_json::Value;
use std::time::Duration;

/// RFC 8628 §3.4's grant type.
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Exit codes.
const REFUSED: u8 = 1;
const USAGE: u8 = 2;
const NO_DEVICE_FLOW: u8 = 3;
const API_REFUSED: u8 = 4;

/// `demo-cli login`'s flags.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// The issuer exactly as the IdP publishes it.
    #[arg(long, env = "DEMO_CLI_ISSUER")]
    issuer: String,
    /// The CLI's client id (a public client).
    #[arg(long, env = "DEMO_CLI_CLIENT_ID", allow_hyphen_values = true)]
    client_id: String,
    /// Scopes to ask for.
    #[arg(
        long,
        env = "DEMO_CLI_SCOPES",
        default_value = "openid email profile groups offline_access"
    )]
    scopes: String,
    /// An API URL to call with the ID token as bearer after the login.
    #[arg(long, env = "DEMO_CLI_API_URL")]
    api_url: Option<String>,
    /// A mistake to make (repeatable or comma-separated).
    #[arg(
        long = "bug",
        value_name = "NAME",
        env = "DEMO_CLI_BUGS",
        value_delimiter = ','
    )]
    bugs: Vec<String>,
}

/// One deliberate mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bug {
    /// Keeps its interval after `slow_down` (RFC 8628 §3.5 says add 5 s).
    IgnoresSlowDown,
    /// Polls every 200 ms whatever the interval.
    PollsTooFast,
    /// Keeps polling after `access_denied`.
    NoStopOnDenied,
    /// Keeps polling after `expired_token`.
    NoStopOnExpired,
    /// Unwraps the missing `device_authorization_endpoint`: a panic and a backtrace
    /// hint instead of a message.
    CrashOnNoDeviceEndpoint,
}

const BUGS: [(Bug, &str); 5] = [
    (Bug::IgnoresSlowDown, "ignores-slow-down"),
    (Bug::PollsTooFast, "polls-too-fast"),
    (Bug::NoStopOnDenied, "no-stop-on-denied"),
    (Bug::NoStopOnExpired, "no-stop-on-expired"),
    (Bug::CrashOnNoDeviceEndpoint, "crash-on-no-device-endpoint"),
];

fn parse_bugs(names: &[String]) -> Result<Vec<Bug>, String> {
    names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            BUGS.iter()
                .find(|(_, name)| *name == n)
                .map(|(b, _)| *b)
                .ok_or_else(|| {
                    let known: Vec<&str> = BUGS.iter().map(|(_, n)| *n).collect();
                    format!("unknown bug `{n}` (known: {})", known.join(", "))
                })
        })
        .collect()
}

/// What one poll of the token endpoint says next.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Wait this long, then poll again.
    Wait(Duration),
    /// Stop with this message and exit code.
    Stop(String, u8),
}

/// The rule of §3.5 for an error answer, with the bugs applied.
fn after_error(error: &str, description: &str, interval: &mut Duration, bugs: &[Bug]) -> Next {
    let pace = |i: Duration| {
        if bugs.contains(&Bug::PollsTooFast) {
            Duration::from_millis(200)
        } else {
            i
        }
    };
    match error {
        "authorization_pending" => Next::Wait(pace(*interval)),
        "slow_down" => {
            if !bugs.contains(&Bug::IgnoresSlowDown) {
                *interval += Duration::from_secs(5);
            }
            Next::Wait(pace(*interval))
        }
        "access_denied" if bugs.contains(&Bug::NoStopOnDenied) => Next::Wait(pace(*interval)),
        "access_denied" => Next::Stop(
            "error: the login was denied at the IdP (access_denied): approve it in the browser, or ask for access to this app".into(),
            REFUSED,
        ),
        "expired_token" if bugs.contains(&Bug::NoStopOnExpired) => Next::Wait(pace(*interval)),
        "expired_token" => Next::Stop(
            "error: the code expired before the login finished (expired_token); run `demo-cli login` again".into(),
            REFUSED,
        ),
        other => Next::Stop(
            format!("error: the IdP refused the login: {other}: {description}"),
            REFUSED,
        ),
    }
}

/// Logs in; returns the exit code.
pub async fn login(args: LoginArgs) -> u8 {
    let bugs = match parse_bugs(&args.bugs) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("demo-cli: {e}");
            return USAGE;
        }
    };
    match run(&args, &bugs).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            REFUSED
        }
    }
}

async fn run(args: &LoginArgs, bugs: &[Bug]) -> Result<u8, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let disco_url = format!(
        "{}/.well-known/openid-configuration",
        args.issuer.trim_end_matches('/')
    );
    let disco: Value = http
        .get(&disco_url)
        .send()
        .await
        .map_err(|e| format!("cannot fetch {disco_url}: {e}"))?
        .json()
        .await
        .map_err(|e| format!("{disco_url} is not JSON: {e}"))?;
    let device_endpoint = disco["device_authorization_endpoint"].as_str();
    let device_endpoint = match device_endpoint {
        Some(e) => e.to_string(),
        None if bugs.contains(&Bug::CrashOnNoDeviceEndpoint) => {
            #[allow(clippy::unnecessary_literal_unwrap, reason = "the bug is the unwrap")]
            let e: &str = None.unwrap();
            e.to_string()
        }
        None => {
            eprintln!(
                "error: the IdP at {} has no device authorization endpoint (RFC 8628): its discovery document lists none, so this CLI cannot log in with it. Use an IdP that offers the device authorization grant, or a browser-based login.",
                args.issuer
            );
            return Ok(NO_DEVICE_FLOW);
        }
    };
    let token_endpoint = disco["token_endpoint"]
        .as_str()
        .ok_or("the discovery document names no token_endpoint")?
        .to_string();
    let r = http
        .post(&device_endpoint)
        .form(&[
            ("client_id", args.client_id.as_str()),
            ("scope", args.scopes.as_str()),
        ])
        .send()
        .await
        .map_err(|e| format!("device authorization request failed: {e}"))?;
    let status = r.status();
    let auth: Value = r
        .json()
        .await
        .map_err(|e| format!("device authorization answer is not JSON: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "the IdP refused the device authorization request ({status}): {} {}",
            auth["error"].as_str().unwrap_or(""),
            auth["error_description"].as_str().unwrap_or("")
        ));
    }
    let field = |k: &str| {
        auth[k]
            .as_str()
            .map(str::to_string)
            .ok_or(format!("the device authorization answer has no {k}"))
    };
    let device_code = field("device_code")?;
    let user_code = field("user_code")?;
    let verification_uri = field("verification_uri")?;
    println!("To log in, open {verification_uri} and enter the code {user_code}");
    if let Some(complete) = auth["verification_uri_complete"].as_str() {
        println!("(or open {complete})");
    }
    let mut interval = Duration::from_secs(auth["interval"].as_u64().unwrap_or(5));
    let lifetime = Duration::from_secs(auth["expires_in"].as_u64().unwrap_or(600));
    let deadline = tokio::time::Instant::now() + lifetime;
    let mut wait = if bugs.contains(&Bug::PollsTooFast) {
        Duration::from_millis(200)
    } else {
        interval
    };
    loop {
        tokio::time::sleep(wait).await;
        if tokio::time::Instant::now() > deadline && !bugs.contains(&Bug::NoStopOnExpired) {
            eprintln!(
                "error: the code expired before the login finished; run `demo-cli login` again"
            );
            return Ok(REFUSED);
        }
        let r = http
            .post(&token_endpoint)
            .form(&[
                ("grant_type", DEVICE_GRANT),
                ("device_code", device_code.as_str()),
                ("client_id", args.client_id.as_str()),
            ])
            .send()
            .await
            .map_err(|e| format!("token request failed: {e}"))?;
        let ok = r.status().is_success();
        let body: Value = r
            .json()
            .await
            .map_err(|e| format!("token answer is not JSON: {e}"))?;
        if ok {
            let id_token = body["id_token"]
                .as_str()
                .ok_or("the token answer has no id_token")?;
            let who = crate_claims(id_token);
            println!("Logged in as {who}");
            return call_api(&http, args.api_url.as_deref(), id_token).await;
        }
        let error = body["error"].as_str().unwrap_or("");
        let description = body["error_description"].as_str().unwrap_or("");
        match after_error(error, description, &mut interval, bugs) {
            Next::Wait(w) => wait = w,
            Next::Stop(msg, code) => {
                eprintln!("{msg}");
                return Ok(code);
            }
        }
    }
}

/// The email (or sub) of an ID token, unverified: for the greeting only.
fn crate_claims(id_token: &str) -> String {
    use base64::Engine;
    let payload = id_token.split('.').nth(1).unwrap_or("");
    let claims: Value = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    claims["email"]
        .as_str()
        .or(claims["sub"].as_str())
        .unwrap_or("?")
        .to_string()
}

async fn call_api(http: &reqwest::Client, url: Option<&str>, id_token: &str) -> Result<u8, String> {
    let Some(url) = url else {
        return Ok(0);
    };
    let r = http
        .get(url)
        .bearer_auth(id_token)
        .send()
        .await
        .map_err(|e| format!("cannot call the API {url}: {e}"))?;
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    println!("API {url} answered {status}: {body}");
    Ok(if status.is_success() { 0 } else { API_REFUSED })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_down_adds_five_seconds_unless_ignored() {
        let mut i = Duration::from_secs(1);
        assert_eq!(
            after_error("slow_down", "", &mut i, &[]),
            Next::Wait(Duration::from_secs(6))
        );
        let mut i = Duration::from_secs(1);
        assert_eq!(
            after_error("slow_down", "", &mut i, &[Bug::IgnoresSlowDown]),
            Next::Wait(Duration::from_secs(1))
        );
    }

    #[test]
    fn denied_and_expired_stop_unless_a_bug_keeps_polling() {
        let mut i = Duration::from_secs(1);
        assert!(matches!(
            after_error("access_denied", "", &mut i, &[]),
            Next::Stop(_, REFUSED)
        ));
        assert!(matches!(
            after_error("expired_token", "", &mut i, &[]),
            Next::Stop(_, REFUSED)
        ));
        assert!(matches!(
            after_error("access_denied", "", &mut i, &[Bug::NoStopOnDenied]),
            Next::Wait(_)
        ));
        assert!(matches!(
            after_error("expired_token", "", &mut i, &[Bug::NoStopOnExpired]),
            Next::Wait(_)
        ));
        assert_eq!(
            after_error("authorization_pending", "", &mut i, &[Bug::PollsTooFast]),
            Next::Wait(Duration::from_millis(200))
        );
        assert!(
            parse_bugs(&["x".into()])
                .unwrap_err()
                .contains("polls-too-fast")
        );
    }
}
