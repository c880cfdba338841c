//! The request journal: what every request to a tenant carried and how it ended, with
//! secrets masked. Checks read it as evidence of what the app sent.

use crate::limits::{MAX_JOURNAL_PARAMS, MAX_JOURNAL_VALUE};
pub use crate::protocol::{ClientAuth, Endpoint, Outcome, PkceMethod};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Parameters whose values are secrets: only their length is kept, as `***(len)`.
/// Codes and tokens are bearer credentials (RFC 6749 §10.3, §10.5); the login
/// challenge lets whoever holds it sign in in place of the user.
/// Device and user codes (RFC 8628 §5.2, §5.4) are credentials of the same kind.
pub const SECRET_PARAMS: [&str; 13] = [
    "client_secret",
    "password",
    "code_verifier",
    "code",
    "refresh_token",
    "access_token",
    "id_token",
    "id_token_hint",
    "token",
    "login_challenge",
    "client_assertion",
    "device_code",
    "user_code",
];

/// `***(len)`: a secret's length without its value.
pub fn mask(value: &str) -> String {
    format!("***({})", value.len())
}

/// A value the journal keeps: whole up to [`MAX_JOURNAL_VALUE`] bytes, else its first
/// bytes (cut on a character boundary) and `…(N bytes)` with the original length.
pub fn cap(value: &str) -> String {
    if value.len() <= MAX_JOURNAL_VALUE {
        return value.to_string();
    }
    let mut end = MAX_JOURNAL_VALUE;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…({} bytes)", &value[..end], value.len())
}

/// A URL the IdP sent the browser to, as the journal keeps it: the value of every
/// secret parameter (`code`, tokens) in the query or fragment masked as `***(len)`,
/// other values over [`MAX_JOURNAL_VALUE`] bytes cut as [`cap`] does. The rest of the
/// URL stays byte for byte.
pub fn mask_location(url: &str) -> String {
    let (before_frag, frag) = match url.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (url, None),
    };
    let (base, query) = match before_frag.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before_frag, None),
    };
    let mut out = cap(base);
    if let Some(q) = query {
        out.push('?');
        out.push_str(&mask_pairs(q));
    }
    if let Some(f) = frag {
        out.push('#');
        out.push_str(&mask_pairs(f));
    }
    out
}

fn mask_pairs(raw: &str) -> String {
    let parts: Vec<String> = raw
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let name: String = form_urlencoded::parse(k.as_bytes())
                .next()
                .map(|(n, _)| n.into_owned())
                .unwrap_or_default();
            if !pair.contains('=') {
                cap(pair)
            } else if SECRET_PARAMS.contains(&name.as_str()) {
                let decoded: String = form_urlencoded::parse(format!("x={v}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                format!("{}={}", cap(k), mask(&decoded))
            } else {
                format!("{}={}", cap(k), cap(v))
            }
        })
        .collect();
    parts.join("&")
}

/// One request and its outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct JournalEntry {
    /// Position in the tenant's journal, from 1.
    pub seq: u64,
    /// Unix time in milliseconds.
    pub at_ms: u128,
    /// Which endpoint: `discovery`, `jwks`, `authorize`, `login`, `token`, `userinfo`,
    /// `revoke`, `end_session`, `error_page`, `device_authorization`, `device_verify`,
    /// `unknown`.
    pub endpoint: Endpoint,
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
    pub pkce_method: Option<PkceMethod>,
    /// How the client authenticated at the token/revocation endpoint (`basic`,
    /// `post`, `both` or `none`), or where userinfo's bearer token was (`bearer_header`,
    /// `bearer_body`, `both`, `none`).
    pub client_auth: Option<ClientAuth>,
    /// The client id the request named.
    pub client_id: Option<String>,
    /// The `redirect_uri` parameter as sent.
    pub redirect_uri: Option<String>,
    /// `grant_type` at the token endpoint.
    pub grant_type: Option<String>,
    /// HTTP status of the answer.
    pub status: u16,
    /// `ok`, `login_page`, `redirect`, `error_redirect`, `error_page`, `error`, or on the
    /// device verification page `approved` / `denied`.
    pub outcome: Outcome,
    /// The OAuth `error` code, when it failed.
    pub error: Option<String>,
    /// The `error_description` sent.
    pub error_description: Option<String>,
    /// Where the browser was sent, for redirects.
    pub location: Option<String>,
    /// Device-code polls at the token endpoint: milliseconds since the previous poll
    /// for the same device code; absent on the first (RFC 8628 §3.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_last_poll_ms: Option<u64>,
}

