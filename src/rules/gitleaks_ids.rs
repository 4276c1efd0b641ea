//! leakguard ↔ gitleaks rule ids: the explicit table in `rules/gitleaks-ids.toml`.
//!
//! Design decision: the correspondence is a hand-checked table shipped with the rules (and
//! embedded at build time like them), never guessed from names: leakguard's ids follow
//! GitLab's ruleset (`github_personal_access_token`), gitleaks' default configuration has its
//! own (`github-pat`), and one gitleaks rule often covers several of ours (`private-key`
//! covers every PEM and OpenSSH key rule), so a name rewrite would be wrong in both
//! directions. A built-in rule maps to the gitleaks rules that find the same format; the
//! first one is its *primary* gitleaks id, which `--format gitleaks` reports.
//!
//! A gitleaks id is accepted wherever a rule id names rules (`.gitleaksignore`, baselines,
//! `disabledRules`, `targetRules`, GitLab ruleset identifiers) and then means every rule that
//! maps to it ([`resolve`]). A rule whose own id is the name wins: a configuration whose
//! rules carry gitleaks ids (gitleaks' own default configuration) is never redirected.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSyntax {
    gitleaks: GitleaksSyntax,
    map: BTreeMap<String, OneOrMany>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GitleaksSyntax {
    /// Where the list of gitleaks ids comes from (configuration and commit).
    #[allow(dead_code)]
    source: String,
    /// Every rule id of that gitleaks default configuration.
    ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// The parsed table.
#[derive(Debug, Default)]
pub struct GitleaksIds {
    /// leakguard id → gitleaks ids, primary first.
    to_gitleaks: HashMap<String, Vec<String>>,
    /// gitleaks id → leakguard ids, sorted.
    to_leakguard: HashMap<String, Vec<String>>,
    /// The rule ids of gitleaks' default configuration the table was made from.
    known: Vec<String>,
}

impl GitleaksIds {
    /// Parses a table in the format of `rules/gitleaks-ids.toml`.
    pub fn parse(text: &str) -> Result<GitleaksIds, String> {
        let syn: TableSyntax = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let mut to_gitleaks = HashMap::new();
        let mut to_leakguard: HashMap<String, Vec<String>> = HashMap::new();
        for (ours, theirs) in syn.map {
            let theirs = match theirs {
                OneOrMany::One(s) => vec![s],
                OneOrMany::Many(v) => v,
            };
            if theirs.is_empty() {
                return Err(format!("{ours}: no gitleaks id"));
            }
            for t in &theirs {
                to_leakguard.entry(t.clone()).or_default().push(ours.clone());
            }
            to_gitleaks.insert(ours, theirs);
        }
        for v in to_leakguard.values_mut() {
            v.sort();
        }
        Ok(GitleaksIds { to_gitleaks, to_leakguard, known: syn.gitleaks.ids })
    }

    /// The gitleaks ids of a leakguard rule, primary first (empty: no counterpart).
    pub fn gitleaks_ids(&self, leakguard_id: &str) -> &[String] {
        self.to_gitleaks.get(leakguard_id).map_or(&[], Vec::as_slice)
    }

    /// The leakguard rules a gitleaks id stands for (empty: none).
    pub fn leakguard_ids(&self, gitleaks_id: &str) -> &[String] {
        self.to_leakguard.get(gitleaks_id).map_or(&[], Vec::as_slice)
    }

    /// Every (leakguard id, gitleaks ids) pair, sorted by leakguard id.
    pub fn pairs(&self) -> Vec<(&str, &[String])> {
        let mut v: Vec<_> =
            self.to_gitleaks.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect();
        v.sort();
        v
    }

    /// The rule ids of gitleaks' default configuration the table was checked against.
    pub fn known_gitleaks_ids(&self) -> &[String] {
        &self.known
    }
}

/// The built-in table (`rules/gitleaks-ids.toml`).
pub fn table() -> &'static GitleaksIds {
    static TABLE: OnceLock<GitleaksIds> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The text is part of the binary and a unit test parses it; a broken table can only
        // come from a build that skipped the tests, and then no id is mapped.
        GitleaksIds::parse(super::builtin::GITLEAKS_IDS).unwrap_or_else(|e| {
            tracing::error!("rules/gitleaks-ids.toml: {e}");
            GitleaksIds::default()
        })
    })
}

