//! The scan pipeline: bytes in, findings out.
//!
//! Design decision: [`Scanner`] is the one place where the matcher, the offline checks and
//! the rule policy (paths, entropy floors, allowlists, inline allow markers, companion
//! rules) meet. It is immutable and shared by all threads; per-thread state lives in
//! [`ScanScratch`]. Drivers ([`driver`] for directory trees; git and push sources elsewhere)
//! only decide *which* bytes to scan and hand every finding to a [`Sink`]. Nothing here
//! touches the network.

pub mod cache;
pub mod decode;
pub mod driver;
#[cfg(feature = "git")]
pub mod git;
pub mod sink;

use std::sync::Arc;

use crate::check::{self, Check, Verdict};
use crate::finding::lines::LineCounter;
use crate::finding::{self, Companion, Finding, Location};
use crate::matcher::{self, Match, Matcher};
use crate::rules::{AllowContext, Confidence, RuleId, RuleSet};
use crate::source::Provenance;

pub use driver::{DirScanOptions, ScanStats, SkipReason, StatsSnapshot, scan_dirs};
pub use sink::{Sink, SinkError, sinks};

/// Building a scanner failed: a rule does not compile or names an unknown check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A rule regex failed to compile.
    #[error(transparent)]
    Matcher(#[from] matcher::BuildError),
    /// A rule names a check that does not exist.
    #[error("rule \"{rule}\": field \"check\": unknown check \"{name}\" (known: {known})")]
    UnknownCheck {
        /// Rule id.
        rule: String,
        /// The unknown name.
        name: String,
        /// Known names.
        known: String,
    },
    /// A `[[rules.required]]` entry names a rule that does not exist.
    #[error("rule \"{rule}\": field \"required.id\": no rule \"{companion}\"")]
    UnknownCompanion {
        /// Rule id.
        rule: String,
        /// The missing companion id.
        companion: String,
    },
}

/// Options that change what the scanner reports.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Report findings on lines with `gitleaks:allow` / `leakguard:allow`.
    pub ignore_inline_allow: bool,
    /// Base64 / percent-encoded segments are decoded and scanned within these limits.
    pub decode: decode::DecodeLimits,
    /// Every rule reports its own matches, even where another rule claims the same secret
    /// more confidently or more specifically (`rules check` judges each rule on its own).
    pub report_overlaps: bool,
    /// Which filters decide beyond what the rules say.
    pub filters: Filters,
    /// Lines of context kept around each finding (secret redacted); 0 keeps none.
    pub context_lines: usize,
}

/// The filters a candidate match passes beyond its rule (`--filters`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Filters {
    /// leakguard's own: placeholders, references and documentation example keys are
    /// dropped, a token whose format carries a checksum must pass it (whatever rule found
    /// it), a rule's offline `check` must pass, and where rules claim overlapping secrets
    /// only the most confident one reports.
    #[default]
    Leakguard,
    /// Only what the configuration says (regex, `secretGroup`, `entropy`, keywords, `path`,
    /// allowlists, `required`, inline allow markers), plus gitleaks' one built-in filter: a
    /// rule whose id contains `generic` does not report a secret that a non-generic rule
    /// found, in full, on the same line. Checks still raise confidence but drop nothing, and
    /// every rule reports its own matches. A gitleaks configuration then finds what gitleaks
    /// finds.
    Gitleaks,
}

/// The compiled scan pipeline for one rule set.
///
/// ```
/// use leakguard::scan::{Scanner, ScanOptions};
/// use leakguard::source::Provenance;
/// let scanner = Scanner::builtin().unwrap();
/// let mut scratch = scanner.new_scratch();
/// let mut out = Vec::new();
/// let text = b"token = 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\n";
/// let undecoded = scanner.scan_bytes(text, &Provenance::Stdin, &mut scratch, &mut out);
/// assert!(undecoded.is_none());
/// assert_eq!(out[0].location.start_line, 1);
/// assert_eq!(out[0].confidence.as_str(), "high");
/// ```
#[derive(Clone, Debug)]
pub struct Scanner {
    rules: Arc<RuleSet>,
    matcher: Matcher,
    /// Per rule: the resolved check, so the hot path does no name lookups.
    checks: Arc<Vec<Option<Check>>>,
    /// Per rule: resolved companion rule ids.
    required: Arc<Vec<Vec<RequiredRule>>>,
    /// Whether any rule is path-only (those are evaluated per file, not per match).
    path_only: Arc<Vec<RuleId>>,
    opts: ScanOptions,
}

