//! The feature files of a run as one cucumber input: several files or folders parsed
//! together, so the run's browsers stay busy across them instead of waiting at the end
//! of each folder for its last check.

use cucumber::gherkin;
use cucumber::parser::{self, Basic, Parser};
use std::path::PathBuf;

/// Parses each path with cucumber's own parser, in the order given.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureSet;

type Parsed = parser::Result<gherkin::Feature>;

impl FeatureSet {
    /// Every feature of `paths`, or the parse errors, each naming its file.
    pub fn parse_all(paths: &[PathBuf]) -> Result<Vec<gherkin::Feature>, Vec<String>> {
        let (ok, errors): (Vec<Parsed>, Vec<Parsed>) = features(paths.to_vec(), Default::default())
            .into_iter()
            .partition(Result::is_ok);
        if errors.is_empty() {
            Ok(ok.into_iter().filter_map(Result::ok).collect())
        } else {
            Err(errors
                .into_iter()
                .filter_map(Result::err)
                .map(|e| with_position(&e.to_string()))
                .collect())
        }
    }
}

/// cucumber's parse error names the file but not where in it: parsing the file again
/// with gherkin itself gives the line and column.
fn with_position(message: &str) -> String {
    const MARK: &str = "Could not parse feature file: ";
    let Some(path) = message.find(MARK).map(|i| message[i + MARK.len()..].trim()) else {
        return message.to_string();
    };
    match gherkin::Feature::parse_path(path, gherkin::GherkinEnv::default()) {
        Err(gherkin::ParseFileError::Parsing { source, .. }) => {
            format!("{path}: cannot parse the feature file: {source}")
        }
        _ => message.to_string(),
    }
}

fn features(paths: Vec<PathBuf>, cli: parser::basic::Cli) -> Vec<Parsed> {
    paths
        .into_iter()
        .flat_map(|p| Parser::parse(Basic::new(), p, cli.clone()).into_inner())
        .collect()
}

impl Parser<Vec<PathBuf>> for FeatureSet {
    type Cli = parser::basic::Cli;
    type Output = futures::stream::Iter<std::vec::IntoIter<Parsed>>;

    fn parse(self, input: Vec<PathBuf>, cli: Self::Cli) -> Self::Output {
        futures::stream::iter(features(input, cli))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn files_and_folders_parse_in_the_order_given() {
        let paths = [
            root().join("features/userinfo"),
            root().join("features/jumpcloud/state.feature"),
        ];
        let names: Vec<String> = FeatureSet::parse_all(&paths)
            .expect("the shipped features parse")
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(
            names,
            [
                "The app uses userinfo safely",
                "The app protects its callback with a strong state"
            ]
        );
    }

    #[test]
    fn a_broken_file_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bad = dir.path().join("bad.feature");
        std::fs::write(&bad, "Scenario: y without a feature\n  Given a step\n").expect("write");
        let errors = FeatureSet::parse_all(&[bad]).expect_err("does not parse");
        assert!(errors[0].contains("bad.feature"), "{errors:?}");
        assert!(
            errors[0].contains("Error at 1:"),
            "the line is named: {errors:?}"
        );
    }
}
