//! GitLab secret-detection report, schema 15.2.1 (GitLab's security-report-schemas).
//!
//! Field choices follow what GitLab's own analyzer writes so that GitLab ingests, tracks and
//! revokes our findings exactly like its own: the primary identifier is
//! `gitleaks_rule_id` + the rule id (ruleset overrides and revocation type strings depend on it),
//! `raw_source_code_extract` is the secret (the revocation pipeline reads it back),
//! `location.commit.sha` is `0000000` outside git. `id` is a UUIDv5 of the content
//! fingerprint and location, so re-running a scan yields the same ids.

use std::io::{self, Write};

use serde::Serialize;

use super::{ReportMeta, gitlab_timestamp};
use crate::finding::Finding;

/// Schema version we validate against.
pub const SCHEMA_VERSION: &str = "15.2.1";
const SCHEMA_URL: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.2.1/dist/secret-detection-report-format.json";

#[derive(Serialize)]
struct Report<'a> {
    version: &'static str,
    schema: &'static str,
    scan: Scan<'a>,
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Scan<'a> {
    analyzer: Tool<'a>,
    scanner: Tool<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
    start_time: String,
    end_time: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    messages: Vec<Message<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    id: &'static str,
    name: &'static str,
    version: &'a str,
    vendor: Vendor,
    url: &'static str,
}

#[derive(Serialize)]
struct Vendor {
    name: &'static str,
}

#[derive(Serialize)]
struct Message<'a> {
    level: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    id: String,
    category: &'static str,
    name: &'a str,
    description: String,
    severity: &'static str,
    confidence: &'static str,
    identifiers: [Identifier<'a>; 1],
    location: Location<'a>,
    raw_source_code_extract: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    flags: Vec<Flag>,
    /// Live validation's verdict, when asked for (`--validate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct Identifier<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    value: &'a str,
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    start_line: usize,
    end_line: usize,
    commit: Commit<'a>,
}

#[derive(Serialize)]
struct Commit<'a> {
    sha: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// A `flags` entry (schema 15.2.1).
#[derive(Clone, Debug, Serialize)]
pub struct Flag {
    /// Always `flagged-as-likely-false-positive`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Who flagged it.
    pub origin: String,
    /// Why.
    pub description: String,
}

/// The stable vulnerability id of a finding.
pub fn vulnerability_id(f: &Finding) -> String {
    let commit = f.commit.as_ref().map_or("", |c| c.sha.as_str());
    let name =
        format!("{}:{}:{}:{}", f.fingerprint, f.location.path, f.location.start_line, commit);
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes()).to_string()
}

/// Writes the report.
pub fn write(findings: &[Finding], meta: &ReportMeta, w: &mut dyn Write) -> io::Result<()> {
    write_with_flags(findings, meta, &|_| Vec::new(), w)
}

/// Writes the report, asking `flags` for each finding's `flags` entries.
pub fn write_with_flags(
    findings: &[Finding],
    meta: &ReportMeta,
    flags: &dyn Fn(&Finding) -> Vec<Flag>,
    w: &mut dyn Write,
) -> io::Result<()> {
    let tool = |id| Tool {
        id,
        name: id,
        version: &meta.version,
        vendor: Vendor { name: "leakguard" },
        url: "https://github.com/leakguard/leakguard",
    };
    let vulnerabilities = findings
        .iter()
        .map(|f| {
            let c = f.commit.as_deref();
            let description = match c {
                _ if f.report_description.is_some() => {
                    f.report_description.clone().unwrap_or_default()
                }
                Some(c) => format!(
                    "{} secret has been found in commit {}.",
                    f.description,
                    &c.sha[..c.sha.len().min(8)]
                ),
                None => {
                    format!("{} secret has been found in file {}.", f.description, f.location.path)
                }
            };
            Vulnerability {
                id: vulnerability_id(f),
                category: "secret_detection",
                name: &f.description,
                description,
                severity: f.severity.as_str(),
                confidence: match f.confidence {
                    crate::rules::Confidence::High => "High",
                    crate::rules::Confidence::Medium => "Medium",
                    crate::rules::Confidence::Low => "Low",
                },
                identifiers: [Identifier {
                    kind: "gitleaks_rule_id",
                    name: format!("Gitleaks rule ID {}", f.rule_id),
                    value: &f.rule_id,
                }],
                location: Location {
                    file: if f.location.path.is_empty() { "-" } else { &f.location.path },
                    start_line: f.location.start_line,
                    end_line: f.location.end_line,
                    commit: Commit {
                        sha: c.map_or("0000000", |c| c.sha.as_str()),
                        author: c.map(|c| format!("{} <{}>", c.author_name, c.author_email)),
                        date: c.map(|c| c.date.as_str()),
                        message: c.map(|c| c.message.as_str()),
                    },
                },
                raw_source_code_extract: &f.secret,
                flags: flags(f),
                details: f.validation.as_ref().map(|v| {
                    let mut text = v.status.as_str().to_string();
                    if let Some(id) = &v.identity {
                        text.push_str(&format!(", identity {id}"));
                    }
                    if let Some(d) = &v.detail {
                        text.push_str(&format!(" ({d})"));
                    }
                    serde_json::json!({
                        "validation": {"name": "Validation", "type": "text", "value": text},
                        "validation_checked_at": {"name": "Validated at", "type": "text", "value": v.checked_at},
                    })
                }),
            }
        })
        .collect();
    let messages = meta.all_messages();
    let report = Report {
        version: SCHEMA_VERSION,
        schema: SCHEMA_URL,
        scan: Scan {
            analyzer: tool("leakguard"),
            scanner: tool("leakguard"),
            kind: "secret_detection",
            start_time: gitlab_timestamp(meta.start),
            end_time: gitlab_timestamp(meta.end),
            status: if meta.success { "success" } else { "failure" },
            messages: messages
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(l, v)| Message { level: l, value: v })
                .collect(),
        },
        vulnerabilities,
    };
    serde_json::to_writer_pretty(&mut *w, &report)?;
    w.write_all(b"\n")
}
