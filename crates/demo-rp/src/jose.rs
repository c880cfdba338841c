//! Pure helpers on the raw JSON the IdP sends, for the checks openidconnect does not
//! offer (or makes before the app can look): the JOSE header's `kid`, a compact JWT's
//! parts, string booleans, and how far in the future `iat` may be.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

/// How far ahead of the app's clock `iat` may be (clock skew; OIDC Core §3.1.3.7 item 10
/// leaves the range to the client).
pub const MAX_IAT_SKEW: TimeDelta = TimeDelta::seconds(300);

/// The claims openidconnect parses as booleans (OIDC Core §5.1).
const BOOLEAN_CLAIMS: [&str; 2] = ["email_verified", "phone_number_verified"];

/// A compact JWS split and decoded, unverified.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub payload: Map<String, Value>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, what the signature covers.
    pub signing_input: String,
    /// The signature bytes (empty for `alg: none`).
    pub signature: Vec<u8>,
}

fn b64(segment: &str, what: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .map_err(|e| format!("the {what} is not base64url: {e}"))
}

fn json_object(bytes: &[u8], what: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(format!("the {what} is not a JSON object")),
        Err(e) => Err(format!("the {what} is not JSON: {e}")),
    }
}

impl Jws {
    /// Splits and decodes `compact` (RFC 7515 §7.1), checking nothing.
    pub fn parse(compact: &str) -> Result<Jws, String> {
        let parts: Vec<&str> = compact.split('.').collect();
        let [header, payload, signature] = parts[..] else {
            return Err(format!(
                "not a compact JWS: {} parts (expected 3)",
                parts.len()
            ));
        };
        Ok(Jws {
            header: json_object(&b64(header, "header")?, "header")?,
            payload: json_object(&b64(payload, "payload")?, "payload")?,
            signing_input: format!("{header}.{payload}"),
            signature: b64(signature, "signature")?,
        })
    }

    /// The header's `kid`, if it is a string.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }
}

/// The `kid` of a compact JWS's header; `None` when absent or unreadable.
pub fn kid_of(compact: &str) -> Option<String> {
    let header = compact.split('.').next()?;
    let header = json_object(&b64(header, "header").ok()?, "header").ok()?;
    header
        .get("kid")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The payload of a compact JWS, unverified.
pub fn payload_of(compact: &str) -> Result<Map<String, Value>, String> {
    let payload = compact
        .split('.')
        .nth(1)
        .ok_or("not a compact JWS: no payload")?;
    json_object(&b64(payload, "payload")?, "payload")
}

/// The claims of a userinfo answer: a JSON object, or a signed JWT's payload.
pub fn claims_of_body(body: &[u8]) -> Option<Map<String, Value>> {
    json_object(body, "body").ok().or_else(|| {
        let text = std::str::from_utf8(body).ok()?;
        payload_of(text.trim()).ok()
    })
}

/// The error a strict boolean decoder gives for a boolean claim sent as a string,
/// serde's text: `email_verified: invalid type: string "true", expected a boolean`.
pub fn string_boolean(claims: &Map<String, Value>) -> Option<String> {
    BOOLEAN_CLAIMS
        .iter()
        .find_map(|name| match claims.get(*name) {
            Some(Value::String(v)) => Some(format!(
                "{name}: invalid type: string {v:?}, expected a boolean"
            )),
            _ => None,
        })
}

/// `iat` may be at most [`MAX_IAT_SKEW`] ahead of `now`.
pub fn check_iat(iat: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), String> {
    if iat > now + MAX_IAT_SKEW {
        return Err(format!(
            "the ID token was issued in the future: iat {iat} is more than {} s after the current time {now}",
            MAX_IAT_SKEW.num_seconds()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn compact(header: Value, payload: Value) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string()),
            URL_SAFE_NO_PAD.encode(b"sig")
        )
    }

    #[test]
    fn a_compact_jws_splits_into_its_parts() {
        let token = compact(json!({"alg": "RS256", "kid": "k1"}), json!({"sub": "u"}));
        let jws = Jws::parse(&token).unwrap();
        assert_eq!(jws.kid(), Some("k1"));
        assert_eq!(jws.payload["sub"], "u");
        assert_eq!(jws.signature, b"sig");
        assert_eq!(
            jws.signing_input,
            token.rsplit_once('.').unwrap().0.to_string()
        );
        assert_eq!(kid_of(&token).as_deref(), Some("k1"));
        assert_eq!(payload_of(&token).unwrap()["sub"], "u");
    }

    #[test]
    fn broken_tokens_are_errors_not_panics() {
        assert!(Jws::parse("a.b").unwrap_err().contains("2 parts"));
        assert!(Jws::parse("!!.e30.").unwrap_err().contains("base64url"));
        let not_object = format!("{}.e30.", URL_SAFE_NO_PAD.encode("[1]"));
        assert!(Jws::parse(&not_object).unwrap_err().contains("JSON object"));
        assert_eq!(kid_of(""), None);
        assert_eq!(kid_of(&compact(json!({"alg": "RS256"}), json!({}))), None);
        assert!(payload_of("only-one-part").is_err());
    }

    #[test]
    fn string_booleans_are_named_with_serdes_words() {
        let claims = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            string_boolean(&claims(json!({"email_verified": "true"}))).as_deref(),
            Some("email_verified: invalid type: string \"true\", expected a boolean")
        );
        assert!(
            string_boolean(&claims(json!({"phone_number_verified": "false"})))
                .unwrap()
                .contains("string \"false\"")
        );
        assert_eq!(
            string_boolean(&claims(json!({"email_verified": true}))),
            None
        );
        assert_eq!(string_boolean(&claims(json!({"email": "a@b"}))), None);
    }

    #[test]
    fn userinfo_bodies_are_json_or_a_jwt() {
        let json_body = br#"{"sub":"u","email_verified":"true"}"#;
        assert_eq!(claims_of_body(json_body).unwrap()["email_verified"], "true");
        let jwt = compact(json!({"alg": "RS256"}), json!({"email_verified": "true"}));
        assert_eq!(
            claims_of_body(jwt.as_bytes()).unwrap()["email_verified"],
            "true"
        );
        assert_eq!(claims_of_body(b"not json"), None);
    }

    #[test]
    fn iat_may_be_at_most_five_minutes_ahead() {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        assert!(check_iat(now, now).is_ok());
        assert!(check_iat(now - TimeDelta::days(1), now).is_ok());
        assert!(check_iat(now + TimeDelta::seconds(300), now).is_ok());
        let e = check_iat(now + TimeDelta::seconds(301), now).unwrap_err();
        assert!(e.contains("in the future") && e.contains("300 s"), "{e}");
        assert!(check_iat(now + TimeDelta::days(1), now).is_err());
    }
}
