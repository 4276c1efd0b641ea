//! The rule model: what a rule is, how rule files load, and the built-in rule set.
//!
//! Design decision: the file format ([`syntax`]) is a superset of the gitleaks configuration,
//! and everything a file says is validated here, once, into [`Rule`]s whose regexes, paths and
//! allowlists are known to compile. Errors name the file, the rule id and the field, because a
//! user with 300 rules needs to know which one is broken. Errors never quote a file's
//! content (TOML and regex libraries print snippets and values in their messages; those are
//! rebuilt here from spans and content-free descriptions), because a configuration may come
//! from an untrusted repository and the message may end up in a public CI log. Built-in rules are TOML files in
//! `rules/`, one per provider, embedded at build time (`build.rs`), so a binary needs no files
//! at run time. This module imports nothing else from the crate.

mod builtin;
pub mod confine;
mod context;
pub mod gitlab_ruleset;
pub mod gitleaks_ids;
pub mod regex;
pub mod syntax;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use regex_automata::meta;
use sha2::{Digest, Sha256};

pub use syntax::{AllowlistSyntax, ConfigSyntax, ExtendSyntax, RequiredSyntax, RuleSyntax};

/// Dense index of a rule inside its [`RuleSet`] (like regex-automata's `PatternID`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub u32);

impl RuleId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Severity, spelled as GitLab's report schema spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational.
    Info,
    /// Unknown.
    Unknown,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical (GitLab's default for secrets).
    Critical,
}

impl Severity {
    /// Parses the schema spelling, case-insensitively.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "unknown" => Severity::Unknown,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }

    /// The capitalised spelling the GitLab schema requires.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Unknown => "Unknown",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure we are that a finding is a real secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Generic patterns (assignments with entropy).
    Low,
    /// Distinctive shape without a checksum.
    Medium,
    /// A checksum or structural check passed.
    High,
}

impl Confidence {
    /// Parses `low`, `medium` or `high`.
    pub fn parse(s: &str) -> Option<Confidence> {
        Some(match s.to_ascii_lowercase().as_str() {
            "low" => Confidence::Low,
            "medium" => Confidence::Medium,
            "high" => Confidence::High,
            _ => return None,
        })
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an allowlist regex is applied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegexTarget {
    /// The secret (capture group).
    Secret,
    /// The whole regex match.
    Match,
    /// The line(s) containing the match.
    Line,
}

/// How the criteria of one allowlist combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Any criterion allows.
    Or,
    /// Every configured criterion must hold.
    And,
}

/// What an allowlist looks at when deciding about one candidate finding.
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowContext<'a> {
    /// The secret.
    pub secret: &'a [u8],
    /// The whole match.
    pub matched: &'a [u8],
    /// The line(s) holding the match.
    pub line: &'a [u8],
    /// File path, `/`-separated, relative to the scan root when known.
    pub path: Option<&'a str>,
    /// Commit sha, when scanning git history.
    pub commit: Option<&'a str>,
}

/// A compiled allowlist.
#[derive(Clone, Debug)]
pub struct Allowlist {
    /// Description from the file.
    pub description: Option<String>,
    /// How criteria combine.
    pub condition: Condition,
    /// Commit shas (prefix match, so short shas work).
    pub commits: Vec<String>,
    /// Path regexes.
    pub paths: Vec<meta::Regex>,
    /// Regexes on `regex_target`.
    pub regexes: Vec<meta::Regex>,
    /// What `regexes` look at.
    pub regex_target: RegexTarget,
    /// Lowercased substrings of the secret.
    pub stopwords: Vec<String>,
    /// Global allowlists only: the rule ids it applies to (empty: all).
    pub target_rules: Vec<String>,
    /// Source text of `paths` and `regexes`, for digests and messages.
    pub patterns: Vec<String>,
}

impl Allowlist {
    /// Whether this allowlist allows (suppresses) the candidate.
    pub fn allows(&self, ctx: &AllowContext<'_>) -> bool {
        let mut verdicts: [Option<bool>; 4] = [None; 4];
        if !self.commits.is_empty() {
            verdicts[0] = Some(ctx.commit.is_some_and(|c| {
                self.commits.iter().any(|a| !a.is_empty() && (c.starts_with(a.as_str())))
            }));
        }
        if !self.paths.is_empty() {
            verdicts[1] =
                Some(ctx.path.is_some_and(|p| self.paths.iter().any(|re| re.is_match(p))));
        }
        if !self.regexes.is_empty() {
            let target = match self.regex_target {
                RegexTarget::Secret => ctx.secret,
                RegexTarget::Match => ctx.matched,
                RegexTarget::Line => ctx.line,
            };
            verdicts[2] = Some(self.regexes.iter().any(|re| re.is_match(target)));
        }
        if !self.stopwords.is_empty() {
            let secret = String::from_utf8_lossy(ctx.secret).to_ascii_lowercase();
            verdicts[3] = Some(self.stopwords.iter().any(|w| secret.contains(w.as_str())));
        }
        let mut configured = verdicts.iter().flatten().peekable();
        if configured.peek().is_none() {
            return false;
        }
        match self.condition {
            Condition::Or => configured.any(|&v| v),
            Condition::And => configured.all(|&v| v),
        }
    }

    /// Everything that decides this allowlist's verdicts, as text (for rule-set digests).
    fn digest_text(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.condition,
            self.commits,
            self.patterns,
            self.regex_target,
            self.stopwords,
            self.target_rules
        )
    }

    /// `targetRules` entries may be gitleaks ids ([`gitleaks_ids::names`]).
    fn applies_to(&self, rule_id: &str) -> bool {
        self.target_rules.is_empty()
            || self.target_rules.iter().any(|r| gitleaks_ids::names(rule_id, r))
    }
}

