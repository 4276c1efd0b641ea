//! What a scan did *not* cover: policy skips and failures.
//!
//! Design decision: a secret-scanning gate must never say "clean" about content it did not
//! look at. Everything a scan leaves out falls in exactly one of two classes, and every
//! output format lists both:
//!
//! * a **policy skip** ([`SkipReason`]) is content left out on purpose, by an option the user
//!   controls: files over `--max-file-size`, binaries, paths excluded by ignore files or
//!   `--exclude`, archives nested past `--max-archive-depth`, FIFOs, sockets and devices met
//!   in a directory walk. Skips are counted and listed;
//!   they do not change the exit code.
//! * a **failure** ([`Failure`]) is content that was meant to be scanned and could not be, in
//!   whole or in part: unreadable files, files that changed while read, corrupt or truncated
//!   archives and entries, exhausted decode budgets, corrupt packs and missing objects,
//!   arguments that could not be read. Any failure makes the run *incomplete*: the CLI exits 2
//!   after everything else was scanned and the report was written (ripgrep's manners),
//!   unless the user passed `--allow-incomplete`.
//!
//! [`Coverage`] collects both on the one thread that talks to the sink, so it needs no locks.
//! It lives with the findings (not in `scan`) because the report writers consume it and may
//! not depend on the scanner.

use std::collections::BTreeMap;
use std::fmt;

/// The `type` of the JSON Lines summary line, which carries a run's [`Coverage`].
pub const SUMMARY_TYPE: &str = "summary";

/// Whether a parsed JSON Lines value is the summary line rather than a finding (findings have
/// no `type` key); readers of reports skip it.
pub fn is_summary_line(v: &serde_json::Value) -> bool {
    v.get("type").and_then(serde_json::Value::as_str) == Some(SUMMARY_TYPE)
}

/// Why content was not scanned, by policy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// NUL byte in the first 8 KiB (and `--scan-binary` not set).
    Binary,
    /// Over `--max-file-size` (or the blob/entry size limit).
    TooLarge {
        /// Size in bytes.
        size: u64,
    },
    /// Matched an `--exclude` pattern or `$SECRET_DETECTION_EXCLUDED_PATHS`.
    Excluded,
    /// Excluded by an ignore file (`.gitignore`, `.ignore`, git's excludes).
    Ignored,
    /// An archive nested deeper than `--max-archive-depth`.
    ArchiveDepth {
        /// The depth limit in force.
        limit: usize,
    },
    /// A FIFO, socket or device met while walking a directory: never opened (reading a FIFO
    /// could block the scan forever). Given as an explicit argument, it is read as a stream.
    NotRegular,
}

impl SkipReason {
    /// A stable, machine-readable name (`binary`, `too_large`, ...), used in JSON and SARIF.
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge { .. } => "too_large",
            SkipReason::Excluded => "excluded",
            SkipReason::Ignored => "ignored",
            SkipReason::ArchiveDepth { .. } => "archive_depth",
            SkipReason::NotRegular => "not_regular",
        }
    }

    /// What a list of paths skipped for this reason is called in human text.
    fn group_label(&self) -> &'static str {
        match self {
            SkipReason::Binary => "binary file(s) (--scan-binary scans them)",
            SkipReason::TooLarge { .. } => "file(s) over the size limit (--max-file-size)",
            SkipReason::Excluded => "path(s) excluded by --exclude",
            SkipReason::Ignored => "path(s) excluded by ignore files (--no-ignore scans them)",
            SkipReason::ArchiveDepth { .. } => {
                "archive(s) nested past --max-archive-depth (not opened)"
            }
            SkipReason::NotRegular => {
                "special file(s): FIFOs, sockets, devices (not opened; pass one as an argument \
                 to read it as a stream)"
            }
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Binary => f.write_str("binary"),
            SkipReason::TooLarge { size } => write!(f, "too large ({size} bytes)"),
            SkipReason::Excluded => f.write_str("excluded by --exclude"),
            SkipReason::Ignored => f.write_str("excluded by an ignore file"),
            SkipReason::ArchiveDepth { limit } => {
                write!(f, "archive nested past depth {limit}, not opened")
            }
            SkipReason::NotRegular => f.write_str("not a regular file (FIFO, socket or device)"),
        }
    }
}

