//! JSON Lines: one finding object per line, for `jq` and log pipelines.

use std::io::{self, Write};

use serde::Serialize;

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
}

#[derive(Serialize)]
struct Commit<'a> {
    sha: &'a str,
    author_name: &'a str,
    author_email: &'a str,
    date: &'a str,
    message: &'a str,
}

/// Writes one line per finding.
pub fn write(findings: &[Finding], w: &mut dyn Write) -> io::Result<()> {
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
        };
        serde_json::to_writer(&mut *w, &line)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
