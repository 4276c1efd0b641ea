//! Property and fuzz targets on stable Rust (`proptest`), run with every `cargo test`.
//!
//! Each target feeds random or mutated input to one parser or reader of untrusted input and
//! asserts that it returns (a value or a typed error) without panicking or hanging; the
//! matcher target also checks results against an oracle. Targets:
//!
//! * `fuzz_rules_*`: the rule loader (TOML, the Go RE2 translation, rule validation, the
//!   matcher build) on arbitrary text and on structured random rule files, and GitLab's
//!   `secret-detection-ruleset.toml` (arbitrary and mutated);
//! * `fuzz_matcher_*`: random rule sets (literal keywords, simple regexes, some unbounded)
//!   over random haystacks with planted keyword hits: the prefilter + window scan must find
//!   exactly the matches of one whole-input regex search, for matches up to
//!   `leakguard::matcher::WINDOW_CAP` bytes;
//! * `fuzz_ignore_*`: `.gitleaksignore`, `.leakguardignore`, baselines in every accepted
//!   report format and (feature `revoke`) the report reader of `leakguard revoke`, from
//!   arbitrary bytes and from mutated valid files;
//! * `fuzz_revoke_body` (feature `revoke`) and `fuzz_push_updates`: the Token Revocation
//!   service's request body and pre-receive stdin, parsed directly (no server);
//! * `fuzz_archive_*`, `fuzz_decode_*`: `source::archive::walk` on arbitrary bytes
//!   and mutated valid zips, tars and gzips, `scan::decode::segments` on arbitrary bytes;
//!   each case must also finish within [`CASE_DEADLINE`].
//!
//! Budget: the default case counts keep the whole file well under a minute on two cores in a
//! debug build. To fuzz longer, set `PROPTEST_CASES` (cases per target, for every target),
//! for example:
//!
//! ```text
//! PROPTEST_CASES=20000 nice -n 10 cargo test --locked --test integration fuzz -- --test-threads 1
//! ```
//!
//! Inputs are random on every run (proptest seeds from the OS); a failure prints the shrunk
//! input, which then becomes a fixed regression test at the bottom of this file.

use std::time::{Duration, Instant};

use leakguard::matcher::{Match, Matcher, WINDOW_CAP};
use leakguard::rules::{RuleSet, RuleSetBuilder};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Longest one case may take (a debug build on a loaded machine); a reader that needs more
/// on a few kilobytes is treated as hanging.
const CASE_DEADLINE: Duration = Duration::from_secs(20);

/// `cases` unless `PROPTEST_CASES` says otherwise; no failure files written to the tree.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    Config { cases, failure_persistence: None, ..Config::default() }
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    assert!(took < CASE_DEADLINE, "{what} took {took:?} (hang?)");
    out
}

/// Random byte-level mutations of `base`: flips, overwrites, insertions, deletions,
/// truncation.
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let n = base.len().max(1);
    prop::collection::vec((0..6u8, 0..n, any::<u8>(), 1..64usize), 1..8).prop_map(move |edits| {
        let mut b = base.clone();
        for (op, at, byte, len) in edits {
            let at = at.min(b.len());
            match op {
                0 if at < b.len() => b[at] ^= 1 << (byte % 8),
                1 if at < b.len() => b[at] = byte,
                2 => b.insert(at, byte),
                3 => {
                    let end = (at + len).min(b.len());
                    b.drain(at..end);
                }
                4 => b.truncate(at),
                _ => {
                    let end = (at + len).min(b.len());
                    let chunk = b[at..end].to_vec();
                    b.splice(at..at, chunk);
                }
            }
        }
        b
    })
}

// ---------------------------------------------------------------------------------------
// 1. The rule loader.

