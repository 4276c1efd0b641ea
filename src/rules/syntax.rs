//! The on-disk rule format: serde types for a TOML file that is a superset of the gitleaks
//! configuration.
//!
//! Design decision: these types mirror the *file*, not the engine. They accept both gitleaks'
//! camelCase keys (`secretGroup`, `regexTarget`, `targetRules`, `withinLines`, ...) and our own
//! snake_case extensions (`negative_examples`, `revocation_type`), keep the legacy singular
//! `[rules.allowlist]` / `[allowlist]` tables, and collect unknown keys in `extra` instead of
//! failing, so that gitleaks and GitLab files (which carry fields such as `title` or
//! `remediation`) load unchanged. Built-in rule files are held to a stricter standard: there an
//! unknown key is an error (see `RuleSet` loading), which catches typos in our own fields.
//! Validation into engine types happens in [`super::Rule`] construction, never here.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfigSyntax {
    /// Free-form title (gitleaks).
    pub title: Option<String>,
    /// Free-form description.
    pub description: Option<String>,
    /// Minimum gitleaks version the file asks for (informational).
    #[serde(rename = "minVersion", alias = "min_version")]
    pub min_version: Option<String>,
    /// `[extend]`: build on the built-in rules or another file.
    pub extend: Option<ExtendSyntax>,
    /// `[[rules]]`.
    pub rules: Vec<RuleSyntax>,
    /// Legacy global `[allowlist]`.
    pub allowlist: Option<AllowlistSyntax>,
    /// Global `[[allowlists]]` (may carry `targetRules`).
    pub allowlists: Vec<AllowlistSyntax>,
    /// The provider table (leakguard extension): one line per provider whose keys are found
    /// by context only; compiled into rules by `rules::context`.
    pub providers: Vec<ProviderSyntax>,
    /// Keys we do not know; kept so callers can warn about them.
    #[serde(flatten)]
    pub extra: BTreeMap<String, toml::Value>,
}

/// `[extend]` table.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExtendSyntax {
    /// Extend the built-in rule set.
    #[serde(rename = "useDefault", alias = "use_default")]
    pub use_default: bool,
    /// Extend another configuration file (relative to this file).
    pub path: Option<String>,
    /// Remote configuration (not fetched; rejected with a clear error).
    pub url: Option<String>,
    /// Rule ids of the extended configuration to drop.
    #[serde(rename = "disabledRules", alias = "disabled_rules")]
    pub disabled_rules: Vec<String>,
}

/// One `[[rules]]` entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RuleSyntax {
    /// Unique rule id (GitLab's id where GitLab has the same rule).
    pub id: String,
    /// Human description; also the GitLab vulnerability `name`.
    pub description: Option<String>,
    /// Detection regex (Go RE2 syntax is accepted and translated).
    pub regex: Option<String>,
    /// Capture group holding the secret; default: first non-empty group, else the whole match.
    #[serde(rename = "secretGroup", alias = "secret_group")]
    pub secret_group: Option<usize>,
    /// Shannon entropy the secret must exceed.
    pub entropy: Option<f64>,
    /// Prefilter keywords (matched ASCII case-insensitively).
    pub keywords: Vec<String>,
    /// Regex on the file path; alone, it makes a path-only rule.
    pub path: Option<String>,
    /// Tags copied to findings.
    pub tags: Vec<String>,
    /// Auxiliary rule used only through `[[rules.required]]`.
    #[serde(rename = "skipReport", alias = "skip_report")]
    pub skip_report: bool,
    /// `[[rules.allowlists]]`.
    pub allowlists: Vec<AllowlistSyntax>,
    /// Legacy `[rules.allowlist]`.
    pub allowlist: Option<AllowlistSyntax>,
    /// `[[rules.required]]`: companion rules that must match nearby.
    pub required: Vec<RequiredSyntax>,
    /// Strings that must produce a finding of this rule (leakguard extension).
    pub examples: Vec<String>,
    /// Strings that must not produce a finding of this rule (leakguard extension).
    pub negative_examples: Vec<String>,
    /// Name of an offline validator from the `check` module (leakguard extension).
    pub check: Option<String>,
    /// `low`, `medium` or `high` (leakguard extension).
    pub confidence: Option<String>,
    /// `Critical`, `High`, `Medium`, `Low`, `Info` or `Unknown` (leakguard extension).
    pub severity: Option<String>,
    /// Revocation type for the Token Revocation API (leakguard extension).
    pub revocation_type: Option<String>,
    /// The provider's read-only endpoint that confirms a key, for live validation
    /// (`--validate`): `GET|HEAD https://host/path` with `{secret}` where the key goes (path or
    /// query), then ` bearer`, ` token`, ` basic` or ` header=Name`, and optionally
    /// ` active=CODES`, ` inactive=CODES`, ` identity=/json/pointer`, ` ok=/json/pointer`
    /// (leakguard extension; see `docs/VALIDATION.md`).
    pub verify: Option<String>,
    /// Unknown keys (GitLab's `title`, `remediation`, typos, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, toml::Value>,
}

/// An allowlist table, per rule or global.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AllowlistSyntax {
    /// Free-form description.
    pub description: Option<String>,
    /// `OR` (default) or `AND` across the criteria kinds.
    pub condition: Option<String>,
    /// Commit shas.
    pub commits: Vec<String>,
    /// Path regexes.
    pub paths: Vec<String>,
    /// Regexes applied to `regexTarget`.
    pub regexes: Vec<String>,
    /// `secret` (default), `match` or `line`.
    #[serde(rename = "regexTarget", alias = "regex_target")]
    pub regex_target: Option<String>,
    /// Substrings of the secret that allow it.
    pub stopwords: Vec<String>,
    /// Global allowlists only: restrict to these rule ids.
    #[serde(rename = "targetRules", alias = "target_rules")]
    pub target_rules: Vec<String>,
    /// Unknown keys.
    #[serde(flatten)]
    pub extra: BTreeMap<String, toml::Value>,
}

/// `[[rules.required]]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequiredSyntax {
    /// Id of the companion rule.
    pub id: String,
    /// The companion must start within this many lines.
    #[serde(rename = "withinLines", alias = "within_lines")]
    pub within_lines: Option<usize>,
    /// The companion must start within this many columns.
    #[serde(rename = "withinColumns", alias = "within_columns")]
    pub within_columns: Option<usize>,
}

/// One line of a `providers` table (see `rules::context`). Unknown keys are errors, since
/// the table is our own format.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderSyntax {
    /// Rule id.
    pub id: String,
    /// Provider display name.
    pub name: String,
    /// Lowercase identifier spellings; `_` between words is an optional separator.
    pub names: Vec<String>,
    /// Value alphabet: `hex`, `HEX`, `hex_any`, `alnum`, `lower_alnum`, `upper_alnum`,
    /// `base64url`, `base64`, `digits` or `uuid`.
    pub alphabet: String,
    /// Value length: an integer or a range `'min-max'` (not needed for `uuid`).
    pub length: Option<toml::Value>,
    /// A literal every value starts with (not counted in `length`).
    pub prefix: Option<String>,
    /// What the value is (`API key` by default); used in the description.
    pub kind: Option<String>,
    /// Confidence (default `medium`).
    pub confidence: Option<String>,
    /// Severity (default `High`).
    pub severity: Option<String>,
    /// Extra tags (every context rule has `context`).
    pub tags: Vec<String>,
    /// Revocation type, when the provider takes revocation requests.
    pub revocation_type: Option<String>,
    /// Validation endpoint, as [`RuleSyntax::verify`].
    pub verify: Option<String>,
}
