//! Authentik (quirks.md §7): per-application issuer `https://{host}/application/o/{slug}/`.

use crate::quirks::{EndpointLayout, ErrorDialect, Quirks};

/// Name on the command line and in files.
pub const NAME: &str = "authentik";
/// What it copies.
pub const SUMMARY: &str = "Authentik: per-application issuer with a trailing slash, Authentik's error pages";

/// How Authentik differs from the baseline.
pub fn quirks() -> Quirks {
    Quirks {
        // AK1: `/application/o/{slug}/`, trailing slash.
        endpoint_layout: EndpointLayout::Authentik,
        issuer_trailing_slash: true,
        // AK4: "Redirect URI Error", "Client ID Error".
        error_style: ErrorDialect::Authentik,
        // AK2's HS256 without a signing key is a switch (`id_token_hs256_client_secret`);
        // AK5's thin ID token option is `thin_id_token` (inferred).
        ..Quirks::baseline()
    }
}
