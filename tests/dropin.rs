//! Issue 11: the places people run leakguard, through the real binary. The GitLab CI
//! template's script run by a shell, the pre-commit framework end to end, terminal output
//! (`--context`, decoded findings, how to get past a blocked commit), shell completions and
//! man pages.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;

use crate::git_util::{Repo, git_cmd};
use crate::util::{Dir, aws_key_id, github_pat, leakguard_cmd, run};

/// A fake AWS secret access key (40 base64-ish characters, generated).
fn aws_secret(seed: u64) -> String {
    let mut rng = crate::util::Rng::new(seed);
    rng.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40)
}

/// A PATH with the built binary's directory first.
fn path_with_binary() -> std::ffi::OsString {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_leakguard"));
    let dir = bin.parent().unwrap().to_path_buf();
    let mut parts = vec![dir];
    parts.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(parts).unwrap()
}

#[test]
fn context_lines_are_shown_with_every_secret_masked() {
    let d = Dir::new();
    let (id, secret) = (aws_key_id(31), aws_secret(32));
    d.create(
        "conf/aws.ini",
        format!(
            "[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\nregion = eu\n"
        ),
    );
    let out = run(d.cmd().args(["scan", ".", "-C", "1", "--color", "never", "-q"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stdout.contains(&id) && !out.stdout.contains(&secret), "{}", out.stdout);
    // The key id's finding shows lines 1-3, marks line 2, masks both secrets.
    assert!(out.stdout.contains("> 2 | aws_access_key_id = *****"), "{}", out.stdout);
    assert!(out.stdout.contains("  3 | aws_secret_access_key = *****"), "{}", out.stdout);
    assert!(out.stdout.contains("  1 | [default]"), "{}", out.stdout);
    // Without --context: one line per finding.
    let out = run(d.cmd().args(["scan", ".", "--color", "never", "-q"]));
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
}

#[test]
fn findings_in_decoded_text_are_marked_and_their_encoded_form_masked() {
    let d = Dir::new();
    let token = github_pat(33);
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("token = \"{token}\""));
    d.create("blob.txt", format!("payload: {b64}\n"));
    let out = run(d.cmd().args(["scan", ".", "-C", "0", "--color", "never", "-q"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("[decoded from base64]"), "{}", out.stdout);
    let out = run(d.cmd().args(["scan", ".", "-C", "1", "--color", "never", "-q"]));
    assert!(!out.stdout.contains(&b64), "the encoded secret is masked too: {}", out.stdout);
    assert!(out.stdout.contains("> 1 | payload: *****"), "{}", out.stdout);
}

#[test]
fn completions_and_man_pages() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(leakguard_cmd().args(["completions", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("leakguard") && out.stdout.contains("stdin-name"), "{shell}");
    }
    let out = run(leakguard_cmd().arg("man"));
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains(".TH leakguard 1"), "{}", &out.stdout[..200.min(out.stdout.len())]);
    let out = run(leakguard_cmd().args(["man", "scan"]));
    assert!(out.stdout.contains(".TH leakguard-scan 1") && out.stdout.contains("base\\-path"));
    let out = run(leakguard_cmd().args(["man", "nope"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no subcommand \"nope\""), "{}", out.stderr);
}

#[test]
fn a_blocked_commit_says_how_to_proceed_and_the_ignore_lines_work() {
    let mut r = Repo::new();
    r.write("README.md", "hello\n");
    r.commit("init");
    r.write("src/app.py", &format!("TOKEN = \"{}\"\n", github_pat(34)));
    r.git(&["add", "-A"]);
    let hook = || {
        let mut c = leakguard_cmd();
        c.current_dir(r.path()).args(["hook", "pre-commit"]);
        run(&mut c)
    };
    let out = hook();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("leakguard:allow"), "{}", out.stderr);
    assert!(out.stderr.contains("git commit --no-verify"), "{}", out.stderr);
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| {
            l.trim_start().len() > 64
                && l.trim_start().as_bytes()[..64].iter().all(u8::is_ascii_hexdigit)
        })
        .map(str::trim)
        .collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(lines[0].contains(" src/app.py  # line 1 "), "{}", lines[0]);
    r.write(".leakguardignore", &format!("{}\n", lines[0]));
    r.git(&["add", "-A"]);
    let out = hook();
    assert_eq!(out.code, 0, "the printed line ignores the finding: {}", out.stderr);
}

/// The jobs' script of `ci/gitlab-ci.yml`, as the runner would hand it to a shell.
fn gitlab_template_script() -> String {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/gitlab-ci.yml"))
            .unwrap();
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&text).expect("ci/gitlab-ci.yml parses as YAML");
    let base = &doc[".leakguard-secret-detection"];
    assert!(base.is_mapping(), "hidden base job .leakguard-secret-detection");
    assert!(doc["variables"]["LEAKGUARD_VERSION"].is_string(), "pinned LEAKGUARD_VERSION");
    let job = &doc["secret_detection"];
    assert_eq!(job["extends"].as_str(), Some(".leakguard-secret-detection"));
    let rules = serde_yaml::to_string(&job["rules"]).unwrap();
    assert!(
        rules.contains("$CI_OPEN_MERGE_REQUESTS"),
        "no duplicate branch + MR pipelines: {rules}"
    );
    assert_eq!(
        base["artifacts"]["reports"]["secret_detection"].as_str(),
        Some("gl-secret-detection-report.json")
    );
    base["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn validate_gitlab(report: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/gl-secret-detection-report-format-15.2.1.json"))
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(report).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "schema violations: {errors:#?}");
}

