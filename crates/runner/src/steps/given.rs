//! Given steps: shape the IdP tenant before the app starts.

use super::names;
use crate::world::CheckWorld;
use anyhow::{Result, anyhow};
use cucumber::given;
use stickler_idp::{Profile, TokenAuthMethod, UserSpec};

#[given(regex = r#"^the "([^"]*)" profile$"#)]
fn profile(w: &mut CheckWorld, name: String) -> Result<()> {
    w.profile = name.parse::<Profile>().map_err(|e| anyhow!(e))?;
    Ok(())
}

/// `Given the quirk min_state_length is 200` / `… is "memberOf"` (JSON, else a string).
#[given(regex = r"^the quirk (\w+) is (.+)$")]
fn quirk(w: &mut CheckWorld, name: String, value: String) -> Result<()> {
    let v = quirk_value(&name, value)?;
    w.quirks.insert(name, v);
    Ok(())
}

/// A quirk step's value: JSON, else a string; refused unless the quirk takes it.
pub fn quirk_value(name: &str, value: String) -> Result<serde_json::Value> {
    let one = stickler_idp::QuirkOverrides::one(name, &value).map_err(|e| anyhow!(e))?;
    let mut v = serde_json::to_value(one)?;
    v.get_mut(name)
        .map(serde_json::Value::take)
        .ok_or_else(|| anyhow!("quirk `{name}` has no value"))
}

#[given(regex = r#"^the app is registered with the token auth method "([^"]*)"$"#)]
fn auth_method(w: &mut CheckWorld, method: String) -> Result<()> {
    let m: TokenAuthMethod = serde_json::from_value(serde_json::Value::String(method.clone()))
        .map_err(|_| anyhow!("unknown token auth method `{method}` (client_secret_basic, client_secret_post, none)"))?;
    w.auth_method = Some(m);
    Ok(())
}

#[given(regex = r#"^the app is assigned the groups? "([^"]*)"$"#)]
fn app_groups(w: &mut CheckWorld, groups: String) {
    w.app_groups = names(&groups);
}

#[given(regex = r#"^a user "([^"]*)" in the groups? "([^"]*)"$"#)]
fn user(w: &mut CheckWorld, name: String, groups: String) {
    w.users.retain(|u| u.username != name);
    w.users.push(UserSpec {
        username: name,
        groups: names(&groups),
        ..Default::default()
    });
}
