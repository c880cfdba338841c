//! The identity provider as the app sees it through openidconnect: discovery (with the
//! JWKS), the authorization URL, the code exchange, ID token and userinfo validation,
//! and the bug switches that weaken each step.

use crate::bugs::Bug;
use crate::flow::{Flow, Pkce};
use crate::groups::{GroupsError, GroupsShape, read_groups};
use crate::http_client::{adapter, error_chain, recording_adapter};
use crate::issuer::{fills_template_with_any_tenant, fills_tenant_template, is_tenant_template};
use crate::jose::{check_iat, claims_of_body, kid_of, payload_of, string_boolean};
use crate::lenient;
use crate::pages::User;
use crate::refusal::Refusal;
use crate::settings::{AuthMethod, Settings};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalClaims, AuthType, AuthorizationCode,
    ClaimsVerificationError, Client, CsrfToken, DiscoveryError, EmptyExtraTokenFields,
    EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IdTokenVerifier,
    IssuerUrl, JsonWebKey, JsonWebKeySet, JwsSigningAlgorithm, Nonce, NonceVerifier,
    OAuth2TokenResponse, PkceCodeVerifier, ProviderMetadataWithLogout, RequestTokenError, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse,
    UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Claims beyond the standard ones, kept as JSON: the groups claim's name is
/// configurable (OIDC Core §5.1.2, additional claims).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OtherClaims {
    /// Every claim openidconnect does not model itself.
    #[serde(flatten)]
    pub claims: Map<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

/// Discovery, with the `end_session_endpoint` of RP-Initiated Logout.
pub type Metadata = ProviderMetadataWithLogout;
/// An ID token with [`OtherClaims`].
pub type IdToken = openidconnect::IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
/// The claims of an [`IdToken`].
pub type IdTokenClaims = openidconnect::IdTokenClaims<OtherClaims, CoreGenderClaim>;
type TokenFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<TokenFields, CoreTokenType>;

/// The client discovery gives: authorization endpoint set, token and userinfo maybe.
pub type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Discovery did not succeed in time.
#[derive(Debug, thiserror::Error)]
#[error("discovery at {url} failed: {reason}")]
pub struct DiscoveryFailure {
    /// The discovery document's URL.
    pub url: String,
    /// The last error.
    pub reason: String,
}

/// Why a discovery attempt gave no usable metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// The document is not valid for the configured issuer (Discovery §4.3): the app
    /// starts anyway and shows this at every sign-in.
    Invalid(String),
    /// The IdP could not be reached, or answered something unreadable.
    Unreachable(String),
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// What the home page shows.
    pub user: User,
    /// The ID token, kept as `id_token_hint` for logout (none when `lenient-claims`
    /// accepted a token openidconnect cannot parse).
    pub id_token: Option<IdToken>,
}

/// What discovery gave: the metadata with the JWKS, or why the document was refused.
type Discovered = Result<Arc<Metadata>, String>;

/// The IdP: its discovered metadata (refreshed when a signing key is unknown, retried at
/// each sign-in while the document is refused) and the HTTP client to reach it.
pub struct Provider {
    http: reqwest::Client,
    issuer: IssuerUrl,
    /// How the document's `issuer` is compared with the configured one.
    check: IssuerCheck,
    state: RwLock<Discovered>,
}

/// The discovery URL openidconnect fetches for `issuer` (Discovery §4).
pub fn discovery_url(issuer: &IssuerUrl) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.as_str().trim_end_matches('/')
    )
}

/// The discovery document, raw.
async fn fetch_document(issuer: &IssuerUrl, http: &reqwest::Client) -> Result<Vec<u8>, String> {
    let url = discovery_url(issuer);
    let resp = http
        .get(&url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| format!("GET {url}: {}", error_chain(&e)))?;
    if resp.status() != reqwest::StatusCode::OK {
        return Err(format!("GET {url}: HTTP {}", resp.status()));
    }
    let body = resp
        .bytes()
        .await
        .map_err(|e| format!("GET {url}: {}", error_chain(&e)))?;
    Ok(body.to_vec())
}

