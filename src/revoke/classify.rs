//! Classification: read a leakguard report back (GitLab, JSON Lines or SARIF, detected from the
//! content), compute each finding's revocation type string, decide whether it is revocable,
//! flag likely test fixtures, and collapse duplicate tokens into revocation targets.
//!
//! Design decision: classification works on *reports*, not on a live scan, so it can run in a
//! later pipeline job (as GitLab's post-processor does) and never touches the matcher. The rule
//! set is consulted only for a rule's `revocation_type` override and its base confidence. When
//! the GitLab report is written back with `flags`, the original JSON is edited in place rather
//! than re-rendered from findings, so every field another tool wrote (ids, scan metadata,
//! remediations) survives unchanged.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::{Error, idempotency_key, revocation_type};
use crate::report::gitlab::Flag;
use crate::rules::RuleSet;

/// Report formats leakguard writes and can read back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportFormat {
    /// `gl-secret-detection-report.json`.
    Gitlab,
    /// One JSON object per line.
    JsonLines,
    /// SARIF 2.1.0.
    Sarif,
}

/// A finding as read back from a report.
#[derive(Clone, Debug, Default)]
pub struct ReportFinding {
    /// Position in the report (vulnerability / line / result index).
    pub index: usize,
    /// Primary identifier type (`gitleaks_rule_id` for JSON Lines and SARIF).
    pub identifier_type: String,
    /// Primary identifier value (the rule id).
    pub identifier_value: String,
    /// The secret as written in the report (may be `REDACTED`).
    pub token: String,
    /// File path.
    pub path: String,
    /// First line.
    pub start_line: u64,
    /// Commit sha, when the report has one.
    pub commit: Option<String>,
    /// Confidence as the report states it.
    pub confidence: Option<String>,
    /// Live validation's status when the report has one (`--validate`): `active`, ...
    pub validation: Option<String>,
}

/// Reads a report of any supported format.
///
/// ```
/// use leakguard::revoke::classify::{read_report, ReportFormat};
/// let jsonl = br#"{"rule_id":"aws","secret":"AKIAQXRYONJ3DYBVZXG2","path":"a.env","start_line":3,"confidence":"high"}"#;
/// let (format, findings) = read_report(jsonl, "r.jsonl".as_ref()).unwrap();
/// assert_eq!(format, ReportFormat::JsonLines);
/// assert_eq!(findings[0].identifier_value, "aws");
/// ```
pub fn read_report(bytes: &[u8], path: &Path) -> Result<(ReportFormat, Vec<ReportFinding>), Error> {
    let err = |msg: String| Error::Report { path: path.to_path_buf(), msg };
    let text = std::str::from_utf8(bytes).map_err(|e| err(format!("not UTF-8: {e}")))?;
    if text.trim().is_empty() {
        return Ok((ReportFormat::JsonLines, Vec::new()));
    }
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        if v.get("vulnerabilities").is_some() {
            return read_gitlab(&v).map(|f| (ReportFormat::Gitlab, f)).map_err(err);
        }
        if v.get("runs").is_some() {
            return read_sarif(&v).map(|f| (ReportFormat::Sarif, f)).map_err(err);
        }
        if crate::finding::coverage::is_summary_line(&v) {
            return Ok((ReportFormat::JsonLines, Vec::new()));
        }
        if v.get("rule_id").is_some() {
            return Ok((ReportFormat::JsonLines, vec![jsonl_finding(0, &v).map_err(err)?]));
        }
        return Err(err("not a GitLab, SARIF or JSON Lines report".into()));
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)
            .map_err(|e| err(format!("line {}: not JSON ({e})", i + 1)))?;
        if crate::finding::coverage::is_summary_line(&v) {
            continue;
        }
        out.push(jsonl_finding(out.len(), &v).map_err(|m| err(format!("line {}: {m}", i + 1)))?);
    }
    Ok((ReportFormat::JsonLines, out))
}

fn s(v: &Value, ptr: &str) -> Option<String> {
    v.pointer(ptr).and_then(Value::as_str).map(str::to_string)
}

fn n(v: &Value, ptr: &str) -> u64 {
    v.pointer(ptr).and_then(Value::as_u64).unwrap_or(0)
}

