//! The OpenID Provider endpoints of one tenant, and the dispatch from a path below the
//! issuer to the endpoint the tenant's layout puts there.

mod authorize;
mod client_auth;
mod device;
mod discovery;
mod end_session;
mod login;
mod pages;
mod revoke;
mod token;
mod userinfo;

use crate::dialect::ErrorDialect;
use crate::error::OAuthError;
use crate::journal::JournalEntry;
use crate::params::{MAX_BODY, Params, is_form};
use crate::tenant::{EndpointPaths, Tenant};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One request, read whole: what every endpoint handler receives.
#[derive(Debug)]
pub struct Req {
    /// HTTP method.
    pub method: Method,
    /// Headers.
    pub headers: HeaderMap,
    /// The query string's parameters.
    pub query: Params,
    /// The body, when it is a form; `None` otherwise.
    pub form: Option<Params>,
    /// Whether a non-empty body came with a content type other than a form.
    pub non_form_body: bool,
}

impl Req {
    /// Reads a request; a body over [`MAX_BODY`] is an error.
    pub async fn read(req: Request<Body>) -> Result<Req, OAuthError> {
        let (parts, body) = req.into_parts();
        let query = Params::parse(parts.uri.query().unwrap_or("").as_bytes());
        let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
            OAuthError::invalid_request()
                .hint(format!("The request body is larger than {MAX_BODY} bytes."))
                .status(StatusCode::PAYLOAD_TOO_LARGE)
        })?;
        let form_ct = is_form(&parts.headers);
        Ok(Req {
            method: parts.method,
            non_form_body: !bytes.is_empty() && !form_ct,
            form: form_ct.then(|| Params::parse(&bytes)),
            headers: parts.headers,
            query,
        })
    }

    /// Query parameters for GET, form parameters for POST.
    pub fn params(&self) -> Params {
        if self.method == Method::POST {
            self.form.clone().unwrap_or_default()
        } else {
            self.query.clone()
        }
    }
}

/// Answers a request for `rest` (the path below the tenant's base URL).
pub async fn dispatch(tenant: &Tenant, rest: &str, req: Request<Body>) -> Response {
    let (layout, dialect, device_flow) = {
        let s = tenant.lock();
        (
            s.quirks.endpoint_layout,
            s.quirks.error_style,
            s.quirks.device_flow,
        )
    };
    let paths = EndpointPaths::of(layout);
    let req = match Req::read(req).await {
        Ok(r) => r,
        Err(e) => return e.into_json_response(dialect),
    };
    let get_or_post = |handler: fn(&Tenant, Req) -> Response, req: Req| match req.method {
        Method::GET | Method::POST => handler(tenant, req),
        _ => wrong_method(tenant, "GET, POST", dialect, req),
    };
    match rest {
        p if p == paths.discovery => get_only(tenant, dialect, req, discovery::discovery),
        p if p == paths.jwks => get_only(tenant, dialect, req, discovery::jwks),
        p if p == paths.authorize => get_or_post(authorize::authorize, req),
        p if p == paths.login => match req.method {
            Method::POST => login::login(tenant, req),
            _ => wrong_method(tenant, "POST", dialect, req),
        },
        p if p == paths.token => match req.method {
            Method::POST => token::token(tenant, req),
            _ => wrong_method(tenant, "POST", dialect, req),
        },
        p if p == paths.userinfo => get_or_post(userinfo::userinfo, req),
        p if p == paths.revoke => match req.method {
            Method::POST => revoke::revoke(tenant, req),
            _ => wrong_method(tenant, "POST", dialect, req),
        },
        p if p == paths.end_session => get_or_post(end_session::end_session, req),
        p if p == paths.error_page => pages::error_page(tenant, &req.query),
        // Without device flow these paths are unknown, as on a provider without it.
        p if device_flow && p == paths.device_authorization => match req.method {
            Method::POST => device::device_authorization(tenant, req),
            _ => wrong_method(tenant, "POST", dialect, req),
        },
        p if device_flow && p == paths.device_verify => get_or_post(device::verify, req),
        _ => {
            let mut entry =
                JournalEntry::new(crate::protocol::Endpoint::Unknown, req.method.as_str(), &[]);
            entry
                .params
                .insert("path".into(), crate::journal::cap(rest));
            let e = OAuthError::not_found().hint(format!("No endpoint at '{rest}'."));
            finish_json(tenant, entry, e, dialect)
        }
    }
}

fn get_only(
    tenant: &Tenant,
    dialect: ErrorDialect,
    req: Req,
    handler: fn(&Tenant) -> Response,
) -> Response {
    if req.method == Method::GET || req.method == Method::HEAD {
        handler(tenant)
    } else {
        wrong_method(tenant, "GET", dialect, req)
    }
}

fn wrong_method(tenant: &Tenant, allow: &'static str, dialect: ErrorDialect, req: Req) -> Response {
    let entry = JournalEntry::new(
        crate::protocol::Endpoint::Unknown,
        req.method.as_str(),
        &req.params().0,
    );
    let e = OAuthError::method_not_allowed().hint(format!(
        "HTTP method is '{}', expected '{}'.",
        req.method,
        allow.replace(", ", "' or '")
    ));
    let mut resp = finish_json(tenant, entry, e, dialect);
    resp.headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static(allow));
    resp
}

/// Records a failed request and renders its JSON error.
pub fn finish_json(
    tenant: &Tenant,
    mut entry: JournalEntry,
    err: OAuthError,
    dialect: ErrorDialect,
) -> Response {
    entry.status = err.status.as_u16();
    entry.outcome = crate::protocol::Outcome::Error;
    entry.error = Some(err.code.into());
    entry.error_description = Some(err.description_in(dialect));
    tenant.record(entry);
    err.into_json_response(dialect)
}

/// Records a successful JSON answer.
pub fn finish_ok(tenant: &Tenant, mut entry: JournalEntry, body: serde_json::Value) -> Response {
    entry.status = 200;
    entry.outcome = crate::protocol::Outcome::Ok;
    tenant.record(entry);
    let mut resp = (StatusCode::OK, axum::Json(body)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    h.insert(header::PRAGMA, header::HeaderValue::from_static("no-cache"));
    resp
}