/// Pieces of Go RE2 syntax that are valid on their own, including the ones the translation
/// rewrites (Go reads `[`, `&&` in a class, `{,n}` and a lone `{` literally).
fn re2_valid_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9_]{1,6}",
        1 => "[ -~&&[^()\\\\|*+?.^$\\[\\]{}]]{1,4}",
        1 => prop::sample::select(vec![
            r"\w+", r"\s*", r"[\w[]", r"[a&&b]", r"[[:alpha:]_-]", r"[^\n]", r"[]a]",
            r"\Qa.b\E", r"\Q(x", r"a{,3}", r"x{2,5}", r"{", r"}", r"y{3}", r"(?i)", r"(?s)",
            r"(?-i)", r"\b", r"\z", r"\A", r"\p{L}", r"\pN", r"\x{1F600}", r"[\x00-\xff]", r".",
            r"([a-z0-9]{4,8})", r"(?P<name>[0-9]+)", r"(?:ab|cd)", r"(?i:tok)", r"é", r"[[:^digit:]]",
            r"\d{2,}", r"[~~-]", r"\.", r"\\", r"(?U)a+", r"a*?", r"\-",
        ]).prop_map(str::to_string),
    ]
}

/// Pieces that are errors on their own or break what surrounds them.
fn re2_tricky_piece() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        r"(?P<name>",
        r"(?:",
        r"(",
        r")",
        r"|",
        r"\Z",
        r"\C",
        r"*",
        r"+?",
        r"^",
        r"$",
        r"\",
        r"[",
        r"(?z)",
        r"\8",
        r"[z-a]",
        r"{2}",
        r"\p{Nope}",
        r"(?P<1>x)",
    ])
    .prop_map(str::to_string)
}

fn re2_piece() -> impl Strategy<Value = String> {
    prop_oneof![12 => re2_valid_piece(), 1 => re2_tricky_piece()]
}

fn re2_pattern() -> impl Strategy<Value = String> {
    prop::collection::vec(re2_piece(), 1..10).prop_map(|v| v.concat())
}

/// A TOML basic string holding `s`.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A structured random rule file: `[[rules]]` with random regexes, keywords, groups,
/// entropy, allowlists, sometimes `[extend]` and a global allowlist.
fn rule_file() -> impl Strategy<Value = String> {
    let rule = (
        "[a-z][a-z0-9_-]{0,10}",
        re2_pattern(),
        prop::collection::vec("[a-zA-Z_-]{0,6}", 0..3),
        prop::option::of(0..3usize),
        prop::option::of(0.0..8.0f64),
        prop::option::of(re2_pattern()),
        prop::option::of(re2_pattern()),
        prop::collection::vec("[a-z]{0,5}", 0..2),
        any::<bool>(),
    );
    (
        prop::collection::vec(rule, 0..4),
        // `[extend] useDefault` loads the ~400 built-in rules: rarer, for throughput.
        prop::bool::weighted(0.1),
        prop::option::of(re2_pattern()),
        prop_oneof![7 => Just(String::new()), 1 => "[ -~\n]{0,20}"],
    )
        .prop_map(|(rules, extend, global_allow, junk)| {
            let mut t = String::new();
            if extend {
                t.push_str("[extend]\nuseDefault = true\n");
            }
            if let Some(p) = global_allow {
                t.push_str(&format!("[allowlist]\nregexes = [{}]\n", toml_str(&p)));
            }
            for (id, re, kws, group, entropy, allow_re, path, stop, new_style) in rules {
                t.push_str(&format!(
                    "[[rules]]\nid = {}\nregex = {}\n",
                    toml_str(&id),
                    toml_str(&re)
                ));
                let kws: Vec<String> = kws.iter().map(|k| toml_str(k)).collect();
                t.push_str(&format!("keywords = [{}]\n", kws.join(", ")));
                if let Some(g) = group {
                    t.push_str(&format!("secretGroup = {g}\n"));
                }
                if let Some(e) = entropy {
                    t.push_str(&format!("entropy = {e}\n"));
                }
                if let Some(p) = path {
                    t.push_str(&format!("path = {}\n", toml_str(&p)));
                }
                let stop: Vec<String> = stop.iter().map(|s| toml_str(s)).collect();
                let allow = allow_re.map(|r| toml_str(&r)).unwrap_or_default();
                if new_style {
                    t.push_str(&format!(
                        "[[rules.allowlists]]\nregexes = [{allow}]\nstopwords = [{}]\n",
                        stop.join(", ")
                    ));
                } else {
                    t.push_str(&format!(
                        "[rules.allowlist]\nregexes = [{allow}]\nstopwords = [{}]\n",
                        stop.join(", ")
                    ));
                }
            }
            t.push_str(&junk);
            t
        })
}

