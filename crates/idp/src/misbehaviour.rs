//! Misbehaviours: deliberately wrong ID tokens and userinfo answers, each mirroring an
//! OpenID Foundation RP certification test (oidf-rp-tests.md §3-6). A relying party must
//! refuse every one of them except where noted. Switched like a quirk
//! (`id_token_misbehaviour`), one at a time, for every token the tenant issues while set.

use crate::keys::{JwksShape, SigningKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// What the tenant gets wrong.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Misbehaviour {
    /// Nothing: correct tokens.
    #[default]
    None,
    /// `iss` is another issuer (OIDF `oidcc-client-test-invalid-iss`, rp-id_token-iss).
    WrongIss,
    /// `aud` is another client (`oidcc-client-test-invalid-aud`, rp-id_token-aud).
    WrongAud,
    /// `aud` lists the client and another audience, with no `azp`
    /// (OIDC Core §3.1.3.7 items 4-5).
    ExtraAudNoAzp,
    /// `aud` lists the client and another audience, and `azp` names the other one
    /// (OIDC Core §3.1.3.7 items 4-5).
    ExtraAudWrongAzp,
    /// The RS256 signature does not verify (`oidcc-client-test-invalid-signature`).
    BadSignature,
    /// `alg: none`, no signature (`oidcc-client-test-unsigned-idtoken` / rp-id_token-sig-none
    /// refused for a client registered for RS256).
    AlgNone,
    /// HS256 with the client secret instead of RS256 (rp-id_token-sig-hs256 where the
    /// client expects RS256; Authentik without a signing key).
    Hs256ClientSecret,
    /// A `kid` that is not in the JWKS (`oidcc-client-test-kid-absent...`, rp-id_token-bad-sig).
    UnknownKid,
    /// No `kid` in the header, one key in the JWKS: must be ACCEPTED
    /// (`oidcc-client-test-kid-absent-single-jwks`).
    NoKidSingleKey,
    /// `nonce` differs from the request's (`oidcc-client-test-invalid-nonce`).
    WrongNonce,
    /// `nonce` missing although one was sent (`oidcc-client-test-missing-nonce`? rp-nonce-invalid).
    MissingNonce,
    /// `exp` in the past (OIDC Core §3.1.3.7 item 9; a gap in the OIDF plans).
    ExpInPast,
    /// `sub` missing (`oidcc-client-test-missing-sub`).
    MissingSub,
    /// `at_hash` does not match the access token (rp-id_token-bad-at_hash).
    WrongAtHash,
    /// Userinfo answers about another `sub` (`oidcc-client-test-userinfo-invalid-sub`).
    UserinfoWrongSub,
    /// The ID token carries only the required claims; profile, email and groups come
    /// only from userinfo: must be ACCEPTED (Okta/GitLab "thin" ID tokens).
    ThinIdToken,
    /// `iat` missing (`oidcc-client-test-missing-iat`, rp-id_token-iat).
    MissingIat,
    /// `iat` a day in the future (OIDC Core §3.1.3.7 item 10; FAPI's iat tests).
    IatInFuture,
    /// No `kid` in the header, and the JWKS has three RSA keys, none with a `kid`: the app
    /// may refuse or try each key, but must not crash
    /// (`oidcc-client-test-kid-absent-multiple-jwks`).
    NoKidSeveralKeys,
    /// `email_verified` is the string `"true"`, in the ID token and at userinfo (AWS
    /// Cognito): must be ACCEPTED where the app's library copes.
    EmailVerifiedString,
    /// The token endpoint answers with the ID token it issued to this client before, byte
    /// for byte (a replay across sessions; its `nonce` and `at_hash` are the old ones).
    ReplayIdToken,
    /// The discovery document's `issuer` is not the issuer URL the app was given
    /// (`oidcc-client-test-discovery-issuer-mismatch`, rp-discovery-issuer-not-matching-config).
    DiscoveryWrongIssuer,
    /// `nbf` a day in the future (`exp` an hour after it): the token is not yet valid
    /// (RFC 7519 §4.1.5; for API checks, "not yet valid").
    NbfInFuture,
    /// `tid` names another tenant (Entra's `/consumers` tenant) than the one in `iss`:
    /// under Entra's multi-tenant template the issuer is the template filled with `tid`,
    /// so `iss` does not match it (quirks.md E2; OIDC Core §3.1.3.7 item 2).
    TidMismatch,
}

