//! GitLab's custom ruleset file, `.gitlab/secret-detection-ruleset.toml`.
//!
//! Design decision: the file is honoured exactly as GitLab's analyzer reads it, so projects
//! that already carry one keep their behaviour when they switch scanners. Passthroughs of
//! type `raw` and `file` produce a gitleaks configuration (applied in order; `mode =
//! "append"` concatenates, `overwrite` — the default — replaces) that either extends the
//! built-in rules (`[extend] path = "/gitleaks.toml"` or `useDefault = true`) or replaces
//! them. `[[secrets.ruleset]]` entries then disable or override rules by their primary
//! identifier, which may also be a gitleaks rule id (`github-pat`, see
//! [`super::gitleaks_ids`]): it then applies to every built-in rule that id stands for.
//! Remote passthroughs (`git`, `url`) need network access and are reported as
//! unsupported rather than silently skipped.
//!
//! The file lives in the scanned repository, so it is untrusted input: the file itself and
//! every `file` passthrough must resolve inside the repository ([`super::confine`]), and
//! errors name the file, position and field without quoting its content.

use std::path::Path;

use serde::Deserialize;

use super::confine::ConfinedRoot;
use super::{Error, ErrorKind, RuleSet, Severity, quoted};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FileSyntax {
    secrets: SecretsSyntax,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SecretsSyntax {
    ruleset: Vec<RulesetSyntax>,
    passthrough: Vec<PassthroughSyntax>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RulesetSyntax {
    disable: bool,
    identifier: IdentifierSyntax,
    #[serde(rename = "override")]
    override_: Option<OverrideSyntax>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdentifierSyntax {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OverrideSyntax {
    name: Option<String>,
    description: Option<String>,
    message: Option<String>,
    severity: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PassthroughSyntax {
    #[serde(rename = "type")]
    kind: String,
    target: Option<String>,
    mode: Option<String>,
    value: String,
}

/// A loaded ruleset file.
#[derive(Debug, Default)]
pub struct GitlabRuleset {
    origin: String,
    syntax: FileSyntax,
}

impl GitlabRuleset {
    /// The conventional location inside a repository.
    pub const PATH: &'static str = ".gitlab/secret-detection-ruleset.toml";

    /// Parses the file.
    pub fn load(path: &Path) -> Result<GitlabRuleset, Error> {
        Self::load_from(&path.display().to_string(), path)
    }

    /// Loads `<repo_root>/.gitlab/secret-detection-ruleset.toml` if there is one; a file
    /// that resolves outside `repo_root` (a symlink) is refused.
    pub fn load_in(repo_root: &Path) -> Result<Option<GitlabRuleset>, Error> {
        let path = repo_root.join(Self::PATH);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        let origin = path.display().to_string();
        let root = ConfinedRoot::new(repo_root)
            .map_err(|e| Error::new(&origin, None, None, ErrorKind::Io(e)))?;
        let canonical = root
            .check(&path)
            .map_err(|e| Error::new(&origin, None, None, ErrorKind::Confined(e)))?;
        Self::load_from(&origin, &canonical).map(Some)
    }

    fn load_from(origin: &str, path: &Path) -> Result<GitlabRuleset, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(origin, None, None, ErrorKind::Io(e)))?;
        let syntax = toml::from_str(&text).map_err(|e| super::toml_error(origin, &text, &e))?;
        Ok(GitlabRuleset { origin: origin.to_string(), syntax })
    }

    /// The gitleaks configuration the passthroughs produce, if any. `repo_root` resolves
    /// `file` passthrough paths, which must stay inside it: absolute paths, `..` escapes and
    /// symlinks out of the root are refused.
    pub fn passthrough_config(&self, repo_root: &Path) -> Result<Option<String>, Error> {
        let mut config: Option<String> = None;
        for (i, p) in self.syntax.secrets.passthrough.iter().enumerate() {
            let err = |m: String| {
                Error::new(
                    &self.origin,
                    None,
                    Some("secrets.passthrough"),
                    ErrorKind::Value(format!("entry {}: {m}", i + 1)),
                )
            };
            if p.target.as_deref().is_some_and(|t| !t.ends_with(".toml")) {
                return Err(err("target is not a TOML gitleaks configuration".into()));
            }
            let text = match p.kind.as_str() {
                "raw" => p.value.clone(),
                "file" => {
                    let root = ConfinedRoot::new(repo_root)
                        .map_err(|e| Error::new(&self.origin, None, None, ErrorKind::Io(e)))?;
                    let path = root.resolve_value(root.path(), &p.value).map_err(|e| {
                        let mut e = Error::new(&self.origin, None, None, ErrorKind::Confined(e));
                        e.key = Some(format!("secrets.passthrough[{}].value", i + 1).into());
                        e
                    })?;
                    std::fs::read_to_string(&path)
                        .map_err(|e| err(format!("type \"file\": cannot read: {e}")))?
                }
                "git" | "url" => {
                    return Err(err(
                        "types \"git\" and \"url\" need network access, which leakguard does \
                         not use; vendor the file and use type \"file\""
                            .into(),
                    ));
                }
                _ => return Err(err("unknown type (use raw or file)".into())),
            };
            config = Some(match (config, p.mode.as_deref()) {
                (Some(prev), Some("append")) => format!("{prev}\n{text}"),
                (_, None | Some("overwrite") | Some("append")) => text,
                (_, Some(_)) => {
                    return Err(err("unknown mode (use overwrite or append)".into()));
                }
            });
        }
        Ok(config)
    }

    /// Applies `disable` and `override` entries. Returns warnings (unknown rule ids,
    /// identifier types other than `gitleaks_rule_id`); disabling every rule is an error.
    pub fn apply(&self, set: &mut RuleSet) -> Result<Vec<String>, Error> {
        let mut warnings = Vec::new();
        let mut disabled = Vec::new();
        for entry in &self.syntax.secrets.ruleset {
            let id = &entry.identifier;
            if id.kind != "gitleaks_rule_id" {
                warnings.push(format!(
                    "{}: identifier type {} is not gitleaks_rule_id; entry ignored",
                    self.origin,
                    quoted(&id.kind)
                ));
                continue;
            }
            if entry.disable {
                disabled.push(id.value.clone());
                continue;
            }
            let Some(ov) = &entry.override_ else { continue };
            // A gitleaks id (`github-pat`) overrides every rule it stands for.
            let targets = set.resolve(&id.value);
            if targets.is_empty() {
                warnings.push(format!(
                    "{}: no rule {} to override",
                    self.origin,
                    quoted(&id.value)
                ));
                continue;
            }
            let severity = match &ov.severity {
                None => None,
                Some(s) => Some(Severity::parse(s).ok_or_else(|| {
                    Error::new(
                        &self.origin,
                        Some(&id.value),
                        Some("override.severity"),
                        ErrorKind::Value(
                            "not one of Critical, High, Medium, Low, Info or Unknown".into(),
                        ),
                    )
                })?),
            };
            for target in &targets {
                let Some(rule) = set.rule_mut(target) else { continue };
                if let Some(name) = ov.name.as_ref().filter(|n| !n.is_empty()) {
                    rule.description = name.clone();
                }
                if let Some(d) =
                    ov.description.as_ref().or(ov.message.as_ref()).filter(|d| !d.is_empty())
                {
                    rule.report_description = Some(d.clone());
                }
                if let Some(s) = severity {
                    rule.severity = s;
                }
            }
        }
        for unknown in set.disable(&disabled) {
            warnings.push(format!("{}: no rule {} to disable", self.origin, quoted(&unknown)));
        }
        // As for any configuration: one that leaves nothing to report is an error, never a
        // scan that checks nothing.
        if set.rules().iter().all(|r| r.skip_report) {
            return Err(Error::new(&self.origin, None, None, ErrorKind::NoRules));
        }
        // `disable` reindexed the set; overrides change nothing the index or digest holds.
        Ok(warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSetBuilder;

    #[test]
    fn disable_override_and_passthrough() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".gitlab")).unwrap();
        std::fs::write(
            dir.path().join("extra.toml"),
            "[[rules]]\nid = \"acme\"\nregex = 'acme_[a-z]{8}'\nkeywords = [\"acme_\"]\n",
        )
        .unwrap();
        let p = dir.path().join(GitlabRuleset::PATH);
        std::fs::write(
            &p,
            r#"
[secrets]
[[secrets.ruleset]]
disable = true
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "github_personal_access_token"

[[secrets.ruleset]]
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "gitlab_personal_access_token"
[secrets.ruleset.override]
name = "Leaked GitLab PAT"
severity = "Medium"

[[secrets.passthrough]]
type = "raw"
target = "gitleaks.toml"
value = """
[extend]
path = "/gitleaks.toml"
"""

[[secrets.passthrough]]
type = "file"
target = "gitleaks.toml"
mode = "append"
value = "extra.toml"
"#,
        )
        .unwrap();
        let rs = GitlabRuleset::load(&p).unwrap();
        let cfg = rs.passthrough_config(dir.path()).unwrap().unwrap();
        let mut set = RuleSetBuilder::new().config_text("passthrough", &cfg).build().unwrap();
        assert!(set.find("acme").is_some(), "appended rule present");
        assert!(set.find("github_personal_access_token").is_some(), "extends the built-in rules");
        let warnings = rs.apply(&mut set).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(set.find("github_personal_access_token").is_none());
        let pat = set.get(set.find("gitlab_personal_access_token").unwrap());
        assert_eq!(pat.description, "Leaked GitLab PAT");
        assert_eq!(pat.severity, Severity::Medium);
    }
}
