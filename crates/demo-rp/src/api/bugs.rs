//! The demo API's `--bug` switches: one mistake each that an API taking bearer tokens
//! makes, each caught by exactly the matching `features/bearer_api` checks.

use std::collections::BTreeSet;

/// One deliberate mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bug {
    /// Reads the claims without verifying the signature (PyJWT with
    /// `options={"verify_signature": False}`, jwt-decode used as if it verified).
    SkipsSignature,
    /// Accepts `alg: none` tokens without a signature (node jsonwebtoken before 4.2.2,
    /// CVE-2015-9235).
    AcceptsAlgNone,
    /// Verifies `HS256` tokens with its client secret instead of refusing the algorithm
    /// (an allow-list that holds HS256 beside RS256).
    AcceptsHs256,
    /// Does not compare `aud` with its own audience (PyJWT with
    /// `options={"verify_aud": False}`).
    IgnoresAud,
    /// Does not check `exp`.
    IgnoresExp,
    /// Does not check `nbf`.
    IgnoresNbf,
    /// Does not compare `iss` with the configured issuer.
    IgnoresIss,
    /// Answers HTTP 500 for a token it cannot validate (an unhandled exception).
    CrashOnBadToken,
    /// Loads the JWKS once at the first request and never again, so a token signed with
    /// a rotated key is refused until a restart.
    NoJwksRefresh,
    /// Reads the groups claim as a list only: a single string answers HTTP 500 (a Go
    /// `[]string` field, a pydantic `list[str]`).
    GroupsStringCrash,
    /// Lets a token without the groups claim through the group policy (an empty
    /// policy input treated as "no restriction").
    MissingGroupsAllowed,
    /// Compares `iss` with `--issuer` with its trailing slash the other way round, so
    /// every valid token is refused (an issuer configured as
    /// `https://oauth.id.jumpcloud.com` while tokens say `https://oauth.id.jumpcloud.com/`).
    IssuerSlashMismatch,
}

impl Bug {
    /// Every bug with its switch name.
    pub const ALL: [(Bug, &'static str); 12] = [
        (Bug::SkipsSignature, "skips-signature"),
        (Bug::AcceptsAlgNone, "accepts-alg-none"),
        (Bug::AcceptsHs256, "accepts-hs256"),
        (Bug::IgnoresAud, "ignores-aud"),
        (Bug::IgnoresExp, "ignores-exp"),
        (Bug::IgnoresNbf, "ignores-nbf"),
        (Bug::IgnoresIss, "ignores-iss"),
        (Bug::CrashOnBadToken, "crash-on-bad-token"),
        (Bug::NoJwksRefresh, "no-jwks-refresh"),
        (Bug::GroupsStringCrash, "groups-string-crash"),
        (Bug::MissingGroupsAllowed, "missing-groups-allowed"),
        (Bug::IssuerSlashMismatch, "issuer-slash-mismatch"),
    ];
}

/// The switches that are on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bugs(BTreeSet<Bug>);

impl Bugs {
    /// Parses switch names; the error names the unknown one and lists the known.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Bugs, String> {
        let mut set = BTreeSet::new();
        for n in names
            .iter()
            .map(|n| n.as_ref().trim())
            .filter(|n| !n.is_empty())
        {
            match Bug::ALL.iter().find(|(_, name)| *name == n) {
                Some((b, _)) => {
                    set.insert(*b);
                }
                None => {
                    let known: Vec<&str> = Bug::ALL.iter().map(|(_, n)| *n).collect();
                    return Err(format!("unknown bug `{n}` (known: {})", known.join(", ")));
                }
            }
        }
        Ok(Bugs(set))
    }

    /// Whether `bug` is on.
    pub fn has(&self, bug: Bug) -> bool {
        self.0.contains(&bug)
    }
}
