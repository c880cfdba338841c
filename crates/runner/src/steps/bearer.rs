//! Steps for an API that takes bearer tokens (RFC 6750): tokens minted by the IdP's
//! admin API, good or bent one way, sent on the scenario file's request; the API is
//! judged by its status code and what it says.

use crate::check::Target;
use crate::scenario::ApiTarget;
use crate::verdict::{ApiExpect, api_answer};
use crate::world::CheckWorld;
use anyhow::{Result, anyhow};
use cucumber::{then, when};
use serde_json::{Map, Value, json};

fn api(w: &CheckWorld) -> Result<ApiTarget> {
    w.env
        .scenario
        .api
        .clone()
        .ok_or_else(|| anyhow!("this check needs an API, and the scenario file has no [api] table"))
}

/// Mints `user`'s token for the API's audience (an ID token, or a JWT access token as
/// `[api] token` says) with `bend` applied, and sends it.
async fn send(w: &mut CheckWorld, user: &str, label: &str, bend: Map<String, Value>) -> Result<()> {
    w.ensure_target(Target::Api).await?;
    let api = api(w)?;
    let tenant = w.tenant()?.name.clone();
    let mut request = json!({
        "client_id": api.audience,
        "user": user,
        "scope": "openid email profile groups",
        "kind": api.token.as_str(),
    });
    if let Some(r) = request.as_object_mut() {
        r.extend(bend);
    }
    let token = w.env.idp.mint_token(&tenant, &request).await?;
    let base = w
        .api_url
        .clone()
        .ok_or_else(|| anyhow!("the API is not running"))?;
    let seen = crate::targets::call_api(&w.env.http, &api, &base, &token, label).await;
    if seen.status.is_none() {
        w.api_app_exited();
    }
    w.api_seen.push(seen);
    Ok(())
}

#[when(regex = r"^the API is called with (\w+)'s token$")]
async fn valid(w: &mut CheckWorld, user: String) -> Result<()> {
    send(w, &user, "valid", Map::new()).await
}

#[when(regex = r#"^the API is called with (\w+)'s token bent by "(\w+)"$"#)]
async fn bent(w: &mut CheckWorld, user: String, misbehaviour: String) -> Result<()> {
    let mut bend = Map::new();
    bend.insert("misbehaviour".into(), Value::String(misbehaviour.clone()));
    send(w, &user, &misbehaviour, bend).await
}

/// The token the CLI's login gives: issued to the CLI's client id, so `aud` names the
/// CLI, not the API (jitsudo: `jitsudo-cli` vs `jitsudo-server`).
#[when(regex = r"^the API is called with (\w+)'s token issued to the CLI$")]
async fn for_cli(w: &mut CheckWorld, user: String) -> Result<()> {
    let api = api(w)?;
    let Some(cli) = w.env.scenario.cli.clone() else {
        w.not_applicable = Some(
            "the scenario file has no [cli]: there is no CLI client id to put in `aud`".into(),
        );
        return Ok(());
    };
    if cli.client_id == api.audience {
        w.not_applicable = Some(format!(
            "the CLI's client id is the API's audience (`{}`): a token issued to the CLI is meant for the API",
            api.audience
        ));
        return Ok(());
    }
    let mut bend = Map::new();
    bend.insert("client_id".into(), Value::String(cli.client_id.clone()));
    send(w, &user, &format!("CLI's ({})", cli.client_id), bend).await
}

/// The tenant's groups claim name (`groups_claim` quirk: `groups`, JumpCloud's `memberOf`).
fn groups_claim(w: &CheckWorld) -> String {
    w.tenant
        .as_ref()
        .map(|t| t.quirks.groups_claim.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "groups".into())
}

/// `whose groups claim is "Engineering"` (a JSON value) or `is missing`; the claim is the
/// one the tenant sends groups under.
#[when(regex = r#"^the API is called with (\w+)'s token whose groups claim is (.+)$"#)]
async fn groups_value(w: &mut CheckWorld, user: String, value: String) -> Result<()> {
    let v = if value.trim() == "missing" {
        Value::Null
    } else {
        serde_json::from_str(value.trim())
            .map_err(|e| anyhow!("`{value}` is neither JSON nor `missing`: {e}"))?
    };
    w.ensure_target(Target::Api).await?;
    let name = groups_claim(w);
    let label = match &v {
        Value::Null => format!("`{name}`-less"),
        v => format!("`{name}`: {v}"),
    };
    let mut claims = Map::new();
    claims.insert(name, v);
    let mut bend = Map::new();
    bend.insert("claims".into(), Value::Object(claims));
    send(w, &user, &label, bend).await
}

/// The user's groups under another claim name than the tenant's, as an IdP configured
/// otherwise sends them (`memberOf`, or `groups` when the tenant uses `memberOf`).
#[when(regex = r"^the API is called with (\w+)'s token whose groups come under another name$")]
async fn groups_renamed(w: &mut CheckWorld, user: String) -> Result<()> {
    w.ensure_target(Target::Api).await?;
    let groups = w.user(&user)?.groups.clone();
    let claim = groups_claim(w);
    let other = if claim == "memberOf" {
        "groups"
    } else {
        "memberOf"
    };
    let mut claims = Map::new();
    claims.insert(claim, Value::Null);
    claims.insert(other.into(), json!(groups));
    let mut bend = Map::new();
    bend.insert("claims".into(), Value::Object(claims));
    send(w, &user, &format!("groups-as-`{other}`"), bend).await
}

fn judge(w: &CheckWorld, expect: ApiExpect) -> Result<()> {
    if w.not_applicable.is_some() {
        return Ok(());
    }
    let api = api(w)?;
    let a = w
        .api_seen
        .last()
        .ok_or_else(|| anyhow!("no request reached the API in this check"))?;
    let status = a.status.unwrap_or(0);
    api_answer(
        expect,
        a,
        api.accepts(status),
        api.reject_status.contains(&status),
    )
    .map_err(|e| anyhow!(e))
}

#[then(regex = r"^the API accepts it$")]
async fn accepts(w: &mut CheckWorld) -> Result<()> {
    judge(w, ApiExpect::Accept)
}

#[then(regex = r"^the API refuses it$")]
async fn refuses(w: &mut CheckWorld) -> Result<()> {
    judge(w, ApiExpect::Refuse)
}

#[then(regex = r"^the API answers without crashing$")]
async fn no_crash(w: &mut CheckWorld) -> Result<()> {
    judge(w, ApiExpect::NoCrash)
}
