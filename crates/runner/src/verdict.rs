//! The verdict rules, as pure functions of what a check declared, how its steps ended,
//! and what the IdP journal and the app showed: exercised or not, refused or crashed,
//! and how much a failure weighs. No browser, no I/O: unit-tested below.

use crate::check::{CheckSpec, Exercise, Level};
use crate::evidence::journal_line;
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
    /// Findings to report without failing.
    pub warnings: Vec<Warning>,
}

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
    })
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
    if let Some(crash) = &facts.crash {
        return Judgement {
            verdict: Verdict::Failed,
            reason: Some(format!("the app crashed: {crash}")),
            failed_step,
        };
    }
    if let Err(why) = exercised(spec.exercised_by, facts) {
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
}
