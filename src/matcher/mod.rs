//! The matching engine: which rules match where in a byte slice.
//!
//! Design decision: two stages, and the first one decides almost everything.
//!
//! 1. **Prefilter.** One keyword index over the keywords of *all* rules, matched ASCII
//!    case-insensitively, finds every keyword occurrence in a single pass. Each occurrence
//!    names the rules that listed that keyword. The index is a hashed trigram filter with
//!    independent work per byte (see `matcher/keywords.rs` for why it replaced a byte-at-a-time
//!    Aho-Corasick DFA on the hot path); the `aho-corasick` automaton remains for keyword
//!    sets the filter cannot take (single-byte keywords) and as the tests' oracle.
//! 2. **Confirmation.** Each candidate rule's `regex-automata` [`meta::Regex`] runs only on a
//!    *window* around its keyword hits, overlapping windows merged. The window is the
//!    longest match the regex can make (`maximum_len`, at most [`WINDOW_CAP`]) before and
//!    after the hit; how much more or less depends on what the pattern proves
//!    ([`rules::regex::shape`]):
//!    * the keyword lies inside every match: no slack, and before the hit only as far as a
//!      match can reach ahead of its keyword (`lead_len`: 0 for `-----BEGIN ...` or
//!      `ghp_...`), so an unbounded rule that starts with its keyword costs a forward
//!      search that stops where its match ends;
//!    * ... and no match can cross a line feed: clipped to the hit's line, which for the
//!      generic assignment rules (`password = ...`, the most frequent hits) turns windows of
//!      about 1.4 KB into one line;
//!    * otherwise (the keyword only gates the rule, as in gitleaks): widened to line
//!      boundaries (up to 256 bytes further) so a match on a neighbouring line is found.
//!
//!    A rule whose regex has no maximum length (`[\s\S]*?`, `\s*`) gets the cap: every
//!    match up to [`WINDOW_CAP`] bytes is found exactly as a whole-input search finds it
//!    (`tests/fuzz.rs` checks this against one whole-input search per rule); a longer match may be
//!    missed or cut, and `leakguard rules check` warns about such rules. Rules with a small
//!    bound keep their small windows.
//!
//!    Look-around at window edges sees the real neighbouring bytes (the search gets the whole
//!    haystack and a range). A blob with no keyword costs one filter pass; a blob with hits
//!    costs a few short regex searches. Both stages are linear in the input, so no input can
//!    make a scan super-linear.
//!
//! The [`Matcher`] is immutable and `Send + Sync` (cheap to clone: an `Arc`), and all
//! mutable state lives in a per-thread [`Scratch`] (regex caches, capture slots, the hit
//! buffer), the split regex-automata uses for `meta::Regex` and `meta::Cache`. The matcher
//! sees only `&[u8]`: no paths, no I/O, no checks (those belong to `scan` and `check`).
//! Rules without keywords are the exception: they run over the whole input.
//!
//! Each rule's regex is compiled on the first keyword hit that needs it (a `OnceLock` shared
//! by all threads), not when the matcher is built: with hundreds of rules, compiling every
//! NFA up front cost most of a 0.4 s startup, and a typical scan touches a fraction of the
//! rules. [`Matcher::compile_all`] compiles everything eagerly where errors must surface
//! (`rules check`); patterns were already parsed and validated when the rules loaded.

use std::sync::{Arc, OnceLock};

mod keywords;

use keywords::Keywords;
use regex_automata::Input;
use regex_automata::meta;
use regex_automata::util::captures::Captures;

use crate::rules::regex::Shape;
use crate::rules::{self, RuleId, RuleSet};

/// The widest a window reaches on either side of a keyword hit: the longest match the
/// matcher guarantees to find for a rule whose regex has no maximum length (or one above
/// this). 64 KiB holds the largest usual PEM private key several times over: a 16384-bit
/// RSA key is about 9.3 KB of DER in PKCS#1 (2 KB each for the modulus and the private
/// exponent, 1 KB for each of p, q, dP, dQ, qInv), so about 12.6 KB of PEM (base64 in
/// 64-column lines plus the BEGIN/END lines); PKCS#8 adds 26 bytes of DER, and an
/// encrypted PKCS#8 block is about the same size.
pub const WINDOW_CAP: usize = 64 << 10;
/// How far a window edge may move to reach a line boundary.
const LINE_SNAP: usize = 256;

