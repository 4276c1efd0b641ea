//! Known findings to leave out: `.gitleaksignore`, `.leakguardignore` and baselines.
//!
//! Design decision: leakguard's own ignore file and baselines are keyed by *content*
//! (`sha256(rule id, secret)`, optionally scoped to a path), so they survive moved lines,
//! reformatting and new commits — the failure users report most about position-keyed
//! ignores. gitleaks' position-keyed `.gitleaksignore` is still honoured unchanged
//! (`file:rule:line` and `commit:file:rule:line`), and its rule may be named by our id or by
//! gitleaks' (`src/a.py:github-pat:3` matches `github_personal_access_token`), as may the
//! rules of position-keyed baseline entries. Every entry remembers whether it matched,
//! so `--report-unused-ignores` can list stale ones. Baselines written by leakguard are
//! sorted by fingerprint and carry no line numbers or timestamps, so they merge cleanly.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use super::Finding;

/// A problem reading an ignore or baseline file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct IgnoreError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug)]
struct Entry {
    /// Where the entry came from, `file:line`, for the unused report.
    origin: String,
    used: AtomicBool,
}

/// The union of all ignore sources for one scan.
#[derive(Debug, Default)]
pub struct IgnoreSet {
    entries: Vec<Entry>,
    /// gitleaks global form `file:rule:line` → entry.
    positional: HashMap<String, usize>,
    /// gitleaks commit form `commit:file:rule:line` → entry.
    commit_positional: HashMap<String, usize>,
    /// content fingerprint → (optional path scope, entry).
    content: HashMap<String, Vec<(Option<String>, usize)>>,
    /// Baseline: sha256(secret) of known secrets.
    baseline_secrets: HashSet<String>,
    /// Baseline: `file:rule:line` for redacted baseline entries.
    baseline_positions: HashSet<String>,
}

