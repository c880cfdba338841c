//! Signing keys and the JWKS a tenant publishes.
//!
//! Keys come from PEM files. Without one, a tenant uses the bundled test keys in
//! `crates/idp/keys/`: they are public, so tokens signed with them prove nothing outside
//! a test. Loading a bundled key costs microseconds, which keeps tenant creation and
//! start-up fast (generating a 2048-bit RSA key takes ~0.3 s).

use crate::protocol::SigningAlg;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use std::sync::Arc;

const BUNDLED_RSA: [&str; 3] = [
    include_str!("../keys/rsa-1.pem"),
    include_str!("../keys/rsa-2.pem"),
    include_str!("../keys/rsa-3.pem"),
];
const BUNDLED_EC: &str = include_str!("../keys/ec-1.pem");

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The PEM did not parse as a key of the expected kind.
    #[error("not a usable {alg:?} private key in PEM form: {source}")]
    BadPem {
        /// The algorithm the key was meant for.
        alg: SigningAlg,
        /// The parser's complaint.
        source: jsonwebtoken::errors::Error,
    },
    /// The RSA key parsed as PEM but aws-lc refuses it (too small, inconsistent).
    #[error("not a usable RSA signing key: {0}")]
    Rsa(String),
}

/// One private signing key with its public JWK.
#[derive(Clone)]
pub struct SigningKey {
    /// The `kid` published in the JWKS and put in token headers.
    pub kid: String,
    /// The algorithm.
    pub alg: SigningAlg,
    encoding: Arc<EncodingKey>,
    /// The RSA key parsed once: `jsonwebtoken` parses and checks the DER on every
    /// signature, which costs a third of the signing time.
    rsa: Option<Arc<RsaKeyPair>>,
    jwk: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads a PEM private key (PKCS#1 or PKCS#8 for RSA, PKCS#8 for EC).
    pub fn from_pem(pem: &str, alg: SigningAlg, kid: String) -> Result<Self, KeyError> {
        let bad = |source| KeyError::BadPem { alg, source };
        let jalg = jwt_alg(alg);
        let encoding = match alg {
            SigningAlg::RS256 => EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(bad)?,
            SigningAlg::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).map_err(bad)?,
        };
        let mut jwk = Jwk::from_encoding_key(&encoding, jalg).map_err(bad)?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let rsa = match alg {
            // `EncodingKey::from_rsa_pem` keeps the PKCS#1 DER, which aws-lc parses.
            SigningAlg::RS256 => Some(Arc::new(
                RsaKeyPair::from_der(encoding.as_bytes())
                    .map_err(|e| KeyError::Rsa(e.to_string()))?,
            )),
            SigningAlg::ES256 => None,
        };
        Ok(SigningKey {
            kid,
            alg,
            encoding: Arc::new(encoding),
            rsa,
            jwk,
        })
    }

    /// One of the bundled test keys; `index` picks among the RSA keys (used by rotation).
    pub fn bundled(alg: SigningAlg, index: usize, kid: String) -> Self {
        let pem = match alg {
            SigningAlg::RS256 => BUNDLED_RSA[index % BUNDLED_RSA.len()],
            SigningAlg::ES256 => BUNDLED_EC,
        };
        Self::from_pem(pem, alg, kid).expect("bundled keys are valid PEM")
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// Signs claims as a compact JWS with `kid` in the header.
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, jsonwebtoken::errors::Error> {
        self.sign_with_kid(claims, Some(&self.kid))
    }

    /// Signs claims with the given `kid` header (or none): for misbehaviours.
    pub fn sign_with_kid<C: Serialize>(
        &self,
        claims: &C,
        kid: Option<&str>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        self.sign_with_header(claims, kid, "JWT")
    }

    /// Signs claims with the given `kid` (or none) and `typ` headers.
    pub fn sign_with_header<C: Serialize>(
        &self,
        claims: &C,
        kid: Option<&str>,
        typ: &str,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(jwt_alg(self.alg));
        header.kid = kid.map(str::to_string);
        header.typ = Some(typ.to_string());
        let Some(pair) = &self.rsa else {
            return jsonwebtoken::encode(&header, claims, &self.encoding);
        };
        // The compact JWS as `jsonwebtoken::encode` makes it, with the parsed key.
        let part = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
        let message = format!(
            "{}.{}",
            part(&serde_json::to_vec(&header)?),
            part(&serde_json::to_vec(claims)?)
        );
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            message.as_bytes(),
            &mut signature,
        )
        .map_err(|_| jsonwebtoken::errors::ErrorKind::InvalidRsaKey("signing failed".into()))?;
        Ok(format!("{message}.{}", part(&signature)))
    }
}

