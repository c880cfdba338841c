//! The verdict rules, as pure functions of what a check declared, how its steps ended,
//! and what the IdP journal and the app showed: exercised or not, refused or crashed,
//! and how much a failure weighs. No browser, no I/O: unit-tested below.

use crate::check::{CheckSpec, Exercise, Level, Target};
use crate::evidence::{ApiObservation, CliObservation, journal_line};
use serde::Serialize;
use stickler_idp::{Endpoint, JournalEntry, Outcome};

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// What the check is about held.
    Passed,
    /// A `should` check did not hold: reported, but the run fails only under `--strict`.
    Warned,
    /// A `must` check did not hold, or the app crashed.
    Failed,
    /// What the check is about never reached the app: it proves nothing either way.
    NotExercised,
    /// The check is about a configuration the scenario file says the app does not have.
    NotApplicable,
}

impl Verdict {
    /// Its mark in the console.
    pub fn mark(self) -> &'static str {
        match self {
            Verdict::Passed => "✓",
            Verdict::Warned => "!",
            Verdict::Failed => "✗",
            Verdict::NotExercised | Verdict::NotApplicable => "-",
        }
    }

    /// Its words in reports.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Warned => "warned",
            Verdict::Failed => "failed",
            Verdict::NotExercised => "not exercised",
            Verdict::NotApplicable => "not applicable",
        }
    }

    /// Counted as skipped in the closing line and in JUnit.
    pub fn is_skip(self) -> bool {
        matches!(self, Verdict::NotExercised | Verdict::NotApplicable)
    }
}

/// A finding that does not fail a check but that its report must show, summed once at
/// the end of the console report by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Warning {
    /// What kind of finding (the console sums by it), e.g. `refused with an HTTP 5xx page`.
    pub kind: String,
    /// This check's detail.
    pub detail: String,
}

/// How the steps of a check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// Every step passed.
    Passed,
    /// A step (or hook) failed: which one, and what it observed.
    Failed {
        /// The step as written.
        step: String,
        /// What it observed.
        message: String,
    },
}

/// What a check left behind that the rules look at.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The IdP journal of the check's tenant, since the check began.
    pub journal: Vec<JournalEntry>,
    /// A journey delivered its forged or replayed callback to the app.
    pub callback_delivered: bool,
    /// Evidence that the app crashed (process exited, connection failed, no answer).
    pub crash: Option<String>,
    /// Why the check does not apply to this app, when it does not.
    pub not_applicable: Option<String>,
    /// Why a step left the check's subject out on purpose (e.g. a key rotation that an
    /// already running API's shared tenant would keep for every later check).
    pub not_exercised: Option<String>,
    /// Findings to report without failing.
    pub warnings: Vec<Warning>,
    /// The CLI's run, for CLI checks.
    pub cli: Option<CliObservation>,
    /// The API's answers, for API checks.
    pub api: Vec<ApiObservation>,
}

/// RFC 8628 §3.4's grant type, as the journal records a device-code poll.
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A check's judgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// For a failure or a warning: what was observed; for a check not exercised or not
    /// applicable: why.
    pub reason: Option<String>,
    /// The failing step, as written.
    pub failed_step: Option<String>,
}

