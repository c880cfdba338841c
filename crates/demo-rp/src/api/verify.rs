//! Bearer token validation as pure functions: the algorithm allow-list (RFC 8725 §3.1),
//! the claims (`iss`, `aud`, `exp`, `nbf`; RFC 9068 §4, OIDC Core §3.1.3.7) and the
//! groups policy, each bent by the matching bug switch. The signature itself is checked
//! by `jsonwebtoken` in `main.rs`.

use crate::bugs::{Bug, Bugs};
use serde_json::{Map, Value};

/// Clock skew allowed on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: i64 = 30;

/// The algorithms the API verifies with the IdP's published keys.
pub const ALLOWED_ALGS: [&str; 6] = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"];

/// How the API answers a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 200 with the user's identity.
    Ok(Value),
    /// 401: the token is not valid (RFC 6750 §3.1 `invalid_token`).
    Invalid(String),
    /// 403: valid, but the policy does not let the user in.
    Forbidden(String),
    /// 500: an unhandled error (a bug).
    Crash(String),
}

/// What to do with the signature, from the header's `alg` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureRule {
    /// Verify with the IdP's key for the header's `kid`.
    Jwks,
    /// Verify an HMAC with the configured client secret (only under `accepts-hs256`).
    ClientSecret,
    /// Do not verify (under `skips-signature`, or `alg: none` under `accepts-alg-none`).
    Skip,
}

/// The signature rule for a header's `alg`, or why the token is refused.
pub fn signature_rule(alg: &str, bugs: &Bugs) -> Result<SignatureRule, String> {
    if bugs.has(Bug::SkipsSignature) {
        return Ok(SignatureRule::Skip);
    }
    if alg.eq_ignore_ascii_case("none") && bugs.has(Bug::AcceptsAlgNone) {
        return Ok(SignatureRule::Skip);
    }
    if alg == "HS256" && bugs.has(Bug::AcceptsHs256) {
        return Ok(SignatureRule::ClientSecret);
    }
    if ALLOWED_ALGS.contains(&alg) {
        Ok(SignatureRule::Jwks)
    } else {
        Err(format!(
            "the token's alg `{alg}` is not allowed (allowed: {})",
            ALLOWED_ALGS.join(", ")
        ))
    }
}

/// What the API is configured with.
#[derive(Debug, Clone)]
pub struct Expect {
    /// The issuer, exactly.
    pub issuer: String,
    /// Its own audience.
    pub audience: String,
    /// The name of the groups claim.
    pub groups_claim: String,
    /// The groups that may use the API (any one of them).
    pub allowed_groups: Vec<String>,
}

fn number(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, String> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(|f| Some(f as i64))
            .ok_or_else(|| format!("`{name}` is not a number")),
        Some(other) => Err(format!("`{name}` is not a number: {other}")),
    }
}

/// Checks the claims of a token whose signature passed; `now` in seconds since the
/// epoch. Answers 401 for a bad token, 403 when the groups policy refuses, 200 otherwise.
pub fn check_claims(claims: &Map<String, Value>, e: &Expect, now: i64, bugs: &Bugs) -> Answer {
    let invalid = |why: String| {
        if bugs.has(Bug::CrashOnBadToken) {
            Answer::Crash(format!("unhandled: {why}"))
        } else {
            Answer::Invalid(why)
        }
    };
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    if iss != e.issuer && !bugs.has(Bug::IgnoresIss) {
        return invalid(format!(
            "the token's iss `{iss}` is not the issuer `{}`",
            e.issuer
        ));
    }
    let auds: Vec<&str> = match claims.get("aud") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !auds.contains(&e.audience.as_str()) && !bugs.has(Bug::IgnoresAud) {
        return invalid(format!(
            "the token's aud {auds:?} does not hold this API's audience `{}`",
            e.audience
        ));
    }
    match number(claims, "exp") {
        Err(why) => return invalid(why),
        Ok(None) => return invalid("the token has no exp".into()),
        Ok(Some(exp)) if exp + LEEWAY_SECS < now && !bugs.has(Bug::IgnoresExp) => {
            return invalid(format!("the token expired {} s ago", now - exp));
        }
        Ok(Some(_)) => {}
    }
    match number(claims, "nbf") {
        Err(why) => return invalid(why),
        Ok(Some(nbf)) if nbf - LEEWAY_SECS > now && !bugs.has(Bug::IgnoresNbf) => {
            return invalid(format!(
                "the token is not valid for another {} s",
                nbf - now
            ));
        }
        Ok(_) => {}
    }
    policy(claims, e, bugs)
}