/// One confirmed match: offsets only, so it is `Copy` and cheap to buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// The rule that matched.
    pub rule: RuleId,
    /// Start of the whole regex match.
    pub start: usize,
    /// End (exclusive) of the whole regex match.
    pub end: usize,
    /// Start of the secret (the capture group).
    pub secret_start: usize,
    /// End (exclusive) of the secret.
    pub secret_end: usize,
}

/// A rule regex failed to compile; names the rule.
#[derive(Debug, thiserror::Error)]
#[error("rule \"{rule}\": {message}")]
pub struct BuildError {
    /// Text id of the rule.
    pub rule: String,
    /// What failed.
    pub message: String,
}

struct Compiled {
    /// Rule text id (for errors).
    id: String,
    /// Translated pattern.
    pattern: String,
    /// Lowercased keywords (for the window analysis).
    keywords: Vec<String>,
    secret_group: Option<usize>,
    /// What the pattern proves about where matches lie, analysed on the first keyword hit.
    shape: OnceLock<Shape>,
    /// The regex, compiled on the first window that passes the shape's run check; an error
    /// is kept so it is reported once, not per hit.
    regex: OnceLock<Result<meta::Regex, String>>,
}

/// The haystack range a match related to the keyword hit at `pos` lies in (module docs):
/// the regex's maximum length (at most [`WINDOW_CAP`]) either side, widened to line
/// boundaries unless the keyword is proven inside every match; when it is, reaching back
/// only as far as a match can start ahead of its keyword, and clipped to the hit's line
/// when no match crosses one.
fn window(shape: &Shape, h: &[u8], pos: usize) -> (usize, usize) {
    let radius = shape.maximum_len.map_or(WINDOW_CAP, |m| m.min(WINDOW_CAP));
    let end = pos.saturating_add(radius).min(h.len());
    if !shape.keyword_inside {
        let start = pos.saturating_sub(radius);
        return (snap_back(h, start), snap_forward(h, end));
    }
    let start = pos.saturating_sub(shape.lead_len.map_or(radius, |l| l.min(radius)));
    if !shape.single_line {
        return (start, end);
    }
    // The keyword (which holds no line feed) is inside the match, so is its line.
    let start = memchr::memrchr(b'\n', &h[start..pos]).map_or(start, |p| start + p + 1);
    let end = memchr::memchr(b'\n', &h[pos..end]).map_or(end, |p| pos + p);
    (start, end)
}

impl Compiled {
    fn shape(&self) -> &Shape {
        self.shape.get_or_init(|| {
            let shape = rules::regex::shape(&self.pattern, &self.keywords);
            tracing::trace!(rule = %self.id, ?shape, "analysed rule regex");
            shape
        })
    }

    fn get(&self) -> Result<&meta::Regex, &str> {
        self.regex
            .get_or_init(|| {
                tracing::trace!(rule = %self.id, "compiling rule regex");
                let shape = self.shape();
                rules::regex::compile_for(
                    &self.pattern,
                    !(shape.keyword_inside && shape.single_line),
                )
            })
            .as_ref()
            .map_err(String::as_str)
    }
}

struct Inner {
    /// Keyword finder; `None` when no rule has keywords.
    keywords: Option<Keywords>,
    /// For each keyword pattern, the rules that listed that keyword.
    pattern_rules: Vec<Vec<RuleId>>,
    /// Per rule; `None` for path-only rules.
    rules: Vec<Option<Compiled>>,
    /// Rules with a regex but no keywords: run over the whole input.
    unkeyed: Vec<RuleId>,
}

