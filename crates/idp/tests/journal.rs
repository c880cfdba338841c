//! The request journal a check reads: per request the endpoint, state and nonce
//! lengths, PKCE method, how the client authenticated, the redirect URI, the outcome and
//! error, with secrets masked; `since` paging and clearing.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn last<'a>(j: &'a [Value], endpoint: &str) -> &'a Value {
    j.iter()
        .rev()
        .find(|e| e["endpoint"] == endpoint)
        .unwrap_or_else(|| panic!("no {endpoint} entry in {j:#?}"))
}

#[tokio::test]
async fn the_journal_records_the_facts_checks_need() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    // A refused authorization request.
    t.authorize(&AuthParams::code_flow().set("state", "1234567"))
        .await;
    let j = idp.journal("x").await;
    let e = last(&j, "authorize");
    assert_eq!(e["state_len"], 7);
    assert_eq!(e["nonce_len"], NONCE.len());
    assert_eq!(e["status"], 303);
    assert_eq!(e["outcome"], "error_redirect");
    assert_eq!(e["error"], "invalid_state");
    assert!(
        e["error_description"]
            .as_str()
            .unwrap()
            .starts_with("The state is missing")
    );
    assert!(e["location"].as_str().unwrap().starts_with(APP_REDIRECT));
    assert_eq!(e["client_id"], CLIENT_ID);
    assert_eq!(e["redirect_uri"], APP_REDIRECT);
    assert!(e["pkce_method"].is_null());
    // A good one with PKCE, the login and the exchange.
    let params = AuthParams::code_flow().without("nonce").pkce(VERIFIER);
    let code = t.code(&params, "alice").await;
    let j = idp.journal("x").await;
    let e = last(&j, "authorize");
    assert_eq!(e["outcome"], "login_page");
    assert_eq!(e["status"], 200);
    assert_eq!(e["pkce_method"], "S256");
    assert!(e["nonce_len"].is_null());
    assert_eq!(e["state_len"], STATE.len());
    let e = last(&j, "login");
    assert_eq!(e["outcome"], "redirect");
    assert_eq!(e["status"], 303);
    assert_eq!(e["params"]["username"], "alice");
    assert_eq!(e["params"]["password"], "***(8)", "masked: {e}");
    t.tokens(&code, Some(VERIFIER)).await;
    let j = idp.journal("x").await;
    let e = last(&j, "token");
    assert_eq!(e["client_auth"], "post");
    assert_eq!(e["grant_type"], "authorization_code");
    assert_eq!(e["outcome"], "ok");
    assert_eq!(e["status"], 200);
    assert_eq!(
        e["params"]["client_secret"],
        format!("***({})", CLIENT_SECRET.len())
    );
    assert_eq!(e["params"]["code_verifier"], "***(43)");
    assert!(!serde_json::to_string(&j).unwrap().contains(CLIENT_SECRET));
    assert!(!serde_json::to_string(&j).unwrap().contains(VERIFIER));
    // Each way of authenticating, and the error it got.
    for (auth, name, error) in [
        (BASIC, "basic", "invalid_client"),
        (
            Auth::Both(CLIENT_ID, CLIENT_SECRET),
            "both",
            "invalid_client",
        ),
        (Auth::None, "none", "invalid_request"),
    ] {
        t.exchange(auth, "whatever", None).await;
        let j = idp.journal("x").await;
        let e = last(&j, "token");
        assert_eq!(e["client_auth"], name);
        assert_eq!(e["outcome"], "error");
        assert_eq!(e["error"], error);
    }
    // A challenge without a method is recorded as implied plain.
    t.authorize(&AuthParams::code_flow().set("code_challenge", VERIFIER))
        .await;
    let j = idp.journal("x").await;
    assert_eq!(last(&j, "authorize")["pkce_method"], "plain (implied)");
    // Error pages and discovery are journaled too.
    t.authorize(&AuthParams::code_flow().set("client_id", "nope"))
        .await;
    let j = idp.journal("x").await;
    let e = last(&j, "authorize");
    assert_eq!(e["outcome"], "error_page");
    assert_eq!(e["status"], 302);
    assert_eq!(e["error"], "invalid_client");
    assert!(j.iter().any(|e| e["endpoint"] == "discovery"));
    // Sequence numbers grow.
    let seqs: Vec<u64> = j.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}

