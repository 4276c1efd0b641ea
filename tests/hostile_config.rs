//! Issue 9: repository content, its configuration included, is untrusted input. A hostile
//! repository must not make leakguard read files outside the scan root, quote a
//! configuration's content in an error, scan with zero rules, compile a regex that RE2
//! refuses, or pass options to git that write files.
//!
//! Each escape test plants a unique marker in a file *outside* the repository and asserts
//! that it appears in neither stdout, stderr nor the report file.

use std::path::Path;

use crate::util::{Dir, Out, github_pat, json_lines, run};

/// In the outside file; must never be printed.
const MARKER: &str = "OUTSIDE_MARKER_7f3a9c1e";

/// `<tmp>/repo` (the scan root) next to `<tmp>/outside/secret.env` (holding [`MARKER`]).
struct Layout {
    dir: Dir,
}

impl Layout {
    fn new() -> Layout {
        let dir = Dir::new();
        // The outside file starts with the marker, so a TOML error quoting its first line or
        // a report of its content would show it.
        dir.create("outside/secret.env", format!("{MARKER}=hunter2\nCI_JOB_TOKEN={MARKER}\n"));
        dir.create(
            "outside/x.toml",
            format!("[[rules]]\nid = \"{MARKER}\"\nregex = '''{MARKER}'''\n"),
        );
        dir.create("repo/a.txt", format!("token = {}\n", github_pat(901)));
        Layout { dir }
    }

    fn repo(&self) -> std::path::PathBuf {
        self.dir.join("repo")
    }

    fn create(&self, rel: &str, contents: impl AsRef<[u8]>) {
        self.dir.create(&format!("repo/{rel}"), contents);
    }

    #[cfg(unix)]
    fn symlink(&self, target: &Path, rel: &str) {
        let link = self.repo().join(rel);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, link).unwrap();
    }

    /// `leakguard scan repo -o report.json --format json` from the temp dir.
    fn scan(&self, extra: &[&str]) -> (Out, String) {
        self.scan_env(extra, &[])
    }

    /// [`Layout::scan`] with extra environment variables.
    fn scan_env(&self, extra: &[&str], env: &[(&str, &str)]) -> (Out, String) {
        let report = self.dir.join("report.json");
        let _ = std::fs::remove_file(&report);
        let out = run(self
            .dir
            .cmd()
            .envs(env.iter().copied())
            .args(["scan", "repo", "--format", "json", "-o"])
            .arg(&report)
            .args(extra));
        let report = std::fs::read_to_string(&report).unwrap_or_default();
        (out, report)
    }
}

