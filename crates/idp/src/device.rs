//! The state of the device authorization grant (RFC 8628): one record per device code,
//! its user code in the profile's format, and where it stands (pending, approved,
//! denied, redeemed). The endpoints live in `endpoints/device.rs`.

use crate::quirks::UserCodeFormat;
use rand::Rng;

/// RFC 8628 §6.1's user-code alphabet: base-20 consonants, no vowels (no words), no
/// look-alikes.
const CONSONANTS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// Where a device code stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceStatus {
    /// Waiting for the user at the verification page (`authorization_pending`).
    Pending,
    /// The user signed in and approved; the next poll gets the tokens.
    Approved {
        /// The user's login name.
        username: String,
        /// When they signed in.
        auth_time: u64,
    },
    /// The user declined, or is outside the app's groups (`access_denied`).
    Denied {
        /// Why, for the error description.
        reason: String,
    },
    /// Tokens were issued; the code is spent (`invalid_grant`).
    Redeemed,
}

/// A device code issued at the device authorization endpoint.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    /// The client that asked.
    pub client_id: String,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// The user code as shown (`BCDF-GHJK`).
    pub user_code: String,
    /// When the device authorization request arrived.
    pub requested_at: u64,
    /// Expiry (Unix seconds); `0` once expired early.
    pub expires_at: u64,
    /// The polling interval now in force for this code (grows by 5 s per `slow_down`).
    pub interval_secs: u64,
    /// When the last poll arrived (Unix milliseconds).
    pub last_poll_ms: Option<u128>,
    /// Where it stands.
    pub status: DeviceStatus,
}

impl DeviceRecord {
    /// Approximate heap bytes, for the store's byte cap.
    pub fn weight(&self) -> usize {
        let scopes: usize = self.scopes.iter().map(|s| s.len() + 24).sum();
        let status = match &self.status {
            DeviceStatus::Approved { username, .. } => username.len(),
            DeviceStatus::Denied { reason } => reason.len(),
            _ => 0,
        };
        self.client_id.len() + scopes + self.user_code.len() + status + 160
    }
}

/// A fresh user code in the format the quirk names.
pub fn new_user_code(format: UserCodeFormat) -> String {
    let mut rng = rand::thread_rng();
    match format {
        UserCodeFormat::Consonants => {
            let mut pick = || CONSONANTS[rng.gen_range(0..CONSONANTS.len())] as char;
            let a: String = (0..4).map(|_| pick()).collect();
            let b: String = (0..4).map(|_| pick()).collect();
            format!("{a}-{b}")
        }
        UserCodeFormat::Digits => (0..8)
            .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
            .collect(),
    }
}

/// A user code as compared: upper case, without dashes and whitespace (RFC 8628 §6.1:
/// "the authorization server should ignore" such characters and case).
pub fn normalize_user_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_have_the_formats_shape_and_compare_loosely() {
        let c = new_user_code(UserCodeFormat::Consonants);
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        assert!(c.replace('-', "").bytes().all(|b| CONSONANTS.contains(&b)));
        let d = new_user_code(UserCodeFormat::Digits);
        assert!(d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(normalize_user_code(" bcdf-ghjk "), "BCDFGHJK");
        assert_eq!(
            normalize_user_code("BCDF GHJK"),
            normalize_user_code(&"BCDF-GHJK".to_lowercase())
        );
    }
}