/// The compiled matcher for one [`RuleSet`].
///
/// ```
/// use leakguard::matcher::Matcher;
/// use leakguard::rules::RuleSetBuilder;
/// let rules = RuleSetBuilder::new()
///     .config_text("t.toml", "[[rules]]\nid = \"demo\"\nregex = 'tok_([a-z0-9]{8})'\nkeywords = [\"tok_\"]\n")
///     .build()
///     .unwrap();
/// let matcher = Matcher::new(&rules).unwrap();
/// let mut scratch = matcher.new_scratch();
/// let mut out = Vec::new();
/// matcher.find_all(b"x = TOK_ no; y = tok_a1b2c3d4", &mut scratch, &mut out);
/// assert_eq!(out.len(), 1);
/// assert_eq!(out[0].secret_start, 21);
/// ```
#[derive(Clone)]
pub struct Matcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("rules", &self.inner.rules.len())
            .field("keywords", &self.inner.pattern_rules.len())
            .finish()
    }
}

impl Matcher {
    /// Compiles every rule of the set.
    pub fn new(set: &RuleSet) -> Result<Matcher, BuildError> {
        let mut keyword_index: std::collections::HashMap<String, usize> = Default::default();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_rules: Vec<Vec<RuleId>> = Vec::new();
        let mut compiled = Vec::with_capacity(set.len());
        let mut unkeyed = Vec::new();
        for (i, rule) in set.rules().iter().enumerate() {
            let id = RuleId(i as u32);
            let Some(pattern) = &rule.regex else {
                compiled.push(None);
                continue;
            };
            compiled.push(Some(Compiled {
                id: rule.id.clone(),
                pattern: pattern.clone(),
                keywords: rule.keywords.clone(),
                secret_group: rule.secret_group,
                shape: OnceLock::new(),
                regex: OnceLock::new(),
            }));
            if rule.keywords.is_empty() {
                unkeyed.push(id);
            }
            for kw in &rule.keywords {
                let idx = *keyword_index.entry(kw.clone()).or_insert_with(|| {
                    patterns.push(kw.clone());
                    pattern_rules.push(Vec::new());
                    patterns.len() - 1
                });
                pattern_rules[idx].push(id);
            }
        }
        let keywords =
            if patterns.is_empty() {
                None
            } else {
                Some(Keywords::new(&patterns).map_err(|e| BuildError {
                    rule: "<keywords>".into(),
                    message: e.to_string(),
                })?)
            };
        tracing::debug!(
            rules = set.len(),
            keywords = patterns.len(),
            unkeyed = unkeyed.len(),
            "matcher built"
        );
        Ok(Matcher { inner: Arc::new(Inner { keywords, pattern_rules, rules: compiled, unkeyed }) })
    }

    /// Compiles every rule regex now, returning the first failure (naming the rule).
    pub fn compile_all(&self) -> Result<(), BuildError> {
        for c in self.inner.rules.iter().flatten() {
            c.get().map_err(|message| BuildError {
                rule: c.id.clone(),
                message: message.to_string(),
            })?;
        }
        Ok(())
    }

    /// Fresh per-thread state for this matcher.
    pub fn new_scratch(&self) -> Scratch {
        Scratch {
            caches: (0..self.inner.rules.len()).map(|_| None).collect(),
            hits: Vec::with_capacity(1024),
            windows: Vec::with_capacity(64),
        }
    }

