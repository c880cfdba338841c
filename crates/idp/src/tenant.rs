//! Tenants: independent issuers in one process, each with its own clients, users,
//! keys, quirks, grants and journal.

use crate::bounded::BoundedMap;
use crate::journal::JournalEntry;
use crate::keys::KeyRing;
use crate::limits;
use crate::model::{Client, ClientSpec, TenantSpec, User, UserSpec};
use crate::profiles::Profile;
use crate::protocol::ResponseMode;
use crate::quirks::Quirks;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Name of the tenant served at the root of the server.
pub const DEFAULT_TENANT: &str = "default";

/// Why a tenant spec was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SpecError {
    /// A tenant name that cannot be a path segment.
    #[error("tenant name `{0}` is not allowed: use 1-64 characters from [A-Za-z0-9._-]")]
    BadName(String),
    /// A client without redirect URIs, or one that is not an absolute URL.
    #[error("client `{client}`: redirect URI `{uri}` is not an absolute URL without a fragment")]
    BadRedirectUri {
        /// The client id.
        client: String,
        /// The offending URI.
        uri: String,
    },
    /// A client without any redirect URI.
    #[error(
        "client `{0}` has no redirect_uris (a device-only client lists grant_types without authorization_code)"
    )]
    NoRedirectUri(String),
    /// The tenant holds as many clients or users as it may.
    #[error("a tenant holds at most {max} {kind}s")]
    TooMany {
        /// `client` or `user`.
        kind: &'static str,
        /// The cap.
        max: usize,
    },
    /// Two clients or users with the same id.
    #[error("duplicate {kind} `{id}`")]
    Duplicate {
        /// `client` or `user`.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// The groups claim name is not usable.
    #[error("quirk groups_claim: `{0}` is a registered claim name; choose another")]
    ReservedClaim(String),
    /// A user's extra claim would replace one the protocol defines.
    #[error(
        "user `{user}`: claims: `{claim}` is a registered claim the IdP sets itself; choose another name"
    )]
    ReservedUserClaim {
        /// The user.
        user: String,
        /// The claim.
        claim: String,
    },
}

pub use crate::layout::EndpointPaths;

/// A validated authorization request waiting for the user to sign in.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    /// The client.
    pub client_id: String,
    /// Where the answer goes.
    pub redirect_uri: String,
    /// The `redirect_uri` parameter as sent (the token request must repeat it).
    pub redirect_uri_sent: Option<String>,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// `state` as sent.
    pub state: Option<String>,
    /// `nonce` as sent.
    pub nonce: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// PKCE method as sent.
    pub code_challenge_method: Option<String>,
    /// `query`, `fragment` or `form_post`.
    pub response_mode: ResponseMode,
    /// `prompt` as sent; fosite checks its values only after login.
    pub prompt: Option<String>,
    /// When the authorization request arrived (fosite `rat`).
    pub requested_at: u64,
    /// Expiry of the login challenge.
    pub expires_at: u64,
}

/// Who and what a code, access token or refresh token stands for.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The client.
    pub client_id: String,
    /// The user's login name.
    pub username: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// When the user signed in.
    pub auth_time: u64,
    /// When the authorization was requested.
    pub requested_at: u64,
    /// The session id (`sid`).
    pub sid: String,
    /// The nonce of the authorization request (code only).
    pub nonce: Option<String>,
}

impl Grant {
    /// Whether a scope was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct CodeRecord {
    /// What it grants.
    pub grant: Grant,
    /// The `redirect_uri` sent at authorize.
    pub redirect_uri_sent: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// PKCE method as sent.
    pub code_challenge_method: Option<String>,
    /// Expiry.
    pub expires_at: u64,
    /// Set once redeemed.
    pub used: bool,
    /// Tokens issued from it, revoked if the code is replayed.
    pub issued: Vec<String>,
}

/// An issued access or refresh token.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    /// What it grants.
    pub grant: Grant,
    /// Expiry.
    pub expires_at: u64,
    /// Refresh tokens: set once rotated.
    pub used: bool,
    /// Refresh tokens: the family id, to revoke every descendant on reuse.
    pub family: String,
}