/// The groups policy: the user must be in one of the allowed groups.
fn policy(claims: &Map<String, Value>, e: &Expect, bugs: &Bugs) -> Answer {
    let groups: Vec<String> = match claims.get(&e.groups_claim) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        // JumpCloud sends a single group as a string.
        Some(Value::String(_)) if bugs.has(Bug::GroupsStringCrash) => {
            return Answer::Crash(format!(
                "invalid type: string, expected a sequence (claim `{}`)",
                e.groups_claim
            ));
        }
        Some(Value::String(s)) => vec![s.clone()],
        None | Some(Value::Null) if bugs.has(Bug::MissingGroupsAllowed) => {
            return Answer::Ok(identity(claims, &[]));
        }
        None | Some(Value::Null) => {
            return Answer::Forbidden(format!(
                "the token has no `{}` claim, so no group policy lets the user in (is the IdP configured to send it under this name?)",
                e.groups_claim
            ));
        }
        Some(other) => {
            return Answer::Forbidden(format!(
                "the `{}` claim is neither a list nor a string: {other}",
                e.groups_claim
            ));
        }
    };
    if groups.iter().any(|g| e.allowed_groups.contains(g)) {
        Answer::Ok(identity(claims, &groups))
    } else {
        Answer::Forbidden(format!(
            "the user is in none of the groups {:?} (the token's `{}`: {groups:?})",
            e.allowed_groups, e.groups_claim
        ))
    }
}

fn identity(claims: &Map<String, Value>, groups: &[String]) -> Value {
    serde_json::json!({
        "sub": claims.get("sub"),
        "email": claims.get("email"),
        "groups": groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expect() -> Expect {
        Expect {
            issuer: "http://idp/t/a/".into(),
            audience: "jitsudo-server".into(),
            groups_claim: "groups".into(),
            allowed_groups: vec!["Engineering".into()],
        }
    }

    fn claims(extra: Value) -> Map<String, Value> {
        let mut c = json!({
            "iss": "http://idp/t/a/", "aud": "jitsudo-server", "sub": "u1",
            "exp": 2000, "iat": 1000, "groups": ["Engineering"],
        });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            c[&k] = v;
        }
        c.as_object().cloned().unwrap_or_default()
    }

    fn bugs(names: &[&str]) -> Bugs {
        Bugs::parse(names).expect("known bugs")
    }

    #[test]
    fn a_good_token_passes_and_each_bent_claim_is_refused_with_401() {
        let none = bugs(&[]);
        assert!(matches!(
            check_claims(&claims(json!({})), &expect(), 1500, &none),
            Answer::Ok(_)
        ));
        for (bent, bug) in [
            (json!({"iss": "http://evil/"}), "ignores-iss"),
            (json!({"aud": "jitsudo-cli"}), "ignores-aud"),
            (json!({"exp": 1000}), "ignores-exp"),
            (json!({"nbf": 1900}), "ignores-nbf"),
        ] {
            let c = claims(bent.clone());
            assert!(
                matches!(check_claims(&c, &expect(), 1500, &none), Answer::Invalid(_)),
                "{bent}"
            );
            assert!(
                matches!(
                    check_claims(&c, &expect(), 1500, &bugs(&[bug])),
                    Answer::Ok(_)
                ),
                "{bug}"
            );
            assert!(
                matches!(
                    check_claims(&c, &expect(), 1500, &bugs(&["crash-on-bad-token"])),
                    Answer::Crash(_)
                ),
                "{bent}"
            );
        }
    }

    #[test]
    fn groups_shapes_follow_the_policy() {
        let none = bugs(&[]);
        let string = claims(json!({"groups": "Engineering"}));
        assert!(matches!(
            check_claims(&string, &expect(), 1500, &none),
            Answer::Ok(_)
        ));
        assert!(matches!(
            check_claims(&string, &expect(), 1500, &bugs(&["groups-string-crash"])),
            Answer::Crash(_)
        ));
        let missing = claims(json!({"groups": null}));
        assert!(matches!(
            check_claims(&missing, &expect(), 1500, &none),
            Answer::Forbidden(_)
        ));
        assert!(matches!(
            check_claims(
                &missing,
                &expect(),
                1500,
                &bugs(&["missing-groups-allowed"])
            ),
            Answer::Ok(_)
        ));
        let outside = claims(json!({"groups": ["Sales"]}));
        assert!(matches!(
            check_claims(&outside, &expect(), 1500, &none),
            Answer::Forbidden(_)
        ));
    }

    #[test]
    fn only_asymmetric_algorithms_pass_the_allow_list() {
        let none = bugs(&[]);
        assert_eq!(signature_rule("RS256", &none), Ok(SignatureRule::Jwks));
        assert!(signature_rule("none", &none).is_err());
        assert!(signature_rule("HS256", &none).is_err());
        assert_eq!(
            signature_rule("none", &bugs(&["accepts-alg-none"])),
            Ok(SignatureRule::Skip)
        );
        assert_eq!(
            signature_rule("HS256", &bugs(&["accepts-hs256"])),
            Ok(SignatureRule::ClientSecret)
        );
        assert_eq!(
            signature_rule("RS256", &bugs(&["skips-signature"])),
            Ok(SignatureRule::Skip)
        );
        assert!(
            Bugs::parse(&["nope"])
                .unwrap_err()
                .contains("skips-signature")
        );
    }
}
