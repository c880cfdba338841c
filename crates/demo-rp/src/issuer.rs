//! The one issuer form the app takes besides the configured one byte for byte: Entra's
//! multi-tenant `{tenantid}` template in discovery, filled with each ID token's `tid`
//! (quirks.md E2). OIDC Discovery §4.3 and Core §3.1.3.7 item 2 want the issuer
//! identical; this is the vendor accommodation Microsoft's documentation asks of an RP.

/// The placeholder in Entra's multi-tenant discovery `issuer`.
const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// Whether `published` (discovery's `issuer`) is Entra's multi-tenant template for the
/// `configured` issuer: identical but for one path segment, which the template names
/// `{tenantid}` and the configuration `common`, `organizations` or a tenant.
/// Microsoft: "the issuer value in the metadata document is a template" for `/common`.
pub fn is_tenant_template(configured: &str, published: &str) -> bool {
    let Some((prefix, suffix)) = published.split_once(TENANT_PLACEHOLDER) else {
        return false;
    };
    let Some(middle) = configured
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
    else {
        return false;
    };
    !prefix.is_empty() && !middle.is_empty() && !middle.contains('/')
}

/// Whether `iss` is discovery's template `issuer` filled with any one path segment: the
/// `any-tenant-issuer` bug's pattern match, which never looks at `tid`.
pub fn fills_template_with_any_tenant(issuer: &str, iss: &str) -> bool {
    let Some((prefix, suffix)) = issuer.split_once(TENANT_PLACEHOLDER) else {
        return false;
    };
    iss.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|tenant| !tenant.is_empty() && !tenant.contains('/'))
}

/// Whether an ID token's `iss` is discovery's template `issuer` filled with the token's
/// `tid` (a single path segment). Microsoft: for multi-tenant apps, "substitute the
/// `tid` claim" into the templated issuer and compare.
pub fn fills_tenant_template(issuer: &str, iss: &str, tid: Option<&str>) -> bool {
    issuer.contains(TENANT_PLACEHOLDER)
        && tid.is_some_and(|tid| {
            !tid.is_empty()
                && !tid.contains(['/', '{', '}'])
                && issuer.replacen(TENANT_PLACEHOLDER, tid, 1) == iss
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";

    #[test]
    fn the_template_stands_for_a_configured_tenant_segment() {
        let common = "https://login.microsoftonline.com/common/v2.0";
        assert!(is_tenant_template(common, TEMPLATE));
        assert!(!is_tenant_template(common, common));
        assert!(!is_tenant_template(
            "https://login.microsoftonline.com/common/x/v2.0",
            TEMPLATE
        ));
        assert!(!is_tenant_template(
            "https://evil.example/common/v2.0",
            TEMPLATE
        ));
    }

    #[test]
    fn the_token_tenant_fills_the_template() {
        let iss = "https://login.microsoftonline.com/5f2b/v2.0";
        assert!(fills_tenant_template(TEMPLATE, iss, Some("5f2b")));
        assert!(!fills_tenant_template(TEMPLATE, iss, Some("9188")));
        assert!(!fills_tenant_template(TEMPLATE, iss, None));
        assert!(!fills_tenant_template(
            TEMPLATE,
            TEMPLATE,
            Some("{tenantid}")
        ));
        // Without a template, nothing but the identical issuer.
        assert!(!fills_tenant_template(iss, iss, Some("5f2b")));
        // The bug's pattern takes any tenant, whatever `tid` says.
        assert!(fills_template_with_any_tenant(TEMPLATE, iss));
        assert!(!fills_template_with_any_tenant(
            TEMPLATE,
            "https://login.microsoftonline.com/a/b/v2.0"
        ));
    }
}