/// A resolved `[[rules.required]]` entry: (companion rule, within lines, within columns).
type RequiredRule = (RuleId, Option<usize>, Option<usize>);

/// Per-thread state for [`Scanner::scan_bytes`].
#[derive(Debug)]
pub struct ScanScratch {
    matcher: matcher::Scratch,
    /// Raw matches of the current blob; reused.
    matches: Vec<Match>,
    /// Accepted candidates of the current blob; reused.
    candidates: Vec<Candidate>,
}

impl ScanScratch {
    /// Whether the last [`Scanner::scan_bytes`] call met any candidate match at all (before
    /// checks, allowlists and path filters). When it did not, the bytes cannot produce a
    /// finding at any path under these rules: the git driver's blob cache relies on this.
    #[cfg(feature = "git")]
    pub(crate) fn had_candidates(&self) -> bool {
        !self.matches.is_empty()
    }
}

#[derive(Clone, Debug)]
struct Candidate {
    m: Match,
    confidence: Confidence,
    check: Option<Check>,
    start_line: usize,
    start_col: usize,
    end_line: usize,
    end_col: usize,
    entropy: f64,
    keep: bool,
    /// Indices of the companion candidates (`[[rules.required]]`) that complete this one.
    companions: Vec<usize>,
}

impl Scanner {
    /// A scanner over the built-in rules.
    pub fn builtin() -> Result<Scanner, Box<dyn std::error::Error + Send + Sync>> {
        let rules = RuleSet::builtin()?;
        Ok(Scanner::new(Arc::new(rules), ScanOptions::default())?)
    }

    /// Compiles the pipeline for `rules`.
    pub fn new(rules: Arc<RuleSet>, opts: ScanOptions) -> Result<Scanner, BuildError> {
        let matcher = Matcher::new(&rules)?;
        let known = || Check::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
        let mut checks = Vec::with_capacity(rules.len());
        let mut required = Vec::with_capacity(rules.len());
        let mut path_only = Vec::new();
        for (i, r) in rules.rules().iter().enumerate() {
            checks.push(match &r.check {
                None => None,
                Some(name) => {
                    Some(Check::from_name(name).ok_or_else(|| BuildError::UnknownCheck {
                        rule: r.id.clone(),
                        name: name.clone(),
                        known: known(),
                    })?)
                }
            });
            let mut req = Vec::new();
            for q in &r.required {
                let id = rules.find(&q.id).ok_or_else(|| BuildError::UnknownCompanion {
                    rule: r.id.clone(),
                    companion: q.id.clone(),
                })?;
                req.push((id, q.within_lines, q.within_columns));
            }
            required.push(req);
            if r.regex.is_none() && r.path.is_some() {
                path_only.push(RuleId(i as u32));
            }
        }
        Ok(Scanner {
            rules,
            matcher,
            checks: Arc::new(checks),
            required: Arc::new(required),
            path_only: Arc::new(path_only),
            opts,
        })
    }

    /// The same compiled rules with other options: the matcher (and every regex it has
    /// compiled) is shared, not rebuilt.
    pub fn with_options(&self, opts: ScanOptions) -> Scanner {
        Scanner { opts, ..self.clone() }
    }

    /// Compiles every rule regex now (they are otherwise compiled on first use), so that
    /// errors surface before scanning; `rules check` uses this.
    pub fn compile_all(&self) -> Result<(), BuildError> {
        Ok(self.matcher.compile_all()?)
    }

