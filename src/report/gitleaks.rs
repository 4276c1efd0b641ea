//! gitleaks' JSON report (`gitleaks --report-format json`), for consumers written against
//! gitleaks (`jq '.[] | .RuleID'`, dashboards, baselines).
//!
//! Design decision: the field names, their order, the one-space indentation and the
//! fingerprint forms are gitleaks' (`report/finding.go` and `report/json.go` of gitleaks
//! v8.30); what leakguard knows beyond that (confidence, check, companions) is left out, so
//! the report is exactly what a gitleaks consumer expects. `RuleID` is the rule's gitleaks id
//! when it has one (`rules/gitleaks-ids.toml`: `github-pat` for
//! `github_personal_access_token`) and our id otherwise, and `Fingerprint` uses the same id
//! (`file:rule:line`, or `commit:file:rule:line` in git history), so a `.gitleaksignore` or
//! a `--baseline` written from this report works with either tool. `StartColumn` and
//! `EndColumn` are the secret's, 1-based and inclusive (gitleaks' are the whole match's), and
//! `Match` is trimmed of line feeds as gitleaks trims it. Nothing is written for `Link` (no
//! SCM permalinks) and `SymlinkFile` is empty.

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::Finding;
use crate::rules::gitleaks_ids;

#[derive(Serialize)]
struct Item<'a> {
    #[serde(rename = "RuleID")]
    rule_id: &'a str,
    #[serde(rename = "Description")]
    description: &'a str,
    #[serde(rename = "StartLine")]
    start_line: usize,
    #[serde(rename = "EndLine")]
    end_line: usize,
    #[serde(rename = "StartColumn")]
    start_column: usize,
    #[serde(rename = "EndColumn")]
    end_column: usize,
    #[serde(rename = "Match")]
    matched: &'a str,
    #[serde(rename = "Secret")]
    secret: &'a str,
    #[serde(rename = "File")]
    file: &'a str,
    #[serde(rename = "SymlinkFile")]
    symlink_file: &'static str,
    #[serde(rename = "Commit")]
    commit: &'a str,
    #[serde(rename = "Entropy")]
    entropy: f32,
    #[serde(rename = "Author")]
    author: &'a str,
    #[serde(rename = "Email")]
    email: &'a str,
    #[serde(rename = "Date")]
    date: &'a str,
    #[serde(rename = "Message")]
    message: &'a str,
    #[serde(rename = "Tags")]
    tags: &'a [String],
    #[serde(rename = "Fingerprint")]
    fingerprint: String,
}

/// Writes the findings as a gitleaks JSON report: an array (`[]` when empty), indented
/// with one space, then a newline.
pub fn write(findings: &[Finding], w: &mut dyn Write) -> io::Result<()> {
    let items: Vec<Item<'_>> = findings
        .iter()
        .map(|f| {
            let c = f.commit.as_deref();
            Item {
                rule_id: gitleaks_ids::report_id(&f.rule_id),
                description: &f.description,
                start_line: f.location.start_line,
                end_line: f.location.end_line,
                start_column: f.location.start_column,
                end_column: f.location.end_column,
                // gitleaks trims line feeds around the match (`strings.Trim(match, "\n")`).
                matched: f.matched.trim_matches('\n'),
                secret: &f.secret,
                file: &f.location.path,
                symlink_file: "",
                commit: c.map_or("", |c| c.sha.as_str()),
                entropy: f.entropy as f32,
                author: c.map_or("", |c| c.author_name.as_str()),
                email: c.map_or("", |c| c.author_email.as_str()),
                date: c.map_or("", |c| c.date.as_str()),
                message: c.map_or("", |c| c.message.as_str()),
                tags: &f.tags,
                fingerprint: f.gitleaks_fingerprint(),
            }
        })
        .collect();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *w,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    items.serialize(&mut ser)?;
    w.write_all(b"\n")
}
