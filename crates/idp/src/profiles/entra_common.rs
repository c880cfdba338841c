//! Microsoft Entra ID, multi-tenant `/common` (quirks.md E2): discovery's issuer is the
//! template `https://login.microsoftonline.com/{tenantid}/v2.0`; ID tokens carry the
//! user's real tenant.

use crate::quirks::{EndpointLayout, Quirks};

/// Name on the command line and in files.
pub const NAME: &str = "entra_common";
/// What it copies.
pub const SUMMARY: &str = "Microsoft Entra ID, multi-tenant `/common`: a templated `{tenantid}` issuer in discovery";

/// How `/common` differs from a single tenant (E2).
pub fn quirks() -> Quirks {
    Quirks {
        endpoint_layout: EndpointLayout::EntraCommon,
        ..super::entra::quirks()
    }
}