/// Loads `text` as a rule file; when it loads, builds the matcher, compiles every rule and
/// scans a little text. Nothing may panic; errors are typed values.
fn load_and_use(text: &str) {
    use_rules(RuleSetBuilder::new().config_text("fuzz.toml", text), text);
}

/// Builds `b` and runs its matcher over `text`; no failure may panic.
fn use_rules(b: &RuleSetBuilder, text: &str) {
    let Ok(set) = b.build() else { return };
    let Ok(matcher) = Matcher::new(&set) else { return };
    let _ = matcher.compile_all();
    let mut scratch = matcher.new_scratch();
    let mut out = Vec::new();
    matcher.find_all(text.as_bytes(), &mut scratch, &mut out);
    for m in &out {
        assert!(m.start <= m.end && m.end <= text.len());
        assert!(m.secret_start <= m.secret_end && m.secret_end <= text.len());
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn fuzz_rules_arbitrary_text(text in any::<String>()) {
        timed("rule loader", || load_and_use(&text));
    }

    #[test]
    fn fuzz_rules_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        timed("rule loader", || load_and_use(&String::from_utf8_lossy(&bytes)));
    }

    #[test]
    fn fuzz_rules_structured(text in rule_file()) {
        timed("rule loader", || load_and_use(&text));
    }

    #[test]
    fn fuzz_rules_re2_translation(pattern in prop_oneof![re2_pattern(), any::<String>()]) {
        timed("re2 translation", || {
            use leakguard::rules::regex;
            if let Ok(t) = regex::translate_re2(&pattern) {
                let _ = regex::validate(&t);
                let _ = regex::shape(&t, &["a".to_string(), "kw".to_string()]);
                let _ = regex::compile(&t);
            }
        });
    }
}

/// A GitLab `.gitlab/secret-detection-ruleset.toml` with a raw passthrough and overrides.
const GITLAB_RULESET: &str = r#"[secrets]
[[secrets.ruleset]]
disable = true
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "tok"
[[secrets.ruleset]]
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "pw"
[secrets.ruleset.override]
name = "Password"
severity = "Critical"
[[secrets.passthrough]]
type = "raw"
target = "gitleaks.toml"
mode = "append"
value = '''
[[rules]]
id = "extra"
regex = 'ex_[a-z]{4}'
keywords = ["ex_"]
'''
"#;

/// Loads `text` as a repository's GitLab ruleset the way a scan does (found in the root,
/// passthrough confined to it), resolves its passthrough and applies it to a small rule
/// set; nothing may panic.
fn gitlab_ruleset(text: &[u8]) {
    use leakguard::rules::gitlab_ruleset::GitlabRuleset;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(GitlabRuleset::PATH);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    timed("gitlab ruleset", || {
        let Ok(Some(ruleset)) = GitlabRuleset::load_in(dir.path()) else { return };
        if let Ok(Some(config)) = ruleset.passthrough_config(dir.path()) {
            use_rules(
                RuleSetBuilder::new()
                    .config_text(GitlabRuleset::PATH, &config)
                    .confine_to(dir.path()),
                &config,
            );
        }
        let base = "[[rules]]\nid = \"tok\"\nregex = 'tok_[a-z]{4}'\nkeywords = [\"tok_\"]\n\
                    [[rules]]\nid = \"pw\"\nregex = 'pw=[a-z]{4}'\nkeywords = [\"pw=\"]\n";
        let mut set = RuleSetBuilder::new().config_text("base.toml", base).build().unwrap();
        let _ = ruleset.apply(&mut set);
    });
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn fuzz_rules_gitlab_ruleset(
        text in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            mutated(GITLAB_RULESET.as_bytes().to_vec()),
        ]
    ) {
        gitlab_ruleset(&text);
    }
}

