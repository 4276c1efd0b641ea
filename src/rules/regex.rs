//! Regex dialect handling: Go RE2 (what gitleaks configurations are written in) to
//! `regex-automata`, and the one place where rule regexes are compiled.
//!
//! Design decision: rules are compiled in *ASCII mode* (`unicode(false)`, `utf8(false)`).
//! That is what RE2 means by `\w`, `\d`, `\s` and `\b` (ASCII-only classes), it lets a
//! pattern match inside invalid UTF-8, and it keeps the DFAs small, which is most of the
//! confirmation cost. A pattern that needs Unicode (`\p{L}`) falls back to Unicode mode.
//! Go and Rust read a few constructs differently; [`translate_re2`] rewrites those that have
//! a faithful translation and rejects none silently: what cannot be expressed is an error.

use regex_automata::meta;
use regex_automata::util::syntax;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Size limit for one compiled rule regex (NFA and lazy-DFA cache): generous, because rules
/// such as PEM blocks have large bounded repetitions.
const SIZE_LIMIT: usize = 64 << 20;

/// The syntax configuration used for every rule regex (ASCII mode, see the module docs).
pub(crate) fn ascii_syntax() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false).nest_limit(250)
}

/// Only the NFA limit is raised (large bounded repetitions need it). The eager full-DFA and
/// one-pass limits stay at their small defaults: raising them makes every rule build a big
/// DFA at startup, which cost a second and 100 MB for the built-in rules (measured).
fn meta_config() -> meta::Config {
    meta::Config::new().nfa_size_limit(Some(SIZE_LIMIT))
}

/// Parses like [`compile`]: ASCII mode first, Unicode mode as the fallback; the error is the
/// ASCII-mode one (that is the dialect rules are written in).
fn parse(pattern: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    let parser = |unicode: bool| {
        regex_syntax::ParserBuilder::new().unicode(unicode).utf8(unicode).nest_limit(250).build()
    };
    parser(false)
        .parse(pattern)
        .or_else(|ascii| parser(true).parse(pattern).map_err(|_| Box::new(ascii)))
}

/// Parses a (translated) pattern without compiling it, returning its number of explicit
/// capture groups. Rule validation uses this; the matcher compiles each regex once.
pub fn validate(pattern: &str) -> Result<usize, String> {
    let hir = parse(pattern).map_err(|e| describe_syntax_error(&e))?;
    Ok(hir.properties().explicit_captures_len())
}

/// RE2's (and Go's) limit on a counted repetition, `x{n}`, and on the product of nested ones.
/// Every configuration a user or a repository supplies is held to it.
pub const MAX_REPEAT: u32 = 1000;

/// The same bound for the built-in rules, which are embedded at build time, reviewed, checked
/// by `rules check` and benchmarked. Some need one bounded run longer than RE2 allows: a
/// private key body up to a 16384-bit RSA key (`[A-Za-z0-9+/=\s]{64,16384}`), an armoured
/// PGP private key block (`{64,32768}`), Kubernetes `client-key-data`, long JWTs. They stay
/// bounded by this.
pub const BUILTIN_MAX_REPEAT: u32 = 32768;

/// Refuses counted repetitions over `limit` ([`MAX_REPEAT`] for configurations, as RE2 and
/// Go do): any single count over it, and nested counted repetitions whose counts multiply to
/// more than it (`((a{100}){100}){100}` is a million copies of `a` once compiled, and a scan
/// with it crawls). As in RE2's `RepetitionWalker` and Go's `repeatIsValid`, the count of
/// `x{n,m}` is `m`, of `x{n,}` it is `n`; `*`, `+` and `?` are not counted. Works on the
/// parsed AST, so escaped braces, classes and `(?x)` comments are read exactly as the regex
/// engine reads them. A gitleaks configuration that Go compiles therefore always passes.
pub fn check_repetitions(pattern: &str, limit: u32) -> Result<(), String> {
    let ast = regex_syntax::ast::parse::ParserBuilder::new()
        .nest_limit(250)
        .build()
        .parse(pattern)
        .map_err(|e| describe_syntax_error(&regex_syntax::Error::Parse(e)))?;
    repetitions_within(&ast, limit, limit)
}

