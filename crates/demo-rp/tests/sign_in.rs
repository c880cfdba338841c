//! The real `demo-rp` binary against a scripted OP over real sockets: the correct app
//! signs in and refuses every tampered answer; each validation bug switch accepts the
//! tampering it is about; the login bugs show in the authorization request.

mod support;

use serde_json::json;
use std::collections::HashMap;
use support::mini_op::{EMAIL, MiniOp, SUB, Tamper};
use support::rp::{Rp, command};

#[tokio::test]
async fn the_correct_app_signs_in_and_shows_the_user() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &[]).await;
    let home = rp.get("/", None).await.text().await.unwrap();
    assert!(
        home.contains("<a id=\"login\" href=\"/login\">") && !home.contains("id=\"user\""),
        "{home}"
    );

    let out = rp.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
    assert!(
        out.page
            .contains(&format!("<span id=\"user-email\">{EMAIL}</span>")),
        "{}",
        out.page
    );
    assert!(
        out.page
            .contains(&format!("<span id=\"user-sub\">{SUB}</span>"))
    );
    assert!(
        out.page
            .contains("<span id=\"user-name\">Carol Example</span>")
    );
    assert!(out.page.contains("<li class=\"group\">Engineering</li>"));

    let q = op.last_authorize();
    assert!(q["state"].len() >= 32 && q["nonce"].len() >= 32, "{q:?}");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], format!("{}/callback", rp.url));
    assert!(
        q["scope"].split(' ').eq(["openid", "email", "profile"]),
        "{q:?}"
    );
    let (auth, form) = op.last_token().unwrap();
    assert!(auth.unwrap().starts_with("Basic "));
    assert!(!form.contains_key("client_secret") && form.contains_key("code_verifier"));
}

#[tokio::test]
async fn each_tampered_answer_is_refused_and_its_bug_accepts_it() {
    let cases = [
        (Tamper::WrongIssuer, "skip-issuer-check", "Invalid issuer"),
        (
            Tamper::WrongAudience,
            "skip-audience-check",
            "Invalid audiences",
        ),
        (
            Tamper::BadSignature,
            "skip-signature-check",
            "Signature verification failed",
        ),
        (Tamper::AlgNone, "accept-alg-none", "No signature found"),
        (Tamper::Expired, "ignore-exp", "ID token expired"),
        (Tamper::WrongNonce, "ignore-nonce", "nonce"),
        (
            Tamper::UserinfoOtherSub,
            "ignore-userinfo-sub-mismatch",
            "userinfo",
        ),
    ];
    for (tamper, bug, reason) in cases {
        let op = MiniOp::start().await;
        op.tamper(tamper);
        let correct = Rp::start(&op, &[]).await.sign_in().await;
        assert!(
            correct.refused(),
            "{tamper:?}: the correct app must refuse: {correct:?}"
        );
        assert!(
            correct.page.contains(reason),
            "{tamper:?}: `{reason}` missing from {}",
            correct.page
        );
        let buggy = Rp::start(&op, &[bug]).await.sign_in().await;
        assert!(
            buggy.signed_in(),
            "{tamper:?}: --bug {bug} must accept: {buggy:?}"
        );
    }
}

#[tokio::test]
async fn a_rotated_key_is_fetched_unless_the_jwks_is_cached_forever() {
    let op = MiniOp::start().await;
    let correct = Rp::start(&op, &[]).await;
    let cached = Rp::start(&op, &["cache-jwks-forever"]).await;
    op.rotate_key();
    let out = correct.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
    let out = cached.sign_in().await;
    assert!(
        out.refused() && out.page.contains("No matching key"),
        "{out:?}"
    );
}

#[tokio::test]
async fn groups_come_as_string_or_array_from_the_id_token_or_userinfo() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &[]).await;
    op.groups(Some(json!(["Engineering", "Admins"])), None);
    let out = rp.sign_in().await;
    assert!(
        out.page
            .contains("<li class=\"group\">Engineering</li><li class=\"group\">Admins</li>"),
        "{out:?}"
    );
    op.groups(None, Some(json!("Support")));
    let out = rp.sign_in().await;
    assert!(
        out.page.contains("<li class=\"group\">Support</li>"),
        "{out:?}"
    );
    op.groups(None, None);
    let out = rp.sign_in().await;
    assert!(
        out.signed_in() && out.page.contains("<ul id=\"user-groups\"></ul>"),
        "{out:?}"
    );
}

#[tokio::test]
async fn groups_array_only_crashes_on_a_single_string() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &["groups-array-only"]).await;
    let out = rp.sign_in().await;
    assert_eq!(out.status, 500, "{out:?}");
    assert!(
        out.page.contains("invalid type: string") && out.page.contains("expected a sequence"),
        "{out:?}"
    );
    op.groups(Some(json!(["Engineering", "Admins"])), None);
    assert!(rp.sign_in().await.signed_in());
}

#[tokio::test]
async fn idp_errors_are_shown_and_crash_only_under_the_bug() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &[]).await;
    let resp = rp
        .get(
            "/callback?error=access_denied&error_description=not+in+a+group",
            None,
        )
        .await;
    assert!(resp.status().is_client_error());
    let page = resp.text().await.unwrap();
    assert!(
        page.contains(
            "<div id=\"error\" role=\"alert\">Sign-in failed: access_denied: not in a group</div>"
        ),
        "{page}"
    );

    let crashing = Rp::start(&op, &["crash-on-idp-error"]).await;
    let resp = crashing.get("/callback?error=invalid_state", None).await;
    assert_eq!(resp.status(), 500);
    assert!(resp.text().await.unwrap().contains("Internal Server Error"));
}

