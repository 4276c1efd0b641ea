//! Path exclusion (`--exclude`, `SECRET_DETECTION_EXCLUDED_PATHS`), separate from ignore files.
//!
//! Design decision: a pattern excludes a path when it matches the path *or any parent
//! directory* (GitLab's documented semantics, so `doc` excludes `doc/a/b.md`). Patterns with
//! a `/` are anchored at the scan root and use doublestar globbing (`*` stays within one
//! component, `**` crosses them); patterns without a `/` match any single component at any
//! depth, as in `.gitignore` (`*.min.js`, `node_modules`).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// A compiled set of exclusion patterns.
#[derive(Clone, Debug, Default)]
pub struct ExcludeSet {
    anchored: Option<GlobSet>,
    component: Option<GlobSet>,
}

/// A bad exclusion pattern.
#[derive(Debug, thiserror::Error)]
#[error("invalid exclude pattern \"{pattern}\": {message}")]
pub struct ExcludeError {
    /// The pattern.
    pub pattern: String,
    /// Why.
    pub message: String,
}

impl ExcludeSet {
    /// Compiles patterns; empty strings are skipped.
    pub fn new<I, S>(patterns: I) -> Result<ExcludeSet, ExcludeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut anchored = GlobSetBuilder::new();
        let mut component = GlobSetBuilder::new();
        let (mut na, mut nc) = (0, 0);
        for p in patterns {
            let p = p.as_ref().trim();
            if p.is_empty() {
                continue;
            }
            let p = p.trim_start_matches("./").trim_end_matches('/');
            let glob = |text: &str| {
                GlobBuilder::new(text)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .build()
                    .map_err(|e| ExcludeError {
                        pattern: p.to_string(),
                        message: e.kind().to_string(),
                    })
            };
            if p.contains('/') {
                anchored.add(glob(p.trim_start_matches('/'))?);
                na += 1;
            } else {
                component.add(glob(p)?);
                nc += 1;
            }
        }
        let build = |b: GlobSetBuilder, n: usize| -> Result<Option<GlobSet>, ExcludeError> {
            if n == 0 {
                return Ok(None);
            }
            b.build()
                .map(Some)
                .map_err(|e| ExcludeError { pattern: String::new(), message: e.to_string() })
        };
        Ok(ExcludeSet { anchored: build(anchored, na)?, component: build(component, nc)? })
    }

    /// Whether nothing is excluded.
    pub fn is_empty(&self) -> bool {
        self.anchored.is_none() && self.component.is_none()
    }

    /// Whether a `/`-separated path relative to the scan root is excluded.
    pub fn is_excluded(&self, rel: &str) -> bool {
        let rel = rel.trim_start_matches("./");
        if let Some(set) = &self.component {
            if rel.split('/').any(|c| set.is_match(c)) {
                return true;
            }
        }
        if let Some(set) = &self.anchored {
            let mut prefix = rel;
            loop {
                if set.is_match(prefix) {
                    return true;
                }
                match prefix.rfind('/') {
                    Some(i) => prefix = &prefix[..i],
                    None => break,
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_directory_semantics() {
        let s = ExcludeSet::new(["doc", "spec/fixtures", "*.min.js", "config/**/*.yml"]).unwrap();
        assert!(s.is_excluded("doc/a/b.md"));
        assert!(s.is_excluded("src/doc/x"));
        assert!(s.is_excluded("spec/fixtures/k.txt"));
        assert!(!s.is_excluded("a/spec/fixtures/k.txt"));
        assert!(s.is_excluded("web/app.min.js"));
        assert!(s.is_excluded("config/a/b/c.yml"));
        assert!(!s.is_excluded("src/main.rs"));
        assert!(!s.is_excluded("docs/readme"));
    }
}