    /// The rule set.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// Fresh per-thread state.
    pub fn new_scratch(&self) -> ScanScratch {
        ScanScratch {
            matcher: self.matcher.new_scratch(),
            matches: Vec::new(),
            candidates: Vec::new(),
        }
    }

    /// Findings of path-only rules (`path` without `regex`) for a file, whatever its content.
    pub fn scan_path(&self, prov: &Provenance, out: &mut Vec<Finding>) {
        let Some(path) = prov.path() else { return };
        for &id in self.path_only.iter() {
            let rule = self.rules.get(id);
            if rule.skip_report || !rule.path.as_ref().is_some_and(|re| re.is_match(path)) {
                continue;
            }
            let ctx = AllowContext {
                path: Some(path),
                commit: prov.commit().map(|c| c.sha.as_str()),
                ..Default::default()
            };
            if rule.allowlists.iter().any(|a| a.allows(&ctx))
                || self.rules.globally_allowed(rule, &ctx)
            {
                continue;
            }
            out.push(Finding {
                rule_id: rule.id.clone(),
                description: rule.description.clone(),
                severity: rule.severity,
                confidence: rule.confidence,
                tags: rule.tags.clone(),
                secret: String::new(),
                matched: format!("file detected: {path}"),
                companions: Vec::new(),
                context: None,
                validation: None,
                entropy: 0.0,
                check: None,
                revocation_type: rule.revocation_type.clone(),
                report_description: rule.report_description.clone(),
                location: Location {
                    path: path.to_string(),
                    start_line: 1,
                    start_column: 1,
                    end_line: 1,
                    end_column: 1,
                },
                commit: prov.commit().cloned(),
                blob_id: prov.blob_id().map(str::to_string),
                fingerprint: finding::fingerprint(&rule.id, path.as_bytes()),
            });
        }
    }

    /// Scans one blob's bytes, appending findings to `out` in order of position; encoded
    /// segments are decoded and scanned too (see [`decode`]). Returns the first decoding
    /// limit hit: encoded content that was not decoded, so the scan of this blob is
    /// incomplete and the caller must report it as a failure.
    #[must_use = "a decoding limit hit means the blob was not fully scanned"]
    pub fn scan_bytes(
        &self,
        data: &[u8],
        prov: &Provenance,
        scratch: &mut ScanScratch,
        out: &mut Vec<Finding>,
    ) -> Option<decode::LimitHit> {
        let first = out.len();
        self.scan_plain(data, prov, scratch, out);
        let mut hit = None;
        if self.opts.decode.max_depth > 0 {
            let mut budget = decode::Budget::new(self.opts.decode.budget_for(data.len()));
            self.scan_decoded(data, prov, scratch, out, 1, &mut budget);
            hit = budget.hit;
        }
        if self.opts.filters == Filters::Gitleaks {
            gitleaks_generic_filter(out, first);
        }
        if self.opts.context_lines > 0 {
            // This blob's findings (`first..`); path-only ones have no secret and no context.
            let first = first.min(out.len());
            let mine = &mut out[first..];
            let secrets: Vec<String> = mine
                .iter()
                .flat_map(|f| {
                    std::iter::once(f.secret.clone())
                        .chain(f.companions.iter().map(|c| c.secret.clone()))
                })
                .collect();
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            for f in mine.iter_mut().filter(|f| !f.secret.is_empty()) {
                let ctx = finding::Context::around(data, f, self.opts.context_lines, &secrets);
                f.context = Some(ctx);
            }
        }
        hit
    }