impl JournalEntry {
    /// Starts an entry from the request's parameters, masking secrets and extracting
    /// the facts checks look at.
    pub fn new(endpoint: Endpoint, method: &str, params: &[(String, String)]) -> Self {
        let raw = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let get = |k: &str| raw(k).map(cap);
        let mut masked = BTreeMap::new();
        let mut dropped = 0usize;
        for (k, v) in params {
            let shown = if SECRET_PARAMS.contains(&k.as_str()) {
                mask(v)
            } else {
                cap(v)
            };
            let key = cap(k);
            if masked.len() >= MAX_JOURNAL_PARAMS && !masked.contains_key(&key) {
                dropped += 1;
                continue;
            }
            masked.insert(key, shown);
        }
        if dropped > 0 {
            masked.insert("…".into(), format!("{dropped} more parameters not kept"));
        }
        let pkce_method = PkceMethod::of_request(
            raw("code_challenge"),
            get("code_challenge_method").as_deref(),
        );
        JournalEntry {
            endpoint,
            method: method.into(),
            state_len: raw("state").map(str::len),
            nonce_len: raw("nonce").map(str::len),
            pkce_method,
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            grant_type: get("grant_type"),
            params: masked,
            ..Default::default()
        }
    }
}

impl JournalEntry {
    /// Approximate heap bytes of the entry, for the journal's byte cap.
    pub fn weight(&self) -> usize {
        let opt = |o: &Option<String>| o.as_ref().map_or(0, String::len);
        let params: usize = self
            .params
            .iter()
            .map(|(k, v)| k.len() + v.len() + 48)
            .sum();
        256 + self.method.len()
            + params
            + self.pkce_method.as_ref().map_or(0, |m| m.as_str().len())
            + opt(&self.client_id)
            + opt(&self.redirect_uri)
            + opt(&self.grant_type)
            + opt(&self.error)
            + opt(&self.error_description)
            + opt(&self.location)
    }

    /// Caps the free-text fields an endpoint filled after [`JournalEntry::new`] and
    /// masks secrets in `location`: called once as the entry is stored.
    pub fn seal(&mut self) {
        if let Some(d) = &mut self.error_description
            && d.len() > 4 * MAX_JOURNAL_VALUE
        {
            // Descriptions quote what was sent; keep more of them than of a value.
            let mut end = 4 * MAX_JOURNAL_VALUE;
            while !d.is_char_boundary(end) {
                end -= 1;
            }
            *d = format!("{}…({} bytes)", &d[..end], d.len());
        }
        if let Some(l) = &mut self.location {
            *l = mask_location(l);
        }
        if let Some(v) = &mut self.error {
            *v = cap(v);
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
        let e = JournalEntry::new(Endpoint::Authorize, "GET", &p);
        assert_eq!(e.params["client_secret"], "***(6)");
        assert_eq!(e.state_len, Some(3));
        assert_eq!(e.pkce_method, Some(PkceMethod::PlainImplied));
    }

    #[test]
    fn codes_tokens_and_challenges_are_masked() {
        let names = [
            "code",
            "id_token_hint",
            "login_challenge",
            "password",
            "code_verifier",
            "refresh_token",
            "access_token",
            "id_token",
        ];
        let p: Vec<_> = names
            .iter()
            .map(|n| (n.to_string(), "secret-value".to_string()))
            .collect();
        let e = JournalEntry::new(Endpoint::Token, "POST", &p);
        for n in names {
            assert_eq!(e.params[n], "***(12)", "{n}");
        }
    }

    #[test]
    fn long_values_are_cut_but_keep_their_length() {
        let state = "s".repeat(60_000);
        let p = vec![
            ("state".to_string(), state.clone()),
            ("redirect_uri".to_string(), "é".repeat(300)),
        ];
        let e = JournalEntry::new(Endpoint::Authorize, "GET", &p);
        assert_eq!(e.state_len, Some(60_000));
        assert_eq!(
            e.params["state"],
            format!("{}…(60000 bytes)", &state[..MAX_JOURNAL_VALUE])
        );
        let r = e.redirect_uri.unwrap();
        assert!(r.ends_with("…(600 bytes)") && r.len() < 300, "{r}");
    }

    #[test]
    fn too_many_parameters_are_counted_not_kept() {
        let p: Vec<_> = (0..1000)
            .map(|i| (format!("p{i}"), String::new()))
            .collect();
        let e = JournalEntry::new(Endpoint::Authorize, "GET", &p);
        assert_eq!(e.params.len(), MAX_JOURNAL_PARAMS + 1);
        assert_eq!(e.params["…"], "936 more parameters not kept");
    }

    #[test]
    fn locations_keep_their_shape_with_the_code_masked() {
        assert_eq!(
            mask_location("http://127.0.0.1:3000/cb?code=ory_ac_abc&scope=openid&state=xyz"),
            "http://127.0.0.1:3000/cb?code=***(10)&scope=openid&state=xyz"
        );
        assert_eq!(
            mask_location("http://a/cb#state=s&code=abc%2Bd"),
            "http://a/cb#state=s&code=***(5)"
        );
        assert_eq!(mask_location("http://a/cb"), "http://a/cb");
        let long = mask_location(&format!("http://a/cb?state={}", "x".repeat(1000)));
        assert!(long.ends_with("…(1000 bytes)"), "{long}");
    }
}