/// Checks that every counted repetition in `ast` fits in `budget` copies (what the enclosing
/// repetitions leave of `limit`).
fn repetitions_within(ast: &regex_syntax::ast::Ast, limit: u32, budget: u32) -> Result<(), String> {
    use regex_syntax::ast::{Ast, RepetitionKind, RepetitionRange};
    match ast {
        Ast::Repetition(rep) => {
            let count = match &rep.op.kind {
                RepetitionKind::Range(
                    RepetitionRange::Exactly(n)
                    | RepetitionRange::AtLeast(n)
                    | RepetitionRange::Bounded(_, n),
                ) => *n,
                _ => return repetitions_within(&rep.ast, limit, budget),
            };
            let column = rep.op.span.start.column;
            if count > limit {
                return Err(format!(
                    "counted repetition of {count} at column {column} exceeds the limit of \
                     {limit}{}",
                    limit_note(limit)
                ));
            }
            if count > budget {
                return Err(format!(
                    "nested counted repetitions at column {column} multiply to more than \
                     {limit} copies{}",
                    limit_note(limit)
                ));
            }
            let budget = budget.checked_div(count).unwrap_or(budget);
            repetitions_within(&rep.ast, limit, budget)
        }
        Ast::Group(g) => repetitions_within(&g.ast, limit, budget),
        Ast::Alternation(a) => a.asts.iter().try_for_each(|x| repetitions_within(x, limit, budget)),
        Ast::Concat(c) => c.asts.iter().try_for_each(|x| repetitions_within(x, limit, budget)),
        _ => Ok(()),
    }
}

fn limit_note(limit: u32) -> String {
    if limit == MAX_REPEAT {
        " (RE2's and Go's limit)".into()
    } else {
        format!(" (the limit for built-in rules; RE2's and Go's is {MAX_REPEAT})")
    }
}

/// A regex syntax error as a content-free sentence: what is wrong and where (column in the
/// pattern), never the pattern itself (`regex_syntax`'s `Display` quotes it).
pub fn describe_syntax_error(e: &regex_syntax::Error) -> String {
    match e {
        regex_syntax::Error::Parse(e) => {
            format!("{} (at column {} of the pattern)", e.kind(), e.span().start.column)
        }
        regex_syntax::Error::Translate(e) => {
            format!("{} (at column {} of the pattern)", e.kind(), e.span().start.column)
        }
        _ => "the pattern does not parse".to_string(),
    }
}

/// Compiles a (translated) pattern, ASCII mode first, Unicode mode as the fallback.
///
/// Compiled regexes are memoized by pattern text: generated rules share patterns (every
/// context rule carries the same identifier allowlist), and compiling one of those 500 times
/// was most of the start-up time. A clone shares the compiled program and gets its own
/// search cache. The memo is bounded; past the bound it starts over.
pub fn compile(pattern: &str) -> Result<meta::Regex, String> {
    compile_for(pattern, true)
}

/// [`compile`], with or without the regex's own literal prefilter. The matcher turns it off
/// for rules whose windows are one line around a keyword the match is proven to contain:
/// there the prefilter finds nothing the keyword pass did not, and building it was 40% of
/// the compile time of a context rule (measured: 490 context rules, 150 ms with, 89 ms
/// without, the same search time).
pub fn compile_for(pattern: &str, prefilter: bool) -> Result<meta::Regex, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    const MAX_MEMO: usize = 4096;
    type Memo = Mutex<HashMap<(String, bool), meta::Regex>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    let key = (pattern.to_string(), prefilter);
    if let Some(re) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(re);
    }
    let re = compile_uncached(pattern, prefilter)?;
    if let Ok(mut m) = memo.lock() {
        if m.len() >= MAX_MEMO {
            m.clear();
        }
        m.insert(key, re.clone());
    }
    Ok(re)
}

fn compile_uncached(pattern: &str, prefilter: bool) -> Result<meta::Regex, String> {
    let config = meta_config().auto_prefilter(prefilter);
    match meta::Regex::builder().syntax(ascii_syntax()).configure(config.clone()).build(pattern) {
        Ok(re) => Ok(re),
        Err(ascii_err) => meta::Regex::builder()
            .syntax(syntax::Config::new().nest_limit(250))
            .configure(config)
            .build(pattern)
            .map_err(|_| error_text(&ascii_err)),
    }
}

fn error_text(err: &meta::BuildError) -> String {
    match err.syntax_error() {
        Some(e) => describe_syntax_error(e),
        None => err.to_string(),
    }
}