// ---------------------------------------------------------------------------------------
// 2. The matcher against a whole-input oracle.

/// Keywords: short lowercase words (some sharing prefixes, so hits overlap).
const KEYWORDS: &[&str] = &["tok", "token", "ab", "key", "pk_", "zz"];

/// A regex over keyword `kw` (which every match contains literally). Templates cover
/// bounded and unbounded, single- and multi-line, keyword first and keyword after a
/// bounded lead, greedy and lazy, with and without a secret group.
fn rule_regex(kw: &str, t: usize, n: usize) -> String {
    match t % 9 {
        0 => format!("{kw}[a-z0-9]{{{n},{}}}", n + 8),
        1 => format!("(?i){kw}[a-z0-9]+"),
        2 => format!(r"{kw}[\s\S]*?END"),
        3 => format!("[a-z]{{0,{n}}}{kw}[0-9]{{2}}"),
        4 => format!(r"{kw}\s*=\s*([a-z]+)"),
        5 => format!(r"(?:{kw}|x{kw})=[^\n]{{1,{}}}", n + 1),
        6 => format!(r"\b{kw}_([A-Za-z0-9]{{{n}}})\b"),
        7 => format!(r"(?s)BEGIN.{{0,{n}}}{kw}.*?END"),
        _ => format!(r"{kw}(?:[ \t]*[a-z]){{1,}}"),
    }
}

/// Haystack pieces: noise, keywords, text that completes matches, long runs that make
/// matches span kilobytes.
fn hay_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => "[a-z0-9 =_\n\t]{1,40}".prop_map(String::into_bytes),
        3 => prop::sample::select(KEYWORDS).prop_map(|k| k.as_bytes().to_vec()),
        1 => prop::sample::select(KEYWORDS).prop_map(|k| k.to_ascii_uppercase().into_bytes()),
        2 => prop::sample::select(&["END", "BEGIN", "=", "_", "x", " = abc", "\n"][..])
            .prop_map(|s| s.as_bytes().to_vec()),
        1 => (0..3000usize, prop::sample::select(&[b'a', b'7', b'\n', b' '][..]))
            .prop_map(|(n, b)| vec![b; n]),
        1 => prop::collection::vec(any::<u8>(), 1..16),
    ]
}

fn matcher_case() -> impl Strategy<Value = (Vec<(usize, usize, usize)>, Vec<u8>)> {
    (
        prop::collection::vec((0..KEYWORDS.len(), 0..9usize, 1..20usize), 1..5),
        prop::collection::vec(hay_piece(), 0..60),
    )
        .prop_map(|(rules, pieces)| (rules, pieces.concat()))
}

fn rules_toml(rules: &[(usize, usize, usize)]) -> String {
    let mut t = String::new();
    for (i, &(k, tmpl, n)) in rules.iter().enumerate() {
        let kw = KEYWORDS[k];
        t.push_str(&format!(
            "[[rules]]\nid = \"r{i}\"\nregex = '''{}'''\nkeywords = [\"{kw}\"]\n",
            rule_regex(kw, tmpl, n)
        ));
    }
    t
}