/// The mutable state of a tenant.
#[derive(Debug)]
pub struct TenantState {
    /// Active quirks.
    pub quirks: Quirks,
    /// Clients by id.
    pub clients: BTreeMap<String, Client>,
    /// Users by login name.
    pub users: BTreeMap<String, User>,
    /// Signing keys.
    pub keys: KeyRing,
    /// Login challenges by id (capped: [`limits::MAX_PENDING_LOGINS`]).
    pub logins: BoundedMap<PendingLogin>,
    /// Codes (capped: [`limits::MAX_CODES`]).
    pub codes: BoundedMap<CodeRecord>,
    /// Access tokens (capped: [`limits::MAX_ACCESS_TOKENS`]).
    pub access_tokens: BoundedMap<TokenRecord>,
    /// Refresh tokens (capped: [`limits::MAX_REFRESH_TOKENS`]).
    pub refresh_tokens: BoundedMap<TokenRecord>,
    /// Device codes waiting for, or done with, their user (capped:
    /// [`limits::MAX_DEVICE_CODES`]).
    pub device_codes: BoundedMap<crate::device::DeviceRecord>,
    /// The last ID token issued to each client (for the `replay_id_token` misbehaviour).
    pub last_id_tokens: HashMap<String, String>,
    /// Entries with their weight, oldest first.
    journal: VecDeque<(JournalEntry, usize)>,
    journal_bytes: usize,
    next_seq: u64,
    issued_since_sweep: u32,
}

impl PendingLogin {
    fn weight(&self) -> usize {
        let opt = |o: &Option<String>| o.as_ref().map_or(0, String::len);
        let scopes: usize = self.scopes.iter().map(|s| s.len() + 24).sum();
        self.client_id.len()
            + self.redirect_uri.len()
            + opt(&self.redirect_uri_sent)
            + scopes
            + opt(&self.state)
            + opt(&self.nonce)
            + opt(&self.code_challenge)
            + opt(&self.code_challenge_method)
            + opt(&self.prompt)
            + 256
    }
}

impl Grant {
    fn weight(&self) -> usize {
        let scopes: usize = self.scopes.iter().map(|s| s.len() + 24).sum();
        self.client_id.len()
            + self.username.len()
            + scopes
            + self.sid.len()
            + self.nonce.as_ref().map_or(0, String::len)
            + 128
    }
}

impl CodeRecord {
    fn weight(&self) -> usize {
        let opt = |o: &Option<String>| o.as_ref().map_or(0, String::len);
        self.grant.weight()
            + opt(&self.redirect_uri_sent)
            + opt(&self.code_challenge)
            + opt(&self.code_challenge_method)
            + self.issued.iter().map(|f| f.len() + 24).sum::<usize>()
            + 64
    }
}

impl TokenRecord {
    fn weight(&self) -> usize {
        self.grant.weight() + self.family.len() + 32
    }
}

impl TenantState {
    /// Stores a pending login: expired ones go first, then the oldest past the caps
    /// ([`limits::MAX_PENDING_LOGINS`], [`limits::MAX_PENDING_LOGIN_BYTES`]).
    pub fn add_login(&mut self, challenge: String, login: PendingLogin, now: u64) {
        self.logins.expire_oldest(|l| l.expires_at <= now);
        self.logins.insert(challenge, login);
    }

    /// Removes expired codes, tokens and logins now and then.
    pub fn sweep_if_due(&mut self, now: u64) {
        self.issued_since_sweep += 1;
        if self.issued_since_sweep < 1024 {
            return;
        }
        self.issued_since_sweep = 0;
        self.logins.retain(|l| l.expires_at > now);
        self.codes
            .retain(|c| c.expires_at.saturating_add(600) > now);
        self.access_tokens.retain(|t| t.expires_at > now);
        self.refresh_tokens.retain(|t| t.expires_at > now);
        self.device_codes.retain(|d| d.expires_at > now);
    }

    /// Revokes every refresh token of a family and the access tokens of its grant.
    pub fn revoke_family(&mut self, family: &str) {
        self.refresh_tokens.retain(|t| t.family != family);
        self.access_tokens.retain(|t| t.family != family);
    }

