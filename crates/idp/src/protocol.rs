//! The protocol vocabulary every other module speaks: client-auth methods, signing
//! algorithms, PKCE methods, response modes, and the journal's endpoint, outcome and
//! observed client authentication. The bottom floor of the crate: it imports nothing
//! from it, so quirks, model, keys and misbehaviours can all depend on it.
//!
//! Each type serialises to the exact string the specification (or the journal's JSON,
//! which the runner reads) uses, so the wire format is the spec's.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// How a client authenticates at the token endpoint (OIDC Core §9, RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuthMethod {
    /// `Authorization: Basic` with the url-encoded id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1).
    ClientSecretPost,
    /// A public client: no secret, PKCE instead (RFC 7591 §2).
    None,
}

impl TokenAuthMethod {
    /// The registered name, e.g. `client_secret_post`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenAuthMethod::ClientSecretBasic => "client_secret_basic",
            TokenAuthMethod::ClientSecretPost => "client_secret_post",
            TokenAuthMethod::None => "none",
        }
    }

    /// How a request authenticated with this method shows in the journal.
    pub fn observed(self) -> ClientAuth {
        match self {
            TokenAuthMethod::ClientSecretBasic => ClientAuth::Basic,
            TokenAuthMethod::ClientSecretPost => ClientAuth::Post,
            TokenAuthMethod::None => ClientAuth::None,
        }
    }
}

impl fmt::Display for TokenAuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A JWS signing algorithm for ID tokens (RFC 7518 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// ECDSA P-256 with SHA-256.
    ES256,
}

impl SigningAlg {
    /// The `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::RS256 => "RS256",
            SigningAlg::ES256 => "ES256",
        }
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A PKCE `code_challenge_method` as an authorization request carried it (RFC 7636 §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PkceMethod {
    /// `S256`.
    S256,
    /// `plain`, sent explicitly.
    Plain,
    /// A challenge without a method, which RFC 7636 §4.3 reads as `plain`
    /// (journaled as `plain (implied)`).
    PlainImplied,
    /// Any other value, as sent (refused: RFC 7636 §4.4.1).
    Other(String),
}

impl PkceMethod {
    /// The method of a request from its `code_challenge` and `code_challenge_method`;
    /// `None` without PKCE.
    pub fn of_request(challenge: Option<&str>, method: Option<&str>) -> Option<PkceMethod> {
        match (challenge, method) {
            (_, Some(m)) => Some(PkceMethod::parse(m)),
            (Some(_), None) => Some(PkceMethod::PlainImplied),
            (None, None) => None,
        }
    }

    /// A method as written.
    pub fn parse(s: &str) -> PkceMethod {
        match s {
            "S256" => PkceMethod::S256,
            "plain" => PkceMethod::Plain,
            "plain (implied)" => PkceMethod::PlainImplied,
            other => PkceMethod::Other(other.to_string()),
        }
    }

    /// The method as the journal writes it.
    pub fn as_str(&self) -> &str {
        match self {
            PkceMethod::S256 => "S256",
            PkceMethod::Plain => "plain",
            PkceMethod::PlainImplied => "plain (implied)",
            PkceMethod::Other(s) => s,
        }
    }
}

impl fmt::Display for PkceMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PkceMethod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PkceMethod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(PkceMethod::parse(&String::deserialize(d)?))
    }
}

/// How the authorization response reaches the app (OAuth 2.0 Multiple Response Type
/// Encoding Practices §2.1; OAuth 2.0 Form Post Response Mode §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// In the redirect URI's query: the code flow's default.
    #[default]
    Query,
    /// In the redirect URI's fragment.
    Fragment,
    /// An auto-submitting HTML form posted to the redirect URI.
    FormPost,
}

impl ResponseMode {
    /// Parses a `response_mode` parameter; `None` for an unknown one.
    pub fn parse(s: &str) -> Option<ResponseMode> {
        match s {
            "query" => Some(ResponseMode::Query),
            "fragment" => Some(ResponseMode::Fragment),
            "form_post" => Some(ResponseMode::FormPost),
            _ => None,
        }
    }

    /// The parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::Fragment => "fragment",
            ResponseMode::FormPost => "form_post",
        }
    }
}