/// What the matcher reports, as (rule, start, end, secret start, secret end), sorted.
fn matcher_matches(set: &RuleSet, hay: &[u8]) -> Vec<(u32, usize, usize, usize, usize)> {
    let m = Matcher::new(set).unwrap();
    let mut s = m.new_scratch();
    let mut out: Vec<Match> = Vec::new();
    m.find_all(hay, &mut s, &mut out);
    let mut v: Vec<_> =
        out.iter().map(|x| (x.rule.0, x.start, x.end, x.secret_start, x.secret_end)).collect();
    v.sort_unstable();
    v
}

/// The oracle: each rule's regex over the whole input, leftmost-first, non-overlapping,
/// with gitleaks' secret (the first participating group, else the whole match); matches
/// longer than the cap are left out (no guarantee).
fn oracle_matches(set: &RuleSet, hay: &[u8]) -> Vec<(u32, usize, usize, usize, usize)> {
    let mut v = Vec::new();
    for (i, rule) in set.rules().iter().enumerate() {
        let re = leakguard::rules::regex::compile(rule.regex.as_deref().unwrap()).unwrap();
        let mut caps = re.create_captures();
        let mut at = 0;
        while at <= hay.len() {
            re.search_captures(&regex_automata::Input::new(hay).range(at..), &mut caps);
            let Some(m) = caps.get_match() else { break };
            at = if m.is_empty() { m.end() + 1 } else { m.end() };
            if m.is_empty() || m.len() > WINDOW_CAP {
                continue;
            }
            let secret = (1..caps.group_len())
                .filter_map(|g| caps.get_group(g))
                .find(|s| s.start < s.end)
                .map_or((m.start(), m.end()), |s| (s.start, s.end));
            if secret.0 < secret.1 {
                v.push((i as u32, m.start(), m.end(), secret.0, secret.1));
            }
        }
    }
    v.sort_unstable();
    v
}

fn check_against_oracle(rules: &[(usize, usize, usize)], hay: &[u8]) -> Result<(), TestCaseError> {
    let toml = rules_toml(rules);
    let set = RuleSetBuilder::new().config_text("t.toml", &toml).build().unwrap();
    let got = timed("matcher", || matcher_matches(&set, hay));
    let want = oracle_matches(&set, hay);
    prop_assert_eq!(got, want, "rules:\n{}", toml);
    Ok(())
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn fuzz_matcher_oracle((rules, hay) in matcher_case()) {
        check_against_oracle(&rules, &hay)?;
    }
}

// ---------------------------------------------------------------------------------------
// 3. Ignore files and baselines.

fn ignore_loaders(bytes: &[u8]) {
    use leakguard::finding::ignore::IgnoreSet;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, bytes).unwrap();
    timed("ignore loaders", || {
        let _ = IgnoreSet::new().load_gitleaksignore(&path);
        let _ = IgnoreSet::new().load_leakguardignore(&path);
        let mut set = IgnoreSet::new();
        let _ = set.load_baseline(&path);
        let _ = set.unused();
        // The report reader of `leakguard revoke` takes the same formats.
        #[cfg(feature = "revoke")]
        {
            use leakguard::revoke::classify::{Classifier, read_report};
            if let Ok((format, findings)) = read_report(bytes, &path) {
                let _ = Classifier::new().skip_likely_test(true).classify(format, findings);
            }
        }
    });
}