/// The `issuer` a raw discovery document names, if it names one.
fn issuer_named(document: &[u8]) -> Option<String> {
    serde_json::from_slice::<Value>(document)
        .ok()?
        .get("issuer")?
        .as_str()
        .map(str::to_string)
}

/// The refusal text for a document naming another issuer.
fn mismatch_text(issuer: &IssuerUrl, named: &str) -> String {
    format!(
        "the IdP's discovery document at {} names issuer `{named}` while the app is configured for `{}` (OIDC Discovery §4.3: they must be identical)",
        discovery_url(issuer),
        issuer.as_str()
    )
}

/// How discovery's `issuer` is compared with the configured one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IssuerCheck {
    /// Identical, or Entra's multi-tenant `{tenantid}` template for it (quirks.md E2).
    TemplateAware,
    /// `literal-issuer`: identical byte for byte (openidconnect alone).
    Literal,
    /// `skip-issuer-check`: not compared at all.
    Skipped,
}

impl IssuerCheck {
    fn of(s: &Settings) -> IssuerCheck {
        if s.bugs.has(Bug::SkipIssuerCheck) {
            IssuerCheck::Skipped
        } else if s.bugs.has(Bug::LiteralIssuer) {
            IssuerCheck::Literal
        } else {
            IssuerCheck::TemplateAware
        }
    }
}

/// One discovery attempt through openidconnect, which refuses a document naming another
/// issuer; Entra's template for the configured issuer is taken unless `literal-issuer`,
/// and under `skip-issuer-check` the document is read without any check.
async fn discover_once(
    issuer: &IssuerUrl,
    http: &reqwest::Client,
    check: IssuerCheck,
) -> Result<Metadata, Problem> {
    if check == IssuerCheck::Skipped {
        return discover_ignoring_issuer(issuer, http).await;
    }
    match Metadata::discover_async(issuer.clone(), &adapter(http.clone())).await {
        Ok(metadata) => Ok(metadata),
        Err(DiscoveryError::Validation(why)) => {
            // Name both issuers, from the document itself when it can be read again.
            let named = fetch_document(issuer, http)
                .await
                .ok()
                .and_then(|d| issuer_named(&d))
                .filter(|named| named != issuer.as_str());
            if check == IssuerCheck::TemplateAware
                && named
                    .as_deref()
                    .is_some_and(|n| is_tenant_template(issuer.as_str(), n))
            {
                // Microsoft documents the template for `/common`: each ID token's `iss`
                // is checked against it, filled with the token's `tid`.
                return discover_ignoring_issuer(issuer, http).await;
            }
            Err(Problem::Invalid(match named {
                Some(named) => mismatch_text(issuer, &named),
                None => format!(
                    "the IdP's discovery document at {} is not valid for issuer `{}`: {why}",
                    discovery_url(issuer),
                    issuer.as_str()
                ),
            }))
        }
        Err(e) => Err(Problem::Unreachable(error_chain(&e))),
    }
}

/// `skip-issuer-check`'s discovery: a plain GET and a parse, whatever `issuer` says.
async fn discover_ignoring_issuer(
    issuer: &IssuerUrl,
    http: &reqwest::Client,
) -> Result<Metadata, Problem> {
    let document = fetch_document(issuer, http)
        .await
        .map_err(Problem::Unreachable)?;
    let metadata: Metadata = serde_json::from_slice(&document).map_err(|e| {
        Problem::Unreachable(format!(
            "the discovery document at {} does not parse: {e}",
            discovery_url(issuer)
        ))
    })?;
    if is_tenant_template(issuer.as_str(), metadata.issuer().as_str()) {
        tracing::info!(
            "discovery names the multi-tenant issuer template `{}`; ID tokens are checked against it with their `tid`",
            metadata.issuer().as_str()
        );
    } else if metadata.issuer() != issuer {
        tracing::warn!(
            "skip-issuer-check: using it anyway: {}",
            mismatch_text(issuer, metadata.issuer().as_str())
        );
    }
    let jwks = JsonWebKeySet::fetch_async(metadata.jwks_uri(), &adapter(http.clone()))
        .await
        .map_err(|e| Problem::Unreachable(error_chain(&e)))?;
    Ok(metadata.set_jwks(jwks))
}

