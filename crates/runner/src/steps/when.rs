//! When steps: a person goes through the browser.

use crate::journeys;
use crate::world::CheckWorld;
use anyhow::Result;
use cucumber::when;

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
