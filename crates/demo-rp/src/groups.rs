//! The groups claim: its name is configurable and its shape varies (JumpCloud sends a
//! string for one group and an array for several), so the correct app accepts both.

use serde::Deserialize;
use serde_json::Value;

/// Why a groups claim could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupsError {
    /// The lenient reader met something that is neither a string nor a list of them.
    #[error("the `{claim}` claim is neither a string nor a list of strings: {found}")]
    Shape {
        /// The claim's name.
        claim: String,
        /// The value found, as JSON.
        found: String,
    },
    /// The strict reader (bug `groups-array-only`) met anything but an array: serde's
    /// own text, as the unhandled deserialisation error a real app would show.
    #[error("{0}")]
    Strict(String),
}

/// The groups in `value` (the claim `claim`, absent or null meaning none). `strict`
/// copies apps that only accept an array (bug `groups-array-only`).
pub fn read_groups(
    claim: &str,
    value: Option<&Value>,
    strict: bool,
) -> Result<Vec<String>, GroupsError> {
    let value = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(v) => v,
    };
    if strict {
        return Vec::<String>::deserialize(value).map_err(|e| GroupsError::Strict(e.to_string()));
    }
    let shape = || GroupsError::Shape {
        claim: claim.to_string(),
        found: value.to_string(),
    };
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string).ok_or_else(shape))
            .collect(),
        _ => Err(shape()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_string_is_one_group() {
        assert_eq!(
            read_groups("memberOf", Some(&json!("Engineering")), false).unwrap(),
            ["Engineering"]
        );
    }

    #[test]
    fn an_array_is_several_groups() {
        let v = json!(["Engineering", "Admins"]);
        assert_eq!(
            read_groups("memberOf", Some(&v), false).unwrap(),
            ["Engineering", "Admins"]
        );
        assert_eq!(
            read_groups("memberOf", Some(&v), true).unwrap(),
            ["Engineering", "Admins"]
        );
    }

    #[test]
    fn missing_or_null_is_no_group() {
        assert!(read_groups("groups", None, false).unwrap().is_empty());
        assert!(
            read_groups("groups", Some(&Value::Null), true)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn other_shapes_are_refused_not_guessed() {
        let e = read_groups("groups", Some(&json!({"a": 1})), false).unwrap_err();
        assert!(e.to_string().contains("neither a string nor a list"), "{e}");
        assert!(read_groups("groups", Some(&json!(["a", 1])), false).is_err());
    }

    #[test]
    fn the_strict_reader_fails_on_a_single_string() {
        let e = read_groups("memberOf", Some(&json!("Engineering")), true).unwrap_err();
        assert!(e.to_string().contains("invalid type: string"), "{e}");
        assert!(e.to_string().contains("expected a sequence"), "{e}");
    }
}