/// A `[[rules.required]]` companion.
#[derive(Clone, Debug)]
pub struct Required {
    /// Companion rule id.
    pub id: String,
    /// Maximum line distance.
    pub within_lines: Option<usize>,
    /// Maximum column distance.
    pub within_columns: Option<usize>,
}

/// A validated rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Text id (`gitlab_personal_access_token`).
    pub id: String,
    /// Human description.
    pub description: String,
    /// Translated pattern (None for path-only rules).
    pub regex: Option<String>,
    /// Secret capture group; None = first non-empty group, else the whole match.
    pub secret_group: Option<usize>,
    /// Entropy the secret must exceed.
    pub entropy: Option<f64>,
    /// Lowercased prefilter keywords.
    pub keywords: Vec<String>,
    /// Path regex.
    pub path: Option<meta::Regex>,
    /// Path regex source text.
    pub path_pattern: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Only used through `required`.
    pub skip_report: bool,
    /// Rule allowlists.
    pub allowlists: Vec<Allowlist>,
    /// Companion rules.
    pub required: Vec<Required>,
    /// Must-match examples.
    pub examples: Vec<String>,
    /// Must-not-match examples.
    pub negative_examples: Vec<String>,
    /// Offline validator name.
    pub check: Option<String>,
    /// Base confidence (before checks).
    pub confidence: Confidence,
    /// Severity.
    pub severity: Severity,
    /// Revocation type string override.
    pub revocation_type: Option<String>,
    /// Endpoint that confirms a key (`METHOD URL`), for live validation.
    pub verify: Option<String>,
    /// Report description override (GitLab ruleset `override.description`).
    pub report_description: Option<String>,
    /// Where the rule came from (file name).
    pub origin: String,
}

/// An error in a rule file, naming the file, position, rule and field, never quoting the
/// file's content.
#[derive(Debug)]
pub struct Error {
    /// File (or source) name.
    pub origin: String,
    /// Line and column (1-based, in characters) in the file, when known.
    pub position: Option<(u32, u32)>,
    /// Rule id, when the error is about one rule.
    pub rule: Option<Box<str>>,
    /// Field name, when the error is about one field.
    pub field: Option<&'static str>,
    /// Field name read from the file (a TOML key), when `field` is not one of ours.
    pub key: Option<Box<str>>,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        f.write_str(": ")?;
        if let Some(r) = &self.rule {
            write!(f, "rule \"{r}\": ")?;
        }
        match (self.field, &self.key) {
            (Some(field), _) => write!(f, "field \"{field}\": ")?,
            (None, Some(key)) => write!(f, "field \"{key}\": ")?,
            (None, None) => {}
        }
        write!(f, "{}", self.kind)
    }
}

// No `source()`: the kind (with any I/O error) is part of the message already, and `{:#}`
// would print it twice.
impl std::error::Error for Error {}

/// The kinds of rule errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file is not valid TOML or has wrong types.
    #[error("invalid TOML: {0}")]
    Toml(String),
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// A regex does not compile or cannot be translated.
    #[error("invalid regex: {0}")]
    Regex(String),
    /// A required field is missing.
    #[error("missing")]
    Missing,
    /// A value is out of range or not one of the allowed words.
    #[error("invalid value: {0}")]
    Value(String),
    /// Two rules share an id.
    #[error("duplicate rule id")]
    Duplicate,
    /// A key that built-in rule files may not have.
    #[error("unknown key \"{0}\"")]
    UnknownKey(String),
    /// `[extend]` problems.
    #[error("extend: {0}")]
    Extend(String),
    /// A path named by repository content was refused (see [`confine`]).
    #[error("refused: {0}")]
    Confined(confine::Refusal),
    /// The configuration yields no rules, so a scan would check nothing.
    #[error(
        "the configuration yields no rules (empty, or every rule disabled); a scan with it \
         would check nothing"
    )]
    NoRules,
}

impl Error {
    fn new(origin: &str, rule: Option<&str>, field: Option<&'static str>, kind: ErrorKind) -> Self {
        Error {
            origin: origin.to_string(),
            position: None,
            rule: rule.map(Box::from),
            field,
            key: None,
            kind,
        }
    }
}

/// A validated, ordered set of rules plus global allowlists.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    allowlists: Vec<Allowlist>,
    by_id: HashMap<String, RuleId>,
    digest: String,
    /// Notes for the user (unknown keys, ignored features), one line each.
    warnings: Vec<String>,
}

impl RuleSet {
    /// The built-in rules with default options.
    pub fn builtin() -> Result<RuleSet, Error> {
        RuleSetBuilder::new().build()
    }

    /// All rules, indexed by [`RuleId`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule at `id`.
    pub fn get(&self, id: RuleId) -> &Rule {
        &self.rules[id.index()]
    }