/// Whether what `exercise` names happened, judged from the journal and the journeys;
/// the error says what did not happen and where the flow stopped.
pub fn exercised(exercise: Exercise, facts: &Facts) -> Result<(), String> {
    let j = &facts.journal;
    let calls = |endpoint: Endpoint| j.iter().filter(move |e| e.endpoint == endpoint);
    let stopped = || match j
        .iter()
        .rev()
        .find(|e| e.error.is_some() && !e.endpoint.is_metadata())
    {
        Some(e) => format!("; the flow stopped at: {}", journal_line(e)),
        None => String::new(),
    };
    let ok = match exercise {
        Exercise::Discovery => calls(Endpoint::Discovery).next().is_some(),
        Exercise::Authorize => calls(Endpoint::Authorize).next().is_some(),
        Exercise::TokenRequest => calls(Endpoint::Token).next().is_some(),
        Exercise::IdToken => id_token_issued(j),
        Exercise::NonceIdToken => {
            id_token_issued(j) && calls(Endpoint::Authorize).any(|e| e.nonce_len.is_some())
        }
        Exercise::Userinfo => calls(Endpoint::Userinfo).any(|e| e.status == 200),
        Exercise::Callback => facts.callback_delivered,
        Exercise::IdpError => j
            .iter()
            .any(|e| e.outcome == Outcome::ErrorRedirect && e.error.is_some()),
        Exercise::DeviceAuthorization => {
            calls(Endpoint::DeviceAuthorization).any(|e| e.status == 200)
        }
        Exercise::DevicePoll => !device_polls(j).is_empty(),
        Exercise::ApiRequest => facts.api.iter().any(|a| a.status.is_some()),
    };
    if ok {
        return Ok(());
    }
    Err(match exercise {
        Exercise::Discovery => "the app never fetched the discovery document".to_string(),
        Exercise::Authorize => format!(
            "the app never sent the browser to the authorization endpoint{}",
            stopped()
        ),
        Exercise::TokenRequest => format!("the app never called the token endpoint{}", stopped()),
        Exercise::IdToken => match calls(Endpoint::Token).next_back() {
            Some(e) => format!(
                "the token endpoint never gave this app an ID token; its last answer: {}",
                journal_line(e)
            ),
            None => format!(
                "the app never reached the token endpoint, so no ID token reached it{}",
                stopped()
            ),
        },
        Exercise::NonceIdToken if id_token_issued(j) => {
            "the app sent no nonce, so it has none to compare with the ID token's (sending one is its own check)".to_string()
        }
        Exercise::NonceIdToken => exercised(Exercise::IdToken, facts).err().unwrap_or_default(),
        Exercise::Userinfo => match calls(Endpoint::Userinfo).next_back() {
            Some(e) => format!("userinfo never answered this app 200: {}", journal_line(e)),
            None if calls(Endpoint::Token).any(|e| e.status == 200) => {
                "the app never called userinfo (it takes its claims from the ID token), so its handling of userinfo answers is untested".to_string()
            }
            None => format!(
                "the app never reached userinfo: no token response reached it{}",
                stopped()
            ),
        },
        Exercise::Callback => format!(
            "the forged callback never reached the app: the sign-in it needs did not get that far{}",
            stopped()
        ),
        Exercise::IdpError => format!(
            "the IdP's error redirect never reached the app{}",
            stopped()
        ),
        Exercise::DeviceAuthorization | Exercise::DevicePoll => {
            let what = if exercise == Exercise::DevicePoll {
                "the CLI never polled the token endpoint with a device code"
            } else {
                "the CLI never got a device code"
            };
            match calls(Endpoint::DeviceAuthorization).next_back() {
                Some(e) => format!("{what}; the device authorization request: {}", journal_line(e)),
                None if facts.cli.is_some() => {
                    format!("{what}: it never called a device authorization endpoint")
                }
                None => format!("{what}: the CLI did not run"),
            }
        }
        Exercise::ApiRequest => match facts.api.last() {
            Some(a) => format!("the API never answered {}: {}", a.request, a.body),
            None => "no request reached the API".to_string(),
        },
    })
}

/// A CLI run in one line: its exit and the end of its output.
pub fn cli_summary(c: &CliObservation) -> String {
    let how = match (c.exit, c.timed_out) {
        (_, true) => "the CLI was still running at its timeout and was stopped".to_string(),
        (Some(code), _) => format!("the CLI exited {code}"),
        (None, _) => "a signal ended the CLI".to_string(),
    };
    let tail: String = c
        .output
        .trim()
        .lines()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join(" | ");
    if tail.is_empty() {
        format!("{how}, printing nothing")
    } else {
        format!("{how}: {tail}")
    }
}

/// The device-code polls of the journal, in order.
pub fn device_polls(j: &[JournalEntry]) -> Vec<&JournalEntry> {
    j.iter()
        .filter(|e| e.endpoint == Endpoint::Token && e.grant_type.as_deref() == Some(DEVICE_GRANT))
        .collect()
}

/// How far under the interval a poll may come (timers, scheduling): RFC 8628 §3.5 has
/// no tolerance; the IdP's own is documented beside its `slow_down`.
pub const POLL_TOLERANCE_MS: u128 = 500;