/// Small valid examples of every accepted baseline format and both ignore files.
fn valid_ignore_inputs() -> Vec<Vec<u8>> {
    let fp = "a".repeat(64);
    [
        r#"[{"RuleID":"r","Secret":"s3cr3t","File":"a.txt","StartLine":3}]"#.to_string(),
        r#"{"vulnerabilities":[{"raw_source_code_extract":"s","location":{"file":"a","start_line":1},"identifiers":[{"value":"r"}]}]}"#.to_string(),
        format!(r#"{{"runs":[{{"results":[{{"partialFingerprints":{{"leakguardFingerprint/v1":"{fp}"}},"locations":[{{"physicalLocation":{{"region":{{"snippet":{{"text":"s"}}}}}}}}]}}]}}]}}"#),
        format!("{{\"path\":\"a\",\"rule_id\":\"r\",\"start_line\":1,\"secret\":\"s\",\"fingerprint\":\"{fp}\"}}\n{{\"path\":\"b\"}}\n"),
        "a.txt:rule:3\ncommit:a.txt:rule:3\n# c\nC:\\x:r:1\n".to_string(),
        format!("{fp} src/a.txt # why\n{fp}\n"),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn fuzz_ignore_arbitrary(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        ignore_loaders(&bytes);
    }

    #[test]
    fn fuzz_ignore_mutated(
        bytes in prop::sample::select(valid_ignore_inputs()).prop_flat_map(mutated)
    ) {
        ignore_loaders(&bytes);
    }
}

// ---------------------------------------------------------------------------------------
// 4. Request bodies and pre-receive stdin.

#[cfg(feature = "revoke")]
fn revoke_body() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        Just("null".to_string()),
        Just("1".to_string()),
        Just("\"\"".to_string()),
        "\"[ -~]{0,8}\"",
        Just("[]".to_string()),
        Just("{}".to_string()),
    ];
    let element = prop::collection::vec(
        (prop::sample::select(&["type", "token", "location", "x"][..]), value),
        0..4,
    )
    .prop_map(|fields| {
        let f: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", f.join(","))
    });
    let array = prop::collection::vec(element, 0..6).prop_map(|e| format!("[{}]", e.join(",")));
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        array.clone().prop_map(String::into_bytes),
        array.prop_flat_map(|a| mutated(a.into_bytes())),
    ]
}

#[cfg(feature = "revoke")]
proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn fuzz_revoke_body(body in revoke_body(), max in 0..8usize) {
        let parsed = timed("parse_body", || leakguard::revoke::service::parse_body(&body, max));
        if let Ok(items) = parsed {
            prop_assert!(items.len() <= max);
        }
    }
}

#[cfg(feature = "git")]
fn push_stdin() -> impl Strategy<Value = String> {
    let oid =
        prop_oneof!["[0-9a-f]{40}", "[0-9a-f]{64}", Just("0".repeat(40)), "[0-9a-fA-Fg ]{0,70}",];
    let line = (oid.clone(), oid, "[ -~]{0,20}", prop::sample::select(&[" ", "  ", "\t", ""][..]))
        .prop_map(|(a, b, r, sep)| format!("{a}{sep}{b} {r}"));
    prop::collection::vec(line, 0..5).prop_map(|l| l.join("\n")).prop_flat_map(|s| {
        prop_oneof![
            Just(s.clone()),
            mutated(s.into_bytes()).prop_map(|b| String::from_utf8_lossy(&b).into_owned())
        ]
    })
}

#[cfg(feature = "git")]
proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn fuzz_push_updates(input in prop_oneof![push_stdin(), any::<String>()]) {
        timed("parse_updates", || {
            use leakguard::source::git::push;
            if let Ok(updates) = push::parse_updates(&input) {
                let _ = push::rev_list_args(&updates);
                for u in &updates {
                    let _ = (u.is_create(), u.is_delete());
                }
            }
            let _ = push::message_requests_skip(&input);
        });
    }
}

// ---------------------------------------------------------------------------------------
// 5. Archive and decode readers.

/// Valid archives to mutate: zip, tar, tar.gz, gz, a zip inside a zip.
fn valid_archives() -> Vec<Vec<u8>> {
    use crate::util::{gzip, tar_of};
    use leakguard::source::archive::zip_bytes;
    let text: &[u8] = b"token = tok_abcd1234\nsecond line\n";
    let zip = zip_bytes(&[("a.txt", text), ("dir/b.env", b"KEY=1\n")]).unwrap();
    let tar = tar_of(&[("a.txt", text), ("b/c.txt", b"x")]);
    vec![
        zip.clone(),
        tar.clone(),
        gzip(&tar),
        gzip(text),
        zip_bytes(&[("inner.zip", &zip), ("t.tar", &tar)]).unwrap(),
    ]
}