    /// Looks a rule up by its text id.
    pub fn find(&self, id: &str) -> Option<RuleId> {
        self.by_id.get(id).copied()
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Global allowlists.
    pub fn allowlists(&self) -> &[Allowlist] {
        &self.allowlists
    }

    /// Hex sha256 over everything that decides what the rules find; a cache keyed on it is
    /// invalidated by any rule change.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// Warnings collected while loading.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Whether any global allowlist (applicable to `rule`) allows the candidate.
    pub fn globally_allowed(&self, rule: &Rule, ctx: &AllowContext<'_>) -> bool {
        self.allowlists.iter().any(|a| a.applies_to(&rule.id) && a.allows(ctx))
    }

    /// Drops rules by id or gitleaks id (GitLab ruleset `disable`, see [`gitleaks_ids::resolve`]);
    /// names that match no rule are returned.
    pub fn disable(&mut self, ids: &[String]) -> Vec<String> {
        let mut drop = std::collections::HashSet::new();
        let mut unknown = Vec::new();
        for name in ids {
            let hit = self.resolve(name);
            if hit.is_empty() {
                unknown.push(name.clone());
            }
            drop.extend(hit);
        }
        self.rules.retain(|r| !drop.contains(&r.id));
        self.reindex();
        unknown
    }

    /// The ids of the rules `name` refers to: the rule with that id, else every rule whose
    /// gitleaks ids include it (`rules/gitleaks-ids.toml`, [`gitleaks_ids::resolve`]).
    pub(crate) fn resolve(&self, name: &str) -> Vec<String> {
        gitleaks_ids::resolve(self.rules.iter().map(|r| r.id.as_str()), name)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Mutable access for overrides (GitLab ruleset `override`).
    pub fn rule_mut(&mut self, id: &str) -> Option<&mut Rule> {
        let idx = self.by_id.get(id)?.index();
        self.rules.get_mut(idx)
    }

    /// Recomputes the id map and digest after edits.
    pub fn reindex(&mut self) {
        self.by_id =
            self.rules.iter().enumerate().map(|(i, r)| (r.id.clone(), RuleId(i as u32))).collect();
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        for r in &self.rules {
            for part in [
                r.id.as_str(),
                r.regex.as_deref().unwrap_or(""),
                r.path_pattern.as_deref().unwrap_or(""),
                r.check.as_deref().unwrap_or(""),
            ] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            h.update(format!("{:?}{:?}{:?}", r.secret_group, r.entropy, r.keywords).as_bytes());
            for a in &r.allowlists {
                h.update(a.digest_text().as_bytes());
            }
        }
        for a in &self.allowlists {
            h.update(a.digest_text().as_bytes());
        }
        self.digest = hex::encode(h.finalize());
    }
}

/// Builds a [`RuleSet`] from built-in rules and configuration files.
///
/// ```
/// let rules = leakguard::rules::RuleSetBuilder::new().build().unwrap();
/// assert!(rules.find("github_personal_access_token").is_some());
/// ```
#[derive(Clone, Debug, Default)]
pub struct RuleSetBuilder {
    config: Option<PathBuf>,
    config_text: Vec<(String, String)>,
    gitlab_pat_prefix: Option<String>,
    strict: bool,
    full: bool,
    /// Scan root the configuration came from, when it came from scanned content.
    confine: Option<PathBuf>,
}

impl RuleSetBuilder {
    /// A builder for the built-in rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// Load this configuration file instead of the built-in rules (it may `[extend]` them).
    pub fn config_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.config = Some(path.into());
        self
    }

    /// Load configuration text (name, TOML) instead of the built-in rules.
    pub fn config_text(&mut self, name: &str, text: &str) -> &mut Self {
        self.config_text.push((name.to_string(), text.to_string()));
        self
    }

    /// A custom GitLab personal access token prefix (instance setting) recognised besides `glpat-`.
    pub fn gitlab_pat_prefix(&mut self, prefix: Option<String>) -> &mut Self {
        self.gitlab_pat_prefix = prefix.filter(|p| !p.is_empty());
        self
    }

    /// The configuration comes from scanned content under `root` (a `.gitleaks.toml` found
    /// there, a GitLab ruleset passthrough): the configuration file and every `[extend]
    /// path` must resolve inside `root` ([`confine`]), relative configuration text extends
    /// relative to `root`, and GitLab's `path = "/gitleaks.toml"` always means the built-in
    /// rules (never a file at the file-system root).
    pub fn confine_to(&mut self, root: impl Into<PathBuf>) -> &mut Self {
        self.confine = Some(root.into());
        self
    }

    /// Treat unknown keys as errors, and load the built-in rules [`full`](Self::full)y
    /// (`rules check`).
    pub fn strict(&mut self, yes: bool) -> &mut Self {
        self.strict = yes;
        self
    }

    /// Check every built-in regex and generate the examples of built-in context rules
    /// (`rules check`, `rules list`). Off, the built-in rules are trusted as checked at build
    /// time and context rules carry no examples: a scan needs neither, and both were most
    /// of start-up. Configurations from files and the environment are always checked.
    pub fn full(&mut self, yes: bool) -> &mut Self {
        self.full = yes;
        self
    }

    /// Loads, merges and validates.
    pub fn build(&self) -> Result<RuleSet, Error> {
        let mut warnings = Vec::new();
        let confine = match &self.confine {
            Some(root) => Some(confine::ConfinedRoot::new(root).map_err(|e| {
                Error::new(&root.display().to_string(), None, None, ErrorKind::Io(e))
            })?),
            None => None,
        };
        let confine = confine.as_ref();
        let origin = self
            .config
            .as_ref()
            .map(|p| p.display().to_string())
            .or_else(|| self.config_text.first().map(|(name, _)| name.clone()))
            .unwrap_or_else(|| "built-in rules".into());
        let (mut rules, mut allowlists) = if let Some(path) = &self.config {
            let path = match confine {
                Some(root) => root.check(path).map_err(|e| {
                    Error::new(&path.display().to_string(), None, None, ErrorKind::Confined(e))
                })?,
                None => path.clone(),
            };
            let origin = self.config.as_ref().unwrap_or(&path).display().to_string();
            let full = self.strict || self.full;
            load_config_path(&origin, &path, 0, confine, full, &mut warnings)?
        } else if !self.config_text.is_empty() {
            let mut rules = Vec::new();
            let mut allow = Vec::new();
            let dir = confine.map(confine::ConfinedRoot::path);
            let ctx = Ctx {
                dir,
                depth: 0,
                strict: self.strict,
                confine,
                max_repeat: regex::MAX_REPEAT,
                validate: true,
                full: self.strict || self.full,
            };
            for (name, text) in &self.config_text {
                let cfg = parse_config(name, text)?;
                let (r, a) = resolve_config(name, cfg, ctx, &mut warnings)?;
                merge_rules(&mut rules, r);
                allow.extend(a);
            }
            (rules, allow)
        } else {
            (builtin_rules(&mut warnings, self.strict || self.full)?, Vec::new())
        };
        if rules.iter().all(|r| r.skip_report) {
            return Err(Error::new(&origin, None, None, ErrorKind::NoRules));
        }
        if let Some(prefix) = &self.gitlab_pat_prefix {
            apply_gitlab_pat_prefix(&mut rules, prefix)?;
        }
        let mut seen = HashMap::new();
        for r in &rules {
            if seen.insert(r.id.clone(), ()).is_some() {
                return Err(Error::new(&r.origin, Some(&r.id), Some("id"), ErrorKind::Duplicate));
            }
        }
        allowlists.shrink_to_fit();
        let mut set = RuleSet { rules, allowlists, warnings, ..RuleSet::default() };
        set.reindex();
        Ok(set)
    }
}

/// The family a rule file names (`github` for `rules/github.toml`): the file's stem, which
/// is also the rule's section of `docs/RULES.md`.
pub fn family(origin: &str) -> &str {
    let base = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    base.strip_suffix(".toml").unwrap_or(base)
}

/// Name and text of every built-in rule file.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    builtin::FILES
}