fn read_gitlab(v: &Value) -> Result<Vec<ReportFinding>, String> {
    let vulns = v["vulnerabilities"].as_array().ok_or("\"vulnerabilities\" is not an array")?;
    vulns
        .iter()
        .enumerate()
        .map(|(i, vuln)| {
            let id = vuln
                .pointer("/identifiers/0")
                .ok_or_else(|| format!("vulnerability {i}: no identifiers"))?;
            Ok(ReportFinding {
                index: i,
                identifier_type: s(id, "/type").unwrap_or_default(),
                identifier_value: s(id, "/value").unwrap_or_default(),
                token: s(vuln, "/raw_source_code_extract").unwrap_or_default(),
                path: s(vuln, "/location/file").unwrap_or_default(),
                start_line: n(vuln, "/location/start_line"),
                commit: s(vuln, "/location/commit/sha"),
                confidence: s(vuln, "/confidence"),
                // `details.validation.value` is "active, identity ... (HTTP 200)".
                validation: s(vuln, "/details/validation/value")
                    .and_then(|v| v.split([',', ' ']).next().map(str::to_string)),
            })
        })
        .collect()
}

fn jsonl_finding(index: usize, v: &Value) -> Result<ReportFinding, String> {
    let rule = s(v, "/rule_id").ok_or("no \"rule_id\"")?;
    Ok(ReportFinding {
        index,
        identifier_type: "gitleaks_rule_id".into(),
        identifier_value: rule,
        token: s(v, "/secret").unwrap_or_default(),
        path: s(v, "/path").unwrap_or_default(),
        start_line: n(v, "/start_line"),
        commit: s(v, "/commit/sha"),
        confidence: s(v, "/confidence"),
        validation: s(v, "/validation/status"),
    })
}

fn read_sarif(v: &Value) -> Result<Vec<ReportFinding>, String> {
    let runs = v["runs"].as_array().ok_or("\"runs\" is not an array")?;
    let mut out = Vec::new();
    for run in runs {
        for r in run.get("results").and_then(Value::as_array).into_iter().flatten() {
            let loc = "/locations/0/physicalLocation";
            out.push(ReportFinding {
                index: out.len(),
                identifier_type: "gitleaks_rule_id".into(),
                identifier_value: s(r, "/ruleId").ok_or("result without \"ruleId\"")?,
                token: s(r, &format!("{loc}/region/snippet/text")).unwrap_or_default(),
                path: s(r, &format!("{loc}/artifactLocation/uri")).unwrap_or_default(),
                start_line: n(r, &format!("{loc}/region/startLine")),
                commit: s(r, "/properties/commit/sha"),
                confidence: s(r, "/properties/confidence"),
                validation: s(r, "/properties/validation/status"),
            });
        }
    }
    Ok(out)
}

/// Revocation types GitLab.com's post-processor supports (GitLab's documented revocable token types) plus our rule ids for
/// the same token kinds. Used when no Token Revocation API list is available.
pub const KNOWN_REVOCABLE: &[&str] = &[
    "gitleaks_rule_id_gitlab_personal_access_token",
    "gitleaks_rule_id_gitlab_personal_access_token_routable",
    "gitleaks_rule_id_gitlab_personal_access_token_routable_versioned",
    "gitleaks_rule_id_aws",
    "gitleaks_rule_id_gcp_api_key",
    "gitleaks_rule_id_google_gcp_service_account",
    "gitleaks_rule_id_gcp_oauth_client_secret",
    "gitleaks_rule_id_postman_api_token",
];

/// Why a finding is (not) revocable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Revocability {
    /// The rule declares a `revocation_type`.
    RuleOverride,
    /// The type is in [`KNOWN_REVOCABLE`].
    KnownType,
    /// The Token Revocation API lists the type.
    ApiListed,
    /// The API's list does not have the type.
    NotListedByApi,
    /// Nobody revokes this type.
    UnknownType,
    /// The report holds no usable token (redacted or empty).
    NoToken,
}

impl Revocability {
    /// Whether a revocation request will be made.
    pub fn is_revocable(self) -> bool {
        matches!(
            self,
            Revocability::RuleOverride | Revocability::KnownType | Revocability::ApiListed
        )
    }
}

/// One classified finding.
#[derive(Clone, Debug, Serialize)]
pub struct Classified {
    /// Position in the report.
    pub index: usize,
    /// Rule id (primary identifier value).
    pub rule_id: String,
    /// Revocation type string.
    pub revocation_type: String,
    /// Whether and why it is revocable.
    pub revocability: Revocability,
    /// Whether it is revocable (same as `revocability.is_revocable()`).
    pub revocable: bool,
    /// Confidence (from the report, else the rule, else `unknown`).
    pub confidence: String,
    /// Why it looks like a test fixture or documentation example, if it does.
    pub likely_test: Option<String>,
    /// File path.
    pub path: String,
    /// First line.
    pub start_line: u64,
    /// Index into [`Classification::targets`], for revocable findings.
    pub target: Option<usize>,
    /// The token in printable form ([`super::redact`]).
    pub token_redacted: String,
}