/// Which endpoint a journal entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `/.well-known/openid-configuration` (OIDC Discovery §4).
    Discovery,
    /// The JWKS (RFC 7517).
    Jwks,
    /// The authorization endpoint (RFC 6749 §3.1).
    Authorize,
    /// The IdP's own login form.
    Login,
    /// The token endpoint (RFC 6749 §3.2).
    Token,
    /// Userinfo (OIDC Core §5.3).
    Userinfo,
    /// Revocation (RFC 7009).
    Revoke,
    /// End-session (RP-Initiated Logout §2).
    EndSession,
    /// The IdP's error page.
    ErrorPage,
    /// The device authorization endpoint (RFC 8628 §3.1).
    DeviceAuthorization,
    /// The device verification page (RFC 8628 §3.3).
    DeviceVerify,
    /// No endpoint (an unknown path or a wrong HTTP method).
    #[default]
    Unknown,
}

impl Endpoint {
    /// The name the journal's JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Discovery => "discovery",
            Endpoint::Jwks => "jwks",
            Endpoint::Authorize => "authorize",
            Endpoint::Login => "login",
            Endpoint::Token => "token",
            Endpoint::Userinfo => "userinfo",
            Endpoint::Revoke => "revoke",
            Endpoint::EndSession => "end_session",
            Endpoint::ErrorPage => "error_page",
            Endpoint::DeviceAuthorization => "device_authorization",
            Endpoint::DeviceVerify => "device_verify",
            Endpoint::Unknown => "unknown",
        }
    }

    /// Discovery and JWKS: the fetches that only read the provider's metadata.
    pub fn is_metadata(self) -> bool {
        matches!(self, Endpoint::Discovery | Endpoint::Jwks)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a journaled request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A successful answer (JSON, a page, a 200).
    Ok,
    /// The login form was shown.
    LoginPage,
    /// A successful redirect back to the app (code, logout).
    Redirect,
    /// An error sent back to the app's redirect URI (RFC 6749 §4.1.2.1).
    ErrorRedirect,
    /// An error shown on (or forwarded to) the IdP's own error page.
    ErrorPage,
    /// An error answered as JSON (RFC 6749 §5.2), or a request no handler finished.
    #[default]
    Error,
    /// The device verification page: the person signed in and allowed the device.
    Approved,
    /// The device verification page: the person declined, or is outside the app's
    /// groups (the device's next poll gets `access_denied`).
    Denied,
}

impl Outcome {
    /// The name the journal's JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::LoginPage => "login_page",
            Outcome::Redirect => "redirect",
            Outcome::ErrorRedirect => "error_redirect",
            Outcome::ErrorPage => "error_page",
            Outcome::Error => "error",
            Outcome::Approved => "approved",
            Outcome::Denied => "denied",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a request presented its credentials, as the journal records it: client
/// authentication at the token and revocation endpoints (RFC 6749 §2.3.1), the bearer
/// token's place at userinfo (RFC 6750 §2.1-2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// An `Authorization: Basic` header.
    Basic,
    /// `client_secret` in the form body.
    Post,
    /// Both a Basic header and a body secret.
    Both,
    /// No credentials.
    None,
    /// A bearer token in the `Authorization` header (RFC 6750 §2.1).
    BearerHeader,
    /// A bearer token in the form body (RFC 6750 §2.2).
    BearerBody,
}

impl ClientAuth {
    /// The name the journal's JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuth::Basic => "basic",
            ClientAuth::Post => "post",
            ClientAuth::Both => "both",
            ClientAuth::None => "none",
            ClientAuth::BearerHeader => "bearer_header",
            ClientAuth::BearerBody => "bearer_body",
        }
    }
}

impl fmt::Display for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_values_keep_their_wire_names() {
        let j = |v: serde_json::Value| v.as_str().unwrap().to_string();
        assert_eq!(j(serde_json::json!(Endpoint::EndSession)), "end_session");
        assert_eq!(
            j(serde_json::json!(Outcome::ErrorRedirect)),
            "error_redirect"
        );
        assert_eq!(
            j(serde_json::json!(ClientAuth::BearerHeader)),
            "bearer_header"
        );
        assert_eq!(
            j(serde_json::json!(PkceMethod::PlainImplied)),
            "plain (implied)"
        );
        let odd: PkceMethod = serde_json::from_str("\"S512\"").unwrap();
        assert_eq!(odd, PkceMethod::Other("S512".into()));
        for e in [Endpoint::Token, Endpoint::ErrorPage] {
            let back: Endpoint = serde_json::from_value(serde_json::json!(e.as_str())).unwrap();
            assert_eq!(back, e);
        }
    }

    #[test]
    fn a_challenge_without_method_is_implied_plain() {
        assert_eq!(
            PkceMethod::of_request(Some("x"), None),
            Some(PkceMethod::PlainImplied)
        );
        assert_eq!(PkceMethod::of_request(None, None), None);
        assert_eq!(
            PkceMethod::of_request(None, Some("S256")),
            Some(PkceMethod::S256)
        );
    }
}