/// The primary gitleaks id of a leakguard rule, if it has a gitleaks counterpart.
///
/// ```
/// use leakguard::rules::gitleaks_ids::primary;
/// assert_eq!(primary("github_personal_access_token"), Some("github-pat"));
/// assert_eq!(primary("github-pat"), None);
/// ```
pub fn primary(leakguard_id: &str) -> Option<&'static str> {
    table().gitleaks_ids(leakguard_id).first().map(String::as_str)
}

/// The id a gitleaks-format report gives a rule: its primary gitleaks id, else its own.
pub fn report_id(rule_id: &str) -> &str {
    primary(rule_id).unwrap_or(rule_id)
}

/// Whether `name` names the rule `rule_id`: the same id, or one of its gitleaks ids.
pub fn names(rule_id: &str, name: &str) -> bool {
    rule_id == name || table().gitleaks_ids(rule_id).iter().any(|g| g == name)
}

/// Every name that names `rule_id` ([`names`]): its own id first, then its gitleaks ids.
pub fn aliases(rule_id: &str) -> impl Iterator<Item = &str> {
    std::iter::once(rule_id).chain(table().gitleaks_ids(rule_id).iter().map(String::as_str))
}

/// The ids among `ids` that `name` refers to: `name` itself when some rule has that id,
/// else every rule whose gitleaks ids include it (empty: none).
pub fn resolve<'a>(ids: impl Iterator<Item = &'a str> + Clone, name: &str) -> Vec<&'a str> {
    if let Some(exact) = ids.clone().find(|id| *id == name) {
        return vec![exact];
    }
    ids.filter(|id| table().gitleaks_ids(id).iter().any(|g| g == name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn table_parses_and_every_id_exists_on_both_sides() {
        let t = GitleaksIds::parse(super::super::builtin::GITLEAKS_IDS).unwrap();
        assert_eq!(
            t.known_gitleaks_ids().len(),
            222,
            "gitleaks v8.30 default config has 222 rules"
        );
        let builtin = RuleSet::builtin().unwrap();
        let mut missing = Vec::new();
        for (ours, theirs) in t.pairs() {
            if builtin.find(ours).is_none() {
                missing.push(format!("leakguard id {ours} is not a built-in rule"));
            }
            for g in theirs {
                if !t.known_gitleaks_ids().contains(g) {
                    missing.push(format!("{ours}: gitleaks id {g} is not in gitleaks' list"));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
        assert!(t.pairs().len() >= 100, "only {} mapped rules", t.pairs().len());
        // The ids the migration guide names.
        for (ours, theirs) in [
            ("github_personal_access_token", "github-pat"),
            ("gitlab_personal_access_token", "gitlab-pat"),
            ("aws", "aws-access-token"),
            ("stripe_live_secret_key", "stripe-access-token"),
            ("rsa_private_key", "private-key"),
            ("generic_api_key", "generic-api-key"),
            ("json_web_token", "jwt"),
        ] {
            assert_eq!(t.gitleaks_ids(ours).first().map(String::as_str), Some(theirs), "{ours}");
        }
    }

    #[test]
    fn names_and_resolution() {
        assert!(names("github_personal_access_token", "github-pat"));
        assert!(names("github_personal_access_token", "github_personal_access_token"));
        assert!(!names("github_personal_access_token", "gitlab-pat"));
        let ids = ["rsa_private_key", "ssh_private_key", "github_personal_access_token"];
        let mut keys = resolve(ids.iter().copied(), "private-key");
        keys.sort();
        assert_eq!(keys, ["rsa_private_key", "ssh_private_key"]);
        // A rule that carries the name itself wins over the table.
        let ids = ["github-pat", "github_personal_access_token"];
        assert_eq!(resolve(ids.iter().copied(), "github-pat"), ["github-pat"]);
        assert!(resolve(ids.iter().copied(), "nope").is_empty());
        assert_eq!(report_id("github_personal_access_token"), "github-pat");
        assert_eq!(report_id("custom-rule"), "custom-rule");
    }
}
