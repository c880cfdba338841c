//! Registration data of a tenant: clients, users and groups, as config files and the
//! admin API declare them ([`TenantSpec`]) and as the IdP keeps them.

use crate::profiles::Profile;
pub use crate::protocol::TokenAuthMethod;
use crate::quirks::QuirkOverrides;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A tenant as a config file or an admin call declares it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSpec {
    /// Path segment of the tenant (`/t/<name>/`); `default` is served at the root.
    /// Generated when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// The profile the quirks start from (default `jumpcloud`).
    #[serde(default)]
    pub profile: Option<Profile>,
    /// Quirk values that differ from the profile's.
    #[serde(default)]
    pub quirks: QuirkOverrides,
    /// Registered clients (apps).
    #[serde(default, alias = "client")]
    pub clients: Vec<ClientSpec>,
    /// Users who can sign in.
    #[serde(default, alias = "user")]
    pub users: Vec<UserSpec>,
}

/// A client (an app registered at the IdP).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Generated when absent.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Generated when absent (except for public clients).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The one method this client may use at the token endpoint; default from the profile.
    #[serde(default)]
    pub token_endpoint_auth_method: Option<TokenAuthMethod>,
    /// Registered redirect URIs, compared byte for byte. Required unless the client's
    /// grant types leave out `authorization_code` (a device-only CLI).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Where end-session may send the browser back to.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Groups assigned to (bound to) this app.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Grant types the client may use (default: `authorization_code` when it has redirect
    /// URIs, `refresh_token`, and the device code grant, which only tenants with the
    /// `device_flow` quirk serve).
    #[serde(default)]
    pub grant_types: Option<Vec<String>>,
    /// A display name for the login page.
    #[serde(default)]
    pub name: Option<String>,
    /// Scopes the client may request (Hydra's client `scope`): a space-separated string
    /// or a list; `scope` is accepted as the key too. Absent: any scope. A request for
    /// another one is refused before the login with `invalid_scope` (fosite
    /// `validateAuthorizeScope`, exact match).
    #[serde(
        default,
        alias = "scope",
        deserialize_with = "scope_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub scopes: Option<Vec<String>>,
}

/// Scopes as a client's registration gives them: `"openid email"` or
/// `["openid", "email"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum ScopeList {
    Text(String),
    List(Vec<String>),
}

impl ScopeList {
    /// The scopes one by one.
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            ScopeList::Text(t) => t
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            ScopeList::List(l) => l,
        }
    }
}

/// `"openid email"`, `["openid", "email"]` or `null` (any scope).
fn scope_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(Option::<ScopeList>::deserialize(d)?.map(ScopeList::into_vec))
}

/// A user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// The login name.
    pub username: String,
    /// Default: the username.
    #[serde(default)]
    pub password: Option<String>,
    /// Default: a stable 24-hex id derived from tenant and username, like JumpCloud's.
    #[serde(default)]
    pub sub: Option<String>,
    /// Default: `<username>@example.com`.
    #[serde(default)]
    pub email: Option<String>,
    /// Default: true.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Default: the username, capitalised.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Default: `Example`.
    #[serde(default)]
    pub family_name: Option<String>,
    /// Groups the user belongs to.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Extra claims in the user's ID tokens and userinfo answers, whatever the scope
    /// (JumpCloud: custom user attributes in the app's attribute mapping), e.g.
    /// `{ department = "R&D", employee_id = 42 }`. A registered claim (`iss`, `sub`,
    /// `aud`, `exp`, `nonce`, ...) cannot be set here.
    #[serde(default)]
    pub claims: BTreeMap<String, Value>,
}

/// The device authorization grant's `grant_type` (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A registered client, with every default filled in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    /// The client id.
    pub client_id: String,
    /// The secret; empty for public clients.
    pub client_secret: String,
    /// The one accepted token endpoint auth method.
    pub token_endpoint_auth_method: TokenAuthMethod,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Registered post-logout redirect URIs.
    pub post_logout_redirect_uris: Vec<String>,
    /// Groups assigned to the app.
    pub groups: Vec<String>,
    /// Allowed grant types.
    pub grant_types: Vec<String>,
    /// Display name.
    pub name: String,
    /// Scopes the client may request; `None`: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