/// RFC 8628 §3.5: the client waits at least `interval` between polls, and 5 s more for
/// this and every later poll once the IdP answered `slow_down`. The error names the
/// first poll that came too early.
pub fn poll_pacing(j: &[JournalEntry], interval_secs: u64) -> Result<(), String> {
    let polls = device_polls(j);
    let mut required: u128 = u128::from(interval_secs) * 1000;
    for pair in polls.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        if prev.error.as_deref() == Some("slow_down") {
            required += 5000;
        }
        let gap = next
            .since_last_poll_ms
            .map_or_else(|| next.at_ms.saturating_sub(prev.at_ms), u128::from);
        if gap + POLL_TOLERANCE_MS < required {
            let after = match prev.error.as_deref() {
                Some("slow_down") => {
                    " after the IdP answered slow_down (RFC 8628 §3.5: add 5 s to the interval)"
                        .to_string()
                }
                Some(e) => format!(" after `{e}`"),
                None => String::new(),
            };
            return Err(format!(
                "the CLI polled {gap} ms after its previous poll{after}, while it had to wait {required} ms ({} polls in all)",
                polls.len()
            ));
        }
    }
    Ok(())
}

/// RFC 8628 §3.5: `access_denied` and `expired_token` end the polling. The error says
/// how many polls came after the first such answer.
pub fn stopped_polling_after(j: &[JournalEntry], error: &str) -> Result<(), String> {
    let polls = device_polls(j);
    let Some(at) = polls.iter().position(|e| e.error.as_deref() == Some(error)) else {
        return Err(format!(
            "the IdP never answered `{error}` to the CLI's polls ({} polls), so its reaction is unknown",
            polls.len()
        ));
    };
    let after = polls.len() - at - 1;
    if after == 0 {
        Ok(())
    } else {
        Err(format!(
            "the CLI polled {after} more time{} after the IdP answered `{error}` (RFC 8628 §3.5: stop polling)",
            if after == 1 { "" } else { "s" }
        ))
    }
}

/// The terminal error (RFC 8628 §3.5: `access_denied`, `expired_token`) after which the
/// CLI polled again, if it did.
pub fn polled_after_terminal_error(j: &[JournalEntry]) -> Option<String> {
    let polls = device_polls(j);
    let at = polls
        .iter()
        .position(|e| matches!(e.error.as_deref(), Some("access_denied" | "expired_token")))?;
    (at + 1 < polls.len()).then(|| polls[at].error.clone().unwrap_or_default())
}

/// What an API's answer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiExpect {
    /// Accepted (a `[api] accept_status`, default 2xx).
    Accept,
    /// Refused (a `[api] reject_status`, default 401 or 403).
    Refuse,
    /// Anything but an HTTP 5xx or a failed connection.
    NoCrash,
}

/// Judges one API answer. `accepted` and `refused` say whether its status is one of the
/// scenario's accept / reject statuses. RFC 6750 §3.1: a bad token is `401
/// invalid_token`; a 5xx is never a refusal (the API failed), a 2xx never one either.
pub fn api_answer(
    expect: ApiExpect,
    a: &ApiObservation,
    accepted: bool,
    refused: bool,
) -> Result<(), String> {
    let Some(status) = a.status else {
        return Err(format!(
            "the API gave no answer to {}: {}",
            a.request, a.body
        ));
    };
    let seen = format!("HTTP {status}: {}", a.body);
    match expect {
        ApiExpect::Accept if accepted => Ok(()),
        ApiExpect::Accept => Err(format!(
            "the API did not accept the {} token: {seen}",
            a.token
        )),
        ApiExpect::Refuse if refused => Ok(()),
        ApiExpect::Refuse if status >= 500 => Err(format!(
            "the API failed with {seen} for the {} token instead of refusing it with 401/403 (RFC 6750 §3.1: invalid_token)",
            a.token
        )),
        ApiExpect::NoCrash if status >= 500 => Err(format!(
            "the API failed with {seen} for the {} token: an unhandled error on a token a real IdP sends",
            a.token
        )),
        ApiExpect::Refuse if accepted => {
            Err(format!("the API accepted the {} token: {seen}", a.token))
        }
        ApiExpect::Refuse => Err(format!(
            "the API answered the {} token with {seen}, which is neither a refusal nor an acceptance in [api]",
            a.token
        )),
        ApiExpect::NoCrash => Ok(()),
    }
}

/// The token endpoint answered an authorization code 200: an ID token reached the app.
fn id_token_issued(j: &[JournalEntry]) -> bool {
    j.iter().any(|e| {
        e.endpoint == Endpoint::Token
            && e.status == 200
            && e.grant_type.as_deref() == Some("authorization_code")
    })
}

