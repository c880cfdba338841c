//! An API that already runs (`[api] url`): it was configured once for one fixed tenant,
//! so every API check shares that tenant. Before the run the tenant is found (or made,
//! with the API's client and the CLI's) and the API must answer; before each check the
//! tenant gets the check's quirks, users and groups through the admin API.

use crate::idp_client::IdpClient;
use crate::scenario::{ApiTarget, CliTarget};
use anyhow::{Result, anyhow};
use std::time::Duration;
use stickler_idp::{Profile, TenantInfo, TenantSpec, UserSpec};

/// How long the running API gets to answer its first request.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the key-rotation check is left out for an API that already runs.
pub const ROTATION_LEFT_OUT: &str = "the IdP's key rotation is left out for an API that already runs (`[api] url`): its tenant is shared by every check, so the rotation would stay for the checks after this one (and an API that never fetches keys again would refuse their tokens for a reason that is not theirs); run the API with `command` to check key rotation";

/// Before the run: the fixed tenant, reused when the IdP has it (it must hold the API's
/// client) or created; then the API must answer at `url` (any HTTP status).
pub async fn prepare(
    idp: &IdpClient,
    api: &ApiTarget,
    cli: Option<&CliTarget>,
    scenario_name: &str,
    profile: Profile,
    url: &str,
    tenant: &str,
) -> Result<TenantInfo> {
    let t = match idp.tenant(tenant).await? {
        Some(t) => t,
        None => {
            let groups: Vec<String> = crate::world::DEFAULT_APP_GROUPS
                .iter()
                .map(|g| g.to_string())
                .collect();
            let spec = TenantSpec {
                name: Some(tenant.to_string()),
                profile: Some(profile),
                clients: crate::world::target_clients(Some(api), cli, &groups, scenario_name),
                ..Default::default()
            };
            idp.create_tenant(&spec).await?
        }
    };
    if !t.clients.iter().any(|c| c.client_id == api.audience) {
        return Err(anyhow!(
            "tenant `{tenant}` has no client `{}` (the API's `audience`): add it to the tenant, or delete the tenant and let Stickler create it",
            api.audience
        ));
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(ANSWER_TIMEOUT)
        .build()?;
    http.get(url).send().await.map_err(|e| {
        anyhow!("the API that already runs (`[api] url` = {url}) does not answer: {e}")
    })?;
    Ok(t)
}

/// Before one check: the fixed tenant with the check's profile and quirks (every quirk
/// set, so none of an earlier check's stays), the check's users it lacks (an earlier
/// check may have added them) and the groups assigned to the API's client; the tenant as
/// it is then.
pub async fn for_check(
    idp: &IdpClient,
    tenant: &str,
    profile: Profile,
    quirks: &stickler_idp::QuirkOverrides,
    users: &[UserSpec],
    audience: &str,
    groups: &[String],
) -> Result<TenantInfo> {
    let mut full = stickler_idp::Quirks::for_profile(profile);
    full.apply(quirks);
    idp.patch_quirks(tenant, &serde_json::to_value(full)?)
        .await?;
    let known = idp
        .tenant(tenant)
        .await?
        .ok_or_else(|| anyhow!("tenant `{tenant}` vanished from the IdP"))?
        .users;
    for u in users
        .iter()
        .filter(|u| !known.iter().any(|k| k.username == u.username))
    {
        idp.add_user(tenant, u).await?;
    }
    idp.assign_groups(tenant, audience, groups).await?;
    idp.tenant(tenant)
        .await?
        .ok_or_else(|| anyhow!("tenant `{tenant}` vanished from the IdP"))
}
