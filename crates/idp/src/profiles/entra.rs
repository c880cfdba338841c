//! Microsoft Entra ID, single tenant (quirks.md §3): `https://login.microsoftonline.com/{tid}/v2.0`.

use crate::quirks::{EndpointLayout, ErrorDialect, Quirks};

/// Name on the command line and in files.
pub const NAME: &str = "entra";
/// What it copies.
pub const SUMMARY: &str = "Microsoft Entra ID, single tenant: `/{tid}/v2.0` issuer, AADSTS errors on Microsoft's page";

/// How Entra differs from the baseline.
pub fn quirks() -> Quirks {
    Quirks {
        // E1, E6: issuer `/{tid}/v2.0`, keys at `/{tid}/discovery/v2.0/keys`.
        endpoint_layout: EndpointLayout::Entra,
        // E9, E10: AADSTS50011 and AADSTS50105 on Microsoft's own page.
        error_style: ErrorDialect::Entra,
        // §12 rank 11: a refresh token needs `offline_access` [I for Entra's exact rule].
        refresh_requires_offline_scope: true,
        ..Quirks::baseline()
    }
}