/// The verdict of a check from its steps and facts. `strict` makes a `should` failure
/// weigh as a `must` one.
pub fn judge(spec: &CheckSpec, outcome: &StepOutcome, facts: &Facts, strict: bool) -> Judgement {
    let failed_step = match outcome {
        StepOutcome::Failed { step, .. } => Some(step.clone()),
        StepOutcome::Passed => None,
    };
    if let Some(why) = &facts.not_applicable {
        return Judgement {
            verdict: Verdict::NotApplicable,
            reason: Some(why.clone()),
            failed_step: None,
        };
    }
    if let Some(why) = &facts.not_exercised {
        return Judgement {
            verdict: Verdict::NotExercised,
            reason: Some(why.clone()),
            failed_step: None,
        };
    }
    if let Some(crash) = &facts.crash {
        return Judgement {
            verdict: Verdict::Failed,
            reason: Some(format!("the app crashed: {crash}")),
            failed_step,
        };
    }
    if let Err(why) = exercised(spec.exercised_by, facts) {
        // A CLI or API check stops before its subject on a step of its own (the API did
        // not start, the CLI printed no code): that step says why.
        let why = match outcome {
            StepOutcome::Failed { message, .. } if spec.target != Target::App => {
                format!("{why} — {message}")
            }
            _ => why,
        };
        return Judgement {
            verdict: Verdict::NotExercised,
            reason: Some(why),
            failed_step: None,
        };
    }
    match outcome {
        StepOutcome::Passed => Judgement {
            verdict: Verdict::Passed,
            reason: None,
            failed_step: None,
        },
        StepOutcome::Failed { message, .. } => Judgement {
            verdict: match (spec.level, strict) {
                (Level::Should, false) => Verdict::Warned,
                _ => Verdict::Failed,
            },
            reason: Some(message.clone()),
            failed_step,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(level: Level, exercised_by: Exercise) -> CheckSpec {
        CheckSpec {
            id: "area.file.1".into(),
            area: "area".into(),
            name: "n".into(),
            feature: "f".into(),
            location: "f:1".into(),
            tags: vec![],
            level,
            level_source: "Core".into(),
            exercised_by,
            target: Target::App,
            source: String::new(),
            why: String::new(),
            fix: String::new(),
        }
    }

    fn entry(endpoint: Endpoint, status: u16, error: Option<&str>) -> JournalEntry {
        JournalEntry {
            endpoint,
            method: "GET".into(),
            status,
            grant_type: (endpoint == Endpoint::Token).then(|| "authorization_code".to_string()),
            outcome: if error.is_some() {
                Outcome::Error
            } else {
                Outcome::Ok
            },
            error: error.map(str::to_string),
            ..Default::default()
        }
    }

    fn failed(message: &str) -> StepOutcome {
        StepOutcome::Failed {
            step: "Then x".into(),
            message: message.into(),
        }
    }

    fn facts(journal: Vec<JournalEntry>) -> Facts {
        Facts {
            journal,
            ..Default::default()
        }
    }

    #[test]
    fn a_subject_left_out_on_purpose_is_not_exercised_though_the_api_answered() {
        let mut f = facts(Vec::new());
        f.api.push(ApiObservation {
            token: "valid".into(),
            request: "GET http://127.0.0.1:1/x".into(),
            status: Some(200),
            body: String::new(),
        });
        f.not_exercised = Some("the key rotation is left out".into());
        let j = judge(
            &spec(Level::Should, Exercise::ApiRequest),
            &StepOutcome::Passed,
            &f,
            false,
        );
        assert_eq!(j.verdict, Verdict::NotExercised);
        assert_eq!(j.reason.as_deref(), Some("the key rotation is left out"));
    }

    #[test]
    fn a_check_whose_id_token_never_arrived_is_not_exercised_even_when_its_steps_pass() {
        let f = facts(vec![
            entry(Endpoint::Authorize, 303, None),
            entry(Endpoint::Token, 401, Some("invalid_client")),
        ]);
        let j = judge(
            &spec(Level::Must, Exercise::IdToken),
            &StepOutcome::Passed,
            &f,
            false,
        );
        assert_eq!(j.verdict, Verdict::NotExercised);
        let reason = j.reason.unwrap();
        assert!(reason.contains("invalid_client"), "{reason}");
    }

    #[test]
    fn an_exercised_check_passes_or_fails_by_its_level() {
        let f = facts(vec![
            entry(Endpoint::Authorize, 303, None),
            entry(Endpoint::Token, 200, None),
        ]);
        let must = spec(Level::Must, Exercise::IdToken);
        let should = spec(Level::Should, Exercise::IdToken);
        assert_eq!(
            judge(&must, &StepOutcome::Passed, &f, false).verdict,
            Verdict::Passed
        );
        assert_eq!(
            judge(&must, &failed("signed in"), &f, false).verdict,
            Verdict::Failed
        );
        assert_eq!(
            judge(&should, &failed("signed in"), &f, false).verdict,
            Verdict::Warned
        );
        assert_eq!(
            judge(&should, &failed("signed in"), &f, true).verdict,
            Verdict::Failed
        );
    }

    #[test]
    fn a_crash_fails_whatever_was_reached_and_names_the_evidence() {
        let mut f = facts(vec![]);
        f.crash = Some("its process exited (exit status: 1)".into());
        let j = judge(
            &spec(Level::Should, Exercise::IdToken),
            &failed("x"),
            &f,
            false,
        );
        assert_eq!(j.verdict, Verdict::Failed);
        assert!(j.reason.unwrap().contains("exited"));
    }

    #[test]
    fn not_applicable_wins_over_everything() {
        let mut f = facts(vec![]);
        f.not_applicable = Some("wired to basic".into());
        f.crash = Some("x".into());
        let j = judge(
            &spec(Level::Must, Exercise::TokenRequest),
            &failed("x"),
            &f,
            false,
        );
        assert_eq!(j.verdict, Verdict::NotApplicable);
    }

    #[test]
    fn userinfo_checks_need_a_userinfo_answer() {
        let f = facts(vec![entry(Endpoint::Token, 200, None)]);
        let err = exercised(Exercise::Userinfo, &f).unwrap_err();
        assert!(err.contains("never called userinfo"), "{err}");
        let f = facts(vec![
            entry(Endpoint::Token, 200, None),
            entry(Endpoint::Userinfo, 200, None),
        ]);
        assert!(exercised(Exercise::Userinfo, &f).is_ok());
    }

    #[test]
    fn callbacks_and_idp_errors_count_only_when_delivered() {
        let mut f = facts(vec![entry(Endpoint::Authorize, 303, None)]);
        assert!(exercised(Exercise::Callback, &f).is_err());
        f.callback_delivered = true;
        assert!(exercised(Exercise::Callback, &f).is_ok());
        let mut e = entry(Endpoint::Authorize, 303, Some("invalid_state"));
        assert!(exercised(Exercise::IdpError, &facts(vec![e.clone()])).is_err());
        e.outcome = Outcome::ErrorRedirect;
        assert!(exercised(Exercise::IdpError, &facts(vec![e])).is_ok());
    }

    #[test]
    fn a_check_that_never_reached_the_authorization_endpoint_says_so() {
        let f = facts(vec![entry(Endpoint::Discovery, 200, None)]);
        let j = judge(
            &spec(Level::Must, Exercise::Authorize),
            &StepOutcome::Passed,
            &f,
            false,
        );
        assert_eq!(j.verdict, Verdict::NotExercised);
        assert!(j.reason.unwrap().contains("authorization endpoint"));
    }

    fn poll(at_ms: u128, error: Option<&str>) -> JournalEntry {
        JournalEntry {
            endpoint: Endpoint::Token,
            method: "POST".into(),
            status: if error.is_some() { 400 } else { 200 },
            grant_type: Some(DEVICE_GRANT.into()),
            at_ms,
            error: error.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn polls_keep_the_interval_and_add_five_seconds_after_slow_down() {
        let pending = Some("authorization_pending");
        let j = vec![poll(0, pending), poll(1000, pending), poll(2010, None)];
        assert!(poll_pacing(&j, 1).is_ok());
        let j = vec![poll(0, pending), poll(300, pending)];
        let e = poll_pacing(&j, 1).unwrap_err();
        assert!(e.contains("300 ms") && e.contains("1000 ms"), "{e}");
        // After slow_down the interval grows by 5 s, for good.
        let slow = Some("slow_down");
        let j = vec![poll(0, slow), poll(6000, pending), poll(12000, None)];
        assert!(poll_pacing(&j, 1).is_ok());
        let j = vec![poll(0, slow), poll(1000, None)];
        let e = poll_pacing(&j, 1).unwrap_err();
        assert!(e.contains("slow_down") && e.contains("6000 ms"), "{e}");
        // The IdP's own measure wins over timestamps.
        let mut late = poll(100, None);
        late.since_last_poll_ms = Some(1200);
        assert!(poll_pacing(&[poll(0, pending), late], 1).is_ok());
    }

    #[test]
    fn polling_after_a_final_answer_is_named() {
        let denied = Some("access_denied");
        assert!(
            stopped_polling_after(&[poll(0, None), poll(1000, denied)], "access_denied").is_ok()
        );
        let e = stopped_polling_after(
            &[poll(0, denied), poll(1000, denied), poll(2000, denied)],
            "access_denied",
        )
        .unwrap_err();
        assert!(e.contains("2 more times"), "{e}");
        let e = stopped_polling_after(&[poll(0, None)], "expired_token").unwrap_err();
        assert!(e.contains("never answered"), "{e}");
    }

    #[test]
    fn a_poll_after_a_terminal_error_is_seen_as_soon_as_it_comes() {
        let pending = Some("authorization_pending");
        assert_eq!(polled_after_terminal_error(&[poll(0, pending)]), None);
        assert_eq!(
            polled_after_terminal_error(&[poll(0, pending), poll(1000, Some("access_denied"))]),
            None,
            "the last poll was the denial: the CLI may still stop"
        );
        assert_eq!(
            polled_after_terminal_error(&[
                poll(0, Some("expired_token")),
                poll(1000, Some("expired_token"))
            ]),
            Some("expired_token".to_string())
        );
        assert_eq!(
            polled_after_terminal_error(&[poll(0, Some("slow_down")), poll(6000, None)]),
            None,
            "slow_down is not terminal"
        );
    }

    #[test]
    fn device_checks_count_only_with_a_device_code_poll() {
        let mut f = facts(vec![entry(Endpoint::Discovery, 200, None)]);
        f.cli = Some(CliObservation {
            exit: Some(3),
            output: "error: no device authorization endpoint".into(),
            ..Default::default()
        });
        let e = exercised(Exercise::DevicePoll, &f).unwrap_err();
        assert!(
            e.contains("never called a device authorization endpoint"),
            "{e}"
        );
        assert!(exercised(Exercise::DeviceAuthorization, &f).is_err());
        f.journal
            .push(entry(Endpoint::DeviceAuthorization, 200, None));
        assert!(exercised(Exercise::DeviceAuthorization, &f).is_ok());
        assert!(exercised(Exercise::DevicePoll, &f).is_err());
        f.journal.push(poll(5, Some("authorization_pending")));
        assert!(exercised(Exercise::DevicePoll, &f).is_ok());
        assert_eq!(
            cli_summary(f.cli.as_ref().unwrap()),
            "the CLI exited 3: error: no device authorization endpoint"
        );
    }

    fn answer(status: Option<u16>) -> ApiObservation {
        ApiObservation {
            token: "wrong_aud".into(),
            request: "GET http://127.0.0.1:1/api".into(),
            status,
            body: "x".into(),
        }
    }

    #[test]
    fn api_answers_are_judged_by_status() {
        use ApiExpect::*;
        // (expect, status, accepted, refused) -> ok?
        assert!(api_answer(Refuse, &answer(Some(401)), false, true).is_ok());
        let e = api_answer(Refuse, &answer(Some(200)), true, false).unwrap_err();
        assert!(e.contains("accepted the wrong_aud token"), "{e}");
        let e = api_answer(Refuse, &answer(Some(500)), false, false).unwrap_err();
        assert!(
            e.contains("failed with HTTP 500") && e.contains("401/403"),
            "{e}"
        );
        assert!(api_answer(Accept, &answer(Some(200)), true, false).is_ok());
        assert!(api_answer(Accept, &answer(Some(401)), false, true).is_err());
        assert!(api_answer(NoCrash, &answer(Some(403)), false, true).is_ok());
        assert!(api_answer(NoCrash, &answer(Some(200)), true, false).is_ok());
        assert!(api_answer(NoCrash, &answer(Some(502)), false, false).is_err());
        let e = api_answer(Accept, &answer(None), false, false).unwrap_err();
        assert!(e.contains("no answer"), "{e}");
        // The API answered: exercised; nothing answered: not.
        let mut f = facts(vec![]);
        f.api.push(answer(None));
        assert!(exercised(Exercise::ApiRequest, &f).is_err());
        f.api.push(answer(Some(401)));
        assert!(exercised(Exercise::ApiRequest, &f).is_ok());
    }
}