/// What the matcher may assume about where a rule's matches lie relative to its keywords.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// The most bytes a match can span (`None`: unbounded or unknown).
    pub maximum_len: Option<usize>,
    /// Every match contains one of the rule's keywords (ASCII case-insensitively), proven
    /// from the pattern's structure: a required literal run that contains a keyword.
    pub keyword_inside: bool,
    /// No match can contain a line feed.
    pub single_line: bool,
    /// When `keyword_inside`: the most bytes a match can hold before the start of the
    /// keyword occurrence that proves it (`None`: unknown or unbounded). A rule that starts
    /// with its keyword (`-----BEGIN ...`, `ghp_...`) has 0, so its window need not reach
    /// back, however long its matches can grow forward.
    pub lead_len: Option<usize>,
    /// Runs of bytes every match contains (the longest few proven; none when none long
    /// enough was). A window without each of them cannot hold a match, so the matcher skips
    /// it without running (or even compiling) the regex: most keyword hits of a context rule
    /// (a provider's name in code) have no 32-character hex run on their line, and most
    /// `repository` lines of a config are not followed by a `password` line.
    pub runs: [Option<Run>; 3],
}

/// At least `min` consecutive bytes from `class`: a necessary condition for a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// Member bytes, as a bitset.
    class: [u64; 4],
    /// The shortest run every match holds.
    pub min: usize,
}

/// Runs shorter than this are too common to be worth checking.
const RUN_MIN: usize = 8;

impl Run {
    fn empty() -> Run {
        Run { class: [0; 4], min: 0 }
    }

