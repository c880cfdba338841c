//! The request journal: what every request to a tenant carried and how it ended, with
//! secrets masked. Checks read it as evidence of what the app sent.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Parameters whose values are secrets: only their length is kept.
const SECRET_PARAMS: [&str; 6] = [
    "client_secret",
    "password",
    "code_verifier",
    "refresh_token",
    "access_token",
    "token",
];

/// One request and its outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct JournalEntry {
    /// Position in the tenant's journal, from 1.
    pub seq: u64,
    /// Unix time in milliseconds.
    pub at_ms: u128,
    /// Which endpoint: `discovery`, `jwks`, `authorize`, `login`, `token`, `userinfo`,
    /// `revoke`, `end_session`, `error_page`, `unknown`.
    pub endpoint: String,
    /// HTTP method.
    pub method: String,
    /// Request parameters (query or form), secrets masked as `***(len)`.
    pub params: BTreeMap<String, String>,
    /// Length of `state` in bytes; `None` when absent.
    pub state_len: Option<usize>,
    /// Length of `nonce` in bytes; `None` when absent.
    pub nonce_len: Option<usize>,
    /// `code_challenge_method` as sent (`S256`, `plain`), `plain (implied)` for a
    /// challenge without method; `None` without PKCE.
    pub pkce_method: Option<String>,
    /// How the client authenticated at the token/revocation endpoint:
    /// `basic`, `post`, `both` or `none`.
    pub client_auth: Option<String>,
    /// The client id the request named.
    pub client_id: Option<String>,
    /// The `redirect_uri` parameter as sent.
    pub redirect_uri: Option<String>,
    /// `grant_type` at the token endpoint.
    pub grant_type: Option<String>,
    /// HTTP status of the answer.
    pub status: u16,
    /// `ok`, `login_page`, `redirect`, `error_redirect`, `error_page` or `error`.
    pub outcome: String,
    /// The OAuth `error` code, when it failed.
    pub error: Option<String>,
    /// The `error_description` sent.
    pub error_description: Option<String>,
    /// Where the browser was sent, for redirects.
    pub location: Option<String>,
}

impl JournalEntry {
    /// Starts an entry from the request's parameters, masking secrets and extracting
    /// the facts checks look at.
    pub fn new(endpoint: &str, method: &str, params: &[(String, String)]) -> Self {
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let mut masked = BTreeMap::new();
        for (k, v) in params {
            let shown = if SECRET_PARAMS.contains(&k.as_str()) {
                format!("***({})", v.len())
            } else {
                v.clone()
            };
            masked.insert(k.clone(), shown);
        }
        let pkce_method = match (get("code_challenge"), get("code_challenge_method")) {
            (_, Some(m)) => Some(m),
            (Some(_), None) => Some("plain (implied)".into()),
            (None, None) => None,
        };
        JournalEntry {
            endpoint: endpoint.into(),
            method: method.into(),
            state_len: get("state").map(|s| s.len()),
            nonce_len: get("nonce").map(|s| s.len()),
            pkce_method,
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            grant_type: get("grant_type"),
            params: masked,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_facts_extracted() {
        let p = vec![
            ("client_secret".to_string(), "s3cret".to_string()),
            ("state".to_string(), "abc".to_string()),
            ("code_challenge".to_string(), "x".to_string()),
        ];
        let e = JournalEntry::new("authorize", "GET", &p);
        assert_eq!(e.params["client_secret"], "***(6)");
        assert_eq!(e.state_len, Some(3));
        assert_eq!(e.pkce_method.as_deref(), Some("plain (implied)"));
    }
}