/// The built-in rules; `full` as [`RuleSetBuilder::full`].
fn builtin_rules(warnings: &mut Vec<String>, full: bool) -> Result<Vec<Rule>, Error> {
    let mut rules = Vec::new();
    for (name, text) in builtin::FILES {
        let cfg = parse_config(name, text)?;
        let max_repeat = regex::BUILTIN_MAX_REPEAT;
        let ctx = Ctx {
            dir: None,
            depth: 0,
            strict: true,
            confine: None,
            max_repeat,
            validate: full,
            full,
        };
        let (r, _) = resolve_config(name, cfg, ctx, warnings)?;
        rules.extend(r);
    }
    Ok(rules)
}

fn parse_config(origin: &str, text: &str) -> Result<ConfigSyntax, Error> {
    toml::from_str(text).map_err(|e| toml_error(origin, text, &e))
}

/// A TOML (syntax or type) error as an [`Error`] that names the file, the line and column,
/// the rule (inside a `[[rules]]` entry) and the field, and never quotes the file: `toml`'s
/// `Display` prints a source snippet, and serde's messages quote values (`invalid type:
/// string "…"`). The description keeps the message's structure and its `expected …` part
/// (which comes from the grammar or the schema) and drops every quoted run before it.
pub(crate) fn toml_error(origin: &str, text: &str, e: &toml::de::Error) -> Error {
    let message = e.message();
    let mut err = Error::new(origin, None, None, ErrorKind::Toml(content_free(message)));
    if let Some(span) = e.span() {
        let start = floor_char_boundary(text, span.start);
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        err.position = Some((clamp(line), clamp(column)));
        err.rule = rule_id_near_error(before, text).map(String::into_boxed_str);
        err.key = key_at(before, text).map(String::into_boxed_str);
    }
    // `missing field `id``: the name comes from our schema, not from the file.
    if let Some(name) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
        err.key = identifier(name).map(String::into_boxed_str);
    }
    err
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `message` without the quoted runs (`"…"`, `` `…` ``) that precede its `expected` part.
fn content_free(message: &str) -> String {
    let message = message.trim().replace('\n', "; ");
    let split = ["; expected ", ", expected "]
        .iter()
        .filter_map(|sep| message.find(sep))
        .min()
        .unwrap_or(message.len());
    let (head, tail) = message.split_at(split);
    let mut out = String::with_capacity(message.len());
    let mut chars = head.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                // Debug-escaped string: skip to the closing unescaped quote.
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '`' => {
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                }
            }
            c => out.push(c),
        }
    }
    let mut out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    out = out.replace(" ,", ",").replace(" ;", ";");
    out.push_str(tail);
    out.trim_end_matches(|c: char| c == ',' || c == ';' || c.is_whitespace()).to_string()
}

/// `s` if it looks like an identifier (rule id, key); content that does not is not quoted.
fn identifier(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.len() <= 100
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    ok.then(|| s.to_string())
}

/// `"s"` if `s` looks like an identifier, else a description: for messages that name a key
/// or an id taken from a file without quoting arbitrary content.
pub(crate) fn quoted(s: &str) -> String {
    match identifier(s) {
        Some(s) => format!("\"{s}\""),
        None => "(not shown: not an identifier)".into(),
    }
}

/// The id of the `[[rules]]` entry the error at the end of `before` lies in.
fn rule_id_near_error(before: &str, text: &str) -> Option<String> {
    let block = before.rfind("[[rules]]")?;
    let entry = &text[block + "[[rules]]".len()..];
    let entry = &entry[..entry.find("\n[").unwrap_or(entry.len())];
    entry.lines().find_map(|l| {
        let l = l.trim();
        let rest = l.strip_prefix("id")?.trim_start().strip_prefix('=')?.trim();
        let quote = rest.chars().next().filter(|&c| c == '"' || c == '\'')?;
        identifier(rest.strip_prefix(quote)?.strip_suffix(quote)?)
    })
}