    /// Decodes the encoded segments of `data` and scans them; findings are located at the
    /// encoded text. The text before the segment on its line is kept in front of the
    /// decoded bytes, so `password: <base64>` still reads as an assignment.
    fn scan_decoded(
        &self,
        data: &[u8],
        prov: &Provenance,
        scratch: &mut ScanScratch,
        out: &mut Vec<Finding>,
        depth: usize,
        budget: &mut decode::Budget,
    ) {
        let segments = decode::segments(data, budget);
        if segments.is_empty() {
            return;
        }
        let mut lines = LineCounter::new(data);
        let mut inner = Vec::new();
        let mut buf = Vec::new();
        for seg in segments {
            // Keep the line's text before the segment (the `password: ` of
            // `password: <base64>`), unless the segment continues a larger token (a JWT part
            // after a `.`): then the prefix would glue unrelated text to the decoded bytes.
            let glued = seg.start > 0 && {
                let b = data[seg.start - 1];
                b.is_ascii_alphanumeric() || b"._-+/".contains(&b)
            };
            let line_start = memchr::memrchr(b'\n', &data[..seg.start]).map_or(0, |p| p + 1);
            let prefix_start =
                if glued { seg.start } else { line_start.max(seg.start.saturating_sub(200)) };
            let prefix_len = seg.start - prefix_start;
            buf.clear();
            buf.extend_from_slice(&data[prefix_start..seg.start]);
            buf.extend_from_slice(&seg.decoded);
            inner.clear();
            self.scan_plain(&buf, prov, scratch, &mut inner);
            // Findings wholly inside the kept prefix were reported from the plain text.
            inner.retain(|f| f.location.start_line > 1 || f.location.end_column > prefix_len);
            if depth < self.opts.decode.max_depth {
                // Limits hit inside decoded text are reported at the outermost segment.
                let outer = budget.origin.replace(budget.origin.unwrap_or(seg.start));
                self.scan_decoded(&seg.decoded, prov, scratch, &mut inner, depth + 1, budget);
                budget.origin = outer;
            }
            if inner.is_empty() {
                continue;
            }
            let (start_line, start_column) = lines.line_col(seg.start);
            let (end_line, end_column) = lines.line_col(seg.end.saturating_sub(1).max(seg.start));
            // Precedence between plain findings overlapping the encoded text and what its
            // decoding found: the decoded secret wins when the same rule found it (a generic
            // rule matched the base64 and the decoded value) or a more confident rule did;
            // otherwise the plain finding (e.g. a rule written for the encoded form, such as
            // Docker `auth`) stands and weaker decoded duplicates go.
            let overlaps = |f: &Finding| {
                f.location.start_line <= end_line
                    && f.location.end_line >= start_line
                    && (f.location.start_line != start_line
                        || f.location.end_column >= start_column)
                    && (f.location.end_line != end_line || f.location.start_column <= end_column)
            };
            let mut drop_decoded = vec![false; inner.len()];
            // Under gitleaks' filters both stand, as in gitleaks.
            let leakguard = self.opts.filters == Filters::Leakguard;
            out.retain(|p| {
                if !leakguard {
                    return true;
                }
                if !overlaps(p) || p.tags.iter().any(|t| t.starts_with("decoded:")) {
                    return true;
                }
                let beaten =
                    inner.iter().any(|d| d.rule_id == p.rule_id || d.confidence > p.confidence);
                if !beaten {
                    for (k, d) in inner.iter().enumerate() {
                        drop_decoded[k] |= d.confidence <= p.confidence;
                    }
                }
                !beaten
            });
            for (mut f, dropped) in inner.drain(..).zip(drop_decoded) {
                if dropped {
                    continue;
                }
                f.location.start_line = start_line;
                f.location.start_column = start_column;
                f.location.end_line = end_line;
                f.location.end_column = end_column;
                // Once per encoding: base64 inside base64 is still `decoded:base64`.
                let tag = seg.encoding.tag();
                if !f.tags.iter().any(|t| t == tag) {
                    f.tags.push(tag.to_string());
                }
                out.push(f);
            }
        }
    }