    /// Finds all matches of all rules in `haystack`, appending to `out` in rule order, then
    /// by offset. Overlapping matches of one rule are reported once.
    pub fn find_all(&self, haystack: &[u8], scratch: &mut Scratch, out: &mut Vec<Match>) {
        let inner = &*self.inner;
        scratch.hits.clear();
        if let Some(keywords) = &inner.keywords {
            let hits = &mut scratch.hits;
            keywords.for_each(haystack, |pattern, start| {
                for &rule in &inner.pattern_rules[pattern] {
                    hits.push((rule.0, start));
                }
            });
        }
        if scratch.hits.is_empty() && inner.unkeyed.is_empty() {
            return;
        }
        scratch.hits.sort_unstable();
        scratch.hits.dedup();
        let mut i = 0;
        while i < scratch.hits.len() {
            let rule = scratch.hits[i].0;
            let Some(c) = inner.rules[rule as usize].as_ref() else {
                i += 1;
                continue;
            };
            let shape = c.shape();
            scratch.windows.clear();
            while i < scratch.hits.len() && scratch.hits[i].0 == rule {
                let (start, end) = window(shape, haystack, scratch.hits[i].1);
                match scratch.windows.last_mut() {
                    Some(last) if start <= last.1 => last.1 = last.1.max(end),
                    _ => scratch.windows.push((start, end)),
                }
                i += 1;
            }
            if shape.runs[0].is_some() {
                let runs = shape.runs.iter().flatten();
                scratch.windows.retain(|&(s, e)| runs.clone().all(|r| r.found_in(&haystack[s..e])));
                if scratch.windows.is_empty() {
                    continue;
                }
            }
            let windows = std::mem::take(&mut scratch.windows);
            self.confirm(RuleId(rule), c, haystack, &windows, scratch, out);
            scratch.windows = windows;
        }
        for &rule in &inner.unkeyed {
            let Some(c) = inner.rules[rule.index()].as_ref() else { continue };
            if c.shape().runs.iter().flatten().all(|run| run.found_in(haystack)) {
                self.confirm(rule, c, haystack, &[(0, haystack.len())], scratch, out);
            }
        }
    }

    fn confirm(
        &self,
        rule: RuleId,
        c: &Compiled,
        haystack: &[u8],
        windows: &[(usize, usize)],
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) {
        let regex = match c.get() {
            Ok(regex) => regex,
            Err(message) => {
                tracing::debug!(rule = %c.id, message, "rule regex does not compile; skipped");
                return;
            }
        };
        let slot = &mut scratch.caches[rule.index()];
        let (cache, caps) =
            slot.get_or_insert_with(|| (regex.create_cache(), regex.create_captures()));
        let mut last_end = 0usize;
        for &(wstart, wend) in windows {
            let mut at = wstart.max(last_end);
            while at <= wend {
                let input = Input::new(haystack).range(at..wend);
                regex.search_captures_with(cache, &input, caps);
                let Some(m) = caps.get_match() else { break };
                at = if m.end() > m.start() { m.end() } else { m.end() + 1 };
                if m.start() < last_end || m.is_empty() {
                    continue;
                }
                let Some((ss, se)) = secret_span(caps, c.secret_group) else { continue };
                if ss == se {
                    continue;
                }
                last_end = m.end();
                out.push(Match {
                    rule,
                    start: m.start(),
                    end: m.end(),
                    secret_start: ss,
                    secret_end: se,
                });
            }
        }
    }
}

/// gitleaks semantics: the configured group; otherwise the first group that participated;
/// otherwise the whole match.
fn secret_span(caps: &Captures, group: Option<usize>) -> Option<(usize, usize)> {
    if let Some(g) = group {
        return caps.get_group(g).map(|s| (s.start, s.end));
    }
    for g in 1..caps.group_len() {
        if let Some(s) = caps.get_group(g) {
            if s.start < s.end {
                return Some((s.start, s.end));
            }
        }
    }
    caps.get_match().map(|m| (m.start(), m.end()))
}

fn snap_back(h: &[u8], at: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let lo = at.saturating_sub(LINE_SNAP);
    match memchr::memrchr(b'\n', &h[lo..at]) {
        Some(p) => lo + p + 1,
        None => at,
    }
}

fn snap_forward(h: &[u8], at: usize) -> usize {
    let hi = (at + LINE_SNAP).min(h.len());
    match memchr::memchr(b'\n', &h[at..hi]) {
        Some(p) => at + p,
        None => at,
    }
}

/// Per-thread mutable state for [`Matcher::find_all`].
pub struct Scratch {
    /// Regex cache and capture slots per rule, created on a rule's first candidate so a
    /// thread pays only for rules that ever fire.
    caches: Vec<Option<(meta::Cache, Captures)>>,
    /// (rule, keyword offset) pairs from the prefilter; reused across calls.
    hits: Vec<(u32, usize)>,
    /// Merged windows of the rule being confirmed; reused across calls.
    windows: Vec<(usize, usize)>,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch").field("hits", &self.hits.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSetBuilder;

