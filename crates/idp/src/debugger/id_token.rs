//! Reading an ID token for a person: its header and claims decoded, and its signature
//! checked against the tenant's published JWKS (RFC 7515 §5.2, OIDC Core §3.1.3.7 item 6).
//! Nothing else is validated here: the page shows the claims so that a person can judge
//! `iss`, `aud`, `exp` and `nonce` themselves.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// Whether the signature verified, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// A key of the JWKS verifies it.
    Verified {
        /// The header's `alg`.
        alg: String,
        /// The `kid` of the key that verified it (`None`: the JWKS key has none).
        kid: Option<String>,
    },
    /// No key of the JWKS verifies it; the reason says why.
    NotVerified(String),
}

/// An ID token taken apart.
#[derive(Debug, Clone)]
pub struct InspectedIdToken {
    /// The JOSE header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
    /// The signature check.
    pub signature: SignatureCheck,
}

/// Why a string is not a JWS in compact form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InspectError {
    /// Not three dot-separated parts.
    #[error("not a JWT: expected three parts separated by dots, found {0}")]
    Parts(usize),
    /// A part is not base64url JSON.
    #[error("not a JWT: the {part} is not base64url-encoded JSON ({why})")]
    Part {
        /// `header` or `claims`.
        part: &'static str,
        /// The decoder's complaint.
        why: String,
    },
}

fn json_part(part: &'static str, b64: &str) -> Result<Value, InspectError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|e| InspectError::Part {
            part,
            why: e.to_string(),
        })?;
    serde_json::from_slice(&bytes).map_err(|e| InspectError::Part {
        part,
        why: e.to_string(),
    })
}

/// Decodes `jwt` and checks its signature against `jwks`: the key named by the header's
/// `kid`, or without a `kid` every key of the right type in turn.
pub fn inspect(jwt: &str, jwks: &JwkSet) -> Result<InspectedIdToken, InspectError> {
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return Err(InspectError::Parts(parts.len()));
    }
    let header = json_part("header", parts[0])?;
    let claims = json_part("claims", parts[1])?;
    let signature = check_signature(jwt, &header, jwks);
    Ok(InspectedIdToken {
        header,
        claims,
        signature,
    })
}

fn check_signature(jwt: &str, header: &Value, jwks: &JwkSet) -> SignatureCheck {
    let alg_name = header["alg"].as_str().unwrap_or("").to_string();
    let alg = match alg_name.as_str() {
        "RS256" => Algorithm::RS256,
        "ES256" => Algorithm::ES256,
        "none" => {
            return SignatureCheck::NotVerified(
                "alg is none: the token is not signed at all".into(),
            );
        }
        "" => return SignatureCheck::NotVerified("the header has no alg".into()),
        other if other.starts_with("HS") => {
            return SignatureCheck::NotVerified(format!(
                "alg is {other}, a shared-secret MAC: no key of the JWKS can verify it"
            ));
        }
        other => {
            return SignatureCheck::NotVerified(format!(
                "alg {other} is not one this IdP signs with (RS256, ES256)"
            ));
        }
    };
    let kid = header["kid"].as_str();
    let fits = |params: &AlgorithmParameters| match alg {
        Algorithm::RS256 => matches!(params, AlgorithmParameters::RSA(_)),
        _ => matches!(params, AlgorithmParameters::EllipticCurve(_)),
    };
    let candidates: Vec<_> = jwks
        .keys
        .iter()
        .filter(|k| match kid {
            Some(kid) => k.common.key_id.as_deref() == Some(kid),
            None => fits(&k.algorithm),
        })
        .collect();
    if candidates.is_empty() {
        return SignatureCheck::NotVerified(match kid {
            Some(kid) => format!("kid {kid} is not in the tenant's JWKS"),
            None => format!("the token has no kid and the JWKS has no {alg_name} key"),
        });
    }
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let mut last = String::new();
    for jwk in &candidates {
        let key = match DecodingKey::from_jwk(jwk) {
            Ok(k) => k,
            Err(e) => {
                last = e.to_string();
                continue;
            }
        };
        match jsonwebtoken::decode::<Value>(jwt, &key, &validation) {
            Ok(_) => {
                return SignatureCheck::Verified {
                    alg: alg_name,
                    kid: jwk.common.key_id.clone(),
                };
            }
            Err(e) => last = e.to_string(),
        }
    }
    let tried = if candidates.len() == 1 {
        "the JWKS key".to_string()
    } else {
        format!("any of the {} JWKS keys", candidates.len())
    };
    SignatureCheck::NotVerified(format!(
        "the signature does not verify with {tried} ({last})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::JwksShape;
    use crate::keys::{KeyRing, SigningKey};
    use crate::quirks::SigningAlg;
    use serde_json::json;

    fn ring() -> KeyRing {
        KeyRing::bundled("dbg")
    }

    fn signed(key: &SigningKey) -> String {
        key.sign(&json!({"sub": "alice", "iss": "http://127.0.0.1/"}))
            .unwrap()
    }

    #[test]
    fn a_token_signed_by_the_tenant_verifies_with_its_kid() {
        let ring = ring();
        let key = ring.for_alg(SigningAlg::RS256);
        let t = inspect(&signed(key), &ring.jwks(JwksShape::Normal)).unwrap();
        assert_eq!(t.claims["sub"], "alice");
        assert_eq!(t.header["alg"], "RS256");
        assert_eq!(
            t.signature,
            SignatureCheck::Verified {
                alg: "RS256".into(),
                kid: Some(key.kid.clone())
            }
        );
    }

    #[test]
    fn a_flipped_signature_does_not_verify() {
        let ring = ring();
        let jwt = signed(ring.for_alg(SigningAlg::RS256));
        let (head, sig) = jwt.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
        bytes[0] ^= 0x5a;
        let bad = format!("{head}.{}", URL_SAFE_NO_PAD.encode(bytes));
        let t = inspect(&bad, &ring.jwks(JwksShape::Normal)).unwrap();
        assert!(
            matches!(&t.signature, SignatureCheck::NotVerified(why) if why.contains("does not verify")),
            "{:?}",
            t.signature
        );
    }

    #[test]
    fn unsigned_and_unknown_kid_tokens_say_why() {
        let ring = ring();
        let enc = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!(
            "{}.{}.",
            enc(json!({"alg": "none"})),
            enc(json!({"sub": "x"}))
        );
        let t = inspect(&none, &ring.jwks(JwksShape::Normal)).unwrap();
        assert_eq!(
            t.signature,
            SignatureCheck::NotVerified("alg is none: the token is not signed at all".into())
        );
        let other = format!(
            "{}.{}.c2ln",
            enc(json!({"alg": "RS256", "kid": "elsewhere"})),
            enc(json!({"sub": "x"}))
        );
        let t = inspect(&other, &ring.jwks(JwksShape::Normal)).unwrap();
        assert_eq!(
            t.signature,
            SignatureCheck::NotVerified("kid elsewhere is not in the tenant's JWKS".into())
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let jwks = ring().jwks(JwksShape::Normal);
        assert_eq!(inspect("abc", &jwks).unwrap_err(), InspectError::Parts(1));
        assert!(matches!(
            inspect("!!.e30.x", &jwks).unwrap_err(),
            InspectError::Part { part: "header", .. }
        ));
    }
}