    fn scan_plain(
        &self,
        data: &[u8],
        prov: &Provenance,
        scratch: &mut ScanScratch,
        out: &mut Vec<Finding>,
    ) {
        scratch.matches.clear();
        self.matcher.find_all(data, &mut scratch.matcher, &mut scratch.matches);
        if scratch.matches.is_empty() {
            return;
        }
        scratch.matches.sort_unstable_by_key(|m| (m.secret_start, m.rule));
        let path = prov.path();
        let commit = prov.commit().map(|c| c.sha.as_str());
        let leakguard = self.opts.filters == Filters::Leakguard;
        let mut lines = LineCounter::new(data);
        scratch.candidates.clear();
        for &m in &scratch.matches {
            let rule = self.rules.get(m.rule);
            if let Some(re) = &rule.path {
                if !path.is_some_and(|p| re.is_match(p)) {
                    continue;
                }
            }
            let secret = &data[m.secret_start..m.secret_end];
            if leakguard && check::is_placeholder(secret) {
                continue;
            }
            let entropy = check::entropy(secret);
            if rule.entropy.is_some_and(|floor| entropy <= floor) {
                continue;
            }
            let check = self.checks[m.rule.index()];
            if let Some(implied) = check::implied(secret).filter(|c| leakguard && Some(*c) != check)
            {
                if let Verdict::Invalid(why) = implied.run(secret) {
                    tracing::trace!(rule = %rule.id, why, "embedded token fails its checksum");
                    continue;
                }
            }
            let mut confidence = rule.confidence;
            if let Some(c) = check {
                match c.run(secret) {
                    Verdict::Invalid(_) if !leakguard => {}
                    Verdict::Invalid(why) => {
                        tracing::trace!(rule = %rule.id, why, "offline check rejected candidate");
                        continue;
                    }
                    Verdict::Valid if c.is_checksum() => confidence = Confidence::High,
                    Verdict::Valid | Verdict::NotApplicable => {}
                }
            }
            let line_text = lines.lines_of(m.start, m.end);
            if !self.opts.ignore_inline_allow && finding::has_allow_marker(line_text) {
                continue;
            }
            let ctx = AllowContext {
                secret,
                matched: &data[m.start..m.end],
                line: line_text,
                path,
                commit,
            };
            if rule.allowlists.iter().any(|a| a.allows(&ctx))
                || self.rules.globally_allowed(rule, &ctx)
            {
                continue;
            }
            let (start_line, start_col) = lines.line_col(m.secret_start);
            let (end_line, end_col) =
                lines.line_col(m.secret_end.saturating_sub(1).max(m.secret_start));
            scratch.candidates.push(Candidate {
                m,
                confidence,
                check,
                start_line,
                start_col,
                end_line,
                end_col,
                entropy,
                keep: true,
                companions: Vec::new(),
            });
        }
        self.resolve_companions(&mut scratch.candidates);
        if !self.opts.report_overlaps && leakguard {
            suppress_weaker_overlaps(&mut scratch.candidates);
        }
        for c in scratch.candidates.iter().filter(|c| c.keep) {
            let rule = self.rules.get(c.m.rule);
            if rule.skip_report {
                continue;
            }
            let secret = &data[c.m.secret_start..c.m.secret_end];
            let companions = c
                .companions
                .iter()
                .map(|&k| {
                    let o = &scratch.candidates[k];
                    Companion {
                        rule_id: self.rules.get(o.m.rule).id.clone(),
                        secret: String::from_utf8_lossy(&data[o.m.secret_start..o.m.secret_end])
                            .into_owned(),
                        line: o.start_line,
                        column: o.start_col,
                    }
                })
                .collect();
            out.push(Finding {
                companions,
                context: None,
                validation: None,
                rule_id: rule.id.clone(),
                description: rule.description.clone(),
                severity: rule.severity,
                confidence: c.confidence,
                tags: rule.tags.clone(),
                secret: String::from_utf8_lossy(secret).into_owned(),
                matched: String::from_utf8_lossy(&data[c.m.start..c.m.end]).into_owned(),
                entropy: c.entropy,
                check: c.check.map(|k| k.name().to_string()),
                revocation_type: rule.revocation_type.clone(),
                report_description: rule.report_description.clone(),
                location: Location {
                    path: path.unwrap_or_default().to_string(),
                    start_line: c.start_line,
                    start_column: c.start_col,
                    end_line: c.end_line,
                    end_column: c.end_col,
                },
                commit: prov.commit().cloned(),
                blob_id: prov.blob_id().map(str::to_string),
                fingerprint: finding::fingerprint(&rule.id, secret),
            });
        }
    }