impl Provider {
    /// Fetches discovery and the JWKS, retrying transport failures for `patience` (the
    /// IdP may still be starting). A document that fails validation (e.g. an `issuer`
    /// that is not exactly `issuer`, Discovery §4.3) is not retried here: the app starts,
    /// and each sign-in tries discovery again and shows why it cannot proceed.
    pub async fn discover(
        s: &Settings,
        http: reqwest::Client,
        patience: Duration,
    ) -> Result<Provider, DiscoveryFailure> {
        let deadline = Instant::now() + patience;
        let issuer = s.issuer.clone();
        let check = IssuerCheck::of(s);
        loop {
            let state = match discover_once(&issuer, &http, check).await {
                Ok(metadata) => Ok(Arc::new(metadata)),
                Err(Problem::Invalid(why)) => Err(why),
                Err(Problem::Unreachable(reason)) if Instant::now() >= deadline => {
                    return Err(DiscoveryFailure {
                        url: discovery_url(&issuer),
                        reason,
                    });
                }
                Err(Problem::Unreachable(_)) => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            return Ok(Provider {
                http,
                issuer,
                check,
                state: RwLock::new(state),
            });
        }
    }

    /// Why the discovery document is refused, if it is.
    pub fn discovery_problem(&self) -> Option<String> {
        self.current().err()
    }

    fn current(&self) -> Discovered {
        self.state.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn store(&self, state: Discovered) {
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = state;
    }

    /// The metadata, discovering again first if the document was refused so far.
    pub async fn ready(&self) -> Result<Arc<Metadata>, Refusal> {
        if let Ok(metadata) = self.current() {
            return Ok(metadata);
        }
        self.rediscover().await.map_err(Refusal::Discovery)
    }

    /// Discovery and the JWKS again (after a refusal, or for a signing key the app does
    /// not know: the IdP rotated its keys, OIDC Core §10.1.1).
    async fn rediscover(&self) -> Result<Arc<Metadata>, String> {
        match discover_once(&self.issuer, &self.http, self.check).await {
            Ok(metadata) => {
                let metadata = Arc::new(metadata);
                self.store(Ok(metadata.clone()));
                Ok(metadata)
            }
            Err(Problem::Invalid(why)) => {
                self.store(Err(why.clone()));
                Err(why)
            }
            Err(Problem::Unreachable(why)) => Err(format!(
                "discovery at {} failed: {why}",
                discovery_url(&self.issuer)
            )),
        }
    }

    /// The IdP's `end_session_endpoint`, if it publishes one.
    pub fn end_session_url(&self) -> Option<EndSessionUrl> {
        self.current()
            .ok()?
            .additional_metadata()
            .end_session_endpoint
            .clone()
    }

    /// Finishes a sign-in: exchanges `code`, validates the ID token, calls userinfo.
    pub async fn sign_in(
        &self,
        s: &Settings,
        flow: Flow,
        code: String,
    ) -> Result<SignedIn, Refusal> {
        let metadata = self.ready().await?;
        let http = adapter(self.http.clone());
        let client = client_for(&metadata, s);
        let mut exchanged = exchange(&client, &http, &code, &flow, s).await?;
        if retries_in_body(s, &exchanged) {
            tracing::warn!(
                "auth-basic-then-post: the IdP refused client_secret_basic with invalid_client; \
                 sending the same request with the secret in the body"
            );
            let in_body = client.clone().set_auth_type(AuthType::RequestBody);
            exchanged = exchange(&in_body, &http, &code, &flow, s).await?;
        }
        let (tokens, claims, id_token) = match exchanged {
            Ok(tokens) => {
                let id_token = tokens.id_token().ok_or(Refusal::NoIdToken)?.clone();
                if s.bugs.has(Bug::StrictBooleans) {
                    refuse_string_booleans(&id_token.to_string())?;
                }
                let claims = self
                    .validate_id_token(
                        s,
                        &metadata,
                        &id_token,
                        flow.nonce.as_ref(),
                        tokens.access_token(),
                    )
                    .await?;
                (tokens, claims, Some(id_token))
            }
            Err(e @ RequestTokenError::Parse(..)) => {
                let described = describe_token_error(&e);
                let RequestTokenError::Parse(_, body) = &e else {
                    return Err(Refusal::Token(described));
                };
                let (tokens, claims) =
                    unparsable(s, &metadata, body, flow.nonce.as_ref(), described)?;
                (tokens, claims, None)
            }
            Err(e) => return Err(Refusal::Token(describe_token_error(&e))),
        };

        let mut info: Option<UserInfoClaims<OtherClaims, CoreGenderClaim>> = None;
        if s.bugs.has(Bug::SkipUserinfo) {
            tracing::debug!("skip-userinfo: the claims come from the ID token alone");
        } else if metadata.userinfo_endpoint().is_some() {
            // A defaulted empty `sub` (lenient-claims) cannot be compared.
            let unknown_sub = s.bugs.has(Bug::LenientClaims) && claims.subject().is_empty();
            let expected = (!s.bugs.has(Bug::IgnoreUserinfoSubMismatch) && !unknown_sub)
                .then(|| claims.subject().clone());
            let (recording, body) = recording_adapter(self.http.clone());
            let answer = client
                .user_info(tokens.access_token().clone(), expected)
                .map_err(|e| Refusal::UserInfo(e.to_string()))?
                .request_async(&recording)
                .await
                .map_err(|e| Refusal::UserInfo(error_chain(&e)))?;
            if s.bugs.has(Bug::StrictBooleans) {
                let raw = body.lock().unwrap_or_else(|p| p.into_inner()).take();
                if let Some(why) = raw
                    .as_deref()
                    .and_then(claims_of_body)
                    .and_then(|c| string_boolean(&c))
                {
                    return Err(Refusal::UserInfo(format!(
                        "Failed to parse response: {why}"
                    )));
                }
            }
            info = Some(answer);
        }
        let user = user_from(s, &claims, info.as_ref())?;
        Ok(SignedIn { user, id_token })
    }

    /// Validates the ID token (OIDC Core §3.1.3.7); an unknown signing key makes the app
    /// refetch discovery and the JWKS once and retry, unless `cache-jwks-forever`.
    async fn validate_id_token(
        &self,
        s: &Settings,
        metadata: &Metadata,
        id_token: &IdToken,
        nonce: Option<&Nonce>,
        access_token: &AccessToken,
    ) -> Result<IdTokenClaims, Refusal> {
        if s.bugs.has(Bug::RequireKid) && kid_of(&id_token.to_string()).is_none() {
            return Err(no_kid());
        }
        let result = match validate_with(s, metadata, id_token, nonce, access_token) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) if !s.bugs.has(Bug::CacheJwksForever) => {
                tracing::info!(
                    "no JWKS key matches the ID token; refetching discovery and the JWKS"
                );
                let fresh = self.rediscover().await.map_err(|e| {
                    Refusal::IdToken(format!(
                        "no known key signed it, and refetching discovery and the JWKS failed: {e}"
                    ))
                })?;
                validate_with(s, &fresh, id_token, nonce, access_token)
            }
            other => other,
        };
        result.map_err(|e| Refusal::IdToken(error_chain(&e)))
    }
}

