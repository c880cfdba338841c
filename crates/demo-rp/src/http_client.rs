//! The HTTP client openidconnect uses: a thin adapter over reqwest that never follows
//! redirects (openidconnect's security advice) and only talks to what it is given.

use openidconnect::{HttpRequest, HttpResponse};
use std::future::Future;

/// A transport failure.
#[derive(Debug)]
pub struct HttpError(pub String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

/// Builds the reqwest client.
pub fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("a plain HTTP client builds")
}

/// An `openidconnect::AsyncHttpClient`.
pub fn adapter(
    http: reqwest::Client,
) -> impl Fn(HttpRequest) -> std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>> {
    move |req: HttpRequest| {
        let http = http.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
                .map_err(|e| HttpError(e.to_string()))?;
            let mut rb = http.request(method, parts.uri.to_string());
            for (k, v) in &parts.headers {
                rb = rb.header(k.as_str(), v.as_bytes());
            }
            let resp = rb.body(body).send().await.map_err(|e| HttpError(e.to_string()))?;
            let mut builder = openidconnect::http::Response::builder().status(resp.status().as_u16());
            for (k, v) in resp.headers() {
                builder = builder.header(k.as_str(), v.as_bytes());
            }
            let bytes = resp.bytes().await.map_err(|e| HttpError(e.to_string()))?;
            builder.body(bytes.to_vec()).map_err(|e| HttpError(e.to_string()))
        })
    }
}