#[test]
fn gitlab_template_script_produces_a_schema_valid_report() {
    let script = gitlab_template_script();
    let mut r = Repo::new();
    r.write("README.md", "hello\n");
    let base = r.commit("init");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("app/settings.py", &format!("GITHUB_TOKEN = \"{}\"\n", github_pat(35)));
    let head = r.commit("add settings");
    // (scenario, CI variables, findings expected)
    type Scenario<'a> = (&'a str, Vec<(&'a str, &'a str)>, usize);
    let scenarios: Vec<Scenario> = vec![
        (
            "default branch work tree",
            vec![("CI_COMMIT_BRANCH", "main"), ("CI_DEFAULT_BRANCH", "main")],
            1,
        ),
        (
            "merge request",
            vec![
                ("CI_MERGE_REQUEST_IID", "7"),
                ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base),
                ("CI_COMMIT_SHA", &head),
                ("CI_DEFAULT_BRANCH", "main"),
            ],
            1,
        ),
        (
            "branch push",
            vec![
                ("CI_COMMIT_BRANCH", "feature"),
                ("CI_DEFAULT_BRANCH", "main"),
                ("CI_COMMIT_BEFORE_SHA", &base),
                ("CI_COMMIT_SHA", &head),
            ],
            1,
        ),
        (
            "push with nothing new",
            vec![
                ("CI_COMMIT_BRANCH", "feature"),
                ("CI_DEFAULT_BRANCH", "main"),
                ("CI_COMMIT_BEFORE_SHA", &head),
                ("CI_COMMIT_SHA", &head),
            ],
            0,
        ),
    ];
    for (name, vars, want) in scenarios {
        let report = r.path().join("gl-secret-detection-report.json");
        let _ = std::fs::remove_file(&report);
        // The hermetic git environment of `git_cmd`, for the shell and every git it runs.
        let c = git_cmd(r.path());
        let mut sh = Command::new("sh");
        sh.current_dir(r.path()).arg("-c").arg(&script).env("PATH", path_with_binary());
        for (k, v) in c.get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        for (k, v) in vars {
            sh.env(k, v);
        }
        let out = run(&mut sh);
        assert_eq!(
            out.code, 0,
            "{name}: the job itself does not fail (allow_failure and --no-fail): {}{}",
            out.stdout, out.stderr
        );
        let text = std::fs::read_to_string(&report)
            .unwrap_or_else(|e| panic!("{name}: no report: {e}\n{}", out.stderr));
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        validate_gitlab(&report);
        let vulns = report["vulnerabilities"].as_array().unwrap();
        assert_eq!(vulns.len(), want, "{name}: {}", out.stdout);
        if want > 0 {
            assert_eq!(vulns[0]["location"]["file"], "app/settings.py", "{name}");
        }
    }
}

/// `pre-commit` from PyPI (`.ci/run` installs it and sets LEAKGUARD_REQUIRE_PRECOMMIT so CI
/// cannot skip this test); elsewhere the test says it is skipped.
fn pre_commit() -> Option<PathBuf> {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("pre-commit"))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("LEAKGUARD_REQUIRE_PRECOMMIT").is_none(),
            "pre-commit is not on PATH but LEAKGUARD_REQUIRE_PRECOMMIT is set"
        );
        eprintln!("SKIPPED: pre-commit not on PATH (pip install pre-commit)");
    }
    found
}

#[test]
fn pre_commit_framework_blocks_a_staged_secret_and_passes_a_clean_commit() {
    let Some(pre_commit) = pre_commit() else { return };
    // The hooks repository: this project's .pre-commit-hooks.yaml, committed.
    let mut hooks = Repo::new();
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    hooks.write(".pre-commit-hooks.yaml", &manifest);
    let rev = hooks.commit("hooks");
    // The project that uses it, with the installed-binary hook.
    let mut project = Repo::new();
    project.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: leakguard-system\n",
            hooks.path().display()
        ),
    );
    project.write("README.md", "hello\n");
    project.commit("init");
    let home = Dir::new();
    let commit = |msg: &str| {
        let mut c = git_cmd(project.path());
        c.env("PATH", path_with_binary()).env("PRE_COMMIT_HOME", home.path());
        c.args(["commit", "-q", "-m", msg]);
        run(&mut c)
    };
    let mut install = Command::new(&pre_commit);
    install.current_dir(project.path()).arg("install").env("PRE_COMMIT_HOME", home.path());
    for (k, v) in git_cmd(project.path()).get_envs() {
        if let Some(v) = v {
            install.env(k, v);
        }
    }
    let out = run(&mut install);
    assert_eq!(out.code, 0, "pre-commit install: {}{}", out.stdout, out.stderr);
    project.write("src/app.py", &format!("TOKEN = \"{}\"\n", github_pat(36)));
    project.git(&["add", "-A"]);
    let out = commit("add token");
    assert_ne!(out.code, 0, "the staged secret blocks the commit: {}{}", out.stdout, out.stderr);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("github") && all.contains("src/app.py"), "{all}");
    project.write("src/app.py", "TOKEN = os.environ[\"TOKEN\"]\n");
    project.git(&["add", "-A"]);
    let out = commit("read token from env");
    assert_eq!(out.code, 0, "a clean commit passes: {}{}", out.stdout, out.stderr);
    let log = project.git(&["log", "--format=%s"]);
    assert!(log.starts_with("read token from env"), "{log}");
}
