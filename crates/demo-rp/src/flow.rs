//! A sign-in in progress: the `state`, `nonce` and PKCE verifier that `/login` makes and
//! `/callback` needs, with the bugs that weaken them.

use crate::bugs::{Bug, Bugs};
use openidconnect::{Nonce, PkceCodeChallenge, PkceCodeVerifier};
use rand::Rng;

/// Length of the random values the correct app makes (RFC 6749 §10.10 asks for at
/// least 128 bits; 32 alphanumerics are about 190).
pub const STRONG_LEN: usize = 32;
/// Length of the state and nonce under `short-state` / `short-nonce` (fosite wants 8).
pub const WEAK_LEN: usize = 4;

/// `len` random URL-safe characters.
pub fn random_token(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// How the PKCE challenge is sent (RFC 7636 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pkce {
    /// `S256`: the challenge is the hashed verifier, set through openidconnect.
    S256(PkceCodeChallenge),
    /// `plain`: the challenge is the verifier itself (bug `plain-pkce`).
    Plain,
    /// No PKCE at all (bug `no-pkce`).
    None,
}

/// What the app remembers between `/login` and `/callback`, server-side.
#[derive(Debug)]
pub struct Flow {
    /// The `state` sent, if any (`no-state` sends none).
    pub state: Option<String>,
    /// The `nonce` sent, if any (`no-nonce` sends none).
    pub nonce: Option<Nonce>,
    /// The PKCE verifier, sent with the code.
    pub verifier: PkceCodeVerifier,
    /// How the challenge goes into the authorization URL.
    pub pkce: Pkce,
}

impl Flow {
    /// A fresh flow, weakened as the bugs say.
    pub fn start(bugs: &Bugs) -> Flow {
        let state = match () {
            _ if bugs.has(Bug::NoState) => None,
            _ if bugs.has(Bug::ShortState) => Some(random_token(WEAK_LEN)),
            _ => Some(random_token(STRONG_LEN)),
        };
        let nonce = match () {
            _ if bugs.has(Bug::NoNonce) => None,
            _ if bugs.has(Bug::ShortNonce) => Some(Nonce::new(random_token(WEAK_LEN))),
            _ => Some(Nonce::new(random_token(STRONG_LEN))),
        };
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let pkce = if bugs.has(Bug::NoPkce) {
            Pkce::None
        } else if bugs.has(Bug::PlainPkce) {
            Pkce::Plain
        } else {
            Pkce::S256(challenge)
        };
        Flow {
            state,
            nonce,
            verifier,
            pkce,
        }
    }

    /// Whether the callback's `state` is the one this flow sent (OIDC Core §3.1.2.7).
    /// `no-state` and `ignore-state-mismatch` skip the comparison.
    pub fn state_matches(&self, returned: Option<&str>, bugs: &Bugs) -> bool {
        if bugs.has(Bug::NoState) || bugs.has(Bug::IgnoreStateMismatch) {
            return true;
        }
        matches!((self.state.as_deref(), returned), (Some(sent), Some(got)) if sent == got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bugs(names: &str) -> Bugs {
        Bugs::parse([names]).unwrap()
    }

    #[test]
    fn tokens_are_long_and_url_safe() {
        let t = random_token(STRONG_LEN);
        assert_eq!(t.len(), 32);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(t, random_token(STRONG_LEN));
    }

    #[test]
    fn the_correct_flow_is_strong() {
        let f = Flow::start(&Bugs::default());
        assert!(f.state.as_ref().is_some_and(|s| s.len() >= 32));
        assert!(f.nonce.as_ref().is_some_and(|n| n.secret().len() >= 32));
        assert!(f.verifier.secret().len() >= 43);
        assert!(matches!(&f.pkce, Pkce::S256(c) if c.method().as_str() == "S256"));
    }

    #[test]
    fn bugs_weaken_the_flow() {
        assert!(Flow::start(&bugs("no-state")).state.is_none());
        assert_eq!(Flow::start(&bugs("short-state")).state.unwrap().len(), 4);
        let short = Flow::start(&bugs("short-nonce")).nonce.unwrap();
        assert_eq!(short.secret().len(), 4);
        assert!(Flow::start(&bugs("no-nonce")).nonce.is_none());
        assert!(Flow::start(&bugs("no-nonce,short-nonce")).nonce.is_none());
        assert_eq!(Flow::start(&bugs("plain-pkce")).pkce, Pkce::Plain);
    }

    #[test]
    fn state_must_match_unless_a_bug_says_otherwise() {
        let f = Flow::start(&Bugs::default());
        let sent = f.state.clone().unwrap();
        assert!(f.state_matches(Some(&sent), &Bugs::default()));
        assert!(!f.state_matches(Some("forged-state-value"), &Bugs::default()));
        assert!(!f.state_matches(None, &Bugs::default()));
        assert!(f.state_matches(Some("forged-state-value"), &bugs("ignore-state-mismatch")));
        let none = Flow::start(&bugs("no-state"));
        assert!(!none.state_matches(None, &Bugs::default()));
        assert!(none.state_matches(None, &bugs("no-state")));
    }
}