impl Client {
    /// Fills the spec's blanks.
    pub fn from_spec(spec: ClientSpec, default_method: TokenAuthMethod) -> Client {
        let method = spec.token_endpoint_auth_method.unwrap_or(default_method);
        // UUIDs like JumpCloud's, and hex secrets: generated values never start with `-`,
        // which would read as a flag on an app's command line.
        let client_id = spec
            .client_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let client_secret = match method {
            TokenAuthMethod::None => spec.client_secret.unwrap_or_default(),
            _ => spec.client_secret.unwrap_or_else(|| {
                let a = uuid::Uuid::new_v4().simple().to_string();
                let b = uuid::Uuid::new_v4().simple().to_string();
                format!("{a}{b}")
            }),
        };
        Client {
            name: spec.name.unwrap_or_else(|| client_id.clone()),
            client_id,
            client_secret,
            token_endpoint_auth_method: method,
            grant_types: spec.grant_types.unwrap_or_else(|| {
                // Without redirect URIs the client cannot use the code flow: a CLI, or an
                // API's audience.
                let code = (!spec.redirect_uris.is_empty()).then(|| "authorization_code".into());
                code.into_iter()
                    .chain(["refresh_token".into(), DEVICE_CODE_GRANT.into()])
                    .collect()
            }),
            redirect_uris: spec.redirect_uris,
            post_logout_redirect_uris: spec.post_logout_redirect_uris,
            groups: spec.groups,
            scopes: spec.scopes,
        }
    }

    /// Public clients are exactly those registered with `none` (hydra `client.go`).
    pub fn is_public(&self) -> bool {
        self.token_endpoint_auth_method == TokenAuthMethod::None
    }

    /// The first of `requested` the client may not request (fosite's exact-match
    /// scope strategy), if any.
    pub fn forbidden_scope<'a>(&self, requested: &'a [String]) -> Option<&'a str> {
        let allowed = self.scopes.as_ref()?;
        requested
            .iter()
            .find(|s| !allowed.contains(s))
            .map(String::as_str)
    }

    /// Whether the client may use a grant type.
    pub fn allows_grant(&self, grant: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant)
    }
}

/// A user, with every default filled in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// Login name.
    pub username: String,
    /// Password.
    #[serde(skip)]
    pub password: String,
    /// Subject identifier.
    pub sub: String,
    /// Email address.
    pub email: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Group memberships.
    pub groups: Vec<String>,
    /// Extra claims.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub claims: BTreeMap<String, Value>,
}

impl User {
    /// Fills the spec's blanks; `tenant` seeds the stable `sub`.
    pub fn from_spec(spec: UserSpec, tenant: &str) -> User {
        use sha2::{Digest, Sha256};
        let sub = spec.sub.unwrap_or_else(|| {
            let digest = Sha256::digest(format!("{tenant}/{}", spec.username));
            digest[..12].iter().map(|b| format!("{b:02x}")).collect()
        });
        let mut given = spec.username.clone();
        if let Some(first) = given.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        User {
            password: spec.password.unwrap_or_else(|| spec.username.clone()),
            email: spec
                .email
                .unwrap_or_else(|| format!("{}@example.com", spec.username)),
            email_verified: spec.email_verified.unwrap_or(true),
            given_name: spec.given_name.unwrap_or(given),
            family_name: spec.family_name.unwrap_or_else(|| "Example".into()),
            groups: spec.groups,
            claims: spec.claims,
            username: spec.username,
            sub,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_defaults_are_stable() {
        let spec = UserSpec {
            username: "alice".into(),
            ..Default::default()
        };
        let a = User::from_spec(spec.clone(), "t1");
        let b = User::from_spec(spec, "t1");
        assert_eq!(a.sub, b.sub);
        assert_eq!(a.sub.len(), 24);
        assert_eq!(a.email, "alice@example.com");
        assert_eq!(a.given_name, "Alice");
        assert_eq!(a.password, "alice");
    }

    #[test]
    fn public_clients_get_no_secret() {
        let c = Client::from_spec(
            ClientSpec {
                token_endpoint_auth_method: Some(TokenAuthMethod::None),
                ..Default::default()
            },
            TokenAuthMethod::ClientSecretPost,
        );
        assert!(c.is_public());
        assert!(c.client_secret.is_empty());
    }

    #[test]
    fn scopes_read_as_text_or_list() {
        let a: ClientSpec =
            serde_json::from_str(r#"{"redirect_uris": [], "scope": "openid  email"}"#).unwrap();
        let b: ClientSpec =
            serde_json::from_str(r#"{"redirect_uris": [], "scopes": ["openid", "email"]}"#)
                .unwrap();
        assert_eq!(a.scopes, b.scopes);
        let c = Client::from_spec(a, TokenAuthMethod::ClientSecretPost);
        let req = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(c.forbidden_scope(&req(&["openid", "email"])), None);
        assert_eq!(
            c.forbidden_scope(&req(&["openid", "groups"])),
            Some("groups")
        );
        let any: ClientSpec = serde_json::from_str(r#"{"redirect_uris": []}"#).unwrap();
        let any = Client::from_spec(any, TokenAuthMethod::ClientSecretPost);
        assert_eq!(any.forbidden_scope(&req(&["anything"])), None);
    }
}
