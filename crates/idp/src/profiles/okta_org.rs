//! Okta's org authorization server (quirks.md O1): Okta's custom-server profile with
//! the org layout, issuer `https://{org}.okta.com`, endpoints `/oauth2/v1/…`.

use crate::quirks::{EndpointLayout, Quirks};

/// Name on the command line and in files.
pub const NAME: &str = "okta_org";
/// What it copies.
pub const SUMMARY: &str = "Okta, org authorization server: issuer without a path, `/oauth2/v1/…` endpoints";

/// How the org server differs from Okta's custom one (O1); O3's app-level groups
/// filter is off by default like the custom server's claim.
pub fn quirks() -> Quirks {
    Quirks {
        endpoint_layout: EndpointLayout::OktaOrg,
        ..super::okta::quirks()
    }
}