    fn add(&mut self, b: u8) {
        self.class[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn union(mut self, other: &Run) -> Run {
        for (a, b) in self.class.iter_mut().zip(other.class) {
            *a |= b;
        }
        self
    }

    fn members(&self) -> u32 {
        self.class.iter().map(|w| w.count_ones()).sum()
    }

    /// Whether `b` is in the class.
    #[inline]
    pub fn contains(&self, b: u8) -> bool {
        self.class[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    /// Whether `h` holds `min` consecutive member bytes. Probes every `min`-th byte first: a
    /// run of `min` starting in `[i, i + min)` must cover byte `i + min - 1`, so a non-member
    /// there skips `min` bytes at once.
    pub fn found_in(&self, h: &[u8]) -> bool {
        let min = self.min.max(1);
        let mut i = 0;
        while i + min <= h.len() {
            let probe = i + min - 1;
            if !self.contains(h[probe]) {
                i = probe + 1;
                continue;
            }
            let mut s = probe;
            while s > i && self.contains(h[s - 1]) {
                s -= 1;
            }
            let mut e = probe + 1;
            while e < h.len() && e - s < min && self.contains(h[e]) {
                e += 1;
            }
            if e - s >= min {
                return true;
            }
            i = e + 1;
        }
        false
    }
}

/// Analyses a (translated) pattern against its rule's lowercased keywords. Anything the
/// analysis cannot prove is reported as not holding, so a wrong answer only costs speed.
pub fn shape(pattern: &str, keywords: &[String]) -> Shape {
    let Ok(hir) = parse(pattern) else { return Shape::default() };
    let keywords: Vec<&[u8]> =
        keywords.iter().map(|k| k.as_bytes()).filter(|k| !k.is_empty()).collect();
    let keyword_inside = !keywords.is_empty() && requires_keyword(&hir, &keywords);
    Shape {
        maximum_len: hir.properties().maximum_len(),
        keyword_inside,
        single_line: !can_match_newline(&hir),
        lead_len: if keyword_inside { lead_len(&hir, &keywords) } else { None },
        runs: required_runs(&hir),
    }
}

/// The best three of the runs [`required_run`] proves for the items of the top-level
/// concatenation (inside captures), long enough to be worth a check.
fn required_runs(hir: &Hir) -> [Option<Run>; 3] {
    fn collect(hir: &Hir, out: &mut Vec<Run>) {
        match hir.kind() {
            // A capture is judged whole (a UUID is a pure run of 36) and by its items.
            HirKind::Capture(c) => {
                out.extend(pure_run(hir).filter(|r| r.min > 0));
                collect(&c.sub, out);
            }
            HirKind::Concat(items) => items.iter().for_each(|x| collect(x, out)),
            _ => out.extend(required_run(hir)),
        }
    }
    let mut all = Vec::new();
    collect(hir, &mut all);
    all.retain(|r| r.min >= RUN_MIN && r.members() < 256);
    all.sort_by(|a, b| b.min.cmp(&a.min).then_with(|| a.members().cmp(&b.members())));
    all.dedup();
    let mut best = [None; 3];
    for (slot, run) in best.iter_mut().zip(all) {
        *slot = Some(run);
    }
    best
}

/// When every match of `hir` consists only of bytes of one class: that class, and the
/// fewest bytes a match has. Unicode classes count every non-ASCII byte as a member (a
/// character of `n` bytes is then a run of `n` members).
fn pure_run(hir: &Hir) -> Option<Run> {
    let mut run = Run::empty();
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => {
            lit.0.iter().for_each(|&b| run.add(b));
            run.min = lit.0.len();
        }
        HirKind::Class(Class::Bytes(c)) => {
            c.ranges().iter().flat_map(|r| r.start()..=r.end()).for_each(|b| run.add(b));
            run.min = 1;
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                (lo.min(0x80)..hi.saturating_add(1).min(0x80)).for_each(|b| run.add(b as u8));
                if hi >= 0x80 {
                    (0x80..=0xff).for_each(|b| run.add(b));
                }
            }
            run.min = 1;
        }
        HirKind::Capture(c) => return pure_run(&c.sub),
        HirKind::Repetition(r) => {
            let sub = pure_run(&r.sub)?;
            return Some(Run { min: sub.min.saturating_mul(r.min as usize), ..sub });
        }
        HirKind::Concat(items) => {
            for x in items {
                let sub = pure_run(x)?;
                run = run.union(&sub);
                run.min = run.min.saturating_add(sub.min);
            }
        }
        HirKind::Alternation(alts) => {
            run.min = usize::MAX;
            for a in alts {
                let sub = pure_run(a)?;
                run = run.union(&sub);
                run.min = run.min.min(sub.min);
            }
        }
    }
    Some(run)
}

/// A run every match of `hir` contains: the whole match when it is pure (not for a
/// concatenation), the longest run any required item holds in a concatenation (the narrower
/// class on a tie), the weakest of the alternatives' runs.
fn required_run(hir: &Hir) -> Option<Run> {
    // A concatenation is judged by its items: `key[ =]+[0-9a-f]{32}` is a pure run of 36
    // over a class with blanks, but the 32 hex are the far better filter.
    if !matches!(hir.kind(), HirKind::Concat(_)) {
        if let Some(run) = pure_run(hir).filter(|r| r.min > 0) {
            return Some(run);
        }
    }
    match hir.kind() {
        HirKind::Capture(c) => required_run(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_run(&r.sub),
        HirKind::Alternation(alts) => alts.iter().try_fold(None::<Run>, |acc, a| {
            let sub = required_run(a)?;
            Some(Some(match acc {
                None => sub,
                Some(acc) => Run { min: acc.min.min(sub.min), ..acc.union(&sub) },
            }))
        })?,
        HirKind::Concat(items) => items
            .iter()
            .filter_map(required_run)
            .max_by(|a, b| a.min.cmp(&b.min).then_with(|| b.members().cmp(&a.members()))),
        _ => None,
    }
}

/// An upper bound on the bytes a match of `hir` holds before a keyword occurrence it must
/// contain, following the proof of [`requires_keyword`] (`None` where that proof does not
/// hold here or what precedes the keyword is unbounded).
fn lead_len(hir: &Hir, keywords: &[&[u8]]) -> Option<usize> {
    let contains_keyword = |set: &[Vec<u8>]| all_hold_keyword(set, keywords);
    let longest = |set: &[Vec<u8>]| set.iter().map(Vec::len).max().unwrap_or(0);
    match hir.kind() {
        HirKind::Capture(c) => lead_len(&c.sub, keywords),
        // The first repetition holds a keyword.
        HirKind::Repetition(r) if r.min >= 1 => lead_len(&r.sub, keywords),
        HirKind::Alternation(alts) => {
            alts.iter().try_fold(0, |most, a| Some(most.max(lead_len(a, keywords)?)))
        }
        HirKind::Concat(items) => {
            // `before`: the most bytes the items so far can span; `run_before`: the same
            // where the current run of fixed-text items began.
            let mut before = 0usize;
            let mut run: Option<Vec<Vec<u8>>> = None;
            let mut run_before = 0usize;
            for x in items {
                let next = exact_strings(x);
                let joined = match (&run, &next) {
                    (Some(prefix), Some(next)) => cross(prefix, next),
                    _ => None,
                };
                if joined.is_none() {
                    if let Some(r) = closed_run(run.as_deref(), x, keywords) {
                        return run_before.checked_add(longest(&r));
                    }
                }
                if let Some(l) = lead_len(x, keywords) {
                    return before.checked_add(l);
                }
                if joined.is_none() {
                    run_before = before;
                }
                run = joined.or(next);
                before = before.checked_add(x.properties().maximum_len()?)?;
            }
            run.as_deref()
                .filter(|r| contains_keyword(r))
                .and_then(|r| run_before.checked_add(longest(r)))
        }
        _ => exact_strings(hir).filter(|set| contains_keyword(set)).map(|set| longest(&set)),
    }
}

/// Whether every string of `set` contains one of `keywords`.
fn all_hold_keyword(set: &[Vec<u8>], keywords: &[&[u8]]) -> bool {
    set.iter().all(|s| keywords.iter().any(|k| s.windows(k.len()).any(|w| w == *k)))
}

/// A run of fixed text that ends at item `x` proves a keyword when every string of the run
/// holds one, or, if `x` is a repetition that occurs at least once with fixed-text
/// iterations, every string of the run followed by one iteration does (`fc-[0-9a-f]{32}`
/// with keywords `fc-0`..`fc-f`). Returns those strings (the run itself preferred).
fn closed_run(run: Option<&[Vec<u8>]>, x: &Hir, keywords: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
    let run = run?;
    if all_hold_keyword(run, keywords) {
        return Some(run.to_vec());
    }
    let first = match x.kind() {
        HirKind::Repetition(r) if r.min >= 1 => cross(run, &exact_strings(&r.sub)?)?,
        _ => return None,
    };
    all_hold_keyword(&first, keywords).then_some(first)
}

/// Bound on the strings [`exact_strings`] enumerates.
const EXACT_LIMIT: usize = 256;
/// Largest character class [`exact_strings`] enumerates (`[a-z]` is 26).
const CLASS_LIMIT: u32 = 32;

/// Does every match of `hir` contain one of `keywords` (lowercase)?
fn requires_keyword(hir: &Hir, keywords: &[&[u8]]) -> bool {
    let contains_keyword = |set: &[Vec<u8>]| all_hold_keyword(set, keywords);
    match hir.kind() {
        HirKind::Capture(c) => requires_keyword(&c.sub, keywords),
        HirKind::Repetition(r) if r.min >= 1 => requires_keyword(&r.sub, keywords),
        HirKind::Alternation(alts) => alts.iter().all(|a| requires_keyword(a, keywords)),
        HirKind::Concat(items) => {
            if items.iter().any(|x| requires_keyword(x, keywords)) {
                return true;
            }
            // Runs of consecutive fixed-text items ("t", "[Oo]", "ken") form the literals.
            // A run ends at an item that is not fixed text or when it grows too large.
            let mut run: Option<Vec<Vec<u8>>> = None;
            for x in items {
                let next = exact_strings(x);
                let joined = match (&run, &next) {
                    (Some(prefix), Some(next)) => cross(prefix, next),
                    _ => None,
                };
                if joined.is_none() && closed_run(run.as_deref(), x, keywords).is_some() {
                    return true;
                }
                run = joined.or(next);
            }
            run.as_deref().is_some_and(contains_keyword)
        }
        _ => exact_strings(hir).is_some_and(|set| contains_keyword(&set)),
    }
}

/// The finite set of strings `hir` matches, if it is small (at most [`EXACT_LIMIT`]).
fn exact_strings(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![Vec::new()]),
        HirKind::Literal(lit) => Some(vec![lit.0.to_ascii_lowercase()]),
        HirKind::Class(Class::Bytes(c)) => {
            let n: u32 = c.ranges().iter().map(|r| u32::from(r.end() - r.start()) + 1).sum();
            (n <= CLASS_LIMIT).then(|| {
                folded(c.ranges().iter().flat_map(|r| r.start()..=r.end()).map(|b| vec![b]))
            })
        }
        HirKind::Class(Class::Unicode(c)) => {
            let n: u32 =
                c.ranges().iter().map(|r| u32::from(r.end()) - u32::from(r.start()) + 1).sum();
            (n <= CLASS_LIMIT).then(|| {
                folded(
                    c.ranges()
                        .iter()
                        .flat_map(|r| r.start()..=r.end())
                        .map(|ch| ch.to_string().into_bytes()),
                )
            })
        }
        HirKind::Capture(c) => exact_strings(&c.sub),
        HirKind::Concat(items) => {
            items.iter().try_fold(vec![Vec::new()], |acc, x| cross(&acc, &exact_strings(x)?))
        }
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(exact_strings(a)?);
                if all.len() > EXACT_LIMIT {
                    return None;
                }
            }
            Some(folded(all.into_iter()))
        }
        // `x?` and `x{n}` with a small fixed set.
        HirKind::Repetition(r) if r.max.is_some_and(|max| max <= 4) => {
            let sub = exact_strings(&r.sub)?;
            let max = r.max.unwrap_or(0);
            let mut all = Vec::new();
            let mut power = vec![Vec::new()];
            for n in 0..=max {
                if n >= r.min {
                    all.extend(power.iter().cloned());
                }
                if n < max {
                    power = cross(&power, &sub)?;
                }
            }
            (all.len() <= EXACT_LIMIT).then(|| folded(all.into_iter()))
        }
        HirKind::Repetition(_) => None,
    }
}

