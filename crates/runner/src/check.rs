//! What a check is, read once from its Gherkin scenario: its id, its level and the
//! spec words behind it, what must happen for it to count (exercised), and the Why /
//! Fix / Source its report prints.

use cucumber::gherkin;
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// How much a check's failure weighs, from the spec's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The spec says MUST, or a real provider refuses outright: a failure fails the run.
    Must,
    /// SHOULD, MAY, or what the OpenID Foundation's RP tests mark SKIPPED: a failure is
    /// a warning, and fails the run only under `--strict`.
    Should,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Must => "must",
            Level::Should => "should",
        })
    }
}

/// Which target of the scenario file a check needs (its `Target:` line; default `app`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The web app signed in through the browser (`[app]`).
    App,
    /// The CLI that logs in with the device authorization grant (`[cli]`).
    Cli,
    /// The API that takes bearer tokens (`[api]`).
    Api,
}

impl Target {
    /// Every target, in report order.
    pub const ALL: [Target; 3] = [Target::App, Target::Cli, Target::Api];

    /// Its keyword in feature files, and its table in scenario files.
    pub fn keyword(self) -> &'static str {
        match self {
            Target::App => "app",
            Target::Cli => "cli",
            Target::Api => "api",
        }
    }

    fn parse(word: &str) -> Option<Target> {
        Self::ALL.into_iter().find(|t| t.keyword() == word)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// What must have happened for a check to count. A check whose subject never reached
/// the app proves nothing about it: its verdict is *not exercised*, never a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exercise {
    /// The app sent the browser to the authorization endpoint.
    Authorize,
    /// The app called the token endpoint.
    TokenRequest,
    /// The token endpoint answered the app 200: the (bent) ID token reached it.
    IdToken,
    /// The app sent a nonce, and the token endpoint answered it 200: a nonce check had
    /// something to compare.
    NonceIdToken,
    /// The app called userinfo and received an answer (the bent one, where bent).
    Userinfo,
    /// The forged or replayed callback was delivered to the app.
    Callback,
    /// The app fetched the discovery document of its tenant.
    Discovery,
    /// The IdP's error redirect was delivered to the app's callback.
    IdpError,
    /// The CLI asked the device authorization endpoint for a code, and got one.
    DeviceAuthorization,
    /// The CLI polled the token endpoint with its device code (RFC 8628 §3.4).
    DevicePoll,
    /// The API answered the request carrying the (bent) token.
    ApiRequest,
}

impl Exercise {
    const ALL: [(&'static str, Exercise); 11] = [
        ("authorize", Exercise::Authorize),
        ("token_request", Exercise::TokenRequest),
        ("id_token", Exercise::IdToken),
        ("nonce_id_token", Exercise::NonceIdToken),
        ("userinfo", Exercise::Userinfo),
        ("callback", Exercise::Callback),
        ("discovery", Exercise::Discovery),
        ("idp_error", Exercise::IdpError),
        ("device_authorization", Exercise::DeviceAuthorization),
        ("device_poll", Exercise::DevicePoll),
        ("api_request", Exercise::ApiRequest),
    ];

    fn parse(word: &str) -> Option<Exercise> {
        Self::ALL.iter().find(|(w, _)| *w == word).map(|(_, e)| *e)
    }

    /// Its keyword in feature files.
    pub fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, e)| *e == self)
            .map_or("?", |(w, _)| w)
    }
}

/// One check, as its feature file declares it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSpec {
    /// `<area>.<file stem>.<n>`: area folder, feature file, position in the file (from 1).
    pub id: String,
    /// The folder under `features/`.
    pub area: String,
    /// The scenario's name.
    pub name: String,
    /// The feature's name.
    pub feature: String,
    /// `file:line`.
    pub location: String,
    /// Tags (feature and scenario), without `@`.
    pub tags: Vec<String>,
    /// Its level.
    pub level: Level,
    /// The words its level stands on (spec section, OIDF plan, vendor behaviour).
    pub level_source: String,
    /// What must happen for it to count.
    pub exercised_by: Exercise,
    /// The target it needs.
    pub target: Target,
    /// `Source:`: the spec, test plan or vendor issue it comes from.
    pub source: String,
    /// `Why:`: the real provider's behaviour.
    pub why: String,
    /// `Fix:`: what to change, per RP library.
    pub fix: String,
}

/// The description keys a check's text is made of.
const KEYS: [&str; 6] = ["Source:", "Why:", "Fix:", "Level:", "Exercised:", "Target:"];

