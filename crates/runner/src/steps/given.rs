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

/// `Given the profile's min_state_length applies`: the check is about this gate, so
/// its tenant keeps the profile's value (every other gate is relaxed).
#[given(regex = r"^the profile's (\w+) applies$")]
fn keeps_gate(w: &mut CheckWorld, quirk: String) -> Result<()> {
    w.strictness.keep(&quirk)
}

/// The whole-profile check: no gate is relaxed.
#[given(regex = r"^every quirk of the profile applies$")]
fn whole_profile(w: &mut CheckWorld) {
    w.strictness.whole_profile = true;
}

/// The client's registered method. When the scenario file says the app is wired to
/// another one, the check does not apply to this app: it stops here, not applicable.
#[given(regex = r#"^the app is registered with the token auth method "([^"]*)"$"#)]
fn auth_method(w: &mut CheckWorld, method: String) -> Result<()> {
    let m: TokenAuthMethod = serde_json::from_value(serde_json::Value::String(method.clone()))
        .map_err(|_| anyhow!("unknown token auth method `{method}` (client_secret_basic, client_secret_post, none)"))?;
    if let Some(wired) = w.env.scenario.client.token_endpoint_auth_method
        && wired != m
    {
        let why = format!(
            "the scenario file says the app is wired to `{}` ([client] token_endpoint_auth_method), and this check is about an IdP app set to `{}`; to test both, let the app take the method from `{{token_endpoint_auth_method}}`",
            wired.as_str(),
            m.as_str()
        );
        w.not_applicable = Some(why.clone());
        anyhow::bail!("not applicable: {why}");
    }
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
