//! The HTTP client openidconnect uses: a thin adapter over reqwest that never follows
//! redirects (openidconnect's security advice: an SSRF guard) and speaks plain HTTP.

use openidconnect::{HttpRequest, HttpResponse};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A transport failure, with its whole cause chain in the text.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(pub String);

impl HttpError {
    fn from_reqwest(e: reqwest::Error) -> HttpError {
        HttpError(error_chain(&e))
    }
}

/// An error and its sources, joined by `: ` (openidconnect's errors hide the cause in
/// `source()`, e.g. "Request failed" over "connection refused").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
        next = cause.source();
    }
    text
}

/// The reqwest client: no redirects, short timeouts.
pub fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a plain HTTP client without TLS always builds")
}

/// What [`adapter`] returns for each request.
pub type Pending = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>>;

/// The body of the last response a [`recording_adapter`] received.
pub type Recorded = Arc<Mutex<Option<Vec<u8>>>>;

/// An `openidconnect::AsyncHttpClient` over `http`.
pub fn adapter(http: reqwest::Client) -> impl Fn(HttpRequest) -> Pending {
    adapter_inner(http, None)
}

/// [`adapter`], keeping the last response body for the app to read raw (openidconnect
/// hands back only the parsed claims).
pub fn recording_adapter(http: reqwest::Client) -> (impl Fn(HttpRequest) -> Pending, Recorded) {
    let recorded: Recorded = Arc::default();
    (adapter_inner(http, Some(recorded.clone())), recorded)
}

fn adapter_inner(
    http: reqwest::Client,
    recorder: Option<Recorded>,
) -> impl Fn(HttpRequest) -> Pending {
    move |req: HttpRequest| -> Pending {
        let http = http.clone();
        let recorder = recorder.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
                .map_err(|e| HttpError(e.to_string()))?;
            let mut rb = http.request(method, parts.uri.to_string());
            for (name, value) in &parts.headers {
                rb = rb.header(name.as_str(), value.as_bytes());
            }
            let resp = rb
                .body(body)
                .send()
                .await
                .map_err(HttpError::from_reqwest)?;
            let mut builder =
                openidconnect::http::Response::builder().status(resp.status().as_u16());
            for (name, value) in resp.headers() {
                builder = builder.header(name.as_str(), value.as_bytes());
            }
            let bytes = resp.bytes().await.map_err(HttpError::from_reqwest)?;
            if let Some(r) = &recorder {
                *r.lock().unwrap_or_else(|p| p.into_inner()) = Some(bytes.to_vec());
            }
            builder
                .body(bytes.to_vec())
                .map_err(|e| HttpError(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("Request failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_shows_the_cause() {
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(error_chain(&e), "Request failed: connection refused");
    }
}