/// The result of one code exchange at the token endpoint.
type Exchanged = Result<
    Tokens,
    RequestTokenError<crate::http_client::HttpError, StandardErrorResponse<CoreErrorResponseType>>,
>;

/// One token request for `code` with the flow's PKCE verifier.
async fn exchange(
    client: &OidcClient,
    http: &impl Fn(openidconnect::HttpRequest) -> crate::http_client::Pending,
    code: &str,
    flow: &Flow,
    s: &Settings,
) -> Result<Exchanged, Refusal> {
    let mut req = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| Refusal::Token(e.to_string()))?;
    if s.bugs.has(Bug::AuthBoth)
        && s.auth_method == AuthMethod::ClientSecretBasic
        && let Some(secret) = &s.client_secret
    {
        // The header from the Basic client, the body by hand.
        req = req
            .add_extra_param("client_id", s.client_id.as_str().to_string())
            .add_extra_param("client_secret", secret.secret().clone());
    }
    if flow.pkce != Pkce::None {
        req = req.set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.secret().clone()));
    }
    Ok(req.request_async(http).await)
}

/// `auth-basic-then-post`: whether a client_secret_basic exchange the IdP answered with
/// `invalid_client` is sent again with the secret in the body.
fn retries_in_body(s: &Settings, first: &Exchanged) -> bool {
    s.bugs.has(Bug::AuthBasicThenPost)
        && s.auth_method == AuthMethod::ClientSecretBasic
        && matches!(first, Err(RequestTokenError::ServerResponse(r))
            if *r.error() == CoreErrorResponseType::InvalidClient)
}