/// The description split by its keys; continuation lines join the key above them.
fn fields(description: &str) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for line in description.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match KEYS.iter().find(|k| line.starts_with(*k)) {
            Some(k) => out.push((k, line[k.len()..].trim().to_string())),
            None => match out.last_mut() {
                Some((_, text)) => {
                    text.push(' ');
                    text.push_str(line);
                }
                None => out.push(("", line.to_string())),
            },
        }
    }
    out
}

/// A check's id from where it stands: `<area>.<stem>.<n>`.
pub fn id_of(path: Option<&Path>, position: usize) -> String {
    let name = |p: Option<&std::ffi::OsStr>| {
        p.map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let area = name(path.and_then(Path::parent).and_then(Path::file_name));
    let stem = name(path.and_then(Path::file_stem));
    format!("{area}.{stem}.{position}")
}

/// Every scenario of a feature in file order, with its position (from 1).
pub fn scenarios(feature: &gherkin::Feature) -> Vec<(usize, &gherkin::Scenario)> {
    let mut all: Vec<&gherkin::Scenario> = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| &r.scenarios))
        .collect();
    all.sort_by_key(|s| s.position.line);
    all.into_iter()
        .enumerate()
        .map(|(i, s)| (i + 1, s))
        .collect()
}

/// The id of `scenario` in `feature`.
pub fn id_in(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> String {
    let n = scenarios(feature)
        .into_iter()
        .find(|(_, s)| s.position == scenario.position)
        .map_or(0, |(n, _)| n);
    id_of(feature.path.as_deref(), n)
}

/// Check ids by where their scenarios stand, read from the features as parsed. cucumber
/// hands filters and events a feature whose scenario list has been filtered, so a
/// position counted there would shift; the file and line do not.
#[derive(Debug, Clone, Default)]
pub struct Ids(std::collections::HashMap<(std::path::PathBuf, usize), String>);

impl Ids {
    /// The ids of every scenario of `features`.
    pub fn of(features: &[gherkin::Feature]) -> Ids {
        let mut map = std::collections::HashMap::new();
        for f in features {
            for (_, sc) in scenarios(f) {
                if let Some(p) = &f.path {
                    map.insert((p.clone(), sc.position.line), id_in(f, sc));
                }
            }
        }
        Ids(map)
    }

    /// The id of `scenario` in `feature`.
    pub fn get(&self, feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> String {
        feature
            .path
            .as_ref()
            .and_then(|p| self.0.get(&(p.clone(), scenario.position.line)))
            .cloned()
            .unwrap_or_else(|| id_in(feature, scenario))
    }
}

/// A path relative to the working directory when it lies below it.
pub fn relative(path: Option<&Path>) -> String {
    let Some(p) = path else {
        return String::new();
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    p.strip_prefix(&cwd).unwrap_or(p).display().to_string()
}

impl CheckSpec {
    /// Reads a check from its scenario; the error names the file, line and the key
    /// that is missing or wrong.
    pub fn read(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> Result<Self, String> {
        let location = format!(
            "{}:{}",
            relative(feature.path.as_deref()),
            scenario.position.line
        );
        let fs = fields(scenario.description.as_deref().unwrap_or(""));
        let get = |k: &str| fs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone());
        let missing = |k: &str, what: &str| {
            format!(
                "{location}: check `{}` has no `{k}` line ({what})",
                scenario.name
            )
        };
        let level_line = get("Level:").ok_or_else(|| {
            missing("Level:", "`Level: must — <the spec's MUST>` or `Level: should — <SHOULD / MAY / OIDF SKIPPED>`")
        })?;
        let (word, cite) = level_line
            .split_once(['—', '-', ':'])
            .map_or((level_line.as_str(), ""), |(w, c)| (w, c));
        let level = match word.trim() {
            "must" => Level::Must,
            "should" => Level::Should,
            other => {
                return Err(format!(
                    "{location}: `Level: {other}` in check `{}`: the level is `must` or `should`",
                    scenario.name
                ));
            }
        };
        if cite.trim().is_empty() {
            return Err(format!(
                "{location}: `Level:` of check `{}` cites nothing: say which words of which spec section (or provider behaviour) set it",
                scenario.name
            ));
        }
        let ex = get("Exercised:").ok_or_else(|| {
            let words: Vec<_> = Exercise::ALL.iter().map(|(w, _)| *w).collect();
            missing("Exercised:", &format!("one of {}", words.join(", ")))
        })?;
        let exercised_by = Exercise::parse(ex.trim()).ok_or_else(|| {
            let words: Vec<_> = Exercise::ALL.iter().map(|(w, _)| *w).collect();
            format!(
                "{location}: `Exercised: {ex}` in check `{}`: expected one of {}",
                scenario.name,
                words.join(", ")
            )
        })?;
        let target = match get("Target:") {
            None => Target::App,
            Some(t) => Target::parse(t.trim()).ok_or_else(|| {
                format!(
                    "{location}: `Target: {t}` in check `{}`: expected app, cli or api",
                    scenario.name
                )
            })?,
        };
        Ok(CheckSpec {
            target,
            id: id_in(feature, scenario),
            area: id_of(feature.path.as_deref(), 0)
                .split('.')
                .next()
                .unwrap_or_default()
                .to_string(),
            name: scenario.name.clone(),
            feature: feature.name.clone(),
            location,
            tags: feature.tags.iter().chain(&scenario.tags).cloned().collect(),
            level,
            level_source: cite.trim().to_string(),
            exercised_by,
            source: get("Source:").unwrap_or_default(),
            why: get("Why:").unwrap_or_default(),
            fix: get("Fix:").unwrap_or_default(),
        })
    }

    /// Every check of the parsed features, or every problem found in them.
    pub fn read_all(features: &[gherkin::Feature]) -> Result<Vec<CheckSpec>, Vec<String>> {
        let mut checks = Vec::new();
        let mut errors = Vec::new();
        for f in features {
            for (_, sc) in scenarios(f) {
                match CheckSpec::read(f, sc) {
                    Ok(c) => checks.push(c),
                    Err(e) => errors.push(e),
                }
            }
        }
        if errors.is_empty() {
            Ok(checks)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::gherkin::GherkinEnv;

    fn parse(text: &str) -> gherkin::Feature {
        let dir = tempfile::tempdir().expect("tempdir");
        let area = dir.path().join("area");
        std::fs::create_dir_all(&area).expect("dir");
        let path = area.join("file.feature");
        std::fs::write(&path, text).expect("write");
        gherkin::Feature::parse_path(&path, GherkinEnv::default()).expect("parses")
    }

    #[test]
    fn a_check_reads_its_level_exercise_and_texts() {
        let f = parse(
            "Feature: F\n\n  Scenario: First\n    Source: Core\n\n  Scenario: Second\n    Source: OIDC Core §3.1.3.7\n    Level: should — §3.1.3.8: the client MAY check at_hash\n    Exercised: id_token\n    Why: a long\n    reason\n    Fix: do it\n    When carol signs in through the browser\n",
        );
        let all = scenarios(&f);
        assert_eq!(all.len(), 2);
        let c = CheckSpec::read(&f, all[1].1).expect("reads");
        assert_eq!(c.id, "area.file.2");
        assert_eq!(c.area, "area");
        assert_eq!(c.level, Level::Should);
        assert_eq!(c.level_source, "§3.1.3.8: the client MAY check at_hash");
        assert_eq!(c.exercised_by, Exercise::IdToken);
        assert_eq!(c.why, "a long reason");
        assert_eq!(c.fix, "do it");
        let e = CheckSpec::read(&f, all[0].1).expect_err("no level");
        assert!(e.contains("file.feature:3") && e.contains("Level:"), "{e}");
    }

    #[test]
    fn bad_levels_and_exercises_are_named() {
        let f = parse(
            "Feature: F\n  Scenario: A\n    Level: maybe — x\n    Exercised: token\n  Scenario: B\n    Level: must\n    Exercised: token\n  Scenario: C\n    Level: must — Core\n    Exercised: tokens\n",
        );
        let errors = CheckSpec::read_all(&[f]).expect_err("all wrong");
        assert!(errors[0].contains("`Level: maybe"), "{errors:?}");
        assert!(errors[1].contains("cites nothing"), "{errors:?}");
        assert!(errors[2].contains("`Exercised: tokens`"), "{errors:?}");
    }

    #[test]
    fn every_shipped_check_reads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../features");
        let features = crate::feature_set::FeatureSet::parse_all(&[dir]).expect("parse");
        let checks = CheckSpec::read_all(&features).unwrap_or_else(|e| panic!("{}", e.join("\n")));
        assert!(checks.len() >= 36, "{}", checks.len());
        let ids: std::collections::BTreeSet<_> = checks.iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), checks.len(), "ids are unique");
        for c in &checks {
            assert!(!c.source.is_empty(), "{} has no Source:", c.location);
            assert!(
                !c.why.is_empty() && !c.fix.is_empty(),
                "{} lacks Why:/Fix:",
                c.location
            );
        }
    }
}
