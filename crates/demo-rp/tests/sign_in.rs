//! The real `demo-rp` binary against a scripted OP over real sockets: the correct app
//! signs in and refuses every tampered answer; each validation bug switch accepts the
//! tampering it is about; the login bugs show in the authorization request.

mod support;

use serde_json::json;
use std::collections::HashMap;
use support::mini_op::{CLIENT_ID, EMAIL, MiniOp, SUB, Tamper};
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
        (Tamper::IatInFuture, "ignore-iat", "issued in the future"),
        (Tamper::MissingSub, "lenient-claims", "missing field `sub`"),
        (Tamper::MissingIat, "lenient-claims", "missing field `iat`"),
        (
            Tamper::WrongAtHash,
            "skip-at-hash-check",
            "the at_hash claim does not match the access token",
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
        // A refused ID token is refused before userinfo is asked anything.
        let calls = if tamper == Tamper::UserinfoOtherSub {
            1
        } else {
            0
        };
        assert_eq!(op.userinfo_calls(), calls, "{tamper:?}");
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

    let mut crashing = Rp::start(&op, &["crash-on-idp-error"]).await;
    // Other refusals stay refusals.
    let out = crashing.get("/callback?code=c&state=s", None).await;
    assert_eq!(out.status(), 400);
    assert_crashes(
        &mut crashing,
        "/callback?error=invalid_state&error_description=The+state+is+missing",
        None,
        "unhandled error: invalid_state: The state is missing",
    )
    .await;
}