/// sha256 of a secret, hex (rule-independent, so gitleaks baselines match our rule ids).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl IgnoreSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing is ignored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.content.is_empty()
            && self.baseline_secrets.is_empty()
            && self.baseline_positions.is_empty()
    }

    fn push(&mut self, origin: String) -> usize {
        self.entries.push(Entry { origin, used: AtomicBool::new(false) });
        self.entries.len() - 1
    }

    /// Loads a `.gitleaksignore`: `file:rule:line` (any commit) or `commit:file:rule:line`.
    pub fn load_gitleaksignore(&mut self, path: &Path) -> Result<(), IgnoreError> {
        let text = read(path)?;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let origin = format!("{}:{}", path.display(), n + 1);
            let line = line.replace('\\', "/");
            let fields = line.split(':').count();
            let idx = self.push(origin);
            match fields {
                3 => {
                    self.positional.insert(line, idx);
                }
                // commit:file:rule:line (a Windows drive letter would add a field; gitleaks
                // stores such entries too, so they simply never match).
                _ => {
                    if fields != 4 {
                        tracing::warn!(
                            "{}: invalid .gitleaksignore entry",
                            self.entries[idx].origin
                        );
                    }
                    self.commit_positional.insert(line, idx);
                }
            }
        }
        Ok(())
    }

    /// Loads a `.leakguardignore`: `<fingerprint> [path]` per line, `#` comments.
    pub fn load_leakguardignore(&mut self, path: &Path) -> Result<(), IgnoreError> {
        let text = read(path)?;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let fp = parts.next().unwrap_or_default().to_ascii_lowercase();
            if fp.len() != 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(IgnoreError {
                    path: path.display().to_string(),
                    // The entry is not quoted: ignore files may come from the scanned content.
                    message: format!("line {}: the entry is not a 64-hex fingerprint", n + 1),
                });
            }
            let scope = parts.next().map(|p| p.trim_start_matches("./").to_string());
            let idx = self.push(format!("{}:{}", path.display(), n + 1));
            self.content.entry(fp).or_default().push((scope, idx));
        }
        Ok(())
    }

    /// Loads a baseline: a previous leakguard report (JSON Lines, GitLab, SARIF, or a
    /// baseline written by [`write_baseline`]) or a gitleaks JSON report.
    pub fn load_baseline(&mut self, path: &Path) -> Result<(), IgnoreError> {
        let text = read(path)?;
        let err = |m: String| IgnoreError { path: path.display().to_string(), message: m };
        let trimmed = text.trim_start();
        let mut add =
            |secret: Option<&str>, fingerprint: Option<&str>, pos: Option<String>| match secret
                .filter(|s| !s.is_empty() && *s != super::REDACTED)
            {
                Some(s) => {
                    self.baseline_secrets.insert(secret_hash(s));
                }
                None => {
                    if let Some(fp) = fingerprint {
                        self.content.entry(fp.to_string()).or_default().push((None, usize::MAX));
                    } else if let Some(p) = pos {
                        self.baseline_positions.insert(p);
                    }
                }
            };
        if trimmed.starts_with('[') {
            // gitleaks report: array of {RuleID, Secret, File, StartLine, ...}
            let items: Vec<serde_json::Value> = serde_json::from_str(trimmed)
                .map_err(|e| err(format!("not a gitleaks report: {e}")))?;
            for it in &items {
                let pos = position(it["File"].as_str(), it["RuleID"].as_str(), &it["StartLine"]);
                add(it["Secret"].as_str(), None, Some(pos));
            }
            return Ok(());
        }
        if let Ok(doc) = serde_json::from_str::<serde_json::Value>(trimmed) {
            if let Some(vulns) = doc["vulnerabilities"].as_array() {
                for v in vulns {
                    let pos = position(
                        v["location"]["file"].as_str(),
                        v["identifiers"][0]["value"].as_str(),
                        &v["location"]["start_line"],
                    );
                    add(v["raw_source_code_extract"].as_str(), None, Some(pos));
                }
                return Ok(());
            }
            if let Some(runs) = doc["runs"].as_array() {
                for r in runs.iter().filter_map(|r| r["results"].as_array()).flatten() {
                    let fp = r["partialFingerprints"]["leakguardFingerprint/v1"].as_str();
                    let secret =
                        r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].as_str();
                    add(secret, fp, None);
                }
                return Ok(());
            }
        }
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| err(format!("line {}: not JSON: {e}", n + 1)))?;
            if crate::finding::coverage::is_summary_line(&v) {
                continue;
            }
            let pos = position(v["path"].as_str(), v["rule_id"].as_str(), &v["start_line"]);
            add(v["secret"].as_str(), v["fingerprint"].as_str(), Some(pos));
        }
        Ok(())
    }

    /// Whether `f` is ignored; marks the matching entries as used.
    pub fn is_ignored(&self, f: &Finding) -> bool {
        let mut hit = false;
        let mut mark = |idx: usize| {
            if let Some(e) = self.entries.get(idx) {
                e.used.store(true, Ordering::Relaxed);
            }
            hit = true;
        };
        // Position keys name the rule by its own id or by a gitleaks id (`github-pat` for
        // `github_personal_access_token`, `rules/gitleaks-ids.toml`).
        let mut baseline_position = false;
        for rule in crate::rules::gitleaks_ids::aliases(&f.rule_id) {
            let pos = f.position_key_as(rule);
            if let Some(&i) = self.positional.get(&pos) {
                mark(i);
            }
            if let Some(c) = &f.commit {
                if let Some(&i) = self.commit_positional.get(&format!("{}:{pos}", c.sha)) {
                    mark(i);
                }
            }
            baseline_position |= self.baseline_positions.contains(&pos);
        }
        if let Some(list) = self.content.get(&f.fingerprint) {
            for (scope, i) in list {
                if scope.as_deref().is_none_or(|s| s == f.location.path) {
                    mark(*i);
                }
            }
        }
        if baseline_position || self.baseline_secrets.contains(&secret_hash(&f.secret)) {
            hit = true;
        }
        hit
    }

    /// Ignore-file entries (not baseline entries) that matched no finding, as `file:line`.
    pub fn unused(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| !e.used.load(Ordering::Relaxed))
            .map(|e| e.origin.clone())
            .collect()
    }
}

/// `file:rule:line` from a report's JSON fields (the same key as [`Finding::position_key`]).
fn position(file: Option<&str>, rule: Option<&str>, line: &serde_json::Value) -> String {
    format!("{}:{}:{}", file.unwrap_or(""), rule.unwrap_or(""), line)
}

fn read(path: &Path) -> Result<String, IgnoreError> {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| IgnoreError { path: path.display().to_string(), message: e.to_string() })
}

