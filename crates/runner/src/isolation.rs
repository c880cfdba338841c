//! One check, one cause: the quirks that stop a whole sign-in before a check reaches its
//! subject (a short state, the other client authentication, PKCE plain, a short nonce),
//! and the lenient values each check's tenant gives them unless the check is about
//! that quirk. A separate check runs the whole profile at once.

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

/// A gate quirk and the value that lets any app through.
type Gate = (&'static str, fn() -> Value);

/// The gate quirks.
pub const GATES: [Gate; 6] = [
    ("min_state_length", || json!(0)),
    ("min_nonce_length", || json!(0)),
    ("enforce_token_auth_method", || json!(false)),
    ("pkce_plain_allowed", || json!(true)),
    ("pkce_required", || json!("never")),
    ("refuse_multiple_client_credentials", || json!(false)),
];

/// How strict a check's tenant is.
#[derive(Debug, Clone, Default)]
pub struct Strictness {
    /// Every quirk of the profile applies (the whole-profile check).
    pub whole_profile: bool,
    /// The gates the check is about: they keep the profile's value.
    pub kept: Vec<String>,
}

impl Strictness {
    /// Keeps the profile's value of one gate quirk; refuses a quirk that is no gate.
    pub fn keep(&mut self, quirk: &str) -> Result<()> {
        if !GATES.iter().any(|(g, _)| *g == quirk) {
            let names: Vec<_> = GATES.iter().map(|(g, _)| *g).collect();
            bail!(
                "`{quirk}` is not relaxed for checks, so it always applies; the relaxed ones are {}",
                names.join(", ")
            );
        }
        self.kept.push(quirk.to_string());
        Ok(())
    }

    /// The quirk overrides of a check's tenant: the relaxed gates, then what the
    /// scenario file sets (the app's configuration at the IdP), then the check's own.
    pub fn overrides(
        &self,
        scenario: &Map<String, Value>,
        check: &Map<String, Value>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        if !self.whole_profile {
            for (name, lenient) in GATES {
                if !self.kept.iter().any(|k| k == name) {
                    out.insert(name.to_string(), lenient());
                }
            }
        }
        out.extend(scenario.clone());
        out.extend(check.clone());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Value)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn gates_are_relaxed_except_the_ones_a_check_is_about() {
        let mut s = Strictness::default();
        s.keep("min_state_length").expect("a gate");
        let o = s.overrides(&Map::new(), &Map::new());
        assert!(!o.contains_key("min_state_length"));
        assert_eq!(o["enforce_token_auth_method"], json!(false));
        assert!(s.keep("groups_claim").is_err());
    }

    #[test]
    fn the_whole_profile_relaxes_nothing_and_later_layers_win() {
        let s = Strictness {
            whole_profile: true,
            ..Default::default()
        };
        let o = s.overrides(
            &map(&[("groups_claim", json!("groups"))]),
            &map(&[("groups_claim", json!("roles"))]),
        );
        assert_eq!(o, map(&[("groups_claim", json!("roles"))]));
    }
}
