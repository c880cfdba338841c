//! `stickler checks`: every check in the feature files, with its id, level and the spec
//! words behind it, what must happen for it to count, its tags and its source, so people
//! can choose what to run (`--check`, `--tags`).

use crate::check::CheckSpec;
use crate::cli::ChecksArgs;
use crate::exit;
use crate::feature_set::FeatureSet;
use std::path::Path;

/// Reads every check below `dir`.
pub fn collect(dir: &Path) -> Result<Vec<CheckSpec>, String> {
    if !dir.exists() {
        return Err(format!("{} does not exist", dir.display()));
    }
    let features = FeatureSet::parse_all(&[dir.to_path_buf()]).map_err(|e| e.join("\n"))?;
    CheckSpec::read_all(&features).map_err(|e| e.join("\n"))
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
        say!("{:<28} level {} — {}", "", c.level, c.level_source);
        say!(
            "{:<28} target: {}  ·  exercised: {}  ·  tags {}  ·  {}",
            "",
            c.target,
            c.exercised_by.keyword(),
            tags.join(" "),
            c.location
        );
        if !c.source.is_empty() {
            say!("{:<28} source: {}", "", c.source);
        }
    }
    say!("\n{} checks", checks.len());
    exit::OK
}
