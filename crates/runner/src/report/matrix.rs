//! The compatibility matrix of `stickler run --profiles`: which of the app's checks each
//! IdP profile runs, one cell per profile (works / breaks, with the first cause), and its
//! console, JSON and HTML views. Each cell links to that profile's own report.

use super::{CheckRecord, Counts};
use crate::verdict::Verdict;
use maud::{DOCTYPE, html};
use serde::Serialize;
use std::path::{Path, PathBuf};
use stickler_idp::Profile;

/// Parses `--profiles`: `all`, or names separated by commas.
pub fn parse_profiles(text: &str) -> Result<Vec<Profile>, String> {
    if text.trim() == "all" {
        return Ok(Profile::ALL.to_vec());
    }
    let mut out = Vec::new();
    for name in text.split(',').map(str::trim) {
        let p: Profile = name.parse()?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err("--profiles names no profile".into());
    }
    Ok(out)
}

/// The feature paths a profile runs: a folder (or a file in a folder) named after a
/// profile (`features/jumpcloud`, `features/okta`) belongs to that profile only; every
/// other path (`features/id_token`, ...) is about OpenID Connect itself and runs for all.
pub fn features_for(profile: Profile, features: &[PathBuf]) -> Vec<PathBuf> {
    features
        .iter()
        .filter(|f| match vendor_of(f) {
            Some(owner) => owner == profile,
            None => true,
        })
        .cloned()
        .collect()
}

fn vendor_of(path: &Path) -> Option<Profile> {
    path.components()
        .filter_map(|c| c.as_os_str().to_str())
        .find_map(|c| c.parse::<Profile>().ok())
}

/// How the app fared with one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fare {
    /// No check failed and at least one passed.
    Works,
    /// At least one check failed.
    Breaks,
    /// Nothing failed, but some checks never reached their subject (often: the app
    /// could not sign in far enough), so "works" is not proven.
    Unproven,
    /// No check runs for this profile.
    Untested,
}

/// One check of a cell.
#[derive(Debug, Clone, Serialize)]
pub struct CellCheck {
    /// The check id.
    pub id: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// The link to it in the profile's report, relative to the matrix page.
    pub link: String,
}

/// One profile's column of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The profile.
    pub profile: Profile,
    /// Works, breaks or untested.
    pub fare: Fare,
    /// The first failed check and why, when it breaks.
    pub first_cause: Option<String>,
    /// The profile's report, relative to the matrix page.
    pub report: String,
    /// Every check run for the profile.
    pub checks: Vec<CellCheck>,
}

impl Cell {
    /// The cell of a profile's run.
    pub fn of(profile: Profile, records: &[CheckRecord]) -> Cell {
        let counts = Counts::of(records);
        let fare = if counts.failed > 0 {
            Fare::Breaks
        } else if counts.not_exercised > 0 || counts.passed == 0 {
            Fare::Unproven
        } else {
            Fare::Works
        };
        let first_cause = records
            .iter()
            .find(|r| r.verdict == Verdict::Failed)
            .or_else(|| records.iter().find(|r| r.verdict == Verdict::NotExercised))
            .map(|r| {
                let reason = r.reason.as_deref().unwrap_or("");
                format!(
                    "{}: {}: {}",
                    r.spec.id,
                    r.verdict.words(),
                    reason.lines().next().unwrap_or("")
                )
            });
        Cell {
            profile,
            fare,
            first_cause,
            report: format!("{profile}/index.html"),
            checks: records
                .iter()
                .map(|r| CellCheck {
                    id: r.spec.id.clone(),
                    verdict: r.verdict,
                    link: format!("{profile}/index.html#check-{}", r.spec.id),
                })
                .collect(),
        }
    }

    /// A profile with no check to run.
    pub fn untested(profile: Profile) -> Cell {
        Cell {
            profile,
            fare: Fare::Untested,
            first_cause: Some("no check runs for this profile".into()),
            report: String::new(),
            checks: Vec::new(),
        }
    }

    fn label(&self) -> &'static str {
        match self.fare {
            Fare::Works => "works",
            Fare::Breaks => "breaks",
            Fare::Unproven => "unproven",
            Fare::Untested => "untested",
        }
    }
}

/// The matrix: one app, one cell per profile.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// The app's name (the scenario file's `name`).
    pub app: String,
    /// The cells, in `--profiles` order.
    pub profiles: Vec<Cell>,
}