/// Lowercased and deduplicated: `(?i)token` is one string, not 32.
fn folded(strings: impl Iterator<Item = Vec<u8>>) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = strings.map(|s| s.to_ascii_lowercase()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len() * b.len() > EXACT_LIMIT {
        return None;
    }
    Some(folded(a.iter().flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))))
}

/// Can some match of `hir` contain a line feed? (Conservative: true when unsure.)
fn can_match_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.contains(&b'\n'),
        HirKind::Class(Class::Bytes(c)) => {
            c.ranges().iter().any(|r| r.start() <= b'\n' && b'\n' <= r.end())
        }
        HirKind::Class(Class::Unicode(c)) => {
            c.ranges().iter().any(|r| r.start() <= '\n' && '\n' <= r.end())
        }
        HirKind::Capture(c) => can_match_newline(&c.sub),
        HirKind::Repetition(r) => r.max != Some(0) && can_match_newline(&r.sub),
        HirKind::Concat(xs) | HirKind::Alternation(xs) => xs.iter().any(can_match_newline),
    }
}

/// Rewrites Go RE2 syntax into the syntax `regex-automata` reads the same way.
///
/// Differences handled:
/// * Inside a character class Go reads `[`, `&&`, `--` and `~~` literally; Rust reads them as
///   nested classes and set operations. They are escaped.
/// * Go reads `x{,n}` as the literal text `{,n}`; Rust rejects it. It is escaped.
/// * `\Z` and `\C` exist in neither with the same meaning: rejected with a reason.
///
/// Everything else (`(?P<n>...)`, `(?i)`, `(?s)`, `(?U)`, `\z`, `\A`, POSIX classes, `\pN`)
/// reads the same in both.
pub fn translate_re2(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some('Z') => return Err("`\\Z` is not RE2 syntax (use `\\z` or `$`)".into()),
                Some('C') => return Err("`\\C` (any byte) is not supported".into()),
                Some('Q') => {
                    // \Q...\E quotes literally in RE2; expand it.
                    let rest: String = chars[i + 2..].iter().collect();
                    let (lit, consumed) = match rest.find("\\E") {
                        Some(end) => (&rest[..end], end + 2),
                        None => (rest.as_str(), rest.len()),
                    };
                    out.push_str(&regex_syntax::escape(lit));
                    i += 2 + lit.chars().count() + (consumed - lit.len());
                    continue;
                }
                Some(&n) => {
                    out.push('\\');
                    out.push(n);
                    i += 2;
                    continue;
                }
                None => return Err("trailing backslash".into()),
            }
        }
        if c == '[' {
            i = translate_class(&chars, i, &mut out)?;
            continue;
        }
        if c == '{' && !is_repetition(&chars[i..]) {
            // RE2 reads a `{` that does not start `{n}`, `{n,}` or `{n,m}` as a literal.
            out.push_str("\\{");
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}