/// `require-kid`'s refusal.
fn no_kid() -> Refusal {
    Refusal::IdToken("the ID token has no kid (this app looks signing keys up by kid)".into())
}

/// `strict-booleans`: what openidconnect says without `accept-string-booleans`.
fn refuse_string_booleans(compact: &str) -> Result<(), Refusal> {
    match payload_of(compact).ok().and_then(|p| string_boolean(&p)) {
        Some(why) => Err(Refusal::IdToken(format!(
            "it does not parse: Failed to parse payload JSON: {why}"
        ))),
        None => Ok(()),
    }
}

/// The token response did not parse. When its `id_token` is what fails (a missing
/// `sub` or `iat`: both are required, OIDC Core §2), that is an ID-token refusal;
/// under `lenient-claims` the two are defaulted and the token validated by hand.
fn unparsable(
    s: &Settings,
    metadata: &Metadata,
    body: &[u8],
    nonce: Option<&Nonce>,
    described: String,
) -> Result<(Tokens, IdTokenClaims), Refusal> {
    let Ok(Value::Object(mut response)) = serde_json::from_slice::<Value>(body) else {
        return Err(Refusal::Token(described));
    };
    let Some(compact) = response
        .get("id_token")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Err(Refusal::Token(described));
    };
    let why = match compact.parse::<IdToken>() {
        Ok(_) => return Err(Refusal::Token(described)),
        Err(e) => e.to_string(),
    };
    let lacking = payload_of(&compact)
        .map(|p| lenient::missing(&p))
        .unwrap_or_default();
    if !s.bugs.has(Bug::LenientClaims) || lacking.is_empty() {
        return Err(Refusal::IdToken(format!("it does not parse: {why}")));
    }
    if s.bugs.has(Bug::RequireKid) && kid_of(&compact).is_none() {
        return Err(no_kid());
    }
    if s.bugs.has(Bug::StrictBooleans) {
        refuse_string_booleans(&compact)?;
    }
    response.remove("id_token");
    let tokens: Tokens = serde_json::from_value(Value::Object(response))
        .map_err(|e| Refusal::Token(format!("{described} ({e})")))?;
    let claims = lenient::validate(
        s,
        metadata,
        &compact,
        nonce,
        tokens.access_token(),
        chrono::Utc::now(),
    )
    .map_err(Refusal::IdToken)?;
    tracing::warn!(
        "lenient-claims: accepted an ID token without {} ({why})",
        lacking.join(" and ")
    );
    Ok((tokens, claims))
}

/// A client for `metadata`, configured as the settings (and bugs) say.
pub fn client_for(metadata: &Metadata, s: &Settings) -> OidcClient {
    OidcClient::from_provider_metadata(
        metadata.clone(),
        s.client_id.clone(),
        s.client_secret.clone(),
    )
    .set_auth_type(match s.auth_method {
        AuthMethod::ClientSecretBasic => AuthType::BasicAuth,
        // Without a secret, oauth2 sends `client_id` in the body: method `none`.
        AuthMethod::ClientSecretPost | AuthMethod::None => AuthType::RequestBody,
    })
    .set_redirect_uri(s.redirect_url.clone())
}