#[tokio::test]
async fn a_forged_or_replayed_callback_is_refused_unless_state_is_ignored() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &[]).await;
    let (flow, callback) = rp.start_sign_in().await;
    let forged = callback.replace("state=", "state=forged");
    let out = rp.finish_sign_in(&flow, &forged).await;
    assert!(
        out.refused() && out.page.contains("state mismatch"),
        "{out:?}"
    );
    // The flow is single-use: even the genuine callback is refused now.
    let out = rp.finish_sign_in(&flow, &callback).await;
    assert!(
        out.refused() && out.page.contains("no sign-in is in progress"),
        "{out:?}"
    );
    let out = rp.get(&callback, None).await;
    assert_eq!(out.status(), 400);

    let careless = Rp::start(&op, &["ignore-state-mismatch"]).await;
    let (flow, callback) = careless.start_sign_in().await;
    let out = careless
        .finish_sign_in(&flow, &callback.replace("state=", "state=forged"))
        .await;
    assert!(out.signed_in(), "{out:?}");
}

type Query = HashMap<String, String>;
/// A property of the authorization request.
type QueryCheck = fn(&Query) -> bool;

#[tokio::test]
async fn login_bugs_show_in_the_authorization_request() {
    let op = MiniOp::start().await;
    let cases: [(&str, QueryCheck); 5] = [
        ("no-state", |q| !q.contains_key("state")),
        ("short-state", |q| q["state"].len() == 4),
        ("short-nonce", |q| q["nonce"].len() == 4),
        ("plain-pkce", |q| {
            q["code_challenge_method"] == "plain" && q["code_challenge"].len() >= 43
        }),
        ("wrong-redirect-uri", |q| {
            q["redirect_uri"].ends_with("/callback/")
        }),
    ];
    for (bug, check) in cases {
        let rp = Rp::start(&op, &[bug]).await;
        let out = rp.sign_in().await;
        assert!(
            check(&op.last_authorize()),
            "--bug {bug}: {:?}",
            op.last_authorize()
        );
        // The scripted OP is lenient, so each of these still signs in.
        assert!(out.signed_in(), "--bug {bug}: {out:?}");
    }
}

#[tokio::test]
async fn token_endpoint_auth_follows_the_flag_unless_a_bug_overrides_it() {
    let op = MiniOp::start().await;
    // (flags, Basic header sent, client_secret in the body, client_id in the body)
    let cases: [(&[&str], bool, bool, bool); 5] = [
        (&["--auth-method", "client_secret_post"], false, true, true),
        (
            &["--auth-method", "client_secret_basic"],
            true,
            false,
            false,
        ),
        (&["--auth-method", "none"], false, false, true),
        (
            &[
                "--auth-method",
                "client_secret_post",
                "--bug",
                "auth-basic-always",
            ],
            true,
            false,
            false,
        ),
        (
            &[
                "--auth-method",
                "client_secret_basic",
                "--bug",
                "auth-post-always",
            ],
            false,
            true,
            true,
        ),
    ];
    for (flags, basic, secret_in_body, id_in_body) in cases {
        let rp = Rp::start_with(&op, flags).await;
        assert!(rp.sign_in().await.signed_in(), "{flags:?}");
        let (auth, form) = op.last_token().unwrap();
        let seen = (
            auth.is_some_and(|a| a.starts_with("Basic ")),
            form.contains_key("client_secret"),
            form.contains_key("client_id"),
        );
        assert_eq!(
            seen,
            (basic, secret_in_body, id_in_body),
            "{flags:?}: {form:?}"
        );
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_visits_the_idp() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &[]).await;
    let session = rp.sign_in().await.session.expect("signed in");
    let out = rp.get("/logout", Some(&session)).await;
    assert_eq!(out.status(), 303);
    let to = out.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with(&format!("{}logout?", op.issuer)), "{to}");
    assert!(
        to.contains("id_token_hint=") && to.contains("post_logout_redirect_uri="),
        "{to}"
    );
    let home = rp.get("/", Some(&session)).await.text().await.unwrap();
    assert!(!home.contains("id=\"user\""), "{home}");
}

#[tokio::test]
async fn start_up_refuses_bad_flags_and_a_mismatched_issuer() {
    let op = MiniOp::start().await;
    let out = command(
        &op.issuer,
        &[
            "--listen",
            "127.0.0.1:1",
            "--app-url",
            "http://127.0.0.1:1",
            "--bug",
            "nope",
        ],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown bug `nope`") && err.contains("cache-jwks-forever"),
        "{err}"
    );

    let out = command(
        &op.issuer,
        &[
            "--listen",
            "127.0.0.1:1",
            "--app-url",
            "http://127.0.0.1:1",
            "--bug",
            "strip-issuer-slash",
        ],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let url = format!("{}.well-known/openid-configuration", op.issuer);
    assert!(err.contains(&url) && err.contains("issuer"), "{err}");

    let help = command(&op.issuer, &["--help"]).output().await.unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("groups-array-only") && help.contains("Auth.js"),
        "{help}"
    );
}