/// A deduplicated revocation target: one (type, token) pair, however often it was found.
#[derive(Clone, Debug)]
pub struct Target {
    /// Revocation type string.
    pub revocation_type: String,
    /// The token (never print it: use [`super::redact`]).
    pub token: String,
    /// Location of the first finding.
    pub location: String,
    /// Idempotency key.
    pub key: String,
    /// Findings (report indexes) that share this target.
    pub findings: Vec<usize>,
    /// Whether every finding of this target looks like a test fixture.
    pub likely_test: bool,
}

/// The result of classifying one report.
#[derive(Clone, Debug)]
pub struct Classification {
    /// Report format.
    pub format: ReportFormat,
    /// Every finding, in report order.
    pub findings: Vec<Classified>,
    /// Deduplicated revocation targets.
    pub targets: Vec<Target>,
}

/// Classifies findings. Configure it, then call [`Classifier::classify`].
///
/// ```
/// use leakguard::revoke::classify::{read_report, Classifier};
/// let report = concat!(
///     r#"{"rule_id":"aws","secret":"AKIAQXRYONJ3DYBVZXG2","path":"app/.env","start_line":1}"#, "\n",
///     r#"{"rule_id":"aws","secret":"AKIAQXRYONJ3DYBVZXG2","path":"tests/fixtures/x.env","start_line":1}"#, "\n",
/// );
/// let (format, findings) = read_report(report.as_bytes(), "r".as_ref()).unwrap();
/// let c = Classifier::new().classify(format, findings);
/// assert_eq!(c.targets.len(), 1, "one token, one target");
/// assert!(c.findings[0].revocable);
/// assert!(c.findings[1].likely_test.is_some());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Classifier {
    rules: Option<std::sync::Arc<RuleSet>>,
    api_types: Option<HashSet<String>>,
    project_url: Option<String>,
    skip_likely_test: bool,
}

impl Classifier {
    /// A classifier with no rule set, the built-in known list and path locations.
    pub fn new() -> Classifier {
        Classifier::default()
    }

    /// Consult `rules` for `revocation_type` overrides and base confidence.
    pub fn rules(&mut self, rules: std::sync::Arc<RuleSet>) -> &mut Self {
        self.rules = Some(rules);
        self
    }

    /// Use the Token Revocation API's type list instead of the known list.
    pub fn api_types(&mut self, types: impl IntoIterator<Item = String>) -> &mut Self {
        self.api_types = Some(types.into_iter().collect());
        self
    }

    /// Project URL (`https://gitlab.example.com/group/repo`): locations become raw-file URLs
    /// `<url>/-/raw/<sha>/<path>` as GitLab builds them.
    pub fn project_url(&mut self, url: Option<String>) -> &mut Self {
        self.project_url = url.map(|u| u.trim_end_matches('/').to_string());
        self
    }

    /// Do not make revocation targets of findings that look like test fixtures.
    pub fn skip_likely_test(&mut self, yes: bool) -> &mut Self {
        self.skip_likely_test = yes;
        self
    }

    /// Where a finding is, as sent in `location`.
    fn location(&self, f: &ReportFinding) -> String {
        let sha = f.commit.as_deref().filter(|s| !s.is_empty()).unwrap_or("0000000");
        match &self.project_url {
            Some(base) => format!("{base}/-/raw/{sha}/{}", f.path.trim_start_matches('/')),
            None if sha == "0000000" => f.path.clone(),
            None => format!("{}@{sha}", f.path),
        }
    }