/// The authorization request for `flow` (OIDC Core §3.1.2.1).
pub fn authorization_url(metadata: &Metadata, s: &Settings, flow: &Flow) -> url::Url {
    let client = client_for(metadata, s);
    let state = flow.state.clone().unwrap_or_default();
    // openidconnect always sends a nonce; `no-nonce` drops it from the URL below.
    let nonce = flow
        .nonce
        .clone()
        .unwrap_or_else(|| Nonce::new(String::new()));
    let mut req = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        move || CsrfToken::new(state),
        move || nonce,
    );
    for scope in &s.extra_scopes {
        req = req.add_scope(Scope::new(scope.clone()));
    }
    req = match &flow.pkce {
        Pkce::S256(challenge) => req.set_pkce_challenge(challenge.clone()),
        // openidconnect does not offer `plain` (oauth2 hides it behind a feature).
        Pkce::Plain => req
            .add_extra_param("code_challenge", flow.verifier.secret().clone())
            .add_extra_param("code_challenge_method", "plain"),
        Pkce::None => req,
    };
    let (mut url, _, _) = req.url();
    // openidconnect always sends a state and a nonce; `no-state` and `no-nonce` drop
    // them from the URL.
    let dropped = [
        ("state", flow.state.is_none()),
        ("nonce", flow.nonce.is_none()),
    ];
    if dropped.iter().any(|(_, drop)| *drop) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .into_owned()
            .filter(|(k, _)| !dropped.contains(&(k.as_str(), true)))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url
}

/// Validates with the keys of `metadata`. With several eligible keys and no `kid` to
/// choose (OIDC Core §10.1 wants a `kid` then; openidconnect says `AmbiguousKeyId`),
/// each key is tried in turn: the token is accepted if one of them verifies it.
fn validate_with(
    s: &Settings,
    metadata: &Metadata,
    id_token: &IdToken,
    nonce: Option<&Nonce>,
    access_token: &AccessToken,
) -> Result<IdTokenClaims, ClaimsVerificationError> {
    let sig = ClaimsVerificationError::SignatureVerification;
    let issuer = metadata.issuer();
    match check(
        s,
        issuer,
        &client_for(metadata, s),
        id_token,
        nonce,
        access_token,
    ) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::AmbiguousKeyId(why),
        )) => {
            tracing::info!("{why}; trying each key");
            for key in metadata.jwks().keys() {
                let one = metadata
                    .clone()
                    .set_jwks(JsonWebKeySet::new(vec![key.clone()]));
                match check(
                    s,
                    issuer,
                    &client_for(&one, s),
                    id_token,
                    nonce,
                    access_token,
                ) {
                    Ok(claims) => return Ok(claims),
                    // Not this key (or a key of another type): the next one.
                    Err(ClaimsVerificationError::SignatureVerification(_)) => continue,
                    // This key verified the signature; a claim is wrong.
                    Err(other) => return Err(other),
                }
            }
            Err(sig(SignatureVerificationError::Other(format!(
                "{why}, and none of them verifies the signature"
            ))))
        }
        other => other,
    }
}