#[tokio::test]
async fn the_journal_pages_with_since_and_can_be_cleared() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    t.authorize(&AuthParams::code_flow()).await;
    let j = idp.journal("x").await;
    let last_seq = j.last().unwrap()["seq"].as_u64().unwrap();
    t.userinfo("nope").await;
    let resp = idp
        .admin(
            Method::GET,
            &format!("/tenants/x/journal?since={last_seq}"),
            None,
        )
        .await;
    let newer: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(newer.len(), 1);
    assert_eq!(newer[0]["endpoint"], "userinfo");
    assert_eq!(newer[0]["client_auth"], "bearer_header");
    assert_eq!(newer[0]["error"], "request_unauthorized");
    // A bad `since` is a JSON error.
    let resp = idp
        .admin(Method::GET, "/tenants/x/journal?since=soon", None)
        .await;
    assert_eq!(json_error(resp).await.0, StatusCode::BAD_REQUEST);
    // Clearing.
    let resp = idp.admin(Method::DELETE, "/tenants/x/journal", None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(idp.journal("x").await.is_empty());
    // Numbering goes on after a clear.
    t.userinfo("nope").await;
    let j = idp.journal("x").await;
    assert!(j[0]["seq"].as_u64().unwrap() > last_seq + 1);
    // Tenants have separate journals.
    let _other = idp.create(jumpcloud("y")).await;
    assert!(
        idp.journal("y")
            .await
            .iter()
            .all(|e| e["endpoint"] == "discovery")
    );
    let resp = idp.admin(Method::GET, "/tenants/zz/journal", None).await;
    assert_eq!(json_error(resp).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn codes_and_tokens_are_masked_everywhere_in_the_journal() {
    let idp = TestIdp::start().await;
    let t = idp.create(jumpcloud("x")).await;
    let code = t.code(&AuthParams::code_flow(), "alice").await;
    let tokens = t.tokens(&code, None).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    t.userinfo(tokens["access_token"].as_str().unwrap()).await;
    let resp = idp
        .http
        .get(t.endpoint("end_session_endpoint"))
        .query(&[("id_token_hint", id_token)])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let text = serde_json::to_string(&idp.journal("x").await).unwrap();
    assert!(!text.contains(&code), "code leaked: {text}");
    assert!(!text.contains(id_token), "id token leaked");
    assert!(!text.contains(tokens["access_token"].as_str().unwrap()));
    let j = idp.journal("x").await;
    let login = last(&j, "login");
    let loc = login["location"].as_str().unwrap();
    assert!(
        loc.starts_with(&format!("{APP_REDIRECT}?code=***({})&scope=", code.len())),
        "{loc}"
    );
    assert!(loc.ends_with(&format!("&state={STATE}")), "{loc}");
    assert_eq!(
        login["params"]["login_challenge"]
            .as_str()
            .unwrap()
            .get(..4),
        Some("***(")
    );
    let token = last(&j, "token");
    assert_eq!(token["params"]["code"], format!("***({})", code.len()));
    assert_eq!(
        token["params"]["client_secret"],
        format!("***({})", CLIENT_SECRET.len())
    );
    let end = last(&j, "end_session");
    assert_eq!(
        end["params"]["id_token_hint"],
        format!("***({})", id_token.len())
    );
}

#[tokio::test]
async fn a_huge_state_is_cut_in_the_journal_but_keeps_its_length_and_seq_counts_on() {
    let idp = TestIdp::start().await;
    let t = idp.create(lenient("x")).await;
    let state = "s".repeat(20_000);
    let resp = t
        .authorize(&AuthParams::code_flow().set("state", &state))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let j = idp.journal("x").await;
    let e = last(&j, "authorize");
    assert_eq!(e["state_len"], 20_000);
    assert_eq!(
        e["params"]["state"],
        format!("{}…(20000 bytes)", &state[..256])
    );
    // `since` keeps working on the ring.
    let seq = e["seq"].as_u64().unwrap();
    t.authorize(&AuthParams::code_flow()).await;
    let later: Vec<Value> = idp
        .admin(
            Method::GET,
            &format!("/tenants/x/journal?since={seq}"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0]["seq"], seq + 1);
}