/// The key of the `key = value` line the error at the end of `before` lies in, qualified
/// with its table header (`extend.path`, `rules.entropy`).
fn key_at(before: &str, text: &str) -> Option<String> {
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let eq = line.find('=')?;
    let key = identifier(line[..eq].trim().trim_matches(|c| c == '"' || c == '\''))?;
    let header = before[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        l.starts_with('[').then(|| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
    });
    match header.and_then(|h| identifier(&h)) {
        Some(h) => Some(format!("{h}.{key}")),
        None => Some(key),
    }
}

fn load_config_path(
    origin: &str,
    path: &Path,
    depth: usize,
    confine: Option<&confine::ConfinedRoot>,
    full: bool,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Rule>, Vec<Allowlist>), Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::new(origin, None, None, ErrorKind::Io(e)))?;
    let cfg = parse_config(origin, &text)?;
    let max_repeat = regex::MAX_REPEAT;
    let ctx =
        Ctx { dir: path.parent(), depth, strict: false, confine, max_repeat, validate: true, full };
    resolve_config(origin, cfg, ctx, warnings)
}

/// Where and how a configuration is resolved.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    /// Directory relative `[extend] path`s start from.
    dir: Option<&'a Path>,
    /// `[extend]` depth so far.
    depth: usize,
    /// Unknown keys are errors.
    strict: bool,
    /// The configuration came from scanned content: paths must stay inside this root.
    confine: Option<&'a confine::ConfinedRoot>,
    /// Bound on counted repetitions ([`regex::check_repetitions`]).
    max_repeat: u32,
    /// Parse every regex to check it (repetition bound, syntax, `secretGroup`) and generate
    /// context rules' examples. Off only for the built-in rules when loading them to scan:
    /// they are checked at build time by `rules check` and the tests.
    validate: bool,
    /// [`RuleSetBuilder::full`], for built-in rules reached through `[extend]`.
    full: bool,
}

/// Maximum `[extend]` chain length, as gitleaks.
const MAX_EXTEND_DEPTH: usize = 2;

fn resolve_config(
    origin: &str,
    cfg: ConfigSyntax,
    ctx: Ctx<'_>,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Rule>, Vec<Allowlist>), Error> {
    let Ctx { dir, depth, strict, confine, max_repeat, validate, full } = ctx;
    for key in cfg.extra.keys() {
        if strict {
            return Err(Error::new(origin, None, None, ErrorKind::UnknownKey(key.clone())));
        }
        warnings.push(format!("{origin}: unknown key {} ignored", quoted(key)));
    }
    let (mut base_rules, mut base_allow) = (Vec::new(), Vec::new());
    if let Some(ext) = &cfg.extend {
        if depth >= MAX_EXTEND_DEPTH {
            return Err(Error::new(
                origin,
                None,
                Some("extend"),
                ErrorKind::Extend(format!("more than {MAX_EXTEND_DEPTH} levels of [extend]")),
            ));
        }
        if ext.use_default && ext.path.is_some() {
            return Err(Error::new(
                origin,
                None,
                Some("extend"),
                ErrorKind::Extend("useDefault and path are mutually exclusive".into()),
            ));
        }
        if ext.url.is_some() {
            return Err(Error::new(
                origin,
                None,
                Some("extend.url"),
                ErrorKind::Extend(
                    "remote configurations are not fetched; download it and use path".into(),
                ),
            ));
        }
        // GitLab passthroughs extend the packaged rules with `path = "/gitleaks.toml"`.
        // Repository content never reaches the file-system root: there it always means the
        // built-in rules.
        let gitlab_default = ext.path.as_deref() == Some("/gitleaks.toml")
            && (confine.is_some() || !Path::new("/gitleaks.toml").exists());
        if ext.use_default || gitlab_default {
            base_rules = builtin_rules(warnings, full)?;
        } else if let Some(p) = &ext.path {
            let base = dir.unwrap_or(Path::new("."));
            let path = match confine {
                Some(root) => root.resolve_value(base, p).map_err(|e| {
                    Error::new(origin, None, Some("extend.path"), ErrorKind::Confined(e))
                })?,
                None if Path::new(p).is_absolute() => PathBuf::from(p),
                None => base.join(p),
            };
            let (r, a) = load_config_path(
                &path.display().to_string(),
                &path,
                depth + 1,
                confine,
                full,
                warnings,
            )?;
            base_rules = r;
            base_allow = a;
        }
        // Entries may be gitleaks ids: `github-pat` disables `github_personal_access_token`.
        let disabled: std::collections::HashSet<String> = ext
            .disabled_rules
            .iter()
            .flat_map(|name| gitleaks_ids::resolve(base_rules.iter().map(|r| r.id.as_str()), name))
            .map(str::to_string)
            .collect();
        base_rules.retain(|r| !disabled.contains(&r.id));
    }
    let mut own = Vec::with_capacity(cfg.rules.len() + cfg.providers.len());
    for syn in cfg.rules.into_iter().chain(context::expand(origin, cfg.providers, validate)?) {
        own.push(compile_rule(origin, syn, strict, max_repeat, validate, warnings)?);
    }
    merge_rules(&mut base_rules, own);
    // Checked after merging: an [extend] override may legitimately omit the regex.
    if let Some(r) = base_rules.iter().find(|r| r.regex.is_none() && r.path.is_none()) {
        return Err(Error::new(&r.origin, Some(&r.id), Some("regex"), ErrorKind::Missing));
    }
    let mut allow = base_allow;
    if let Some(a) = cfg.allowlist {
        allow.push(compile_allowlist(origin, None, a, max_repeat, validate, warnings)?);
    }
    for a in cfg.allowlists {
        allow.push(compile_allowlist(origin, None, a, max_repeat, validate, warnings)?);
    }
    Ok((base_rules, allow))
}

