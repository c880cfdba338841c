//! When steps: a person goes through the browser.

use crate::journeys;
use crate::world::CheckWorld;
use anyhow::Result;
use cucumber::when;
use serde_json::{Map, Value};

#[when(regex = r"^(\w+) signs in through the browser$")]
async fn signs_in(w: &mut CheckWorld, user: String) -> Result<()> {
    journeys::sign_in(w, &user).await.map(drop)
}

#[when(regex = r"^(\w+) signs in and the callback carries a forged state$")]
async fn forged_state(w: &mut CheckWorld, user: String) -> Result<()> {
    journeys::sign_in_with_forged_state(w, &user)
        .await
        .map(drop)
}

/// After a genuine sign-in, the same callback URL arrives from another browser session.
#[when(regex = r"^(\w+) signs in and the callback is replayed in a new browser session$")]
async fn replayed_callback(w: &mut CheckWorld, user: String) -> Result<()> {
    journeys::sign_in_and_replay_callback(w, &user)
        .await
        .map(drop)
}

/// A second sign-in in the same browser and app, as a new visit: cookies are cleared
/// first, so the app has no session and must go through the IdP again.
#[when(regex = r"^(\w+) signs in again through the browser$")]
async fn signs_in_again(w: &mut CheckWorld, user: String) -> Result<()> {
    w.browser()?.forget_cookies().await?;
    journeys::sign_in(w, &user).await.map(drop)
}

/// The IdP replaces its RSA signing key between two sign-ins: new `kid`, old key gone.
#[when(regex = r"^the IdP rotates its signing key$")]
async fn rotates_key(w: &mut CheckWorld) -> Result<()> {
    if w.shared_tenant {
        w.not_exercised = Some(crate::running_api::ROTATION_LEFT_OUT.into());
        return Ok(());
    }
    let tenant = w.tenant()?.name.clone();
    let kid = w.env.idp.rotate_keys(&tenant).await?;
    w.notes.push(format!(
        "the IdP rotated its signing key; the new kid is `{kid}`"
    ));
    Ok(())
}

/// `When the quirk id_token_misbehaviour becomes "replay_id_token"`: a quirk changed in
/// the middle of a check, after the app has started.
#[when(regex = r"^the quirk (\w+) becomes (.+)$")]
async fn quirk_becomes(w: &mut CheckWorld, name: String, value: String) -> Result<()> {
    let v = super::given::quirk_value(&name, value)?;
    let tenant = w.tenant()?.name.clone();
    let mut patch = Map::new();
    patch.insert(name, v);
    w.env.idp.patch_quirks(&tenant, &Value::Object(patch)).await
}