impl Matrix {
    /// Whether any profile breaks the app.
    pub fn breaks(&self) -> bool {
        self.profiles.iter().any(|c| c.fare == Fare::Breaks)
    }

    /// The console table: a row per profile.
    pub fn console(&self) -> String {
        let width = self
            .profiles
            .iter()
            .map(|c| c.profile.name().len())
            .max()
            .unwrap_or(0);
        let mut out = format!("Compatibility matrix: {}\n", self.app);
        for c in &self.profiles {
            let mark = match c.fare {
                Fare::Works => "✓",
                Fare::Breaks => "✗",
                Fare::Unproven => "?",
                Fare::Untested => "-",
            };
            let mut line = format!("  {mark} {:<width$}  {:<8}", c.profile.name(), c.label());
            if let Some(cause) = c.first_cause.as_ref().filter(|_| c.fare != Fare::Works) {
                line.push_str(&format!("  {cause}"));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Writes the JSON view.
    pub fn write_json(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")
    }

    /// Writes the HTML view: the table, each cell linking to its checks.
    pub fn write_html(&self, path: &Path) -> std::io::Result<()> {
        let page = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { "Stickler compatibility matrix: " (self.app) }
                    style { "body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}.works{background:#e6f4ea}.breaks{background:#fce8e6}.unproven{background:#fef7e0}.untested{background:#f1f3f4}ul{margin:.3rem 0 0 1rem;padding:0}" }
                }
                body {
                    h1 { "Compatibility matrix" }
                    table id="matrix" {
                        tr {
                            th { "app" }
                            @for c in &self.profiles { th { (c.profile.name()) } }
                        }
                        tr {
                            th { (self.app) }
                            @for c in &self.profiles {
                                td class=(c.label()) data-profile=(c.profile.name()) data-fare=(c.label()) {
                                    @if c.report.is_empty() {
                                        strong { (c.label()) }
                                    } @else {
                                        a href=(c.report) { strong { (c.label()) } }
                                    }
                                    @if let Some(cause) = c.first_cause.as_ref().filter(|_| c.fare != Fare::Works) {
                                        p class="cause" { (cause) }
                                    }
                                    ul {
                                        @for k in &c.checks {
                                            li { a href=(k.link) { code { (k.id) } } " " (k.verdict.words()) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, page.into_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_as_all_or_a_list() {
        assert_eq!(parse_profiles("all").unwrap().len(), Profile::ALL.len());
        assert_eq!(
            parse_profiles("okta, jumpcloud,okta").unwrap(),
            vec![Profile::Okta, Profile::Jumpcloud]
        );
        assert!(
            parse_profiles("okta,octa")
                .unwrap_err()
                .contains("unknown profile `octa`")
        );
    }

    #[test]
    fn a_cell_breaks_on_a_failure_and_works_only_when_every_check_was_exercised() {
        let all = super::super::fixtures::records();
        let of = |keep: &[Verdict]| {
            let rs: Vec<CheckRecord> = all
                .iter()
                .filter(|r| keep.contains(&r.verdict))
                .cloned()
                .collect();
            Cell::of(Profile::Okta, &rs)
        };
        let c = of(&[Verdict::Passed, Verdict::Failed, Verdict::NotExercised]);
        assert_eq!(c.fare, Fare::Breaks);
        assert!(c.first_cause.unwrap().contains(": failed: "));
        let c = of(&[Verdict::Passed, Verdict::NotExercised]);
        assert_eq!(c.fare, Fare::Unproven);
        assert!(c.first_cause.unwrap().contains(": not exercised: "));
        let c = of(&[Verdict::Passed, Verdict::NotApplicable]);
        assert_eq!(c.fare, Fare::Works);
        assert!(
            c.checks
                .iter()
                .all(|k| k.link.starts_with("okta/index.html#check-"))
        );
    }

    #[test]
    fn vendor_folders_run_for_their_profile_only() {
        let f: Vec<PathBuf> = [
            "../features/jumpcloud",
            "../features/id_token",
            "features/okta/client_auth.feature",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(
            features_for(Profile::Okta, &f),
            vec![
                PathBuf::from("../features/id_token"),
                PathBuf::from("features/okta/client_auth.feature")
            ]
        );
        assert_eq!(
            features_for(Profile::Google, &f),
            vec![PathBuf::from("../features/id_token")]
        );
    }
}
