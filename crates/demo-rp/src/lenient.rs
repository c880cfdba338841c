//! Bug `lenient-claims`: an ID token openidconnect cannot even parse because `sub` or
//! `iat` is missing is validated by hand, as hand-rolled relying parties do: the
//! signature with a JWKS key, then `iss`, `aud`, `exp`, `iat`, `nonce` and `at_hash`,
//! with the two missing claims defaulted ("" and now) instead of refused.

use crate::bugs::Bug;
use crate::jose::{Jws, check_iat};
use crate::oidc::{IdTokenClaims, Metadata, nonce_check};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm};
use openidconnect::{AccessToken, AccessTokenHash, JsonWebKey, JwsSigningAlgorithm, Nonce};
use openidconnect::{NonceVerifier, SignatureVerificationError};
use serde_json::{Map, Value, json};

/// The required claims this bug defaults when absent.
pub const DEFAULTED: [&str; 2] = ["sub", "iat"];

/// Which of [`DEFAULTED`] the payload lacks.
pub fn missing(payload: &Map<String, Value>) -> Vec<&'static str> {
    DEFAULTED
        .into_iter()
        .filter(|c| !payload.contains_key(*c))
        .collect()
}

/// The payload with the missing `sub` set to "" and `iat` to `now`, as a struct with
/// defaults would read it.
pub fn with_defaults(mut payload: Map<String, Value>, now: DateTime<Utc>) -> Map<String, Value> {
    payload.entry("sub").or_insert_with(|| json!(""));
    payload
        .entry("iat")
        .or_insert_with(|| json!(now.timestamp()));
    payload
}

/// The key that verifies `jws` (the client secret for HMAC, else a JWKS key of the
/// header's `kid`, any when there is none).
fn verifying_key(
    s: &Settings,
    metadata: &Metadata,
    jws: &Jws,
    alg: &CoreJwsSigningAlgorithm,
) -> Result<CoreJsonWebKey, String> {
    let message = jws.signing_input.as_bytes();
    let candidates: Vec<CoreJsonWebKey> = if alg.uses_shared_secret() {
        let secret = s
            .client_secret
            .as_ref()
            .ok_or("an HMAC signature, and the app is a public client")?;
        vec![CoreJsonWebKey::new_symmetric(
            secret.secret().as_bytes().to_vec(),
        )]
    } else {
        metadata
            .jwks()
            .keys()
            .iter()
            .filter(|k| match jws.kid() {
                Some(kid) => k.key_id().is_some_and(|id| id.as_str() == kid),
                None => true,
            })
            .cloned()
            .collect()
    };
    if candidates.is_empty() {
        return Err(SignatureVerificationError::NoMatchingKey.to_string());
    }
    candidates
        .into_iter()
        .find(|k| k.verify_signature(alg, message, &jws.signature).is_ok())
        .ok_or_else(|| "Signature verification failed: no key verifies it".to_string())
}

/// Validates `compact` by hand, defaulting a missing `sub` and `iat` (the bug), and
/// honouring the other switches as the openidconnect path does.
pub fn validate(
    s: &Settings,
    metadata: &Metadata,
    compact: &str,
    nonce: Option<&Nonce>,
    access_token: &AccessToken,
    now: DateTime<Utc>,
) -> Result<IdTokenClaims, String> {
    let bugs = &s.bugs;
    let jws = Jws::parse(compact)?;
    let alg: CoreJwsSigningAlgorithm = jws
        .header
        .get("alg")
        .cloned()
        .and_then(|a| serde_json::from_value(a).ok())
        .ok_or("the header has no usable `alg`")?;
    let mut key = None;
    if !bugs.has(Bug::SkipSignatureCheck) {
        let allowed = metadata
            .id_token_signing_alg_values_supported()
            .contains(&alg);
        if !allowed && !bugs.has(Bug::AcceptAlgNone) {
            return Err(format!(
                "Signature verification failed: algorithm {alg:?} is not one the IdP publishes"
            ));
        }
        key = Some(verifying_key(s, metadata, &jws, &alg)?);
    }
    let claims: IdTokenClaims =
        serde_json::from_value(Value::Object(with_defaults(jws.payload.clone(), now)))
            .map_err(|e| format!("the claims do not parse even with defaults: {e}"))?;

    if !bugs.has(Bug::SkipIssuerCheck) && claims.issuer() != &s.issuer {
        return Err(format!(
            "Invalid issuer: expected `{}` (found `{}`)",
            s.issuer.as_str(),
            claims.issuer().as_str()
        ));
    }
    if !bugs.has(Bug::SkipAudienceCheck) {
        let auds = claims.audiences();
        // Other audiences are untrusted, as in openidconnect's default verifier.
        if auds.len() != 1 || auds.iter().any(|a| a.as_str() != s.client_id.as_str()) {
            return Err(format!(
                "Invalid audiences: must be `{}` alone",
                s.client_id.as_str()
            ));
        }
    }
    if !bugs.has(Bug::IgnoreExp) && claims.expiration() <= now {
        return Err(format!(
            "Expired: ID token expired at {}",
            claims.expiration()
        ));
    }
    if !bugs.has(Bug::IgnoreIat) {
        check_iat(claims.issue_time(), now)?;
    }
    nonce_check(nonce, bugs.has(Bug::IgnoreNonce))
        .verify(claims.nonce())
        .map_err(|e| format!("Invalid nonce: {e}"))?;
    if let (Some(expected), Some(key)) = (claims.access_token_hash(), key.as_ref())
        && !bugs.has(Bug::SkipAtHashCheck)
    {
        let actual = AccessTokenHash::from_token(access_token, &alg, key)
            .map_err(|e| format!("cannot hash the access token: {e}"))?;
        if &actual != expected {
            return Err("the at_hash claim does not match the access token".into());
        }
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sub_and_iat_are_defaulted() {
        let p = json!({"iss": "x", "aud": "a", "exp": 2})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(missing(&p), ["sub", "iat"]);
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let filled = with_defaults(p, now);
        assert_eq!(filled["sub"], "");
        assert_eq!(filled["iat"], 1_700_000_000);
        assert!(missing(&filled).is_empty());
        let kept = with_defaults(
            json!({"sub": "u", "iat": 5}).as_object().unwrap().clone(),
            now,
        );
        assert_eq!(
            (kept["sub"].clone(), kept["iat"].clone()),
            (json!("u"), json!(5))
        );
    }
}
