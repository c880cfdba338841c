//! Profiles: named presets of quirks, one file per vendor stating only how it differs
//! from [`Quirks::baseline`]. Adding a profile is one file here and one line in
//! [`declare_profiles!`].

use crate::quirks::{QUIRK_DOCS, Quirks};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! declare_profiles {
    ($( $(#[doc = $doc:literal])+ $module:ident => $variant:ident ),+ $(,)?) => {
        $( mod $module; )+

        /// A named preset of quirk values.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Profile {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Profile {
            /// Every profile, in documentation order.
            pub const ALL: &[Profile] = &[$( Profile::$variant ),+];

            /// The profile's name as used on the command line and in files.
            pub fn name(self) -> &'static str {
                match self { $( Profile::$variant => $module::NAME, )+ }
            }

            /// One line saying what the profile copies.
            pub fn summary(self) -> &'static str {
                match self { $( Profile::$variant => $module::SUMMARY, )+ }
            }

            /// The profile's quirk values.
            pub fn quirks(self) -> Quirks {
                match self { $( Profile::$variant => $module::quirks(), )+ }
            }
        }
    };
}

declare_profiles! {
    /// JumpCloud's OIDC service: Ory Hydra / fosite underneath (`quirks.md` §1).
    jumpcloud => Jumpcloud,
    /// A tolerant, spec-correct OpenID Provider: the baseline every RP should pass.
    lenient => Lenient,
    /// Okta, custom authorization server `default` (`quirks.md` §2).
    okta => Okta,
    /// Okta's org authorization server (`quirks.md` O1).
    okta_org => OktaOrg,
    /// Microsoft Entra ID, single tenant (`quirks.md` §3).
    entra => Entra,
    /// Microsoft Entra ID, multi-tenant `/common` (`quirks.md` E2).
    entra_common => EntraCommon,
    /// Google (`quirks.md` §4).
    google => Google,
    /// Auth0 (`quirks.md` §5).
    auth0 => Auth0,
    /// Keycloak 17+ (`quirks.md` §6).
    keycloak => Keycloak,
    /// AWS Cognito (`quirks.md` §9).
    cognito => Cognito,
    /// Authentik (`quirks.md` §7).
    authentik => Authentik,
}

impl Quirks {
    /// The quirk values of a profile: the baseline with the vendor's differences.
    pub fn for_profile(profile: Profile) -> Self {
        profile.quirks()
    }
}

/// One row of the README's quirk reference, generated from the declarations: the
/// quirk, its default, and the profiles that set another value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuirkRow {
    /// The quirk's name, in backticks.
    pub name: String,
    /// The baseline value, in backticks.
    pub default: String,
    /// `profile: `value`` for each profile that differs, comma-separated; `—` for none.
    pub differs: String,
}

/// A quirk value as the reference writes it: `` `true` ``, `` `memberOf` ``, `` `""` ``.
pub fn reference_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

/// The quirk reference's first three columns, in declaration order.
pub fn reference_rows() -> Vec<QuirkRow> {
    let base = serde_json::to_value(Quirks::baseline()).unwrap_or_default();
    let profiles: Vec<(Profile, serde_json::Value)> = Profile::ALL
        .iter()
        .map(|p| (*p, serde_json::to_value(p.quirks()).unwrap_or_default()))
        .collect();
    QUIRK_DOCS
        .iter()
        .map(|d| {
            let differs: Vec<String> = profiles
                .iter()
                .filter(|(_, v)| v[d.name] != base[d.name])
                .map(|(p, v)| format!("{p}: {}", reference_value(&v[d.name])))
                .collect();
            QuirkRow {
                name: format!("`{}`", d.name),
                default: reference_value(&base[d.name]),
                differs: if differs.is_empty() {
                    "—".into()
                } else {
                    differs.join(", ")
                },
            }
        })
        .collect()
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .iter()
            .copied()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Profile::ALL.iter().map(|p| p.name()).collect();
                format!("unknown profile `{s}` (known: {})", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_from_str() {
        for p in Profile::ALL {
            let json = serde_json::to_value(p).unwrap();
            assert_eq!(json, serde_json::json!(p.name()), "{p:?}");
            assert_eq!(p.name().parse::<Profile>(), Ok(*p));
        }
    }

    #[test]
    fn every_profile_differs_from_the_baseline_in_its_own_way() {
        // Two profiles with the same quirks would be one profile under two names.
        let all: Vec<_> = Profile::ALL.iter().map(|p| p.quirks()).collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