    /// A table-driven prefilter/confirmation case.
    struct SearchTest {
        name: &'static str,
        rules: &'static str,
        haystack: &'static [u8],
        /// (rule id, secret text)
        matches: &'static [(&'static str, &'static str)],
    }

    macro_rules! t {
        ($name:ident, $rules:expr, $hay:expr, $matches:expr) => {
            SearchTest { name: stringify!($name), rules: $rules, haystack: $hay, matches: $matches }
        };
    }

    const TWO: &str = r#"
[[rules]]
id = "tok"
regex = '''\b(tok_[a-z0-9]{8})\b'''
keywords = ["tok_"]
[[rules]]
id = "pw"
regex = '''(?i)password\s*=\s*"([^"]{4,64})"'''
keywords = ["password"]
[[rules]]
id = "word"
regex = '''word=([0-9]{4})'''
keywords = ["word"]
"#;

    /// One rule whose keyword is inside every match and one whose keyword only gates it.
    const WINDOWS: &str = r#"
[[rules]]
id = "line"
regex = '''(?i)secret[ \t]*=[ \t]*([a-z0-9]{8})'''
keywords = ["secret"]
[[rules]]
id = "gate"
regex = '''AKIA[0-9A-Z]{16}'''
keywords = ["aws"]
"#;

    const TESTS: &[SearchTest] = &[
        t!(empty, TWO, b"", &[]),
        t!(no_keyword, TWO, b"nothing to see here", &[]),
        t!(keyword_without_match, TWO, b"tok_ is a prefix", &[]),
        t!(one, TWO, b"a tok_abcd1234 b", &[("tok", "tok_abcd1234")]),
        t!(case_folded_keyword, TWO, b"PassWord = \"hunter22\"", &[("pw", "hunter22")]),
        t!(
            overlapping_keywords,
            TWO,
            b"password=\"word=1234\"",
            &[("pw", "word=1234"), ("word", "1234")]
        ),
        t!(word_boundary_context, TWO, b"xtok_abcd1234", &[]),
        t!(
            two_of_one_rule,
            TWO,
            b"tok_aaaa1111 tok_bbbb2222",
            &[("tok", "tok_aaaa1111"), ("tok", "tok_bbbb2222")]
        ),
        t!(at_end, TWO, b"tok_abcd1234", &[("tok", "tok_abcd1234")]),
        t!(invalid_utf8, TWO, b"\xff\xfe tok_abcd1234 \xc3", &[("tok", "tok_abcd1234")]),
        t!(
            line_window_at_line_edges,
            WINDOWS,
            b"x\nSECRET=abcd1234\nsecret = 9876zyxw", // leakguard:allow (test data)
            &[("line", "abcd1234"), ("line", "9876zyxw")]
        ),
        t!(line_window_does_not_cross_lines, WINDOWS, b"secret =\nabcd1234", &[]),
        t!(
            gate_keyword_on_previous_line,
            WINDOWS,
            b"aws:\n  key: AKIAABCDEFGHIJKLMNOP\n",
            &[("gate", "AKIAABCDEFGHIJKLMNOP")]
        ),
    ];