/// Follows `callback` and expects the app to die there: no answer, exit status 1, and
/// `line` on stderr; nothing listens afterwards.
async fn assert_crashes(rp: &mut Rp, callback: &str, flow: Option<&str>, line: &str) {
    let answer = rp.try_get(callback, flow).await;
    assert!(answer.is_err(), "an answer: {answer:?}");
    let status = rp.exited().await;
    assert_eq!(status.code(), Some(1), "{status:?}");
    let stderr = rp.stderr();
    assert!(
        stderr.lines().any(|l| l.starts_with(line)),
        "`{line}` not on stderr: {stderr}"
    );
    assert!(rp.try_get("/healthz", None).await.is_err());
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
    let cases: [(&str, QueryCheck); 6] = [
        ("no-state", |q| !q.contains_key("state")),
        ("no-nonce", |q| {
            !q.contains_key("nonce") && q.contains_key("state")
        }),
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
    let cases: [(&[&str], bool, bool, bool); 6] = [
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
        (
            &["--auth-method", "client_secret_basic", "--bug", "auth-both"],
            true,
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
async fn start_up_refuses_bad_flags_and_an_unreachable_idp() {
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

    // An IdP that cannot be reached within the start-up patience stops the app.
    let unreachable = format!("http://127.0.0.1:{}/t/gone/", closed_port());
    let out = command(
        &unreachable,
        &["--listen", "127.0.0.1:0", "--app-url", "http://127.0.0.1:1"],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let url = format!("{unreachable}.well-known/openid-configuration");
    assert!(err.contains(&url) && err.contains("failed"), "{err}");

    let help = command(&op.issuer, &["--help"]).output().await.unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("groups-array-only") && help.contains("Auth.js"),
        "{help}"
    );
    for name in [
        "lenient-claims",
        "ignore-iat",
        "require-kid",
        "skip-userinfo",
        "strict-booleans",
        "crash-on-invalid-token",
        "skip-at-hash-check",
        "refuse-with-500",
        "auth-basic-then-post",
        "no-nonce",
        "no-sign-in",
    ] {
        assert!(help.contains(&format!("  {name} ")), "{name}: {help}");
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The login of an app whose IdP's discovery document is refused: the error page with
/// both issuers, and no redirect.
async fn assert_login_refused_for_discovery(rp: &Rp, named: &str, configured: &str) {
    let login = rp.get("/login", None).await;
    assert!(login.status().is_client_error(), "{}", login.status());
    assert!(login.headers().get("location").is_none());
    let page = login.text().await.unwrap();
    assert!(
        page.contains("<div id=\"error\" role=\"alert\">")
            && page.contains(&format!("names issuer `{named}`"))
            && page.contains(&format!("configured for `{configured}`"))
            && page.contains("OIDC Discovery §4.3")
            && !page.contains("id=\"user\""),
        "{page}"
    );
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_stops_sign_ins_not_the_app() {
    let op = MiniOp::start().await;
    op.tamper(Tamper::DiscoveryWrongIssuer);
    let rp = Rp::start(&op, &[]).await;
    let health = rp.get("/healthz", None).await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let named = format!("{}INVALID", op.issuer);
    for _ in 0..2 {
        assert_login_refused_for_discovery(&rp, &named, &op.issuer).await;
    }
    assert!(op.last_authorize().is_empty(), "{:?}", op.last_authorize());
    // Discovery is retried at each sign-in: once the document is right, it works.
    op.tamper(Tamper::Nothing);
    assert!(rp.sign_in().await.signed_in());

    op.tamper(Tamper::DiscoveryWrongIssuer);
    let careless = Rp::start(&op, &["skip-issuer-check"]).await;
    let out = careless.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
}

#[tokio::test]
async fn a_trimmed_issuer_starts_the_app_but_no_sign_in() {
    let op = MiniOp::start().await;
    let (rp, line) = Rp::start_raw(
        &op,
        &[
            "--auth-method",
            "client_secret_basic",
            "--bug",
            "strip-issuer-slash",
        ],
    )
    .await;
    let trimmed = op.issuer.trim_end_matches('/');
    assert!(line.contains(&format!("(issuer {trimmed}, ")), "{line}");
    assert_login_refused_for_discovery(&rp, &op.issuer, trimmed).await;
}

#[tokio::test]
async fn an_id_token_issued_in_the_future_is_refused_unless_iat_is_ignored() {
    let op = MiniOp::start().await;
    op.tamper(Tamper::IatInFuture);
    let out = Rp::start(&op, &[]).await.sign_in().await;
    assert!(
        out.refused() && out.page.contains("more than 300 s after the current time"),
        "{out:?}"
    );
    let out = Rp::start(&op, &["ignore-iat"]).await.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
}

#[tokio::test]
async fn a_token_without_sub_or_iat_signs_in_only_under_lenient_claims() {
    let op = MiniOp::start().await;
    let lenient = Rp::start(&op, &["lenient-claims"]).await;
    op.tamper(Tamper::MissingSub);
    let out = lenient.sign_in().await;
    assert!(
        out.signed_in()
            && out
                .page
                .contains(&format!("<span id=\"user-email\">{EMAIL}</span>")),
        "{out:?}"
    );
    assert!(
        out.page.contains("<span id=\"user-sub\"></span>"),
        "{out:?}"
    );
    // No ID token openidconnect could parse to send as id_token_hint: logout without it.
    let to = lenient
        .get("/logout", out.session.as_deref())
        .await
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        to.contains("post_logout_redirect_uri=") && !to.contains("id_token_hint"),
        "{to}"
    );

    op.tamper(Tamper::MissingIat);
    let out = lenient.sign_in().await;
    assert!(
        out.signed_in()
            && out
                .page
                .contains(&format!("<span id=\"user-sub\">{SUB}</span>")),
        "{out:?}"
    );
    // The other checks still hold on the lenient path.
    op.tamper(Tamper::WrongNonce);
    let out = lenient.sign_in().await;
    assert!(out.refused() && out.page.contains("nonce"), "{out:?}");
}

#[tokio::test]
async fn email_verified_as_a_string_is_accepted_unless_booleans_are_strict() {
    let serde_words = "invalid type: string &quot;true&quot;, expected a boolean";
    for tamper in [
        Tamper::EmailVerifiedString,
        Tamper::UserinfoEmailVerifiedString,
    ] {
        let op = MiniOp::start().await;
        op.tamper(tamper);
        let out = Rp::start(&op, &[]).await.sign_in().await;
        assert!(out.signed_in(), "{tamper:?}: {out:?}");
        let out = Rp::start(&op, &["strict-booleans"]).await.sign_in().await;
        assert!(
            out.refused() && out.page.contains(serde_words),
            "{tamper:?}: {out:?}"
        );
    }
    // Booleans as booleans are fine under the bug too.
    let op = MiniOp::start().await;
    let out = Rp::start(&op, &["strict-booleans"]).await.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
}

#[tokio::test]
async fn a_thin_id_token_needs_userinfo() {
    let op = MiniOp::start().await;
    op.tamper(Tamper::ThinIdToken);
    let out = Rp::start(&op, &[]).await.sign_in().await;
    assert!(
        out.signed_in()
            && out
                .page
                .contains(&format!("<span id=\"user-email\">{EMAIL}</span>"))
            && out
                .page
                .contains("<span id=\"user-name\">Carol Example</span>")
            && out.page.contains("<li class=\"group\">Engineering</li>"),
        "{out:?}"
    );
    assert_eq!(op.userinfo_calls(), 1);
    let out = Rp::start(&op, &["skip-userinfo"]).await.sign_in().await;
    assert!(
        out.signed_in()
            && !out.page.contains(EMAIL)
            && out
                .page
                .contains(&format!("<span id=\"user-name\">{SUB}</span>")),
        "{out:?}"
    );
    assert_eq!(op.userinfo_calls(), 1, "skip-userinfo called userinfo");
}

#[tokio::test]
async fn a_token_without_kid_is_verified_with_the_only_key_or_each_key() {
    let op = MiniOp::start().await;
    op.tamper(Tamper::NoKid);
    let out = Rp::start(&op, &[]).await.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
    let out = Rp::start(&op, &["require-kid"]).await.sign_in().await;
    assert!(
        out.refused() && out.page.contains("the ID token has no kid"),
        "{out:?}"
    );

    // Two keys, no kid anywhere, the second key signs: the correct app tries each.
    let op = MiniOp::start().await;
    op.tamper(Tamper::NoKidSeveralKeys);
    let out = Rp::start(&op, &[]).await.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
    let out = Rp::start(&op, &["require-kid"]).await.sign_in().await;
    assert!(out.refused(), "{out:?}");
    let mut crashing = Rp::start(&op, &["require-kid", "crash-on-invalid-token"]).await;
    let (flow, callback) = crashing.start_sign_in().await;
    let line = "unhandled error: the ID token was refused: the ID token has no kid";
    assert_crashes(&mut crashing, &callback, Some(&flow), line).await;
}

#[tokio::test]
async fn an_invalid_token_ends_the_process_only_under_the_bug() {
    let op = MiniOp::start().await;
    let mut crashing = Rp::start(&op, &["crash-on-invalid-token"]).await;
    // Other refusals stay refusals, and a valid token signs in.
    let (flow, callback) = crashing.start_sign_in().await;
    let out = crashing
        .finish_sign_in(&flow, &callback.replace("state=", "state=forged"))
        .await;
    assert!(out.refused(), "{out:?}");
    assert!(crashing.sign_in().await.signed_in());

    op.tamper(Tamper::WrongIssuer);
    let (flow, callback) = crashing.start_sign_in().await;
    let line = "unhandled error: the ID token was refused: Invalid issuer";
    assert_crashes(&mut crashing, &callback, Some(&flow), line).await;

    // A token openidconnect cannot parse is an ID-token refusal too.
    op.tamper(Tamper::MissingSub);
    let mut crashing = Rp::start(&op, &["crash-on-invalid-token"]).await;
    let (flow, callback) = crashing.start_sign_in().await;
    let line = "unhandled error: the ID token was refused: it does not parse";
    assert_crashes(&mut crashing, &callback, Some(&flow), line).await;
}

#[tokio::test]
async fn refuse_with_500_answers_id_token_refusals_with_a_bare_server_error() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &["refuse-with-500"]).await;
    assert!(rp.sign_in().await.signed_in());
    for tamper in [Tamper::WrongIssuer, Tamper::MissingSub, Tamper::WrongNonce] {
        op.tamper(tamper);
        let out = rp.sign_in().await;
        assert_eq!(out.status, 500, "{tamper:?}: {out:?}");
        assert!(
            out.session.is_none()
                && out.page.contains("<h1>Server error</h1>")
                && !out.page.contains("id=\"error\"")
                && !out.page.contains("id=\"user\""),
            "{tamper:?}: {out:?}"
        );
    }
    // The app is alive and nobody is signed in.
    assert_eq!(rp.get("/healthz", None).await.status(), 200);
    let home = rp.get("/", None).await.text().await.unwrap();
    assert!(home.contains("id=\"signed-out\""), "{home}");
    // Refusals that are not about the ID token keep the app's error page.
    op.tamper(Tamper::Nothing);
    let (flow, callback) = rp.start_sign_in().await;
    let out = rp
        .finish_sign_in(&flow, &callback.replace("state=", "state=forged"))
        .await;
    assert!(out.refused(), "{out:?}");
}

#[tokio::test]
async fn auth_basic_then_post_signs_in_at_a_post_only_idp_after_one_refusal() {
    let op = MiniOp::start().await;
    op.require_post();
    // The correct app, configured for basic, is refused: the OP is post-only.
    let out = Rp::start(&op, &[]).await.sign_in().await;
    assert!(
        out.refused() && out.page.contains("invalid_client"),
        "{out:?}"
    );

    let probing = Rp::start(&op, &["auth-basic-then-post"]).await;
    let before = op.token_requests().len();
    let out = probing.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
    let sent = &op.token_requests()[before..];
    assert_eq!(sent.len(), 2, "{sent:?}");
    let (auth, form) = &sent[0];
    assert!(
        auth.as_deref().is_some_and(|a| a.starts_with("Basic "))
            && !form.contains_key("client_secret"),
        "{sent:?}"
    );
    let (auth, form) = &sent[1];
    assert!(
        auth.is_none() && form["client_secret"] == "-s3cret" && form["client_id"] == CLIENT_ID,
        "{sent:?}"
    );
    // The same request: the same code and verifier (the first attempt did not use them).
    for field in ["code", "code_verifier", "redirect_uri", "grant_type"] {
        assert_eq!(sent[0].1[field], sent[1].1[field], "{field}");
    }
    // Every sign-in probes again.
    assert!(probing.sign_in().await.signed_in());
    assert_eq!(op.token_requests().len(), before + 4);

    // An IdP that takes basic gets one request.
    let op = MiniOp::start().await;
    let out = Rp::start(&op, &["auth-basic-then-post"])
        .await
        .sign_in()
        .await;
    assert!(out.signed_in(), "{out:?}");
    let sent = op.token_requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0]
            .0
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic "))
    );
}

#[tokio::test]
async fn no_nonce_sends_none_and_expects_none() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &["no-nonce"]).await;
    let out = rp.sign_in().await;
    assert!(out.signed_in(), "{out:?}");
    let q = op.last_authorize();
    assert!(!q.contains_key("nonce") && q["state"].len() >= 32, "{q:?}");
    // A token with a nonce, when none was sent, is refused ...
    op.tamper(Tamper::WrongNonce);
    let out = rp.sign_in().await;
    assert!(
        out.refused()
            && out
                .page
                .contains("the ID token carries a nonce, and the app sent none"),
        "{out:?}"
    );
    // ... unless the nonce is not looked at (golang.org/x/oauth2 with go-oidc).
    let out = Rp::start(&op, &["no-nonce", "ignore-nonce"])
        .await
        .sign_in()
        .await;
    assert!(out.signed_in(), "{out:?}");
    // The hand validation of lenient-claims agrees.
    op.tamper(Tamper::MissingIat);
    let lenient = Rp::start(&op, &["no-nonce", "lenient-claims"]).await;
    assert!(lenient.sign_in().await.signed_in());
}

#[tokio::test]
async fn no_sign_in_never_reaches_the_idp() {
    let op = MiniOp::start().await;
    let rp = Rp::start(&op, &["no-sign-in"]).await;
    let home = rp.get("/", None).await.text().await.unwrap();
    assert!(home.contains("<a id=\"login\" href=\"/login\">"), "{home}");
    let login = rp.get("/login", None).await;
    assert!(login.status().is_client_error(), "{}", login.status());
    assert!(login.headers().get("location").is_none());
    assert!(login.headers().get("set-cookie").is_none());
    let page = login.text().await.unwrap();
    assert!(
        page.contains(
            "<div id=\"error\" role=\"alert\">Sign-in failed: sign-in is not configured</div>"
        ),
        "{page}"
    );
    assert!(op.last_authorize().is_empty(), "{:?}", op.last_authorize());
    assert_eq!(rp.get("/healthz", None).await.status(), 200);
}
