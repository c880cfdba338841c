//! `stickler checks`: every check in the feature files, with its id, area, tags and the
//! spec or vendor source it comes from, so people can choose what to run (`--tags`).

use crate::cli::ChecksArgs;
use crate::exit;
use cucumber::gherkin::{Feature, GherkinEnv};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One check as listed.
#[derive(Debug, Serialize)]
pub struct CheckInfo {
    /// `<area>.<file stem>.<n>`: area folder, feature file, position in the file.
    pub id: String,
    /// The folder under `features/`.
    pub area: String,
    /// Scenario name.
    pub name: String,
    /// Tags (feature and scenario), without `@`.
    pub tags: Vec<String>,
    /// The `Source:` line of the description.
    pub source: String,
    /// `file:line`.
    pub location: String,
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            feature_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "feature") {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads every check below `dir`.
pub fn collect(dir: &Path) -> Result<Vec<CheckInfo>, String> {
    let mut files = Vec::new();
    feature_files(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut checks = Vec::new();
    for f in files {
        let feature = Feature::parse_path(&f, GherkinEnv::default())
            .map_err(|e| format!("{}: {e}", f.display()))?;
        let area = f
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let scenarios = feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| &r.scenarios));
        for (i, sc) in scenarios.enumerate() {
            let desc = sc.description.clone().unwrap_or_default();
            let source = desc
                .lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix("Source:"))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            checks.push(CheckInfo {
                id: format!("{area}.{stem}.{}", i + 1),
                area: area.clone(),
                name: sc.name.clone(),
                tags: feature.tags.iter().chain(&sc.tags).cloned().collect(),
                source,
                location: format!("{}:{}", f.display(), sc.position.line),
            });
        }
    }
    Ok(checks)
}

/// Runs the command; returns the exit code.
pub fn run(args: ChecksArgs) -> u8 {
    let checks = match collect(&args.features) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&checks) {
            Ok(s) => say!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::ENVIRONMENT;
            }
        }
        return exit::OK;
    }
    for c in &checks {
        let tags: Vec<String> = c.tags.iter().map(|t| format!("@{t}")).collect();
        say!("{:<28} {}", c.id, c.name);
        say!("{:<28} tags {}  ·  {}", "", tags.join(" "), c.location);
        if !c.source.is_empty() {
            say!("{:<28} source: {}", "", c.source);
        }
    }
    say!("\n{} checks", checks.len());
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_check_has_a_source_why_and_fix() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../features");
        let checks = collect(&dir).unwrap();
        assert!(checks.len() >= 12, "{}", checks.len());
        for c in &checks {
            assert!(!c.source.is_empty(), "{} has no Source: line", c.location);
        }
        let ids: std::collections::BTreeSet<_> = checks.iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), checks.len(), "ids are unique");
    }
}
