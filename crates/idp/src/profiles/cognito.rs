//! AWS Cognito (quirks.md §9): issuer `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`,
//! endpoints on the hosted-UI domain.

use crate::quirks::{EndpointLayout, Quirks};

/// Name on the command line and in files.
pub const NAME: &str = "cognito";
/// What it copies.
pub const SUMMARY: &str = "AWS Cognito: endpoints apart from the issuer, string `email_verified` at userinfo, `cognito:groups`";

/// How Cognito differs from the baseline.
pub fn quirks() -> Quirks {
    Quirks {
        // C1: issuer `/{userPoolId}`, endpoints `/oauth2/…` elsewhere.
        endpoint_layout: EndpointLayout::Cognito,
        // C3: `"email_verified": "true"` at userinfo.
        userinfo_email_verified_string: true,
        // C5 [I]: the `cognito:groups` claim.
        groups_claim: "cognito:groups".into(),
        ..Quirks::baseline()
    }
}
