//! Server-side state keyed by random cookie values (pending flows, sessions), and the
//! cookies that carry the keys.

use crate::flow::random_token;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The cookie naming the pending flow.
pub const FLOW_COOKIE: &str = "demo_rp_flow";
/// The cookie naming the session.
pub const SESSION_COOKIE: &str = "demo_rp_session";

/// Values keyed by a random id, forgotten after `ttl`.
pub struct Store<T> {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, T)>>,
}

impl<T> Store<T> {
    /// An empty store.
    pub fn new(ttl: Duration) -> Self {
        Store {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, T)>> {
        // A panic elsewhere must not take sign-in down with it.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `value` under a new random id and returns the id.
    pub fn insert(&self, value: T) -> String {
        let id = random_token(32);
        self.put(&id, value);
        id
    }

    /// Keeps `value` under a key of the caller's choosing.
    pub fn put(&self, key: &str, value: T) {
        let mut entries = self.lock();
        let ttl = self.ttl;
        entries.retain(|_, (at, _)| at.elapsed() < ttl);
        entries.insert(key.to_string(), (Instant::now(), value));
    }

    /// Removes and returns the value under `id` (single use), if it is still fresh.
    pub fn take(&self, id: &str) -> Option<T> {
        self.lock()
            .remove(id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v)
    }
}

impl<T: Clone> Store<T> {
    /// The value under `id`, if it is still fresh.
    pub fn get(&self, id: &str) -> Option<T> {
        self.lock()
            .get(id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }
}

/// The value of cookie `name` in a request.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Adds `Set-Cookie: name=value` (HttpOnly, SameSite=Lax so the IdP's top-level
/// redirect back still carries it, Path=/).
pub fn set_cookie(resp: &mut Response, name: &str, value: &str) {
    add(
        resp,
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax"),
    );
}

/// Adds a `Set-Cookie` that deletes cookie `name`.
pub fn clear_cookie(resp: &mut Response, name: &str) {
    add(
        resp,
        format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
}

fn add(resp: &mut Response, cookie: String) {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_single_use_when_taken() {
        let store = Store::new(Duration::from_secs(60));
        let id = store.insert(7);
        assert!(id.len() >= 32);
        assert_eq!(store.get(&id), Some(7));
        assert_eq!(store.take(&id), Some(7));
        assert_eq!(store.take(&id), None);
    }

    #[test]
    fn stale_values_are_gone() {
        let store = Store::new(Duration::ZERO);
        let id = store.insert("x");
        assert_eq!(store.get(&id), None);
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; demo_rp_flow=abc"),
        );
        h.append(
            header::COOKIE,
            HeaderValue::from_static("demo_rp_session=xyz"),
        );
        assert_eq!(read_cookie(&h, FLOW_COOKIE).as_deref(), Some("abc"));
        assert_eq!(read_cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(read_cookie(&h, "b"), None);
    }
}
