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
    /// A strict reader (bugs `groups-array-only`, `groups-string-only`) met the other
    /// shape: serde's own text, as the unhandled deserialisation error a real app shows.
    #[error("{0}")]
    Strict(String),
}

/// Which shapes of the groups claim the app reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupsShape {
    /// A string (one group) or an array (several): the correct app.
    Either,
    /// Only an array (bug `groups-array-only`).
    ArrayOnly,
    /// Only a string (bug `groups-string-only`).
    StringOnly,
}

/// The groups in `value` (the claim `claim`, absent or null meaning none), read as
/// `shape` says.
pub fn read_groups(
    claim: &str,
    value: Option<&Value>,
    shape: GroupsShape,
) -> Result<Vec<String>, GroupsError> {
    let value = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(v) => v,
    };
    let strict = |e: serde_json::Error| GroupsError::Strict(e.to_string());
    match shape {
        GroupsShape::ArrayOnly => return Vec::<String>::deserialize(value).map_err(strict),
        GroupsShape::StringOnly => {
            return String::deserialize(value).map(|g| vec![g]).map_err(strict);
        }
        GroupsShape::Either => {}
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
            read_groups("memberOf", Some(&json!("Engineering")), GroupsShape::Either).unwrap(),
            ["Engineering"]
        );
    }

    #[test]
    fn an_array_is_several_groups() {
        let v = json!(["Engineering", "Admins"]);
        assert_eq!(
            read_groups("memberOf", Some(&v), GroupsShape::Either).unwrap(),
            ["Engineering", "Admins"]
        );
        assert_eq!(
            read_groups("memberOf", Some(&v), GroupsShape::ArrayOnly).unwrap(),
            ["Engineering", "Admins"]
        );
    }

    #[test]
    fn missing_or_null_is_no_group() {
        assert!(
            read_groups("groups", None, GroupsShape::Either)
                .unwrap()
                .is_empty()
        );
        assert!(
            read_groups("groups", Some(&Value::Null), GroupsShape::ArrayOnly)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn other_shapes_are_refused_not_guessed() {
        let e = read_groups("groups", Some(&json!({"a": 1})), GroupsShape::Either).unwrap_err();
        assert!(e.to_string().contains("neither a string nor a list"), "{e}");
        assert!(read_groups("groups", Some(&json!(["a", 1])), GroupsShape::Either).is_err());
    }

    #[test]
    fn the_strict_reader_fails_on_a_single_string() {
        let e = read_groups(
            "memberOf",
            Some(&json!("Engineering")),
            GroupsShape::ArrayOnly,
        )
        .unwrap_err();
        assert!(e.to_string().contains("invalid type: string"), "{e}");
        assert!(e.to_string().contains("expected a sequence"), "{e}");
    }

    #[test]
    fn the_string_reader_fails_on_several_groups() {
        let e = read_groups(
            "memberOf",
            Some(&json!(["Engineering", "Admins"])),
            GroupsShape::StringOnly,
        )
        .unwrap_err();
        assert!(e.to_string().contains("invalid type: sequence"), "{e}");
        assert_eq!(
            read_groups(
                "memberOf",
                Some(&json!("Engineering")),
                GroupsShape::StringOnly
            )
            .unwrap(),
            ["Engineering"]
        );
    }
}
