//! The runner's client for the IdP admin API. The runner reprograms the IdP only
//! through this API, whether the IdP is embedded or runs elsewhere (`--idp URL`).

use anyhow::{Context, Result, bail};
use reqwest::StatusCode;
use stickler_idp::{JournalEntry, TenantInfo, TenantSpec};

/// An admin API endpoint.
#[derive(Debug, Clone)]
pub struct IdpClient {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl IdpClient {
    /// `base` is the IdP's root URL, e.g. `http://127.0.0.1:9400`.
    pub fn new(base: &str, token: Option<String>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(IdpClient {
            base: base.trim_end_matches('/').to_string(),
            token,
            http,
        })
    }

    /// The IdP's root URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self
            .http
            .request(method, format!("{}/admin{path}", self.base));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    async fn check(resp: reqwest::Response, what: &str) -> Result<reqwest::Response> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        if status == StatusCode::UNAUTHORIZED {
            bail!(
                "{what}: the IdP refused the admin call (401): pass its admin token with --idp-token"
            );
        }
        bail!("{what}: the IdP answered {status}: {body}")
    }

    /// Answers when the admin API is reachable.
    pub async fn ping(&self) -> Result<()> {
        let resp = self
            .req(reqwest::Method::GET, "/profiles")
            .send()
            .await
            .with_context(|| format!("cannot reach the IdP admin API at {}/admin", self.base))?;
        Self::check(resp, "admin API").await.map(drop)
    }

    /// Creates a tenant.
    pub async fn create_tenant(&self, spec: &TenantSpec) -> Result<TenantInfo> {
        let resp = self
            .req(reqwest::Method::POST, "/tenants")
            .json(spec)
            .send()
            .await
            .context("creating a tenant")?;
        Ok(Self::check(resp, "creating a tenant").await?.json().await?)
    }

    /// Reads a tenant.
    pub async fn tenant(&self, name: &str) -> Result<Option<TenantInfo>> {
        let resp = self
            .req(reqwest::Method::GET, &format!("/tenants/{name}"))
            .send()
            .await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(
            Self::check(resp, "reading a tenant").await?.json().await?,
        ))
    }

    /// Deletes a tenant (missing is fine).
    pub async fn delete_tenant(&self, name: &str) -> Result<()> {
        let resp = self
            .req(reqwest::Method::DELETE, &format!("/tenants/{name}"))
            .send()
            .await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(());
        }
        Self::check(resp, "deleting a tenant").await.map(drop)
    }

    /// Replaces quirk values.
    pub async fn patch_quirks(&self, tenant: &str, quirks: &serde_json::Value) -> Result<()> {
        let resp = self
            .req(reqwest::Method::PATCH, &format!("/tenants/{tenant}/quirks"))
            .json(quirks)
            .send()
            .await?;
        Self::check(resp, "changing quirks").await.map(drop)
    }

    /// Rotates the tenant's RSA signing key; returns the new `kid`.
    pub async fn rotate_keys(&self, tenant: &str) -> Result<String> {
        let resp = self
            .req(
                reqwest::Method::POST,
                &format!("/tenants/{tenant}/keys/rotate"),
            )
            .send()
            .await?;
        let body: serde_json::Value = Self::check(resp, "rotating the signing key")
            .await?
            .json()
            .await?;
        Ok(body["kid"].as_str().unwrap_or_default().to_string())
    }

    /// Mints a token the tenant would issue, bent as `request` says (the body of
    /// `POST /admin/tenants/{name}/tokens`: client_id, user, kind, audience, misbehaviour,
    /// claims, expires_in); returns the compact token.
    pub async fn mint_token(&self, tenant: &str, request: &serde_json::Value) -> Result<String> {
        let resp = self
            .req(reqwest::Method::POST, &format!("/tenants/{tenant}/tokens"))
            .json(request)
            .send()
            .await?;
        let body: serde_json::Value = Self::check(resp, "minting a token").await?.json().await?;
        body["token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("the IdP's token answer has no `token`: {body}"))
    }

    /// Adds a user.
    pub async fn add_user(&self, tenant: &str, user: &stickler_idp::UserSpec) -> Result<()> {
        let resp = self
            .req(reqwest::Method::POST, &format!("/tenants/{tenant}/users"))
            .json(user)
            .send()
            .await?;
        Self::check(resp, "adding a user").await.map(drop)
    }

    /// Sets the groups assigned to a client.
    pub async fn assign_groups(&self, tenant: &str, client: &str, groups: &[String]) -> Result<()> {
        let resp = self
            .req(
                reqwest::Method::PUT,
                &format!("/tenants/{tenant}/clients/{client}/groups"),
            )
            .json(groups)
            .send()
            .await?;
        Self::check(resp, "assigning groups").await.map(drop)
    }

    /// The journal entries after `since`.
    pub async fn journal(&self, tenant: &str, since: u64) -> Result<Vec<JournalEntry>> {
        let resp = self
            .req(reqwest::Method::GET, &format!("/tenants/{tenant}/journal"))
            .query(&[("since", since)])
            .send()
            .await?;
        Ok(Self::check(resp, "reading the journal")
            .await?
            .json()
            .await?)
    }
}
