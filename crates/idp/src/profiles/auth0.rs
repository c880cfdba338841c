//! Auth0 (quirks.md §5): `https://{tenant}.auth0.com/`. Its endpoint paths are not in
//! the catalogue, so the plain layout stands in for them.

use crate::quirks::Quirks;

/// Name on the command line and in files.
pub const NAME: &str = "auth0";
/// What it copies.
pub const SUMMARY: &str = "Auth0: trailing-slash issuer, namespaced custom claims only, no end-session endpoint";

/// How Auth0 differs from the baseline.
pub fn quirks() -> Quirks {
    Quirks {
        // A1: `https://{tenant}.auth0.com/`.
        issuer_trailing_slash: true,
        // A4: non-namespaced custom claims are silently dropped.
        custom_claims_need_namespace: true,
        // A5: no `end_session_endpoint` unless RP-initiated logout is enabled.
        discovery_end_session: false,
        // §12 rank 11: a refresh token needs `offline_access` [I for Auth0's exact rule].
        refresh_requires_offline_scope: true,
        // A3's HS256 legacy applications are a switch (`id_token_hs256_client_secret`):
        // new applications sign RS256.
        ..Quirks::baseline()
    }
}