    /// Classifies `findings` read from a report of `format`.
    pub fn classify(&self, format: ReportFormat, findings: Vec<ReportFinding>) -> Classification {
        let mut targets: Vec<Target> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::with_capacity(findings.len());
        for f in findings {
            let rule = self
                .rules
                .as_ref()
                .and_then(|rs| rs.find(&f.identifier_value).map(|id| rs.get(id).clone()));
            let override_type = rule.as_ref().and_then(|r| r.revocation_type.clone());
            let rtype = override_type
                .clone()
                .unwrap_or_else(|| revocation_type(&f.identifier_type, &f.identifier_value));
            let no_token = f.token.is_empty() || f.token == crate::finding::REDACTED;
            let revocability = if no_token {
                Revocability::NoToken
            } else if let Some(api) = &self.api_types {
                if api.contains(&rtype) {
                    Revocability::ApiListed
                } else {
                    Revocability::NotListedByApi
                }
            } else if override_type.is_some() {
                Revocability::RuleOverride
            } else if KNOWN_REVOCABLE.contains(&rtype.as_str()) {
                Revocability::KnownType
            } else {
                Revocability::UnknownType
            };
            let likely_test = likely_test(&f.path, &f.token);
            let confidence = f
                .confidence
                .clone()
                .map(|c| c.to_ascii_lowercase())
                .or_else(|| rule.as_ref().map(|r| r.confidence.as_str().to_string()))
                .unwrap_or_else(|| "unknown".into());
            let mut target = None;
            if revocability.is_revocable() && !(self.skip_likely_test && likely_test.is_some()) {
                let key = idempotency_key(&rtype, &f.token);
                let t = *by_key.entry(key.clone()).or_insert_with(|| {
                    targets.push(Target {
                        revocation_type: rtype.clone(),
                        token: f.token.clone(),
                        location: self.location(&f),
                        key,
                        findings: Vec::new(),
                        likely_test: true,
                    });
                    targets.len() - 1
                });
                targets[t].findings.push(f.index);
                targets[t].likely_test &= likely_test.is_some();
                target = Some(t);
            }
            out.push(Classified {
                index: f.index,
                rule_id: f.identifier_value,
                revocable: revocability.is_revocable(),
                revocation_type: rtype,
                revocability,
                confidence,
                likely_test,
                path: f.path,
                start_line: f.start_line,
                target,
                token_redacted: if no_token { f.token.clone() } else { super::redact(&f.token) },
            });
        }
        Classification { format, findings: out, targets }
    }
}

/// Directory names that hold tests, fixtures, examples or documentation.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "testdata",
    "test_data",
    "testing",
    "spec",
    "specs",
    "fixture",
    "fixtures",
    "__fixtures__",
    "mock",
    "mocks",
    "__mocks__",
    "example",
    "examples",
    "sample",
    "samples",
    "demo",
    "docs",
    "doc",
    "documentation",
];

/// Directory names that hold prose documentation (beyond [`TEST_DIRS`], which already
/// include `docs`, `doc` and `documentation`): a `.txt`/`.rst` file under one of them is read
/// as documentation.
const DOC_DIRS: &[&str] = &[
    "man",
    "manual",
    "manuals",
    "guide",
    "guides",
    "wiki",
    "help",
    "howto",
    "tutorial",
    "tutorials",
    "handbook",
    "_docs",
    "sphinx",
    "userguide",
    "user-guide",
];

/// File stems (lower case, before the first `.`) that name documentation whatever their
/// extension: the conventional top-level prose files of a project.
const DOC_STEMS: &[&str] = &[
    "readme",
    "changelog",
    "changes",
    "history",
    "news",
    "authors",
    "contributors",
    "contributing",
    "license",
    "licence",
    "copying",
    "notice",
    "install",
    "installation",
    "usage",
    "faq",
    "todo",
    "release-notes",
    "release_notes",
    "releasenotes",
    "upgrading",
    "migration",
    "code_of_conduct",
    "hacking",
    "tutorial",
    "guide",
    "manual",
];

/// Words in a file name that say it holds live configuration or credentials: such a file is
/// never documentation because of its name, extension or a docs-like directory (only the
/// established test and docs directories of [`TEST_DIRS`] override this).
const SECRET_NAME_WORDS: &[&str] = &[
    "credential",
    "secret",
    "password",
    "passwd",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "key",
    "auth",
    "login",
    "prod",
    ".env",
    "config",
    "settings",
    "private",
];