/// Content that should have been scanned and was not, in whole or in part.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Failure {
    /// The path as reported (`a.zip!inner/x`, a blob's path, a git object id); empty when
    /// the failure concerns no single path.
    pub path: String,
    /// What went wrong, without any of the content.
    pub message: String,
}

impl Failure {
    /// A failure at `path` (empty when it concerns no single path).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Policy skips and failures of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Content skipped by policy, in the order reported.
    pub skipped: Vec<(String, SkipReason)>,
    /// Content that could not be (fully) scanned.
    pub failures: Vec<Failure>,
}

impl Coverage {
    /// Rewrites every listed path (reports that give paths relative to another base).
    pub fn rebase_paths(&mut self, f: impl Fn(&str) -> String) {
        for (path, _) in &mut self.skipped {
            *path = f(path);
        }
        for failure in &mut self.failures {
            failure.path = f(&failure.path);
        }
    }

    /// Records a policy skip.
    pub fn skip(&mut self, path: impl Into<String>, reason: SkipReason) {
        self.skipped.push((path.into(), reason));
    }

    /// Records a failure.
    pub fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.failures.push(Failure::new(path, message));
    }

    /// True when nothing failed: every requested byte was either scanned or skipped by policy.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// Sorts both lists by path (workers report in completion order) and drops repeats.
    pub fn normalize(&mut self) {
        self.skipped.sort();
        self.skipped.dedup();
        self.failures.sort();
        self.failures.dedup();
    }

    /// Skipped paths grouped by kind of reason, in a stable order; too-large entries carry
    /// their size (`path (N bytes)`).
    pub fn skip_groups(&self) -> Vec<(&'static str, Vec<String>)> {
        let mut groups: BTreeMap<&'static str, (&'static str, Vec<String>)> = BTreeMap::new();
        for (path, reason) in &self.skipped {
            let shown = match reason {
                SkipReason::TooLarge { size } => format!("{path} ({size} bytes)"),
                _ => path.clone(),
            };
            groups.entry(reason.code()).or_insert((reason.group_label(), Vec::new())).1.push(shown);
        }
        groups.into_values().collect()
    }

    /// Report messages: one `info` line per kind of skip listing its paths, one `warn` line
    /// per failure, and a closing `warn` saying the scan is incomplete when anything failed.
    /// (GitLab's schema: `warn` is "a potentially recoverable problem, or a partial error".)
    pub fn messages(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (label, paths) in self.skip_groups() {
            out.push((
                "info".to_string(),
                format!("skipped {} {label}: {}", paths.len(), paths.join(", ")),
            ));
        }
        for f in &self.failures {
            out.push(("warn".to_string(), format!("not scanned: {f}")));
        }
        if !self.failures.is_empty() {
            out.push((
                "warn".to_string(),
                format!(
                    "scan incomplete: {} item(s) could not be scanned; a clean result does not \
                     cover them",
                    self.failures.len()
                ),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_messages_list_every_path() {
        let mut c = Coverage::default();
        c.skip("b.png", SkipReason::Binary);
        c.skip("big.log", SkipReason::TooLarge { size: 9 });
        c.skip("a.png", SkipReason::Binary);
        c.skip("a.png", SkipReason::Binary);
        c.normalize();
        assert!(c.is_complete());
        let groups = c.skip_groups();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].1, vec!["a.png", "b.png"]);
        assert_eq!(groups[1].1, vec!["big.log (9 bytes)"]);
        c.fail("x.zip!y", "corrupt entry");
        let msgs = c.messages();
        assert!(!c.is_complete());
        assert!(
            msgs.iter().any(|(l, m)| l == "warn" && m == "not scanned: x.zip!y: corrupt entry")
        );
        assert!(msgs.last().is_some_and(|(_, m)| m.starts_with("scan incomplete: 1 item")));
    }
}
