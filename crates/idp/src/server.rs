//! The IdP server: the tenant registry, the router (tenant paths, the admin API, the
//! pages for a person: home pages, sign-in and callback, journal) and starting and
//! stopping it on a socket.

use crate::admin;
use crate::debugger;
use crate::dialect::ErrorDialect;
use crate::endpoints;
use crate::error::OAuthError;
use crate::model::TenantSpec;
use crate::tenant::{DEFAULT_TENANT, SpecError, Tenant, TenantInfo};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{Method, Request};
use axum::response::Response;
use axum::routing::any;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Why the IdP could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum IdpError {
    /// A tenant spec is invalid.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A tenant of that name exists.
    #[error("tenant `{0}` already exists")]
    TenantExists(String),
    /// The server holds as many tenants as it may ([`crate::limits::MAX_TENANTS`]).
    #[error("this IdP holds at most {0} tenants; delete one first")]
    TooManyTenants(usize),
    /// The socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// The shared state of one IdP server: every tenant.
#[derive(Debug)]
pub struct Idp {
    /// `http://host:port`, the base of every issuer.
    pub base_url: String,
    /// When set, every admin call must carry `Authorization: Bearer <token>`.
    pub admin_token: Option<String>,
    /// Tenants it holds at most (default [`crate::limits::MAX_TENANTS`]).
    max_tenants: AtomicUsize,
    tenants: RwLock<BTreeMap<String, Arc<Tenant>>>,
    /// Sign-ins started from the home pages, by state.
    flows: Mutex<debugger::Flows>,
}

impl Idp {
    /// An IdP with no tenants.
    pub fn new(base_url: String, admin_token: Option<String>) -> Arc<Idp> {
        Arc::new(Idp {
            base_url: base_url.trim_end_matches('/').to_string(),
            admin_token,
            max_tenants: AtomicUsize::new(crate::limits::MAX_TENANTS),
            tenants: RwLock::new(BTreeMap::new()),
            flows: Mutex::new(debugger::new_flows()),
        })
    }

    /// Creates a tenant.
    pub fn create_tenant(&self, spec: TenantSpec) -> Result<TenantInfo, IdpError> {
        let tenant = Tenant::from_spec(&self.base_url, spec)?;
        let mut map = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        if map.contains_key(&tenant.name) {
            return Err(IdpError::TenantExists(tenant.name));
        }
        let max = self.max_tenants.load(Ordering::Relaxed);
        if map.len() >= max {
            return Err(IdpError::TooManyTenants(max));
        }
        let info = tenant.info();
        map.insert(tenant.name.clone(), Arc::new(tenant));
        Ok(info)
    }

    /// Changes how many tenants the server holds at most (existing ones stay).
    pub fn set_max_tenants(&self, max: usize) {
        self.max_tenants.store(max, Ordering::Relaxed);
    }

    /// A tenant by name.
    pub fn tenant(&self, name: &str) -> Option<Arc<Tenant>> {
        self.tenants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }

    /// Removes a tenant; false when there was none.
    pub fn delete_tenant(&self, name: &str) -> bool {
        self.tenants
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name)
            .is_some()
    }

    /// The sign-ins started from the home pages (never held across an `.await`).
    pub fn flows(&self) -> MutexGuard<'_, debugger::Flows> {
        self.flows.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every tenant.
    pub fn tenants(&self) -> Vec<Arc<Tenant>> {
        self.tenants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }
}

/// The router of an IdP.
pub fn router(idp: Arc<Idp>) -> Router {
    Router::new()
        .nest(
            "/admin",
            admin::router().layer(axum::middleware::from_fn_with_state(
                idp.clone(),
                admin::require_token,
            )),
        )
        .merge(debugger::router())
        .route("/t/{tenant}", any(tenant_root))
        .route("/t/{tenant}/", any(tenant_root))
        .route("/t/{tenant}/{*rest}", any(tenant_path))
        .fallback(default_tenant)
        .with_state(idp)
}

async fn tenant_root(
    State(idp): State<Arc<Idp>>,
    JsonPath(name): JsonPath<String>,
    req: Request<Body>,
) -> Response {
    route_to(&idp, &name, "/", req).await
}

async fn tenant_path(
    State(idp): State<Arc<Idp>>,
    JsonPath((name, rest)): JsonPath<(String, String)>,
    req: Request<Body>,
) -> Response {
    // Use the raw path so that `//.well-known` stays a miss, as on real providers.
    let raw = req.uri().path().to_string();
    let prefix = format!("/t/{name}");
    let rest = raw
        .strip_prefix(&prefix)
        .map(str::to_string)
        .unwrap_or(format!("/{rest}"));
    route_to(&idp, &name, &rest, req).await
}

async fn default_tenant(State(idp): State<Arc<Idp>>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_string();
    route_to(&idp, DEFAULT_TENANT, &path, req).await
}

async fn route_to(idp: &Idp, name: &str, rest: &str, req: Request<Body>) -> Response {
    match idp.tenant(name) {
        Some(t) if rest == "/" && matches!(req.method(), &Method::GET | &Method::HEAD) => {
            debugger::home::tenant_page(idp, &t, &req)
        }
        Some(t) => endpoints::dispatch(&t, rest, req).await,
        None => OAuthError::not_found()
            .hint(format!("There is no tenant '{name}' on this IdP."))
            .into_json_response(ErrorDialect::Rfc6749),
    }
}

/// axum's `Path`, but a segment it cannot decode (e.g. `%FF`) is answered with a JSON
/// `invalid_request` instead of axum's plain-text rejection.
#[derive(Debug)]
pub struct JsonPath<T>(pub T);

impl<S, T> FromRequestParts<S> for JsonPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(JsonPath(v)),
            Err(rej) => Err(OAuthError::invalid_request()
                .hint(rej.body_text())
                .into_json_response(ErrorDialect::Rfc6749)),
        }
    }
}

/// A server running in the background of this process.
#[derive(Debug)]
pub struct RunningIdp {
    /// The bound address.
    pub addr: SocketAddr,
    /// The shared state (create tenants directly or through the admin API).
    pub idp: Arc<Idp>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningIdp {
    /// `http://addr`.
    pub fn url(&self) -> String {
        self.idp.base_url.clone()
    }

    /// Stops accepting, finishes requests in flight, and waits (at most 5 s).
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for RunningIdp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `addr` (port 0 picks a free port) and serves in the background. `public_url`
/// overrides the base URL issuers are built from (default `http://<bound addr>`).
pub async fn spawn(
    addr: SocketAddr,
    public_url: Option<String>,
    admin_token: Option<String>,
) -> Result<RunningIdp, IdpError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| IdpError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| IdpError::Bind { addr, source })?;
    let idp = Idp::new(
        public_url.unwrap_or_else(|| format!("http://{addr}")),
        admin_token,
    );
    let app = router(idp.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(RunningIdp {
        addr,
        idp,
        stop: Some(tx),
        task: Some(task),
    })
}