/// Whether a `.txt`/`.rst` file is documentation, judged by where it is and what it is
/// called, never by the extension alone (`prod/credentials.txt` is a credentials file, not
/// prose). `dirs` are the lower-cased directory components, `file` the lower-cased name.
///
/// The report carries no content to judge beyond the secret itself (the GitLab format keeps
/// only the secret; JSON Lines adds the regex match, which looks the same for a real leak and
/// for a documented one), so content counts only through the placeholder and documented
/// example-key check that [`likely_test`] applies to every file. A plain-text file therefore
/// counts as documentation only with positive evidence: a docs-like directory, or a
/// conventional documentation name (README, CHANGELOG, …) that does not also name secrets.
fn plain_text_documentation(dirs: &[&str], file: &str) -> Option<String> {
    let ext = [".txt", ".rst", ".text"].into_iter().find(|e| file.ends_with(e))?;
    if SECRET_NAME_WORDS.iter().any(|w| file.contains(w)) {
        return None;
    }
    if let Some(dir) = dirs.iter().find(|d| DOC_DIRS.contains(d)) {
        return Some(format!("documentation file ({ext} under {dir}/)"));
    }
    let stem = file.split('.').next().unwrap_or("");
    if DOC_STEMS.contains(&stem) {
        return Some(format!("documentation file ({stem}{ext})"));
    }
    None
}

/// Why `path`/`token` look like a test fixture or documentation example, or `None`.
///
/// ```
/// use leakguard::revoke::classify::likely_test;
/// assert!(likely_test("src/tests/auth.rs", "x").is_some());
/// assert!(likely_test("config/.env.example", "x").is_some());
/// assert!(likely_test("deploy/prod.env", "AKIAIOSFODNN7EXAMPLE").is_some());
/// assert!(likely_test("deploy/prod.env", "AKIAQXRYONJ3DYBVZXG2").is_none());
/// assert!(likely_test("README.txt", "AKIAQXRYONJ3DYBVZXG2").is_some());
/// assert!(likely_test("prod/credentials.txt", "AKIAQXRYONJ3DYBVZXG2").is_none());
/// ```
pub fn likely_test(path: &str, token: &str) -> Option<String> {
    let lower = path.to_ascii_lowercase().replace('\\', "/");
    let mut parts: Vec<&str> = lower.split('/').filter(|p| !p.is_empty()).collect();
    let file = parts.pop().unwrap_or("");
    if let Some(dir) = parts.iter().find(|p| TEST_DIRS.contains(p)) {
        return Some(format!("path is under a {dir}/ directory"));
    }
    for ext in [".example", ".sample", ".template", ".tmpl", ".dist"] {
        if file.ends_with(ext) || file.contains(&format!("{ext}.")) {
            return Some(format!("file name ends with {ext}"));
        }
    }
    for ext in [".md", ".markdown", ".adoc"] {
        if file.ends_with(ext) {
            return Some(format!("documentation file ({ext})"));
        }
    }
    if let Some(why) = plain_text_documentation(&parts, file) {
        return Some(why);
    }
    let stem = file.split('.').next().unwrap_or("");
    if stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || file.contains(".test.")
        || file.contains(".spec.")
        || stem == "conftest"
    {
        return Some("test file name".into());
    }
    if !token.is_empty() && crate::check::is_placeholder(token.as_bytes()) {
        return Some("token is a placeholder or documented example key".into());
    }
    None
}