/// openidconnect's validation with one client's keys, plus `azp` and `at_hash`.
fn check(
    s: &Settings,
    issuer: &IssuerUrl,
    client: &OidcClient,
    id_token: &IdToken,
    nonce: Option<&Nonce>,
    access_token: &AccessToken,
) -> Result<IdTokenClaims, ClaimsVerificationError> {
    let mut verifier = weakened(client.id_token_verifier(), s);
    if iss_fills_tenant_template(issuer, id_token, s.bugs.has(Bug::AnyTenantIssuer)) {
        // Entra's template, filled with the token's `tid` (quirks.md E2): openidconnect
        // compares `iss` byte for byte with the template, so its comparison stands aside
        // for this token. (Discovery took the template only without `literal-issuer`.)
        verifier = verifier.require_issuer_match(false);
    }
    let ignore_nonce = s.bugs.has(Bug::IgnoreNonce);
    match id_token.claims(&verifier, nonce_check(nonce, ignore_nonce)) {
        Ok(claims) => {
            // openidconnect leaves `azp` to the app (OIDC Core §3.1.3.7 item 5).
            if let Some(azp) = claims.authorized_party()
                && **azp != *s.client_id
                && !s.bugs.has(Bug::SkipAudienceCheck)
            {
                return Err(ClaimsVerificationError::InvalidAudience(format!(
                    "azp must be `{}` (found `{}`)",
                    *s.client_id, **azp
                )));
            }
            if !s.bugs.has(Bug::SkipSignatureCheck) && !s.bugs.has(Bug::SkipAtHashCheck) {
                check_at_hash(s, id_token, &verifier, claims, access_token)?;
            }
            Ok(claims.clone())
        }
        // openidconnect refuses `alg: none` even with `allow_any_alg`; the bug takes
        // the claims unsigned (still checking iss, aud, exp and nonce).
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoSignature,
        )) if s.bugs.has(Bug::AcceptAlgNone) => {
            let unsigned = verifier.insecure_disable_signature_check();
            id_token
                .claims(&unsigned, nonce_check(nonce, ignore_nonce))
                .cloned()
        }
        Err(e) => Err(e),
    }
}

/// Whether the token's `iss` is discovery's tenant template filled with its `tid` (read
/// unverified: openidconnect still verifies the signature and every other claim); with
/// `any_tenant` (the `any-tenant-issuer` bug), filled with any tenant.
fn iss_fills_tenant_template(issuer: &IssuerUrl, id_token: &IdToken, any_tenant: bool) -> bool {
    let Ok(payload) = payload_of(&id_token.to_string()) else {
        return false;
    };
    let text = |name: &str| payload.get(name).and_then(Value::as_str);
    text("iss").is_some_and(|iss| {
        fills_tenant_template(issuer.as_str(), iss, text("tid"))
            || (any_tenant && fills_template_with_any_tenant(issuer.as_str(), iss))
    })
}

/// The openidconnect verifier with the bug switches' weakenings.
fn weakened<'a>(
    mut v: IdTokenVerifier<'a, CoreJsonWebKey>,
    s: &Settings,
) -> IdTokenVerifier<'a, CoreJsonWebKey> {
    let bugs = &s.bugs;
    if bugs.has(Bug::SkipIssuerCheck) {
        v = v.require_issuer_match(false);
    }
    if bugs.has(Bug::SkipAudienceCheck) {
        v = v.require_audience_match(false);
    }
    if bugs.has(Bug::SkipSignatureCheck) {
        v = v.insecure_disable_signature_check();
    }
    if bugs.has(Bug::Rs256Only) {
        // openidconnect takes discovery's `id_token_signing_alg_values_supported`.
        v = v.set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]);
    }
    if bugs.has(Bug::AcceptAlgNone) {
        v = v.allow_any_alg();
    }
    if bugs.has(Bug::IgnoreExp) {
        // Every `exp` is in the future of 1970.
        v = v.set_time_fn(|| chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    }
    if !bugs.has(Bug::IgnoreIat) {
        // openidconnect checks no `iat` by default (OIDC Core §3.1.3.7 item 10).
        v = v.set_issue_time_verifier_fn(|iat| check_iat(iat, chrono::Utc::now()));
    }
    v
}

/// The nonce comparison (OIDC Core §3.1.3.7 step 11) with the nonce sent; when none was
/// sent (`no-nonce`), the token must carry none, as oauth4webapi's `expectNoNonce`
/// wants. No comparison at all under `ignore-nonce`.
pub fn nonce_check(sent: Option<&Nonce>, ignore: bool) -> impl NonceVerifier + '_ {
    move |got: Option<&Nonce>| match (sent, got) {
        _ if ignore => Ok(()),
        (Some(sent), got) => sent.verify(got),
        (None, None) => Ok(()),
        (None, Some(_)) => Err("the ID token carries a nonce, and the app sent none".to_string()),
    }
}