/// Counts what the archive walk reports; every entry's bytes are bounded by the limits.
#[derive(Default)]
struct Tally {
    bytes: u64,
    largest: u64,
    events: usize,
}

impl leakguard::source::archive::Visitor for Tally {
    fn entry(&mut self, _name: &str, bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        self.largest = self.largest.max(bytes.len() as u64);
        self.events += 1;
    }
    fn skipped(&mut self, _name: &str, _why: leakguard::source::archive::EntrySkip) {
        self.events += 1;
    }
    fn failed(&mut self, _name: &str, _err: leakguard::source::archive::ArchiveError) {
        self.events += 1;
    }
}

fn read_archive(bytes: &[u8]) {
    use leakguard::source::archive::{ArchiveLimits, walk};
    let limits = ArchiveLimits {
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_depth: 16,
        ..Default::default()
    };
    timed("archive reader", || {
        let mut tally = Tally::default();
        walk("fuzz.zip", bytes, &limits, &mut tally);
        // Expanded entries stay within the total; bytes that do not open are passed through
        // as one plain entry (at most the input itself).
        assert!(tally.bytes <= limits.max_total_bytes + bytes.len() as u64);
        assert!(tally.largest <= limits.max_entry_bytes.max(bytes.len() as u64));
        assert!(tally.events >= 1, "every input is either an entry, a skip or a failure");
    });
}

fn decode(bytes: &[u8]) {
    timed("decode segments", || {
        let mut budget = leakguard::scan::decode::Budget::new(1 << 20);
        for s in leakguard::scan::decode::segments(bytes, &mut budget) {
            assert!(s.start <= s.end && s.end <= bytes.len());
        }
    });
}

/// Text that is mostly base64 and percent-encoding, so segments are found and decoded.
fn encodedish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            "[A-Za-z0-9+/]{0,80}=?=?".prop_map(String::into_bytes),
            "(%[0-9A-Fa-f]{2}|[a-z=&]){0,30}".prop_map(String::into_bytes),
            Just(b"dG9rZW4gPSB0b2tfYWJjZDEyMzQK".to_vec()),
            prop::collection::vec(any::<u8>(), 0..4),
        ],
        0..20,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn fuzz_archive_arbitrary(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_archive(&bytes);
        // And behind each magic number.
        for magic in [&b"PK\x03\x04"[..], b"PK\x05\x06", b"\x1f\x8b"] {
            let mut b = magic.to_vec();
            b.extend_from_slice(&bytes);
            read_archive(&b);
        }
    }

    #[test]
    fn fuzz_archive_mutated(bytes in prop::sample::select(valid_archives()).prop_flat_map(mutated)) {
        read_archive(&bytes);
    }

    #[test]
    fn fuzz_decode_segments(bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..2048), encodedish()]) {
        decode(&bytes);
    }
}

// ---------------------------------------------------------------------------------------
// Fixed cases: the cap, and regressions found by the targets above.

/// A match of almost [`WINDOW_CAP`] bytes deep inside a large input is found exactly.
#[test]
fn fuzz_matcher_long_match_up_to_the_cap() {
    let rules = [(0usize, 2usize, 1usize)]; // tok[\s\S]*?END
    let mut hay = vec![b'x'; 300_000];
    hay.extend_from_slice(b"tok");
    hay.extend(std::iter::repeat_n(b"abcdefgh\n".as_slice(), (WINDOW_CAP - 100) / 9).flatten());
    hay.extend_from_slice(b"END");
    hay.extend(vec![b'y'; 100_000]);
    let set = RuleSetBuilder::new().config_text("t.toml", &rules_toml(&rules)).build().unwrap();
    let got = matcher_matches(&set, &hay);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].1, got[0].2), (300_000, hay.len() - 100_000));
    check_against_oracle(&rules, &hay).unwrap();
}