/// gitleaks `[extend]` semantics: a rule with an existing id overrides the non-empty scalar
/// fields of the base rule and appends to its list fields; new ids are appended.
fn merge_rules(base: &mut Vec<Rule>, own: Vec<Rule>) {
    let index: BTreeMap<String, usize> =
        base.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
    for r in own {
        match index.get(&r.id) {
            None => base.push(r),
            Some(&i) => {
                let b = &mut base[i];
                if !r.description.is_empty() && r.description != r.id {
                    b.description = r.description;
                }
                if r.regex.is_some() {
                    b.regex = r.regex;
                }
                if r.path.is_some() {
                    b.path = r.path;
                    b.path_pattern = r.path_pattern;
                }
                if r.entropy.is_some() {
                    b.entropy = r.entropy;
                }
                if r.secret_group.is_some() {
                    b.secret_group = r.secret_group;
                }
                b.tags.extend(r.tags);
                for k in r.keywords {
                    if !b.keywords.contains(&k) {
                        b.keywords.push(k);
                    }
                }
                b.allowlists.extend(r.allowlists);
                b.required.extend(r.required);
            }
        }
    }
}

fn compile_rule(
    origin: &str,
    syn: RuleSyntax,
    strict: bool,
    max_repeat: u32,
    validate: bool,
    warnings: &mut Vec<String>,
) -> Result<Rule, Error> {
    let id = syn.id.trim().to_string();
    if id.is_empty() {
        let rule = syn.description.as_deref();
        return Err(Error::new(origin, rule, Some("id"), ErrorKind::Missing));
    }
    let err =
        |field: &'static str, kind: ErrorKind| Error::new(origin, Some(&id), Some(field), kind);
    for key in syn.extra.keys() {
        if strict {
            return Err(err("-", ErrorKind::UnknownKey(key.clone())));
        }
        if !matches!(key.as_str(), "title" | "remediation") {
            warnings.push(format!("{origin}: rule \"{id}\": unknown key {} ignored", quoted(key)));
        }
    }
    let regex = match syn.regex.as_deref().filter(|r| !r.is_empty()) {
        Some(pat) => {
            let translated =
                regex::translate_re2(pat).map_err(|e| err("regex", ErrorKind::Regex(e)))?;
            let groups = if validate {
                regex::check_repetitions(&translated, max_repeat)
                    .and_then(|()| regex::validate(&translated))
                    .map_err(|e| err("regex", ErrorKind::Regex(e)))?
            } else {
                usize::MAX
            };
            if let Some(g) = syn.secret_group {
                if g > groups {
                    return Err(err(
                        "secretGroup",
                        ErrorKind::Value(format!(
                            "group {g} does not exist (the regex has {groups} groups)"
                        )),
                    ));
                }
            }
            Some(translated)
        }
        None => None,
    };
    let (path, path_pattern) = match syn.path.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => {
            let translated =
                regex::translate_re2(p).map_err(|e| err("path", ErrorKind::Regex(e)))?;
            let re = regex::check_repetitions(&translated, max_repeat)
                .and_then(|()| regex::compile(&translated))
                .map_err(|e| err("path", ErrorKind::Regex(e)))?;
            (Some(re), Some(translated))
        }
        None => (None, None),
    };
    if let Some(e) = syn.entropy {
        if !(0.0..=8.0).contains(&e) || e.is_nan() {
            return Err(err("entropy", ErrorKind::Value(format!("{e} is not between 0 and 8"))));
        }
    }
    let confidence = match syn.confidence.as_deref() {
        None => Confidence::Medium,
        Some(c) => Confidence::parse(c).ok_or_else(|| {
            err("confidence", ErrorKind::Value("not one of low, medium or high".into()))
        })?,
    };
    let severity = match syn.severity.as_deref() {
        None => Severity::Critical,
        Some(s) => Severity::parse(s).ok_or_else(|| {
            err(
                "severity",
                ErrorKind::Value("not one of Critical, High, Medium, Low, Info or Unknown".into()),
            )
        })?,
    };
    let mut keywords: Vec<String> = Vec::new();
    for k in &syn.keywords {
        let k = k.to_ascii_lowercase();
        if k.is_empty() {
            return Err(err("keywords", ErrorKind::Value("empty keyword".into())));
        }
        if !keywords.contains(&k) {
            keywords.push(k);
        }
    }
    let mut allowlists = Vec::new();
    if let Some(a) = syn.allowlist {
        allowlists.push(compile_allowlist(origin, Some(&id), a, max_repeat, validate, warnings)?);
    }
    for a in syn.allowlists {
        allowlists.push(compile_allowlist(origin, Some(&id), a, max_repeat, validate, warnings)?);
    }
    let mut required = Vec::new();
    for r in syn.required {
        if r.id.is_empty() {
            return Err(err("required.id", ErrorKind::Missing));
        }
        required.push(Required {
            id: r.id,
            within_lines: r.within_lines,
            within_columns: r.within_columns,
        });
    }
    Ok(Rule {
        description: syn.description.filter(|d| !d.is_empty()).unwrap_or_else(|| id.clone()),
        regex,
        secret_group: syn.secret_group,
        entropy: syn.entropy,
        keywords,
        path,
        path_pattern,
        tags: syn.tags,
        skip_report: syn.skip_report,
        allowlists,
        required,
        examples: syn.examples,
        negative_examples: syn.negative_examples,
        check: syn.check.filter(|c| !c.is_empty()),
        confidence,
        severity,
        revocation_type: syn.revocation_type.filter(|c| !c.is_empty()),
        verify: syn.verify.filter(|c| !c.is_empty()),
        report_description: None,
        origin: origin.to_string(),
        id,
    })
}

