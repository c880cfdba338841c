//! Request parameters: the query string or a form body, parsed without losing repeats,
//! so that a parameter sent twice can be refused (RFC 6749 §3.1).

use crate::error::OAuthError;
use axum::http::{HeaderMap, header};

/// Largest request body the IdP reads.
pub const MAX_BODY: usize = 64 * 1024;

/// The parameters of one request, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parses `a=b&c=d`.
    pub fn parse(raw: &[u8]) -> Params {
        Params(
            form_urlencoded::parse(raw)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The value of `name` when it was sent exactly once; empty values count as absent,
    /// as in Go's `url.Values.Get` that fosite uses.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The first parameter that appears more than once.
    pub fn repeated(&self) -> Option<&str> {
        self.0.iter().enumerate().find_map(|(i, (k, _))| {
            self.0[..i]
                .iter()
                .any(|(p, _)| p == k)
                .then_some(k.as_str())
        })
    }

    /// Refuses repeated parameters with `invalid_request`.
    pub fn reject_repeats(&self) -> Result<(), OAuthError> {
        match self.repeated() {
            Some(name) => Err(OAuthError::invalid_request()
                .hint(format!("Parameter '{name}' was included more than once."))),
            None => Ok(()),
        }
    }
}

/// Whether the request declares a form body.
pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_found_and_empty_is_absent() {
        let p = Params::parse(b"a=1&b=&a=2");
        assert_eq!(p.repeated(), Some("a"));
        assert_eq!(p.get("b"), None);
        assert!(
            p.reject_repeats()
                .unwrap_err()
                .hint
                .unwrap()
                .contains("'a'")
        );
    }
}