/// Writes a baseline: one JSON object per distinct (fingerprint, path), sorted, with no
/// line numbers, secrets or timestamps, so it is stable across runs and merges cleanly.
pub fn write_baseline(findings: &[Finding], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let rows: BTreeSet<(&str, &str, &str)> = findings
        .iter()
        .map(|f| (f.fingerprint.as_str(), f.rule_id.as_str(), f.location.path.as_str()))
        .collect();
    for (fp, rule, path) in rows {
        serde_json::to_writer(
            &mut *w,
            &serde_json::json!({"fingerprint": fp, "rule_id": rule, "path": path}),
        )?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
    use crate::rules::{Confidence, Severity};

    fn finding(path: &str, line: usize, secret: &str) -> Finding {
        Finding {
            rule_id: "r".into(),
            description: "d".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            tags: vec![],
            secret: secret.into(),
            matched: secret.into(),
            entropy: 4.0,
            check: None,
            revocation_type: None,
            report_description: None,
            location: Location {
                path: path.into(),
                start_line: line,
                start_column: 1,
                end_line: line,
                end_column: 9,
            },
            commit: None,
            blob_id: None,
            fingerprint: crate::finding::fingerprint("r", secret.as_bytes()),
            companions: vec![],
            context: None,
            validation: None,
        }
    }

    #[test]
    fn content_ignores_survive_moves_and_report_unused() {
        let dir = tempfile::tempdir().unwrap();
        let f = finding("a.txt", 3, "s3cr3tvalue");
        let p = dir.path().join(".leakguardignore");
        std::fs::write(
            &p,
            format!("# known\n{}\n{} b.txt\n{}\n", f.fingerprint, f.fingerprint, "0".repeat(64)),
        )
        .unwrap();
        let mut set = IgnoreSet::new();
        set.load_leakguardignore(&p).unwrap();
        assert!(set.is_ignored(&finding("a.txt", 99, "s3cr3tvalue")));
        assert!(!set.is_ignored(&finding("a.txt", 3, "other")));
        let unused = set.unused();
        assert_eq!(unused.len(), 2, "{unused:?}");
        assert!(unused[0].ends_with(":3") && unused[1].ends_with(":4"));
    }

    #[test]
    fn gitleaksignore_forms() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".gitleaksignore");
        std::fs::write(&p, "a.txt:r:3\nabc123:b.txt:r:7\n").unwrap();
        let mut set = IgnoreSet::new();
        set.load_gitleaksignore(&p).unwrap();
        assert!(set.is_ignored(&finding("a.txt", 3, "x")));
        assert!(!set.is_ignored(&finding("a.txt", 4, "x")));
        let mut f = finding("b.txt", 7, "y");
        assert!(!set.is_ignored(&f));
        f.commit = Some(std::sync::Arc::new(crate::source::CommitInfo {
            sha: "abc123".into(),
            ..Default::default()
        }));
        assert!(set.is_ignored(&f));
    }

    #[test]
    fn gitleaksignore_accepts_gitleaks_rule_ids() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".gitleaksignore");
        std::fs::write(&p, "a.txt:github-pat:3\nabc123:b.txt:github-pat:7\nc.txt:gitlab-pat:1\n")
            .unwrap();
        let mut set = IgnoreSet::new();
        set.load_gitleaksignore(&p).unwrap();
        let gh = |path: &str, line: usize| {
            let mut f = finding(path, line, "x");
            f.rule_id = "github_personal_access_token".into();
            f
        };
        assert!(set.is_ignored(&gh("a.txt", 3)));
        assert!(!set.is_ignored(&gh("a.txt", 4)));
        // Another rule at the same position is not ignored.
        let mut other = gh("c.txt", 1);
        assert!(!set.is_ignored(&other));
        other.rule_id = "gitlab_personal_access_token".into();
        assert!(set.is_ignored(&other));
        let mut f = gh("b.txt", 7);
        assert!(!set.is_ignored(&f));
        f.commit = Some(std::sync::Arc::new(crate::source::CommitInfo {
            sha: "abc123".into(),
            ..Default::default()
        }));
        assert!(set.is_ignored(&f));
        assert_eq!(f.gitleaks_fingerprint(), "abc123:b.txt:github-pat:7");
        assert!(set.unused().is_empty(), "{:?}", set.unused());
    }

    #[test]
    fn baselines_from_gitleaks_and_our_own() {
        let dir = tempfile::tempdir().unwrap();
        let g = dir.path().join("gitleaks.json");
        std::fs::write(
            &g,
            r#"[{"RuleID":"github-pat","Secret":"s3cr3tvalue","File":"x","StartLine":1}]"#,
        )
        .unwrap();
        let mut set = IgnoreSet::new();
        set.load_baseline(&g).unwrap();
        assert!(set.is_ignored(&finding("elsewhere.txt", 5, "s3cr3tvalue")));
        let ours = dir.path().join("baseline.jsonl");
        let mut buf = Vec::new();
        write_baseline(
            &[finding("b.txt", 2, "zz"), finding("a.txt", 1, "yy"), finding("a.txt", 9, "yy")],
            &mut buf,
        )
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains("yy") && !text.contains("start_line"));
        std::fs::write(&ours, &text).unwrap();
        let mut set = IgnoreSet::new();
        set.load_baseline(&ours).unwrap();
        assert!(!set.is_empty());
        assert!(set.is_ignored(&finding("a.txt", 40, "yy")));
        assert!(!set.is_ignored(&finding("a.txt", 40, "new")));
    }
}