    /// `[[rules.required]]`: a rule with companions is kept only when every companion
    /// matched within the given line/column distance.
    fn resolve_companions(&self, cands: &mut [Candidate]) {
        for i in 0..cands.len() {
            let req = &self.required[cands[i].m.rule.index()];
            if req.is_empty() {
                continue;
            }
            let me = &cands[i];
            // For each required rule, the nearest companion within range.
            let found: Option<Vec<usize>> = req
                .iter()
                .map(|&(rid, within_lines, within_cols)| {
                    cands
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| {
                            o.m.rule == rid
                                && within_lines
                                    .is_none_or(|n| o.start_line.abs_diff(me.start_line) <= n)
                                && within_cols
                                    .is_none_or(|n| o.start_col.abs_diff(me.start_col) <= n)
                        })
                        .min_by_key(|(_, o)| o.start_line.abs_diff(me.start_line))
                        .map(|(k, _)| k)
                })
                .collect();
            match found {
                Some(companions) => cands[i].companions = companions,
                None => cands[i].keep = false,
            }
        }
    }
}

/// gitleaks' only filter beyond the configuration (`detect/utils.go`, `filter`): a finding of
/// a rule whose id contains `generic` (any case) is dropped when a finding of another,
/// non-generic rule on the same start line contains its secret. Applies to `out[first..]`,
/// the findings of one blob.
fn gitleaks_generic_filter(out: &mut Vec<Finding>, first: usize) {
    let generic = |f: &Finding| f.rule_id.to_ascii_lowercase().contains("generic");
    let tail = &out[first..];
    let drop: Vec<bool> = tail
        .iter()
        .map(|f| {
            generic(f)
                && tail.iter().any(|o| {
                    o.location.start_line == f.location.start_line
                        && o.rule_id != f.rule_id
                        && o.secret.contains(f.secret.as_str())
                        && !generic(o)
                })
        })
        .collect();
    let mut i = 0;
    out.retain(|_| {
        let keep = i < first || !drop[i - first];
        i += 1;
        keep
    });
}

/// Where two rules claim overlapping secrets (a GitHub token inside a generic `token = ...`
/// assignment), only the most confident rule reports. Two equally confident rules claiming
/// the very same secret (`npm_access_token` and `npmrc_auth_token` on one `.npmrc` line)
/// report once: the more specific one, i.e. a hand-written rule before a context rule from a
/// provider table, then the one with an offline check, else the one whose whole match
/// needed less context around the secret, else the rule defined first.
fn suppress_weaker_overlaps(cands: &mut [Candidate]) {
    for i in 0..cands.len() {
        if !cands[i].keep {
            continue;
        }
        for j in (i + 1)..cands.len() {
            if cands[j].m.secret_start >= cands[i].m.secret_end {
                break;
            }
            if !cands[j].keep || cands[j].m.rule == cands[i].m.rule {
                continue;
            }
            let same_secret = (cands[i].m.secret_start, cands[i].m.secret_end)
                == (cands[j].m.secret_start, cands[j].m.secret_end);
            match cands[i].confidence.cmp(&cands[j].confidence) {
                std::cmp::Ordering::Greater => cands[j].keep = false,
                std::cmp::Ordering::Less => cands[i].keep = false,
                std::cmp::Ordering::Equal if same_secret => {
                    // A context rule (provider table) is the least specific: its check
                    // only says "looks random", and its match is mostly context.
                    let specificity = |c: &Candidate| {
                        let context = c.check == Some(Check::ContextValue);
                        (context, c.check.is_none(), c.m.end - c.m.start, c.m.rule)
                    };
                    if specificity(&cands[j]) < specificity(&cands[i]) {
                        cands[i].keep = false;
                    } else {
                        cands[j].keep = false;
                    }
                }
                std::cmp::Ordering::Equal => {}
            }
            if !cands[i].keep {
                break;
            }
        }
    }
}
