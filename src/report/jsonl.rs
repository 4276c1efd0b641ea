//! JSON Lines: one finding object per line, for `jq` and log pipelines, then one summary line.
//!
//! The summary line (`{"type": "summary", ...}`, always last) says whether the scan was
//! complete and lists every policy skip and failure; readers of findings skip it (findings
//! have no `type` key).

use std::io::{self, Write};

use serde::Serialize;

use super::ReportMeta;
use crate::finding::Finding;

/// The wire shape of one finding (also read back by `classify` and `--baseline`).
#[derive(Serialize)]
struct Line<'a> {
    rule_id: &'a str,
    description: &'a str,
    severity: &'static str,
    confidence: &'static str,
    path: &'a str,
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    secret: &'a str,
    #[serde(rename = "match")]
    matched: &'a str,
    entropy: f64,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<Commit<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blob_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    companions: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    validation: Option<&'a crate::finding::Validation>,
}

#[derive(Serialize)]
struct Commit<'a> {
    sha: &'a str,
    author_name: &'a str,
    author_email: &'a str,
    date: &'a str,
    message: &'a str,
}

/// Writes one line per finding, then the summary line.
pub fn write(findings: &[Finding], meta: &ReportMeta, w: &mut dyn Write) -> io::Result<()> {
    for f in findings {
        let line = Line {
            rule_id: &f.rule_id,
            description: &f.description,
            severity: f.severity.as_str(),
            confidence: f.confidence.as_str(),
            path: &f.location.path,
            start_line: f.location.start_line,
            start_column: f.location.start_column,
            end_line: f.location.end_line,
            end_column: f.location.end_column,
            secret: &f.secret,
            matched: &f.matched,
            entropy: (f.entropy * 1000.0).round() / 1000.0,
            fingerprint: &f.fingerprint,
            check: f.check.as_deref(),
            commit: f.commit.as_deref().map(|c| Commit {
                sha: &c.sha,
                author_name: &c.author_name,
                author_email: &c.author_email,
                date: &c.date,
                message: &c.message,
            }),
            blob_id: f.blob_id.as_deref(),
            tags: &f.tags,
            companions: f
                .companions
                .iter()
                .map(|c| serde_json::json!({"rule_id": c.rule_id, "secret": c.secret, "line": c.line, "column": c.column}))
                .collect(),
            validation: f.validation.as_ref(),
        };
        serde_json::to_writer(&mut *w, &line)?;
        w.write_all(b"\n")?;
    }
    let c = &meta.coverage;
    let summary = serde_json::json!({
        "type": crate::finding::coverage::SUMMARY_TYPE,
        "complete": c.is_complete(),
        "findings": findings.len(),
        "skipped": c.skipped.iter().map(|(path, why)| {
            let mut v = serde_json::json!({"path": path, "reason": why.code()});
            if let crate::finding::coverage::SkipReason::TooLarge { size } = why {
                v["size"] = (*size).into();
            }
            v
        }).collect::<Vec<_>>(),
        "failures": c.failures.iter().map(|f| serde_json::json!({"path": f.path, "message": f.message})).collect::<Vec<_>>(),
        "messages": meta.messages.iter().map(|(l, v)| serde_json::json!({"level": l, "value": v})).collect::<Vec<_>>(),
    });
    serde_json::to_writer(&mut *w, &summary)?;
    w.write_all(b"\n")
}