/// The tenant id of Entra's `/consumers` (personal Microsoft accounts), quirks.md E2.
const CONSUMERS_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Claims only userinfo keeps under a thin ID token.
const USER_CLAIMS: [&str; 6] = [
    "email",
    "email_verified",
    "given_name",
    "family_name",
    "name",
    "preferred_username",
];

/// Breaks ID token claims as the misbehaviour says. `groups_claim` is removed for thin tokens.
pub fn tamper_id_token(m: Misbehaviour, c: &mut Map<String, Value>, groups_claim: &str, now: u64) {
    match m {
        Misbehaviour::WrongIss => {
            c.insert("iss".into(), json!("https://attacker.example.com/"));
        }
        Misbehaviour::WrongAud => {
            c.insert("aud".into(), json!(["some-other-client"]));
        }
        Misbehaviour::ExtraAudNoAzp => {
            let own = match c.get("aud") {
                Some(Value::Array(a)) => a.first().cloned().unwrap_or(Value::Null),
                Some(v) => v.clone(),
                None => Value::Null,
            };
            c.insert("aud".into(), json!([own, "some-other-client"]));
            c.remove("azp");
        }
        Misbehaviour::ExtraAudWrongAzp => {
            tamper_id_token(Misbehaviour::ExtraAudNoAzp, c, groups_claim, now);
            c.insert("azp".into(), json!("some-other-client"));
        }
        Misbehaviour::WrongNonce => {
            c.insert("nonce".into(), json!("a-nonce-this-app-never-sent"));
        }
        Misbehaviour::MissingNonce => {
            c.remove("nonce");
        }
        Misbehaviour::ExpInPast => {
            c.insert("iat".into(), json!(now - 7200));
            c.insert("exp".into(), json!(now - 3600));
        }
        Misbehaviour::MissingSub => {
            c.remove("sub");
        }
        Misbehaviour::WrongAtHash => {
            c.insert("at_hash".into(), json!("AAAAAAAAAAAAAAAAAAAAAA"));
        }
        Misbehaviour::ThinIdToken => {
            for k in USER_CLAIMS {
                c.remove(k);
            }
            c.remove(groups_claim);
        }
        Misbehaviour::MissingIat => {
            c.remove("iat");
        }
        Misbehaviour::IatInFuture => {
            c.insert("iat".into(), json!(now + DAY));
            c.insert("exp".into(), json!(now + DAY + 3600));
        }
        Misbehaviour::EmailVerifiedString => stringify_email_verified(c),
        Misbehaviour::NbfInFuture => {
            c.insert("nbf".into(), json!(now + DAY));
            c.insert("exp".into(), json!(now + DAY + 3600));
        }
        Misbehaviour::TidMismatch => {
            c.insert("tid".into(), json!(CONSUMERS_TENANT_ID));
        }
        _ => {}
    }
}

const DAY: u64 = 86_400;

/// `email_verified: true` becomes `"true"` (and false `"false"`), when present.
fn stringify_email_verified(c: &mut Map<String, Value>) {
    if let Some(Value::Bool(b)) = c.get("email_verified") {
        let text = b.to_string();
        c.insert("email_verified".into(), Value::String(text));
    }
}

/// Breaks a userinfo answer as the misbehaviour says.
pub fn tamper_userinfo(m: Misbehaviour, c: &mut Map<String, Value>) {
    match m {
        Misbehaviour::UserinfoWrongSub => {
            c.insert("sub".into(), json!("000000000000000000000000"));
        }
        Misbehaviour::EmailVerifiedString => stringify_email_verified(c),
        _ => {}
    }
}

/// Signs (or fails to sign) the claims as the misbehaviour says.
pub fn sign(
    m: Misbehaviour,
    key: &SigningKey,
    client_secret: &str,
    claims: &Map<String, Value>,
) -> Result<String, jsonwebtoken::errors::Error> {
    sign_typed(m, key, client_secret, claims, "JWT")
}