    /// Adds a client, filling defaults from the quirks.
    pub fn add_client(&mut self, spec: ClientSpec) -> Result<Client, SpecError> {
        if self.clients.len() >= limits::MAX_CLIENTS {
            return Err(SpecError::TooMany {
                kind: "client",
                max: limits::MAX_CLIENTS,
            });
        }
        let client = Client::from_spec(spec, self.quirks.default_token_auth_method);
        // A device-only client (a CLI) has nowhere to be redirected to.
        if client.redirect_uris.is_empty() && client.allows_grant("authorization_code") {
            return Err(SpecError::NoRedirectUri(client.client_id));
        }
        for uri in client
            .redirect_uris
            .iter()
            .chain(&client.post_logout_redirect_uris)
        {
            let ok = url::Url::parse(uri).is_ok_and(|u| u.fragment().is_none());
            if !ok {
                return Err(SpecError::BadRedirectUri {
                    client: client.client_id.clone(),
                    uri: uri.clone(),
                });
            }
        }
        if self.clients.contains_key(&client.client_id) {
            return Err(SpecError::Duplicate {
                kind: "client",
                id: client.client_id,
            });
        }
        self.clients
            .insert(client.client_id.clone(), client.clone());
        Ok(client)
    }

    /// Adds a user.
    pub fn add_user(&mut self, spec: UserSpec, tenant: &str) -> Result<User, SpecError> {
        if self.users.len() >= limits::MAX_USERS {
            return Err(SpecError::TooMany {
                kind: "user",
                max: limits::MAX_USERS,
            });
        }
        if self.users.contains_key(&spec.username) {
            return Err(SpecError::Duplicate {
                kind: "user",
                id: spec.username,
            });
        }
        if let Some(claim) = spec
            .claims
            .keys()
            .find(|k| RESERVED_CLAIMS.contains(&k.as_str()))
        {
            return Err(SpecError::ReservedUserClaim {
                user: spec.username,
                claim: claim.clone(),
            });
        }
        let user = User::from_spec(spec, tenant);
        self.users.insert(user.username.clone(), user.clone());
        Ok(user)
    }

    /// The journal, oldest first.
    pub fn journal(&self) -> impl Iterator<Item = &JournalEntry> {
        self.journal.iter().map(|(e, _)| e)
    }

    /// Approximate bytes the journal holds.
    pub fn journal_bytes(&self) -> usize {
        self.journal_bytes
    }

    /// Empties the journal (sequence numbers keep counting).
    pub fn clear_journal(&mut self) {
        self.journal.clear();
        self.journal_bytes = 0;
    }

    /// Appends an entry to the journal ring: secrets masked, long values cut, then the
    /// oldest entries dropped past [`limits::MAX_JOURNAL_ENTRIES`] or
    /// [`limits::MAX_JOURNAL_BYTES`].
    fn push_journal(&mut self, mut entry: JournalEntry) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        entry.at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        entry.seal();
        let weight = entry.weight();
        self.journal_bytes += weight;
        self.journal.push_back((entry, weight));
        // A deque: dropping the oldest of a full journal must not shift every entry.
        while self.journal.len() > limits::MAX_JOURNAL_ENTRIES
            || (self.journal_bytes > limits::MAX_JOURNAL_BYTES && self.journal.len() > 1)
        {
            if let Some((_, w)) = self.journal.pop_front() {
                self.journal_bytes -= w;
            }
        }
    }
}

/// One issuer.
#[derive(Debug)]
pub struct Tenant {
    /// Path segment (`default` at the root).
    pub name: String,
    /// The profile its quirks started from.
    pub profile: Profile,
    /// `http://host:port[/t/<name>]`, without trailing slash.
    pub base_url: String,
    state: Mutex<TenantState>,
}

/// A tenant as the admin API and the CLI show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantInfo {
    /// Name.
    pub name: String,
    /// Profile.
    pub profile: Profile,
    /// The issuer exactly as published.
    pub issuer: String,
    /// The discovery document's URL.
    pub discovery_url: String,
    /// Active quirks.
    pub quirks: Quirks,
    /// Clients, with secrets (this is a test IdP).
    pub clients: Vec<Client>,
    /// Users.
    pub users: Vec<User>,
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && name != "."
        && name != ".."
}