fn compile_allowlist(
    origin: &str,
    rule: Option<&str>,
    syn: AllowlistSyntax,
    max_repeat: u32,
    validate: bool,
    warnings: &mut Vec<String>,
) -> Result<Allowlist, Error> {
    let err = |field: &'static str, kind: ErrorKind| Error::new(origin, rule, Some(field), kind);
    for key in syn.extra.keys() {
        warnings.push(format!("{origin}: allowlist: unknown key {} ignored", quoted(key)));
    }
    let condition = match syn.condition.as_deref().map(str::to_ascii_uppercase).as_deref() {
        None | Some("OR") | Some("") => Condition::Or,
        Some("AND") => Condition::And,
        Some(_) => {
            return Err(err(
                "allowlists.condition",
                ErrorKind::Value("not one of OR or AND".into()),
            ));
        }
    };
    let regex_target = match syn.regex_target.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("secret") | Some("") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(_) => {
            return Err(err(
                "allowlists.regexTarget",
                ErrorKind::Value("not one of secret, match or line".into()),
            ));
        }
    };
    let compile_all = |field: &'static str, pats: &[String]| -> Result<Vec<meta::Regex>, Error> {
        pats.iter()
            .enumerate()
            .map(|(i, p)| {
                regex::translate_re2(p)
                    .and_then(|t| {
                        let checked = if validate {
                            regex::check_repetitions(&t, max_repeat)
                        } else {
                            Ok(())
                        };
                        checked.and_then(|()| regex::compile(&t))
                    })
                    .map_err(|e| err(field, ErrorKind::Regex(format!("entry {}: {e}", i + 1))))
            })
            .collect()
    };
    Ok(Allowlist {
        description: syn.description,
        condition,
        commits: syn.commits,
        paths: compile_all("allowlists.paths", &syn.paths)?,
        regexes: compile_all("allowlists.regexes", &syn.regexes)?,
        regex_target,
        stopwords: syn.stopwords.iter().map(|s| s.to_ascii_lowercase()).collect(),
        target_rules: syn.target_rules,
        patterns: syn.paths.iter().chain(&syn.regexes).cloned().collect(),
    })
}