/// `at_hash`, when present, must hash the access token (OIDC Core §3.1.3.8 / §3.2.2.9).
fn check_at_hash(
    s: &Settings,
    id_token: &IdToken,
    verifier: &IdTokenVerifier<'_, CoreJsonWebKey>,
    claims: &IdTokenClaims,
    access_token: &AccessToken,
) -> Result<(), ClaimsVerificationError> {
    let Some(expected) = claims.access_token_hash() else {
        return Ok(());
    };
    let sig = ClaimsVerificationError::SignatureVerification;
    let alg = id_token.signing_alg().map_err(sig)?;
    let shared;
    let key = if alg.uses_shared_secret() {
        let secret = s
            .client_secret
            .as_ref()
            .map(|c| c.secret().as_bytes().to_vec())
            .unwrap_or_default();
        shared = CoreJsonWebKey::new_symmetric(secret);
        &shared
    } else {
        id_token.signing_key(verifier).map_err(sig)?
    };
    let actual = AccessTokenHash::from_token(access_token, alg, key).map_err(|e| {
        ClaimsVerificationError::Other(format!("cannot hash the access token: {e}"))
    })?;
    if &actual != expected {
        return Err(ClaimsVerificationError::Other(
            "the at_hash claim does not match the access token".into(),
        ));
    }
    Ok(())
}

fn describe_token_error<E: std::error::Error + 'static>(
    e: &RequestTokenError<E, StandardErrorResponse<CoreErrorResponseType>>,
) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => match r.error_description() {
            Some(d) => format!("{}: {d}", r.error()),
            None => r.error().to_string(),
        },
        RequestTokenError::Parse(err, body) => format!(
            "the token response is not valid JSON for OAuth 2.0: {err} (body: {})",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ),
        other => error_chain(other),
    }
}

/// What the home page shows, from the ID token first and userinfo second.
fn user_from(
    s: &Settings,
    claims: &IdTokenClaims,
    info: Option<&UserInfoClaims<OtherClaims, CoreGenderClaim>>,
) -> Result<User, Refusal> {
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.to_string())
        .or_else(|| {
            info.and_then(|i| i.name())
                .and_then(|n| n.get(None))
                .map(|n| n.to_string())
        });
    let username = claims
        .preferred_username()
        .or_else(|| info.and_then(|i| i.preferred_username()))
        .map(|u| u.to_string());
    let email = claims
        .email()
        .or_else(|| info.and_then(|i| i.email()))
        .map(|e| e.to_string())
        .unwrap_or_default();
    let claim = &s.groups_claim;
    let raw_groups = claims
        .additional_claims()
        .claims
        .get(claim)
        .or_else(|| info.and_then(|i| i.additional_claims().claims.get(claim)));
    let groups = read_groups(claim, raw_groups, groups_shape(s)).map_err(|e| match e {
        GroupsError::Strict(text) => Refusal::Crash(text),
        shape => Refusal::Claims(shape.to_string()),
    })?;
    // Without name, username or email (a thin ID token and no userinfo), the sub.
    let shown = name
        .or(username)
        .or_else(|| (!email.is_empty()).then(|| email.clone()))
        .unwrap_or_else(|| claims.subject().to_string());
    Ok(User {
        name: shown,
        email,
        sub: claims.subject().to_string(),
        groups,
    })
}

/// Which shapes of the groups claim the app reads, by its bugs.
fn groups_shape(s: &Settings) -> GroupsShape {
    if s.bugs.has(Bug::GroupsArrayOnly) {
        GroupsShape::ArrayOnly
    } else if s.bugs.has(Bug::GroupsStringOnly) {
        GroupsShape::StringOnly
    } else {
        GroupsShape::Either
    }
}