/// [`sign`] with another `typ` header (`at+jwt` for RFC 9068 access tokens).
pub fn sign_typed(
    m: Misbehaviour,
    key: &SigningKey,
    client_secret: &str,
    claims: &Map<String, Value>,
    typ: &str,
) -> Result<String, jsonwebtoken::errors::Error> {
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let kid = Some(key.kid.as_str());
    match m {
        Misbehaviour::AlgNone => Ok(format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": typ})),
            b64(&Value::Object(claims.clone()))
        )),
        Misbehaviour::Hs256ClientSecret => {
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
            header.typ = Some(typ.to_string());
            let k = jsonwebtoken::EncodingKey::from_secret(client_secret.as_bytes());
            jsonwebtoken::encode(&header, claims, &k)
        }
        Misbehaviour::BadSignature => {
            let jwt = key.sign_with_header(claims, kid, typ)?;
            // Flip the first signature character: still base64url, no longer valid.
            let (head, sig) = jwt.rsplit_once('.').unwrap_or((&jwt, ""));
            let mut sig: Vec<char> = sig.chars().collect();
            if let Some(first) = sig.first_mut() {
                *first = if *first == 'A' { 'B' } else { 'A' };
            }
            Ok(format!("{head}.{}", sig.into_iter().collect::<String>()))
        }
        Misbehaviour::UnknownKid => {
            key.sign_with_header(claims, Some("a-kid-not-in-the-jwks"), typ)
        }
        Misbehaviour::NoKidSingleKey | Misbehaviour::NoKidSeveralKeys => {
            key.sign_with_header(claims, None, typ)
        }
        _ => key.sign_with_header(claims, kid, typ),
    }
}

/// The JWKS a misbehaviour publishes instead of the tenant's own.
pub fn jwks_shape(m: Misbehaviour) -> JwksShape {
    match m {
        Misbehaviour::NoKidSingleKey => JwksShape::SingleRsa,
        Misbehaviour::NoKidSeveralKeys => JwksShape::SeveralRsaNoKid,
        _ => JwksShape::Normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alg_none_has_an_empty_signature() {
        let key = SigningKey::bundled(crate::protocol::SigningAlg::RS256, 0, "k".into());
        let jwt = sign(Misbehaviour::AlgNone, &key, "s", &Map::new()).unwrap();
        assert!(jwt.ends_with('.') && jwt.matches('.').count() == 2);
    }

    #[test]
    fn email_verified_becomes_a_string_where_present() {
        let mut c = Map::new();
        c.insert("email_verified".into(), json!(true));
        tamper_id_token(Misbehaviour::EmailVerifiedString, &mut c, "groups", 0);
        assert_eq!(c["email_verified"], json!("true"));
        let mut u = Map::new();
        tamper_userinfo(Misbehaviour::EmailVerifiedString, &mut u);
        assert!(u.is_empty());
    }

    #[test]
    fn iat_goes_a_day_ahead_with_exp_after_it() {
        let mut c = Map::new();
        tamper_id_token(Misbehaviour::IatInFuture, &mut c, "groups", 1000);
        assert_eq!(c["iat"], json!(1000 + DAY));
        assert!(c["exp"].as_u64() > c["iat"].as_u64());
    }

    #[test]
    fn a_wrong_azp_names_the_other_audience() {
        let mut c = Map::new();
        c.insert("aud".into(), json!(["app"]));
        tamper_id_token(Misbehaviour::ExtraAudWrongAzp, &mut c, "groups", 0);
        assert_eq!(c["aud"], json!(["app", "some-other-client"]));
        assert_eq!(c["azp"], json!("some-other-client"));
    }

    #[test]
    fn thin_tokens_lose_user_claims() {
        let mut c = Map::new();
        c.insert("email".into(), json!("a@b"));
        c.insert("memberOf".into(), json!("G"));
        c.insert("sub".into(), json!("x"));
        tamper_id_token(Misbehaviour::ThinIdToken, &mut c, "memberOf", 0);
        assert_eq!(c.keys().collect::<Vec<_>>(), vec!["sub"]);
    }
}
