//! The IdP config file (TOML): tenants with their profile, quirk overrides, clients and
//! users. Unknown keys and bad values are errors naming the file, line and key.

use crate::model::TenantSpec;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// TOML syntax, an unknown key or a bad value.
    #[error("{file}:{line}: {key}{message}")]
    Parse {
        /// The file.
        file: PathBuf,
        /// 1-based line of the offending key or value.
        line: usize,
        /// "key `x`: " when the key is known.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The file has no tenant.
    #[error("{0}: declares no [[tenant]]")]
    Empty(PathBuf),
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `[[tenant]]` tables.
    #[serde(rename = "tenant")]
    pub tenants: Vec<TenantSpec>,
}

/// Reads and parses a config file.
pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parses config text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let (line, key) = locate(text, &e);
        ConfigError::Parse {
            file: path.to_path_buf(),
            line,
            key,
            message: e.message().trim().to_string(),
        }
    })?;
    if file.tenants.is_empty() {
        return Err(ConfigError::Empty(path.to_path_buf()));
    }
    Ok(file)
}

/// Where a TOML error is: its 1-based line, and `key `x`: ` when the offending key is
/// on that line and the message does not already name it.
pub fn locate(text: &str, e: &toml::de::Error) -> (usize, String) {
    let Some(span) = e.span() else {
        return (1, String::new());
    };
    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let key = line_text
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !e.message().contains(&format!("`{k}`")))
        .map(|k| format!("key `{k}`: "))
        .unwrap_or_default();
    (line, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(Path::new("idp.toml"), text).unwrap_err().to_string()
    }

    #[test]
    fn unknown_keys_name_file_line_and_key() {
        let e = err("[[tenant]]\nname = \"a\"\nprofil = \"jumpcloud\"\n");
        assert!(e.starts_with("idp.toml:3: unknown field `profil`"), "{e}");
        let e = err("[[tenant]]\n[tenant.quirks]\nmin_state_lenght = 3\n");
        assert!(
            e.starts_with("idp.toml:3: unknown field `min_state_lenght`"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = err("[[tenant]]\n[tenant.quirks]\nmin_state_length = \"eight\"\n");
        assert!(
            e.starts_with("idp.toml:3: key `min_state_length`: invalid type"),
            "{e}"
        );
        let e = err("[[tenant]]\nprofile = \"octa\"\n");
        assert!(
            e.contains("idp.toml:2: key `profile`: unknown variant `octa`"),
            "{e}"
        );
    }

    #[test]
    fn a_full_file_parses() {
        let f = parse(
            Path::new("x"),
            r#"
[[tenant]]
name = "default"
profile = "jumpcloud"
[tenant.quirks]
min_state_length = 0
[[tenant.client]]
client_id = "app"
client_secret = "s"
token_endpoint_auth_method = "client_secret_basic"
redirect_uris = ["http://127.0.0.1:3000/cb"]
groups = ["Eng"]
[[tenant.user]]
username = "alice"
groups = ["Eng"]
claims = { department = "R&D", employee_id = 42 }
"#,
        )
        .unwrap();
        assert_eq!(f.tenants[0].clients[0].client_id.as_deref(), Some("app"));
        assert_eq!(f.tenants[0].quirks.min_state_length, Some(0));
        let claims = &f.tenants[0].users[0].claims;
        assert_eq!(claims["department"], "R&D");
        assert_eq!(claims["employee_id"], 42);
    }
}