/// The `jsonwebtoken` algorithm for ours.
pub fn jwt_alg(alg: SigningAlg) -> Algorithm {
    match alg {
        SigningAlg::RS256 => Algorithm::RS256,
        SigningAlg::ES256 => Algorithm::ES256,
    }
}

/// The keys of one tenant: one per algorithm, all published.
#[derive(Debug, Clone)]
pub struct KeyRing {
    /// RS256 key.
    pub rsa: SigningKey,
    /// ES256 key.
    pub ec: SigningKey,
    /// Which generation the RSA key is (1 at the start, +1 per rotation).
    generation: usize,
    tenant: String,
}

impl KeyRing {
    /// The bundled keys, with `kid`s unique to the tenant.
    pub fn bundled(tenant: &str) -> Self {
        KeyRing {
            rsa: SigningKey::bundled(SigningAlg::RS256, 0, format!("{tenant}-rsa-1")),
            ec: SigningKey::bundled(SigningAlg::ES256, 0, format!("{tenant}-ec-1")),
            generation: 1,
            tenant: tenant.to_string(),
        }
    }

    /// Replaces the RSA signing key with the next bundled one under a new `kid`
    /// (`<tenant>-rsa-<generation>`); the old key leaves the JWKS at once, as when an
    /// IdP rotates its keys. Returns the new `kid`.
    pub fn rotate(&mut self) -> String {
        let index = self.generation % BUNDLED_RSA.len();
        self.generation += 1;
        let kid = format!("{}-rsa-{}", self.tenant, self.generation);
        self.rsa = SigningKey::bundled(SigningAlg::RS256, index, kid.clone());
        kid
    }

    /// The key for an algorithm.
    pub fn for_alg(&self, alg: SigningAlg) -> &SigningKey {
        match alg {
            SigningAlg::RS256 => &self.rsa,
            SigningAlg::ES256 => &self.ec,
        }
    }

    /// The published key set, in the shape a misbehaviour asks for.
    pub fn jwks(&self, shape: JwksShape) -> JwkSet {
        let keys = match shape {
            JwksShape::Normal => vec![self.rsa.jwk().clone(), self.ec.jwk().clone()],
            JwksShape::SingleRsa => vec![self.rsa.jwk().clone()],
            JwksShape::SeveralRsaNoKid => {
                let others = (1..BUNDLED_RSA.len()).map(|i| {
                    let index = (self.generation - 1 + i) % BUNDLED_RSA.len();
                    SigningKey::bundled(SigningAlg::RS256, index, String::new())
                        .jwk()
                        .clone()
                });
                std::iter::once(self.rsa.jwk().clone())
                    .chain(others)
                    .map(|mut k| {
                        k.common.key_id = None;
                        k
                    })
                    .collect()
            }
        };
        JwkSet { keys }
    }
}

/// Which keys the JWKS publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwksShape {
    /// Every signing key of the tenant, each with its `kid`.
    Normal,
    /// Only the RSA signing key.
    SingleRsa,
    /// The RSA signing key and two other RSA keys, none with a `kid`.
    SeveralRsaNoKid,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation, decode};

    #[test]
    fn bundled_keys_sign_and_verify() {
        let ring = KeyRing::bundled("t");
        for alg in [SigningAlg::RS256, SigningAlg::ES256] {
            let key = ring.for_alg(alg);
            let token = key
                .sign(&serde_json::json!({"sub": "x", "exp": 4_000_000_000u64}))
                .unwrap();
            let dk = DecodingKey::from_jwk(key.jwk()).unwrap();
            let v = Validation::new(jwt_alg(alg));
            let data = decode::<serde_json::Value>(&token, &dk, &v).unwrap();
            assert_eq!(data.header.kid.as_deref(), Some(key.kid.as_str()));
        }
    }

    #[test]
    fn a_bad_pem_is_an_error_not_a_panic() {
        let err = SigningKey::from_pem("nope", SigningAlg::RS256, "k".into()).unwrap_err();
        assert!(err.to_string().contains("PEM"));
    }
}