/// Whether `chars` (starting at `{`) is a counted repetition `{n}`, `{n,}` or `{n,m}`.
fn is_repetition(chars: &[char]) -> bool {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    chars.get(i) == Some(&'}')
}

/// Copies one character class starting at `chars[start] == '['`, escaping what Go reads
/// literally. Returns the index after the closing `]`.
fn translate_class(chars: &[char], start: usize, out: &mut String) -> Result<usize, String> {
    let mut i = start + 1;
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    // A `]` first in the class is literal in both dialects.
    if chars.get(i) == Some(&']') {
        out.push_str("\\]");
        i += 1;
    }
    while i < chars.len() {
        let c = chars[i];
        match c {
            ']' => {
                out.push(']');
                return Ok(i + 1);
            }
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err("trailing backslash in character class".into());
                };
                out.push('\\');
                out.push(n);
                i += 2;
            }
            '[' if chars.get(i + 1) == Some(&':') => {
                // POSIX class [:name:] reads the same in both.
                let rest: String = chars[i..].iter().collect();
                match rest.find(":]") {
                    Some(end) => {
                        out.push_str(&rest[..end + 2]);
                        i += rest[..end + 2].chars().count();
                    }
                    None => {
                        out.push_str("\\[");
                        i += 1;
                    }
                }
            }
            '[' => {
                out.push_str("\\[");
                i += 1;
            }
            '&' | '~' | '-' if chars.get(i + 1) == Some(&c) => {
                out.push(c);
                out.push('\\');
                out.push(c);
                i += 2;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err("unclosed character class".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_proves_keyword_inside_and_single_line() {
        let kw = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&str, &[&str], bool, bool)] = &[
            // (pattern, keywords, keyword_inside, single_line)
            (r"(?i)token\s*=\s*(\w+)", &["token"], true, false),
            (r"(?i)token[ \t]*=[ \t]*(\w+)", &["token"], true, true),
            (r"(?i:\b[\w.-]{0,30}token)[ \t]*=", &["token"], true, true),
            (r"\b(ghp_[0-9A-Za-z]{36})\b", &["ghp_"], true, true),
            // Every spelling of the optional separator must be a keyword.
            (r"(?i)aws[_-]?secret", &["aws_secret", "aws-secret"], false, true),
            (r"(?i)aws[_-]?secret", &["aws_secret", "aws-secret", "awssecret"], true, true),
            (r"postgres(?:ql)?://", &["postgres://", "postgresql://"], true, true),
            (r"(?:token|secret)=(\w+)", &["token"], false, true),
            (r"(?:token|secret)=(\w+)", &["token", "secret"], true, true),
            // `[a-z]Pass`: 26 spellings, all keywords.
            (
                r"[a-z]Pass=",
                &[
                    "apass", "bpass", "cpass", "dpass", "epass", "fpass", "gpass", "hpass",
                    "ipass", "jpass", "kpass", "lpass", "mpass", "npass", "opass", "ppass",
                    "qpass", "rpass", "spass", "tpass", "upass", "vpass", "wpass", "xpass",
                    "ypass", "zpass",
                ],
                true,
                true,
            ),
            (r"[a-z]Pass=", &["apass"], false, true),
            // The keyword only gates the rule: not inside.
            (r"AKIA[0-9A-Z]{16}", &["aws"], false, true),
            (r"(?s)-----BEGIN.{0,100}", &["-----begin"], true, false),
            (r"a.b", &["a"], true, true),
            (r"(?m)^ENV x$", &["\nenv "], false, true),
        ];
        for &(pattern, keywords, inside, single) in cases {
            let s = shape(pattern, &kw(keywords));
            assert_eq!(
                (s.keyword_inside, s.single_line),
                (inside, single),
                "{pattern} {keywords:?}"
            );
        }
        assert_eq!(shape("(", &kw(&["x"])), Shape::default(), "unparsable: nothing proven");
    }

    #[test]
    fn translates_go_class_literals() {
        assert_eq!(translate_re2(r"[\w[]+").unwrap(), r"[\w\[]+");
        assert_eq!(translate_re2(r"[a&&b]").unwrap(), r"[a&\&b]");
        assert_eq!(translate_re2(r"[[:alpha:]_]").unwrap(), r"[[:alpha:]_]");
        assert_eq!(translate_re2(r"a{,3}").unwrap(), r"a\{,3}");
        assert_eq!(translate_re2(r"\$?{{[^}]+}}").unwrap(), r"\$?\{\{[^}]+}}");
        assert_eq!(translate_re2(r"a{2}b{3,}c{4,5}").unwrap(), r"a{2}b{3,}c{4,5}");
        assert_eq!(translate_re2(r"\Qa.b\Ec").unwrap(), r"a\.bc");
        assert!(translate_re2(r"abc\Z").is_err());
        assert!(translate_re2(r"[abc").is_err());
    }

    #[test]
    fn translated_patterns_compile() {
        for p in [r"[\w[]+", r"a{,3}", r"(?i)\b(?:key)[\w.-]{0,20}\b", r"[a&&b]"] {
            compile(&translate_re2(p).unwrap()).unwrap();
        }
    }

    #[test]
    fn ascii_mode_matches_invalid_utf8() {
        let re = compile(r"key=([a-z0-9]{8})").unwrap();
        let hay = b"\xff\xfekey=abcd1234\xff";
        assert!(re.find(&hay[..]).is_some());
    }

    #[test]
    fn counted_repetitions_capped_like_re2() {
        let check = |p: &str| check_repetitions(p, MAX_REPEAT);
        for ok in [
            "a{1000}",
            "a{0,1000}",
            "a{1000,}",
            "((a{10}){10}){10}",
            "(?:a{1000}b{1000}){1}",
            "a*b+c?(?:d*){1000}",
            r"\{20000}",
            r"[{20000}]",
            "(?x) a{2} # b{20000}",
            "a{0}{0}",
        ] {
            assert!(check(ok).is_ok(), "{ok}: {:?}", check(ok));
        }
        for (bad, words) in [
            ("a{20000}", "20000"),
            ("a{1001}", "1001"),
            ("a{1001,}", "1001"),
            ("a{2,1001}", "1001"),
            ("((a{100}){100}){100}", "multiply"),
            ("(?:(?:a{11}){10}){10}", "multiply"),
            ("(?:x|(?:a{2}){501})", "multiply"),
        ] {
            let e = check(bad).unwrap_err();
            assert!(e.contains(words) && e.contains("1000"), "{bad}: {e}");
        }
        assert!(check_repetitions("a{32768}", BUILTIN_MAX_REPEAT).is_ok());
        assert!(check_repetitions("a{32769}", BUILTIN_MAX_REPEAT).is_err());
    }

    #[test]
    fn syntax_errors_do_not_quote_the_pattern() {
        let e = validate("(SECRET_MARKER").unwrap_err();
        assert!(!e.contains("SECRET_MARKER") && e.contains("column 1"), "{e}");
        let e = compile("[SECRET_MARKER").unwrap_err();
        assert!(!e.contains("SECRET_MARKER"), "{e}");
        let e = check_repetitions("a{SECRET_MARKER", MAX_REPEAT).unwrap_err();
        assert!(!e.contains("SECRET_MARKER"), "{e}");
    }

    #[test]
    fn lead_len_bounds_the_bytes_before_the_keyword() {
        let kw = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&str, &[&str], Option<usize>)] = &[
            (
                r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]*?KEY-----",
                &["-----begin"],
                Some(10),
            ),
            (r"\b(ghp_[0-9a-zA-Z]{36})\b", &["ghp_"], Some(4)),
            (r"[a-z]{0,5}tok[0-9]{2}", &["tok"], Some(8)),
            (r"(?:token|secret)=(\w+)", &["token", "secret"], Some(6)),
            (r"x(?:ab|cd){1,3}tok", &["tok"], Some(10)),
            (r"\w+token", &["token"], None),
            // The keyword reaches into the first iteration of a repetition.
            (
                r"\b(fc-[0-9a-f]{32})\b",
                &[
                    "fc-0", "fc-1", "fc-2", "fc-3", "fc-4", "fc-5", "fc-6", "fc-7", "fc-8", "fc-9",
                    "fc-a", "fc-b", "fc-c", "fc-d", "fc-e", "fc-f",
                ],
                Some(4),
            ),
            // Not proven inside: nothing to bound.
            (r"AKIA[0-9A-Z]{16}", &["aws"], None),
        ];
        for &(pattern, keywords, lead) in cases {
            assert_eq!(shape(pattern, &kw(keywords)).lead_len, lead, "{pattern} {keywords:?}");
        }
    }

    #[test]
    fn required_run_of_common_shapes() {
        let run = |p: &str| shape(p, &[]).runs[0].map(|r| r.min);
        assert_eq!(run(r"ghp_[0-9a-zA-Z]{36}"), Some(36), "the body");
        assert_eq!(run(r"(?i)key[ =]+([0-9a-f]{32})\b"), Some(32));
        assert_eq!(
            run(r"key=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"),
            Some(36)
        );
        assert_eq!(run(r"(?:[a-z]{20}|[0-9]{10})"), Some(10), "the weaker alternative");
        assert_eq!(run(r"(?:[a-z]{20}|x)"), None, "an alternative without a run");
        assert_eq!(run(r"pw=([^\s]{4,})"), None, "too short");
        assert_eq!(run(r"(?s).{40}"), None, "every byte: no filter");
        assert_eq!(run(r"[a-z]{0,40}"), None, "optional");
        let runs = shape(r"repository = \S+\npassword = ([^\s]{6,})", &[]).runs;
        let mins: Vec<usize> = runs.iter().flatten().map(|r| r.min).collect();
        assert_eq!(mins, [13, 12], "both literal runs, not the short value");
    }

    #[test]
    fn run_found_in_matches_a_naive_scan() {
        let r = shape(r"[0-9a-f]{5}", &[]).runs[0];
        assert!(r.is_none(), "below RUN_MIN");
        let r = shape(r"[0-9a-f]{8}", &[]).runs[0].unwrap();
        let naive = |h: &[u8]| h.split(|&b| !r.contains(b)).any(|w| w.len() >= 8);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 0..200 {
            for _ in 0..20 {
                let h: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        b"0123456789abcdefxyz "[(x % 20) as usize]
                    })
                    .collect();
                assert_eq!(r.found_in(&h), naive(&h), "{:?}", String::from_utf8_lossy(&h));
            }
        }
    }

    #[test]
    fn maximum_len_bounded_and_unbounded() {
        assert_eq!(shape(r"ghp_[0-9a-zA-Z]{36}", &[]).maximum_len, Some(40));
        assert_eq!(shape(r"a+", &[]).maximum_len, None);
    }
}