/// Teaches the GitLab PAT rules a custom instance prefix besides `glpat-`.
fn apply_gitlab_pat_prefix(rules: &mut [Rule], prefix: &str) -> Result<(), Error> {
    if prefix.len() > 20 || !prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
    {
        return Err(Error::new(
            "--gitlab-pat-prefix",
            None,
            None,
            ErrorKind::Value(format!("\"{prefix}\": at most 20 characters of [A-Za-z0-9_-]")),
        ));
    }
    let alt = format!("(?:glpat-|{})", regex_syntax::escape(prefix));
    for r in rules.iter_mut().filter(|r| r.id.starts_with("gitlab_personal_access_token")) {
        if let Some(re) = &r.regex {
            r.regex = Some(re.replace("glpat-", &alt));
            let kw = prefix.to_ascii_lowercase();
            if !r.keywords.contains(&kw) {
                r.keywords.push(kw);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<RuleSet, Error> {
        RuleSetBuilder::new().config_text("test.toml", text).build()
    }

    #[test]
    fn errors_name_rule_and_field() {
        let e = load("[[rules]]\nid = \"bad-one\"\nregex = '''(unclosed'''\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("test.toml"), "{msg}");
        assert!(msg.contains("rule \"bad-one\""), "{msg}");
        assert!(msg.contains("field \"regex\""), "{msg}");

        let e = load("[[rules]]\nid = \"sev\"\nregex = 'a'\nseverity = \"huge\"\n").unwrap_err();
        assert_eq!(e.field, Some("severity"));
        let e = load("[[rules]]\nid = \"grp\"\nregex = 'a(b)'\nsecretGroup = 3\n").unwrap_err();
        assert_eq!(e.field, Some("secretGroup"));
        let e = load("[[rules]]\nid = \"x\"\nregex = 'a'\n[[rules]]\nid = \"x\"\nregex = 'b'\n")
            .unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Duplicate));
        let e = load("[[rules]]\nid = \"typed\"\nregex = 'a'\nentropy = \"high\"\n").unwrap_err();
        assert_eq!(e.rule.as_deref(), Some("typed"), "{e}");
    }

    #[test]
    fn toml_errors_give_position_and_field_without_content() {
        // (text, (line, column), rule, key)
        type Case = (&'static str, (u32, u32), Option<&'static str>, Option<&'static str>);
        let cases: &[Case] = &[
            // (text, position, rule, key)
            (
                "[[rules]]\nid = \"t1\"\nregex = 'a'\nentropy = \"MARK\"\n",
                (4, 11),
                Some("t1"),
                Some("rules.entropy"),
            ),
            (
                "[[rules]]\nid = \"t2\"\nregex = 'a' MARK\n",
                (3, 13),
                Some("t2"),
                Some("rules.regex"),
            ),
            ("[extend]\npath = 7\n", (2, 8), None, Some("extend.path")),
            ("title = 'x'\ntitle = 'MARK'\n", (2, 1), None, Some("title")),
            (
                "[[rules]]\nid = \"t3\"\nkeywords = \"MARK\"\n[[rules]]\nid = \"t4\"\n",
                (3, 12),
                Some("t3"),
                Some("rules.keywords"),
            ),
            ("[[rules]]\nid = 5\n", (2, 6), None, Some("rules.id")),
            // Columns count characters, not bytes.
            ("title = \"\u{e9}\" x\n", (1, 13), None, Some("title")),
        ];
        for &(text, pos, rule, key) in cases {
            let e = load(text).unwrap_err();
            let msg = e.to_string();
            assert_eq!(e.position, Some(pos), "{text:?}: {msg}");
            assert_eq!(e.rule.as_deref(), rule, "{text:?}: {msg}");
            assert_eq!(e.key.as_deref(), key, "{text:?}: {msg}");
            assert!(!msg.contains("MARK"), "{text:?} quoted: {msg}");
            assert!(msg.starts_with(&format!("test.toml:{}:{}: ", pos.0, pos.1)), "{msg}");
        }
    }

    #[test]
    fn content_free_keeps_structure_and_expected_part() {
        for (raw, want) in [
            ("invalid type: string \"x\\\"y\", expected f64", "invalid type: string, expected f64"),
            (
                "invalid type: integer `5`, expected a string",
                "invalid type: integer, expected a string",
            ),
            ("duplicate key `k` in table `rules`", "duplicate key in table"),
            (
                "unknown variant `zz`, expected one of `OR`, `AND`",
                "unknown variant, expected one of `OR`, `AND`",
            ),
            ("invalid table header\nexpected `.`, `]`", "invalid table header; expected `.`, `]`"),
        ] {
            assert_eq!(content_free(raw), want, "{raw}");
        }
    }

    #[test]
    fn zero_rules_is_an_error() {
        for text in ["", "# only a comment\n", "title = 'x'\n"] {
            let e = load(text).unwrap_err();
            assert!(matches!(e.kind, ErrorKind::NoRules), "{text:?}: {e}");
        }
        let e = load("[[rules]]\nid = 'a'\nregex = 'a'\nskipReport = true\n").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::NoRules), "{e}");
        let e = load("[extend]\nuseDefault = true\ndisabledRules = ['x']\n");
        assert!(e.is_ok(), "built-ins remain");
    }

    #[test]
    fn confined_configs_stay_inside_the_root() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("repo");
        std::fs::create_dir_all(&root).unwrap();
        let rule = "[[rules]]\nid = 'o'\nregex = 'o'\n";
        std::fs::write(outer.path().join("out.toml"), rule).unwrap();
        std::fs::write(root.join("in.toml"), rule).unwrap();
        let build = |text: &str| {
            RuleSetBuilder::new().config_text("cfg", text).confine_to(&root).build().map(|_| ())
        };
        assert!(build("[extend]\npath = 'in.toml'\n").is_ok());
        for bad in ["../out.toml", "/etc/passwd", "in.toml/../../out.toml"] {
            let e = build(&format!("[extend]\npath = '{bad}'\n")).unwrap_err();
            assert!(matches!(e.kind, ErrorKind::Confined(_)), "{bad}: {e}");
            assert_eq!(e.field, Some("extend.path"));
        }
        // GitLab's `/gitleaks.toml` means the built-in rules, never the file-system root.
        assert!(build("[extend]\npath = '/gitleaks.toml'\n").is_ok());
        // Unconfined (a file the user named), a path outside is read.
        let top = outer.path().join("top.toml");
        std::fs::write(&top, "[extend]\npath = 'repo/../out.toml'\n").unwrap();
        assert!(RuleSetBuilder::new().config_file(&top).build().is_ok());
        let e = RuleSetBuilder::new().config_file(&top).confine_to(&root).build().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Confined(_)), "{e}");
    }

    #[test]
    fn allowlist_conditions() {
        let set = load(
            r#"
[[rules]]
id = "r"
regex = 'k=([a-z]+)'
[[rules.allowlists]]
condition = "AND"
paths = ['''test/''']
stopwords = ["fake"]
"#,
        )
        .unwrap();
        let a = &set.rules()[0].allowlists[0];
        let ctx = |secret: &'static str, path: &'static str| AllowContext {
            secret: secret.as_bytes(),
            path: Some(path),
            ..Default::default()
        };
        assert!(a.allows(&ctx("myfakekey", "test/a.txt")));
        assert!(!a.allows(&ctx("myfakekey", "src/a.txt")));
        assert!(!a.allows(&ctx("realkey", "test/a.txt")));
    }

    #[test]
    fn extend_merges_like_gitleaks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            "[[rules]]\nid = \"a\"\nregex = 'aaa'\nkeywords = [\"aaa\"]\n[[rules]]\nid = \"b\"\nregex = 'bbb'\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("top.toml"),
            "[extend]\npath = \"base.toml\"\ndisabledRules = [\"b\"]\n[[rules]]\nid = \"a\"\nentropy = 2.0\nkeywords = [\"AAX\"]\n",
        )
        .unwrap();
        let set = RuleSetBuilder::new().config_file(dir.path().join("top.toml")).build().unwrap();
        assert_eq!(set.len(), 1);
        let a = &set.rules()[0];
        assert_eq!(a.entropy, Some(2.0));
        assert_eq!(a.regex.as_deref(), Some("aaa"));
        assert_eq!(a.keywords, vec!["aaa".to_string(), "aax".to_string()]);
    }

    #[test]
    fn builtin_rules_load_strictly() {
        let set = RuleSet::builtin().unwrap();
        assert!(set.len() >= 80, "only {} built-in rules", set.len());
        assert_eq!(set.digest().len(), 64);
    }

    #[test]
    fn custom_gitlab_prefix_is_added() {
        let set = RuleSetBuilder::new().gitlab_pat_prefix(Some("acme-".into())).build().unwrap();
        let id = set.find("gitlab_personal_access_token").unwrap();
        assert!(set.get(id).regex.as_deref().unwrap().contains("acme\\-"));
        assert!(set.get(id).keywords.contains(&"acme-".to_string()));
        assert!(
            RuleSetBuilder::new().gitlab_pat_prefix(Some("bad prefix!".into())).build().is_err()
        );
    }
}
