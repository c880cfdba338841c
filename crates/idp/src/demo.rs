//! The ready-made setup `stickler idp` serves without a config file: one confidential
//! client, a user in an assigned group, a user in two assigned groups, and a user outside
//! them.

use crate::model::{ClientSpec, TenantSpec, UserSpec};
use crate::profiles::Profile;
use crate::tenant::DEFAULT_TENANT;

/// The demo tenant at the root of `base_url`.
pub fn demo_tenant(base_url: &str, profile: Profile) -> TenantSpec {
    let user = |name: &str, groups: &[&str]| UserSpec {
        username: name.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        ..Default::default()
    };
    TenantSpec {
        name: Some(DEFAULT_TENANT.into()),
        profile: Some(profile),
        clients: vec![ClientSpec {
            client_id: Some("demo-app".into()),
            client_secret: Some("demo-secret".into()),
            name: Some("Demo app".into()),
            redirect_uris: vec![
                format!("{}/_stickler/callback", base_url.trim_end_matches('/')),
                "http://127.0.0.1:3000/callback".into(),
            ],
            post_logout_redirect_uris: vec!["http://127.0.0.1:3000/".into()],
            groups: vec!["Engineering".into(), "Admins".into()],
            ..Default::default()
        }],
        users: vec![
            user("alice", &["Engineering"]),
            user("carol", &["Engineering", "Admins"]),
            user("bob", &["Sales"]),
        ],
        ..Default::default()
    }
}