/// Exit 2, the message names `file` (and `field` when given), and no output carries the
/// marker.
fn assert_refused(out: &Out, report: &str, file: &str, field: Option<&str>) {
    assert_eq!(out.code, 2, "stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(file), "message should name {file}: {}", out.stderr);
    if let Some(field) = field {
        assert!(out.stderr.contains(field), "message should name {field}: {}", out.stderr);
    }
    assert_no_marker(out, report);
}

fn assert_no_marker(out: &Out, report: &str) {
    for (what, text) in
        [("stdout", out.stdout.as_str()), ("stderr", out.stderr.as_str()), ("report", report)]
    {
        assert!(!text.contains(MARKER), "{what} leaks the outside file:\n{text}");
        assert!(!text.contains("hunter2"), "{what} leaks the outside file:\n{text}");
    }
}

fn passthrough_file(value: &str) -> String {
    format!(
        r#"
[[secrets.passthrough]]
type = "file"
target = "gitleaks.toml"
value = "{value}"
"#
    )
}

const RULESET: &str = ".gitlab/secret-detection-ruleset.toml";
const PASSTHROUGH_FIELD: &str = "secrets.passthrough[1].value";

#[test]
fn issue9_passthrough_file_with_dotdot_is_refused() {
    let l = Layout::new();
    l.create(RULESET, passthrough_file("../outside/secret.env"));
    let (out, report) = l.scan(&[]);
    assert_refused(&out, &report, RULESET, Some(PASSTHROUGH_FIELD));
    assert!(out.stderr.contains("outside the scan root"), "{}", out.stderr);
}

#[test]
fn issue9_passthrough_file_with_absolute_path_is_refused() {
    let l = Layout::new();
    let abs = l.dir.join("outside/secret.env");
    l.create(RULESET, passthrough_file(&abs.display().to_string()));
    let (out, report) = l.scan(&[]);
    assert_refused(&out, &report, RULESET, Some(PASSTHROUGH_FIELD));
    assert!(out.stderr.contains("absolute"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn issue9_passthrough_file_through_a_symlink_out_of_the_repo_is_refused() {
    let l = Layout::new();
    l.symlink(Path::new("../../outside/secret.env"), "config/leak.toml");
    l.create(RULESET, passthrough_file("config/leak.toml"));
    let (out, report) = l.scan(&[]);
    assert_refused(&out, &report, RULESET, Some(PASSTHROUGH_FIELD));
    // The same through an absolute symlink target.
    std::fs::remove_file(l.repo().join("config/leak.toml")).unwrap();
    l.symlink(&l.dir.join("outside/secret.env"), "config/leak.toml");
    let (out, report) = l.scan(&[]);
    assert_refused(&out, &report, RULESET, Some(PASSTHROUGH_FIELD));
}

#[cfg(target_os = "linux")]
#[test]
fn issue9_passthrough_file_proc_self_environ_is_refused() {
    let l = Layout::new();
    for value in ["/proc/self/environ", "../../../../../../../../../../proc/self/environ"] {
        l.create(RULESET, passthrough_file(value));
        let (out, report) = l.scan_env(&[], &[("LEAKGUARD_TEST_ENV_MARKER", MARKER)]);
        assert_refused(&out, &report, RULESET, Some(PASSTHROUGH_FIELD));
    }
}

#[test]
fn issue9_passthrough_file_inside_the_repo_still_works() {
    let l = Layout::new();
    l.create(
        "config/extra.toml",
        "[extend]\nuseDefault = true\n[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{16}'''\nkeywords = [\"acme_\"]\n",
    );
    l.create("b.txt", "key = acme_q8z3k1m9x2w7p4r6\n");
    l.create(RULESET, passthrough_file("config/extra.toml"));
    let (out, report) = l.scan(&[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let ids: Vec<String> =
        json_lines(&report).iter().map(|f| f["rule_id"].as_str().unwrap().to_string()).collect();
    assert!(ids.iter().any(|i| i == "acme"), "{ids:?}");
    assert!(ids.iter().any(|i| i == "github_personal_access_token"), "{ids:?}");
}

#[test]
fn issue9_gitleaks_toml_extend_path_out_of_the_repo_is_refused() {
    let l = Layout::new();
    for path in ["../outside/x.toml", "../x.toml", "/etc/passwd"] {
        l.create(".gitleaks.toml", format!("[extend]\npath = \"{path}\"\n"));
        let (out, report) = l.scan(&[]);
        assert_refused(&out, &report, ".gitleaks.toml", Some("extend.path"));
    }
    // Inside the repository, [extend] path keeps working.
    l.create("base.toml", "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{16}'''\n");
    l.create("b.txt", "key = acme_q8z3k1m9x2w7p4r6\n");
    l.create(".gitleaks.toml", "[extend]\npath = \"base.toml\"\n");
    let (out, report) = l.scan(&[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(json_lines(&report).iter().any(|f| f["rule_id"] == "acme"), "{report}");
}

#[test]
fn issue9_ruleset_passthrough_config_extend_out_of_the_repo_is_refused() {
    let l = Layout::new();
    l.create(
        RULESET,
        r#"
[[secrets.passthrough]]
type = "raw"
target = "gitleaks.toml"
value = """
[extend]
path = "../outside/x.toml"
"""
"#,
    );
    let (out, report) = l.scan(&[]);
    assert_refused(&out, &report, RULESET, Some("extend.path"));
}

#[cfg(unix)]
#[test]
fn issue9_gitleaks_toml_symlinked_out_of_the_repo_is_refused() {
    let l = Layout::new();
    l.symlink(&l.dir.join("outside/x.toml"), ".gitleaks.toml");
    let (out, report) = l.scan(&[]);
    assert_refused(&out, &report, ".gitleaks.toml", None);
    assert!(out.stderr.contains("outside the scan root"), "{}", out.stderr);
    // The ruleset file itself, symlinked out.
    std::fs::remove_file(l.repo().join(".gitleaks.toml")).unwrap();
    l.symlink(&l.dir.join("outside/secret.env"), RULESET);
    let (out, report) = l.scan(&[]);
    assert_refused(&out, &report, RULESET, None);
}

#[cfg(unix)]
#[test]
fn issue9_ignore_files_symlinked_out_of_the_repo_are_refused() {
    let l = Layout::new();
    for name in [".gitleaksignore", ".leakguardignore"] {
        l.symlink(Path::new("../outside/secret.env"), name);
        let (out, report) = l.scan(&[]);
        assert_refused(&out, &report, name, None);
        std::fs::remove_file(l.repo().join(name)).unwrap();
    }
    // Named on the command line, the same file is trusted and read (it is not a valid
    // fingerprint list, and the message does not quote it).
    let (out, report) =
        l.scan(&["--ignore-file", l.dir.join("outside/secret.env").to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a 64-hex fingerprint"), "{}", out.stderr);
    assert_no_marker(&out, &report);
}

#[test]
fn issue9_user_config_outside_the_repo_is_trusted() {
    let l = Layout::new();
    l.dir.create(
        "trusted/rules.toml",
        "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{16}'''\n",
    );
    l.dir.create("trusted/top.toml", "[extend]\npath = \"rules.toml\"\n");
    l.create("b.txt", "key = acme_q8z3k1m9x2w7p4r6\n");
    let cfg = l.dir.join("trusted/top.toml");
    let (out, report) = l.scan(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(json_lines(&report).iter().any(|f| f["rule_id"] == "acme"), "{report}");
    let out = run(l
        .dir
        .cmd()
        .env("LEAKGUARD_CONFIG", &cfg)
        .args(["scan", "repo", "--format", "json", "-q"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
}

#[test]
fn issue9_zero_rule_configs_are_errors() {
    let d = Dir::new();
    d.create("a.txt", format!("token = {}\n", github_pat(902)));
    d.create("empty.toml", "");
    d.create("comments.toml", "# nothing here\ntitle = \"x\"\n");
    d.create(
        "disabled.toml",
        "[extend]\nuseDefault = true\ndisabledRules = []\n[[rules]]\nid = \"aux\"\nregex = 'a'\nskipReport = true\n",
    );
    d.create("base.toml", "[[rules]]\nid = \"only\"\nregex = 'only_[a-z]{4}'\n");
    d.create("all_off.toml", "[extend]\npath = \"base.toml\"\ndisabledRules = [\"only\"]\n");
    for cfg in ["/dev/null", "empty.toml", "comments.toml", "all_off.toml"] {
        let out = run(d.cmd().args(["scan", ".", "--config", cfg]));
        assert_eq!(out.code, 2, "{cfg}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("no rules"), "{cfg}: {}", out.stderr);
        assert!(out.stderr.contains(cfg), "{cfg}: {}", out.stderr);
        let out = run(d.cmd().args(["rules", "check", cfg]));
        assert_eq!(out.code, 2, "{cfg}: {}{}", out.stdout, out.stderr);
    }
    // `disabled.toml` still has every built-in rule: not an error.
    let out = run(d.cmd().args(["scan", ".", "-q", "--config", "disabled.toml"]));
    assert_eq!(out.code, 1, "{}", out.stderr);

    // A GitLab ruleset that disables every rule of its passthrough.
    d.create(
        RULESET,
        r#"
[[secrets.ruleset]]
disable = true
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "only"

[[secrets.passthrough]]
type = "file"
value = "base.toml"
"#,
    );
    let out = run(d.cmd().args(["scan", "."]));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(RULESET) && out.stderr.contains("no rules"), "{}", out.stderr);
}

#[test]
fn issue9_counted_repetitions_are_capped() {
    let d = Dir::new();
    d.create("a.txt", "aaaa\n");
    for (name, regex, what) in [
        ("single.toml", "a{20000}", "20000"),
        ("atleast.toml", "a{1001,}", "1001"),
        ("nested.toml", "((a{100}){100}){100}", "multiply"),
        ("nested2.toml", "(?:(?:ab){40}c){30}", "multiply"),
    ] {
        d.create(
            name,
            format!("[[rules]]\nid = \"big-rep\"\nregex = '''{regex}'''\nkeywords = [\"a\"]\n"),
        );
        let out = run(d.cmd().args(["rules", "check", name]));
        assert_eq!(out.code, 2, "{name}: {}{}", out.stdout, out.stderr);
        for needle in ["big-rep", "field \"regex\"", what, "1000"] {
            assert!(out.stderr.contains(needle), "{name}: no {needle}: {}", out.stderr);
        }
        let out = run(d.cmd().args(["scan", ".", "--config", name]));
        assert_eq!(out.code, 2, "{name}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("big-rep"), "{}", out.stderr);
    }
    // At the limit is fine (as in RE2 and Go), and so are `*`, `+` and `?`.
    d.create(
        "ok.toml",
        "[[rules]]\nid = \"at-limit\"\nregex = '''x(?:(?:a{10}){10}){10}b{1000}c*d+'''\nkeywords = [\"x\"]\n",
    );
    let out = run(d.cmd().args(["rules", "check", "ok.toml"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // Path and allowlist regexes too.
    d.create(
        "allow.toml",
        "[[rules]]\nid = \"r\"\nregex = 'k'\n[[rules.allowlists]]\nregexes = ['''z{5000}''']\n",
    );
    let out = run(d.cmd().args(["rules", "check", "allow.toml"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("allowlists.regexes"), "{}", out.stderr);
}

#[test]
fn issue9_malformed_toml_errors_give_position_not_content() {
    let d = Dir::new();
    d.create("a.txt", "x\n");
    // A syntax error on line 3 and a type error on line 4; the offending text carries a
    // marker that must not be echoed.
    d.create(
        "syntax.toml",
        format!("[[rules]]\nid = \"r1\"\nregex = 'a' {MARKER} = \nkeywords = [\"a\"]\n"),
    );
    d.create(
        "types.toml",
        format!("[[rules]]\nid = \"r2\"\nregex = 'a'\nentropy = \"{MARKER}\"\n"),
    );
    d.create("bad_regex.toml", format!("[[rules]]\nid = \"r3\"\nregex = '''({MARKER}'''\n"));
    for (file, position, field) in [
        ("syntax.toml", "syntax.toml:3:", None),
        ("types.toml", "types.toml:4:", Some("entropy")),
        ("bad_regex.toml", "bad_regex.toml", Some("regex")),
    ] {
        for args in [&["rules", "check", file][..], &["scan", ".", "--config", file][..]] {
            let out = run(d.cmd().args(args));
            assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
            assert!(out.stderr.contains(position), "{args:?}: {}", out.stderr);
            if let Some(field) = field {
                assert!(out.stderr.contains(field), "{args:?}: {}", out.stderr);
            }
            assert!(!out.stderr.contains(MARKER), "{args:?} quotes content: {}", out.stderr);
            assert!(!out.stdout.contains(MARKER), "{args:?} quotes content: {}", out.stdout);
        }
    }
    // The same for a repository's GitLab ruleset file.
    d.create(RULESET, format!("[secrets]\nruleset = \"{MARKER}\"\n"));
    let out = run(d.cmd().args(["scan", "."]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains(&format!("{RULESET}:2:")), "{}", out.stderr);
    assert!(out.stderr.contains("secrets.ruleset"), "{}", out.stderr);
    assert!(!out.stderr.contains(MARKER), "quotes content: {}", out.stderr);
}

#[cfg(feature = "git")]
#[test]
fn issue9_log_opts_refuse_options_that_write() {
    use crate::git_util::Repo;
    use crate::util::leakguard_cmd;
    let mut r = Repo::new();
    r.write("a.txt", &format!("token = {}\n", github_pat(903)));
    r.commit("one");
    let target = tempfile::tempdir().unwrap();
    let written = target.path().join("x");
    for opts in [
        format!("--output={}", written.display()),
        format!("HEAD --output {}", written.display()),
        format!("-o {}", written.display()),
        "--ext-diff".to_string(),
    ] {
        let out = run(leakguard_cmd().arg("git").arg(r.path()).args(["--log-opts", &opts]));
        assert_eq!(out.code, 2, "{opts}: {}{}", out.stdout, out.stderr);
        let first = opts.split_whitespace().find(|a| a.starts_with('-')).unwrap();
        assert!(out.stderr.contains(&format!("`{first}`")), "{opts}: {}", out.stderr);
        assert!(!written.exists(), "{opts}: git wrote {}", written.display());
        let out = run(leakguard_cmd()
            .arg("git")
            .arg(r.path())
            .env("SECRET_DETECTION_LOG_OPTIONS", &opts));
        assert_eq!(out.code, 2, "{opts}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("SECRET_DETECTION_LOG_OPTIONS"), "{}", out.stderr);
        assert!(!written.exists(), "{opts}: git wrote {}", written.display());
    }
    // Selection options still work.
    let out = run(leakguard_cmd().arg("git").arg(r.path()).args(["--log-opts", "--all -n 1"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
}