impl Tenant {
    /// Builds a tenant from a spec. `server_url` is `http://host:port`.
    pub fn from_spec(server_url: &str, spec: TenantSpec) -> Result<Tenant, SpecError> {
        let name = spec
            .name
            .unwrap_or_else(|| crate::tokens::random_token("t", 6).to_lowercase());
        if !valid_name(&name) {
            return Err(SpecError::BadName(name));
        }
        let profile = spec.profile.unwrap_or(Profile::Jumpcloud);
        let mut quirks = Quirks::for_profile(profile);
        quirks.apply(&spec.quirks);
        check_quirks(&quirks)?;
        let base_url = if name == DEFAULT_TENANT {
            server_url.trim_end_matches('/').to_string()
        } else {
            format!("{}/t/{name}", server_url.trim_end_matches('/'))
        };
        let mut state = TenantState {
            quirks,
            clients: BTreeMap::new(),
            users: BTreeMap::new(),
            keys: KeyRing::bundled(&name),
            logins: BoundedMap::new(
                limits::MAX_PENDING_LOGINS,
                limits::MAX_PENDING_LOGIN_BYTES,
                PendingLogin::weight,
            ),
            codes: BoundedMap::new(
                limits::MAX_CODES,
                limits::MAX_GRANT_BYTES,
                CodeRecord::weight,
            ),
            access_tokens: BoundedMap::new(
                limits::MAX_ACCESS_TOKENS,
                limits::MAX_GRANT_BYTES,
                TokenRecord::weight,
            ),
            refresh_tokens: BoundedMap::new(
                limits::MAX_REFRESH_TOKENS,
                limits::MAX_GRANT_BYTES,
                TokenRecord::weight,
            ),
            device_codes: BoundedMap::new(
                limits::MAX_DEVICE_CODES,
                limits::MAX_DEVICE_CODE_BYTES,
                crate::device::DeviceRecord::weight,
            ),
            last_id_tokens: HashMap::new(),
            journal: VecDeque::new(),
            journal_bytes: 0,
            next_seq: 0,
            issued_since_sweep: 0,
        };
        for c in spec.clients {
            state.add_client(c)?;
        }
        for u in spec.users {
            state.add_user(u, &name)?;
        }
        Ok(Tenant {
            name,
            profile,
            base_url,
            state: Mutex::new(state),
        })
    }

    /// Locks the state. Never held across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, TenantState> {
        // A panic while holding the lock leaves consistent-enough data for a test IdP.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The issuer an app is configured with, given the active quirks: the discovery
    /// document lives below it.
    pub fn issuer(&self, quirks: &Quirks) -> String {
        self.issuer_at(EndpointPaths::of(quirks.endpoint_layout).issuer, quirks)
    }

    /// The `issuer` the discovery document publishes (Entra's `{tenantid}` template
    /// under `/common`, quirks.md E2; otherwise [`Tenant::issuer`]).
    pub fn published_issuer(&self, quirks: &Quirks) -> String {
        match EndpointPaths::published_issuer(quirks.endpoint_layout) {
            Some(path) => self.issuer_at(path, quirks),
            None => self.issuer(quirks),
        }
    }

    /// The `iss` of ID tokens (the user's own tenant under Entra's `/common`, quirks.md
    /// E2; otherwise [`Tenant::issuer`]).
    pub fn token_issuer(&self, quirks: &Quirks) -> String {
        match EndpointPaths::token_issuer(quirks.endpoint_layout) {
            Some(path) => self.issuer_at(path, quirks),
            None => self.issuer(quirks),
        }
    }

    fn issuer_at(&self, path: &str, quirks: &Quirks) -> String {
        let slash = if quirks.issuer_trailing_slash {
            "/"
        } else {
            ""
        };
        format!("{}{path}{slash}", self.base_url)
    }

    /// An absolute URL below the tenant.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Appends a journal entry.
    pub fn record(&self, entry: JournalEntry) {
        self.lock().push_journal(entry);
    }

    /// A snapshot for the admin API and the CLI.
    pub fn info(&self) -> TenantInfo {
        let s = self.lock();
        TenantInfo {
            name: self.name.clone(),
            profile: self.profile,
            issuer: self.issuer(&s.quirks),
            discovery_url: self.url(EndpointPaths::of(s.quirks.endpoint_layout).discovery),
            quirks: s.quirks.clone(),
            clients: s.clients.values().cloned().collect(),
            users: s.users.values().cloned().collect(),
        }
    }
}