    fn run(t: &SearchTest) -> Vec<(String, String)> {
        let set = RuleSetBuilder::new().config_text("t.toml", t.rules).build().unwrap();
        let m = Matcher::new(&set).unwrap();
        let mut s = m.new_scratch();
        let mut out = Vec::new();
        m.find_all(t.haystack, &mut s, &mut out);
        out.iter()
            .map(|x| {
                (
                    set.get(x.rule).id.clone(),
                    String::from_utf8_lossy(&t.haystack[x.secret_start..x.secret_end]).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn table() {
        for t in TESTS {
            let got = run(t);
            let want: Vec<(String, String)> =
                t.matches.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
            assert_eq!(got, want, "test {}", t.name);
        }
    }

    #[test]
    fn far_keyword_in_long_line_is_windowed() {
        let set = RuleSetBuilder::new().config_text("t.toml", TWO).build().unwrap();
        let m = Matcher::new(&set).unwrap();
        let mut s = m.new_scratch();
        let mut hay = vec![b'x'; 5_000_000];
        hay.extend_from_slice(b" tok_abcd1234 ");
        hay.extend(vec![b'y'; 5_000_000]);
        let mut out = Vec::new();
        m.find_all(&hay, &mut s, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].secret_start, 5_000_001);
    }

    /// gitleaks' unbounded `private-key` rule: a match of several KiB (longer than the old
    /// 1 KiB window) is found whole, however far into the input it starts.
    #[test]
    fn unbounded_rule_finds_matches_longer_than_a_kib() {
        let rules = r#"
[[rules]]
id = "private-key"
regex = '''(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]*?KEY(?: BLOCK)?-----'''
keywords = ["-----begin"]
"#;
        let set = RuleSetBuilder::new().config_text("t.toml", rules).build().unwrap();
        let m = Matcher::new(&set).unwrap();
        let mut s = m.new_scratch();
        let mut pem = b"-----BEGIN PRIVATE KEY-----\n".to_vec();
        for _ in 0..(WINDOW_CAP - 200) / 65 {
            pem.extend_from_slice(&[b'A'; 64]);
            pem.push(b'\n');
        }
        pem.extend_from_slice(b"-----END PRIVATE KEY-----");
        for lead in [0, 10, 100_000] {
            let mut hay = vec![b'x'; lead];
            hay.extend_from_slice(&pem);
            hay.extend_from_slice(b"\ntail -----BEGIN PRIVATE KEY----- never ends\n");
            let mut out = Vec::new();
            m.find_all(&hay, &mut s, &mut out);
            assert_eq!(out.len(), 1, "lead {lead}");
            assert_eq!((out[0].start, out[0].end), (lead, lead + pem.len()), "lead {lead}");
        }
    }

    #[test]
    fn build_error_names_rule() {
        let set = RuleSetBuilder::new()
            .config_text("t.toml", "[[rules]]\nid = \"ok\"\nregex = 'a'\nkeywords=[\"a\"]\n")
            .build()
            .unwrap();
        assert!(Matcher::new(&set).is_ok());
    }
}

#[cfg(test)]
mod window_shape {
    use crate::rules::RuleSet;

    /// Windows are tight (no line slack) only for rules whose keyword is proven to lie inside
    /// every match. Check the proof against the examples, and that it covers the rules that
    /// fire most (the generic and URL rules), so they get the cheap windows.
    #[test]
    fn keyword_inside_is_proven_where_it_holds() {
        let set = RuleSet::builtin().unwrap();
        let mut unproven = Vec::new();
        for rule in set.rules() {
            let (Some(pattern), false) = (&rule.regex, rule.keywords.is_empty()) else { continue };
            let shape = crate::rules::regex::shape(pattern, &rule.keywords);
            if !shape.keyword_inside {
                unproven.push(rule.id.as_str());
                continue;
            }
            let re = crate::rules::regex::compile(pattern).unwrap();
            for ex in &rule.examples {
                let m = re.find(ex.as_bytes()).unwrap();
                let text = ex[m.range()].to_ascii_lowercase();
                assert!(
                    rule.keywords.iter().any(|k| text.contains(k.as_str())),
                    "{}: proven, but {:?} holds no keyword",
                    rule.id,
                    &ex[m.range()]
                );
            }
        }
        for id in [
            "password_in_url",
            "generic_token",
            "generic_secret",
            "generic_password",
            "generic_keyed_value",
            "generic_api_key",
        ] {
            assert!(!unproven.contains(&id), "{id} should have tight windows");
        }
        // A ratchet: a new rule whose keyword the proof cannot place inside its matches gets
        // slack windows (slower); fix its keywords, or raise this bound knowingly. Raised
        // from 46 to 60 with issue 10 (1,208 rules): the 14 new ones have rare keywords
        // (`bws`, `ksm`, `unrar`, `sqlplus`, uncommon URL schemes), where a provable keyword
        // would be a short, frequent one.
        assert!(
            unproven.len() <= 60,
            "{} rules with slack windows (bound 60): {unproven:?}",
            unproven.len()
        );
    }
}
