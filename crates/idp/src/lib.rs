//! Stickler's fake OpenID Provider: real OpenID Connect (authorization code flow,
//! discovery, JWKS, userinfo, revocation, end-session) with switchable quirks that
//! reproduce how real providers behave, many tenants in one process, a request journal
//! and an admin API.
//!
//! ```no_run
//! # async fn demo() -> Result<(), stickler_idp::IdpError> {
//! let running = stickler_idp::spawn("127.0.0.1:0".parse().unwrap(), None, None).await?;
//! let info = running.idp.create_tenant(stickler_idp::demo::demo_tenant(&running.url(),
//!     stickler_idp::Profile::Jumpcloud))?;
//! println!("issuer {}", info.issuer);
//! running.shutdown().await;
//! # Ok(()) }
//! ```

pub mod access_token;
pub mod admin;
pub mod bounded;
pub mod claims;
pub mod config;
pub mod debugger;
pub mod demo;
pub mod device;
pub mod dialect;
pub mod endpoints;
pub mod error;
pub mod journal;
pub mod keys;
pub mod layout;
pub mod limits;
pub mod mint;
pub mod misbehaviour;
pub mod model;
pub mod params;
pub mod profiles;
pub mod protocol;
pub mod quirks;
pub mod server;
pub mod tenant;
pub mod tokens;

pub use dialect::ErrorDialect;
pub use error::OAuthError;
pub use journal::JournalEntry;
pub use model::{ClientSpec, TenantSpec, TokenAuthMethod, UserSpec};
pub use profiles::Profile;
pub use protocol::{ClientAuth, Endpoint, Outcome, PkceMethod, ResponseMode, SigningAlg};
pub use quirks::{QUIRK_DOCS, QuirkOverrides, Quirks};
pub use server::{Idp, IdpError, RunningIdp, router, spawn};
pub use tenant::{DEFAULT_TENANT, Tenant, TenantInfo};