/// Claims the IdP sets itself (OIDC Core §2, and Hydra's `rat` and `sid`): neither the
/// groups claim nor a user's extra claims may take their names.
const RESERVED_CLAIMS: [&str; 13] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nonce",
    "at_hash",
    "c_hash",
    "auth_time",
    "azp",
    "jti",
    "rat",
    "sid",
];

/// Refuses quirk values that would make tokens unusable.
pub fn check_quirks(q: &Quirks) -> Result<(), SpecError> {
    if RESERVED_CLAIMS.contains(&q.groups_claim.as_str()) {
        return Err(SpecError::ReservedClaim(q.groups_claim.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_issuers() {
        let t = Tenant::from_spec(
            "http://127.0.0.1:1",
            TenantSpec {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let q = t.lock().quirks.clone();
        assert_eq!(t.issuer(&q), "http://127.0.0.1:1/t/x/");
        let bad = Tenant::from_spec(
            "http://127.0.0.1:1",
            TenantSpec {
                name: Some("a/b".into()),
                ..Default::default()
            },
        );
        assert!(matches!(bad, Err(SpecError::BadName(_))));
    }

    #[test]
    fn a_full_journal_drops_its_oldest_entries() {
        let t = Tenant::from_spec("http://127.0.0.1:1", TenantSpec::default()).unwrap();
        let cap = limits::MAX_JOURNAL_ENTRIES;
        for _ in 0..cap + 5 {
            t.record(JournalEntry::default());
        }
        let s = t.lock();
        let seqs: Vec<u64> = s.journal().map(|e| e.seq).collect();
        // Whichever cap bites first, the newest entries stay, contiguous.
        assert!(seqs.len() <= cap && seqs.len() > cap / 2, "{}", seqs.len());
        assert_eq!(*seqs.last().unwrap(), cap as u64 + 5);
        assert_eq!(seqs[0], cap as u64 + 5 - seqs.len() as u64 + 1);
    }

    #[test]
    fn the_journal_is_a_ring_bounded_in_bytes() {
        let t = Tenant::from_spec("http://127.0.0.1:1", TenantSpec::default()).unwrap();
        let big: Vec<_> = (0..64)
            .map(|i| (format!("param{i}"), "v".repeat(10_000)))
            .collect();
        for _ in 0..2_000 {
            t.record(JournalEntry::new(
                crate::protocol::Endpoint::Authorize,
                "GET",
                &big,
            ));
        }
        let s = t.lock();
        assert!(s.journal_bytes() <= limits::MAX_JOURNAL_BYTES);
        let seqs: Vec<u64> = s.journal().map(|e| e.seq).collect();
        assert!(seqs.len() > 10 && seqs.len() < 2_000, "{}", seqs.len());
        assert_eq!(*seqs.last().unwrap(), 2_000);
    }

    #[test]
    fn pending_logins_are_swept_and_capped() {
        let t = Tenant::from_spec("http://127.0.0.1:1", TenantSpec::default()).unwrap();
        let login = |expires_at, state: usize| PendingLogin {
            client_id: "c".into(),
            redirect_uri: "http://a/cb".into(),
            redirect_uri_sent: None,
            scopes: vec![],
            state: Some("s".repeat(state)),
            nonce: None,
            code_challenge: None,
            code_challenge_method: None,
            response_mode: ResponseMode::Query,
            prompt: None,
            requested_at: 0,
            expires_at,
        };
        let mut s = t.lock();
        for i in 0..10 {
            s.add_login(format!("old{i}"), login(100, 1), 50);
        }
        s.add_login("new".into(), login(700, 1), 150);
        assert_eq!(s.logins.len(), 1, "expired logins go on insert");
        for i in 0..limits::MAX_PENDING_LOGINS + 10 {
            s.add_login(format!("l{i}"), login(700, 1), 150);
        }
        assert_eq!(s.logins.len(), limits::MAX_PENDING_LOGINS);
        assert!(!s.logins.contains_key("l0"));
        for i in 0..500 {
            s.add_login(format!("big{i}"), login(700, 60_000), 150);
        }
        assert!(s.logins.bytes() <= limits::MAX_PENDING_LOGIN_BYTES);
        assert!(s.logins.contains_key("big499"));
    }
}