/// Writes `report` (a parsed GitLab report) to `out` with a `flags` entry
/// `flagged-as-likely-false-positive` on every vulnerability that looks like a test fixture.
/// Existing flags are kept; a leakguard flag is not added twice. Returns how many
/// vulnerabilities were flagged. The file is replaced atomically.
pub fn write_flags(report: &mut Value, c: &Classification, out: &Path) -> Result<usize, Error> {
    let mut flagged = 0;
    if let Some(vulns) = report.get_mut("vulnerabilities").and_then(Value::as_array_mut) {
        for f in &c.findings {
            let (Some(reason), Some(v)) = (&f.likely_test, vulns.get_mut(f.index)) else {
                continue;
            };
            let Some(obj) = v.as_object_mut() else { continue };
            let flags = obj.entry("flags").or_insert_with(|| Value::Array(Vec::new()));
            let Some(list) = flags.as_array_mut() else { continue };
            let ours = |x: &Value| {
                x.get("origin").and_then(Value::as_str) == Some("leakguard")
                    && x.get("type").and_then(Value::as_str)
                        == Some("flagged-as-likely-false-positive")
            };
            if !list.iter().any(ours) {
                let flag = Flag {
                    kind: "flagged-as-likely-false-positive",
                    origin: "leakguard".into(),
                    description: format!("Likely a test fixture or example: {reason}."),
                };
                list.push(serde_json::to_value(flag).unwrap_or(Value::Null));
            }
            flagged += 1;
        }
    }
    crate::report::write_atomic(out, |w| {
        serde_json::to_writer_pretty(&mut *w, report)?;
        w.write_all(b"\n")
    })
    .map_err(|e| Error::io(out, e))?;
    Ok(flagged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{self, Format, ReportMeta};
    use crate::scan::Scanner;
    use crate::source::Provenance;

    /// Every report format leakguard writes reads back to the same rule, token and place.
    #[test]
    fn round_trips_every_report_format() {
        let scanner = Scanner::builtin().unwrap();
        let mut scratch = scanner.new_scratch();
        let mut findings = Vec::new();
        let text = b"x = 1\nGITHUB_TOKEN=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\n";
        let hit = scanner.scan_bytes(text, &Provenance::Stdin, &mut scratch, &mut findings);
        assert_eq!((findings.len(), hit), (1, None));
        for (format, expect) in [
            (Format::Gitlab, ReportFormat::Gitlab),
            (Format::Sarif, ReportFormat::Sarif),
            (Format::Json, ReportFormat::JsonLines),
        ] {
            let mut buf = Vec::new();
            report::write(format, &findings, &ReportMeta::now(), &mut buf).unwrap();
            let (got, read) = read_report(&buf, "r".as_ref()).unwrap();
            assert_eq!(got, expect);
            assert_eq!(read.len(), 1, "{expect:?}");
            assert_eq!(read[0].identifier_value, "github_personal_access_token");
            assert_eq!(read[0].token, "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");
            assert_eq!(read[0].start_line, 2, "{expect:?}");
            let c = Classifier::new()
                .api_types(["gitleaks_rule_id_github_personal_access_token".to_string()])
                .classify(got, read);
            assert_eq!(c.targets.len(), 1);
            assert_eq!(c.findings[0].confidence, "high", "{expect:?}");
        }
    }

    #[test]
    fn redacted_reports_have_nothing_to_revoke() {
        let report = br#"{"rule_id":"aws","secret":"REDACTED","path":"a","start_line":1}"#;
        let (f, r) = read_report(report, "r".as_ref()).unwrap();
        let c = Classifier::new().classify(f, r);
        assert_eq!(c.findings[0].revocability, Revocability::NoToken);
        assert!(c.targets.is_empty());
    }

    /// A `.txt`/`.rst` file is documentation by path or name, never by extension alone
    /// (issue 9: a valid token in `prod/credentials.txt` must stay revocable).
    #[test]
    fn plain_text_is_documentation_only_by_path_or_name() {
        const REAL: &str = "AKIAQXRYONJ3DYBVZXG2";
        for path in [
            "prod/credentials.txt",
            "config/secrets.txt",
            ".env.txt",
            "deploy/notes.txt",
            "keys.rst",
            "requirements.txt",
            "CMakeLists.txt",
            "srv/app/token.text",
            "readme-prod-credentials.txt",
            "install_token.txt",
            "guide/credentials.txt",
        ] {
            assert_eq!(likely_test(path, REAL), None, "{path} is not documentation");
        }
        for path in [
            "README.txt",
            "readme.rst",
            "CHANGELOG.txt",
            "project/HISTORY.rst",
            "INSTALL.txt",
            "docs/api.rst",
            "guide/setup.txt",
            "manual/aws.txt",
            "src/wiki/aws-setup.txt",
            "docs/credentials.txt",
            "notes.md",
            "book/intro.adoc",
        ] {
            assert!(likely_test(path, REAL).is_some(), "{path} is documentation");
        }
        // content still counts everywhere: a documented example key in a credentials file
        assert!(likely_test("prod/credentials.txt", "AKIAIOSFODNN7EXAMPLE").is_some());
        // and the classifier keeps the real one as a target with --skip-likely-test
        let f = |path: &str| ReportFinding {
            identifier_type: "gitleaks_rule_id".into(),
            identifier_value: "aws".into(),
            token: REAL.into(),
            path: path.into(),
            start_line: 1,
            ..ReportFinding::default()
        };
        let mut c = Classifier::new();
        c.api_types(["gitleaks_rule_id_aws".to_string()]).skip_likely_test(true);
        let out = c.classify(ReportFormat::JsonLines, vec![f("prod/credentials.txt")]);
        assert_eq!(out.targets.len(), 1, "prod/credentials.txt is revoked");
        let out = c.classify(ReportFormat::JsonLines, vec![f("docs/README.txt")]);
        assert!(out.targets.is_empty(), "documentation is skipped with --skip-likely-test");
    }

    #[test]
    fn rejects_unknown_json() {
        assert!(read_report(br#"{"hello": 1}"#, "r".as_ref()).is_err());
        assert!(read_report(b"not json\n", "r".as_ref()).is_err());
    }
}
