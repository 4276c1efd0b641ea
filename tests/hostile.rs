//! Issue 9: a gate never says "clean" when it did not look. The exit-code contract, policy
//! skips against failures in every output, and the limits on flags.
//!
//! The other hostile cases live next to the code they exercise, each through the real
//! binary: `hostile_config` (repository-controlled configuration), `hostile_io` (files that
//! change while read, streams), `hostile_archive` (archives and decoding), `hostile_git`
//! (corrupt packs, indexes and missing objects), `fuzz` (fuzz and property targets), and the
//! outbox and service tests under `revoke`.

use crate::util::{Dir, github_pat, json_lines, json_summary, run};

const SCHEMA: &str = include_str!("data/gl-secret-detection-report-format-15.2.1.json");

/// A tree with one finding, one binary, one file over a 2 KiB cap, one excluded directory
/// and one broken symlink (a failure).
fn mixed_tree() -> (Dir, String) {
    let d = Dir::new();
    let gh = github_pat(900);
    d.create("app/.env", format!("GITHUB_TOKEN={gh}\n"));
    d.create("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    d.create("data/big.txt", "y".repeat(4096));
    d.create("vendor/lib.txt", format!("{}\n", github_pat(901)));
    std::os::unix::fs::symlink(d.join("gone"), d.join("app/dangling")).unwrap();
    (d, gh)
}

fn scan(d: &Dir, format: &str, extra: &[&str]) -> crate::util::Out {
    run(d
        .cmd()
        .args(["scan", ".", "--format", format, "--max-file-size", "2K"])
        .args(["--exclude", "vendor"])
        .args(extra))
}

#[test]
fn incomplete_scans_exit_2_after_writing_the_report_and_list_everything_in_every_format() {
    let (d, gh) = mixed_tree();

    let json = scan(&d, "json", &[]);
    assert_eq!(json.code, 2, "a failure wins over findings: {}", json.stderr);
    let fs = json_lines(&json.stdout);
    assert_eq!(fs.len(), 1, "the readable secret is still reported");
    assert_eq!(fs[0]["secret"], gh);
    let s = json_summary(&json.stdout);
    assert_eq!(s["complete"], false);
    let skipped: Vec<(String, String)> = s["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["path"].as_str().unwrap().into(), v["reason"].as_str().unwrap().into()))
        .collect();
    for want in
        [("assets/logo.png", "binary"), ("data/big.txt", "too_large"), ("vendor/", "excluded")]
    {
        assert!(skipped.contains(&(want.0.into(), want.1.into())), "{want:?} in {skipped:?}");
    }
    assert_eq!(s["failures"].as_array().map(Vec::len), Some(1), "{s}");
    // Shown relative to the scan root, like findings and skips.
    assert_eq!(s["failures"][0]["path"], "app/dangling", "{s}");

    let gl = scan(&d, "gitlab", &["-q"]);
    assert_eq!(gl.code, 2);
    let report: serde_json::Value = serde_json::from_str(&gl.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&report), "GitLab report with skips and failures is schema-valid");
    let msgs = report["scan"]["messages"].as_array().unwrap();
    let text = |level: &str| -> String {
        msgs.iter()
            .filter(|m| m["level"] == level)
            .map(|m| m["value"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    for p in ["assets/logo.png", "data/big.txt", "vendor/"] {
        assert!(text("info").contains(p), "{p} listed as a skip: {msgs:?}");
    }
    assert!(text("warn").contains("dangling"), "failure listed: {msgs:?}");
    assert!(text("warn").contains("scan incomplete"), "{msgs:?}");

    let sarif = scan(&d, "sarif", &["-q"]);
    assert_eq!(sarif.code, 2);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    fn uri(n: &serde_json::Value) -> &str {
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap_or("")
    }
    assert!(notes.iter().any(|n| n["level"] == "note" && uri(n) == "data/big.txt"), "{notes:?}");
    assert!(notes.iter().any(|n| n["level"] == "error" && uri(n).ends_with("dangling")));

    let text_out = scan(&d, "text", &[]);
    assert_eq!(text_out.code, 2);
    for p in ["assets/logo.png", "data/big.txt (4096 bytes)", "vendor/", "dangling"] {
        assert!(text_out.stderr.contains(p), "{p} in the summary: {}", text_out.stderr);
    }
    // Failures are said even with --quiet; skips are not.
    let quiet = scan(&d, "text", &["-q"]);
    assert!(quiet.stderr.contains("not scanned") && quiet.stderr.contains("dangling"));
    assert!(!quiet.stderr.contains("logo.png"), "{}", quiet.stderr);

    // --allow-incomplete: findings decide again; the report still lists the failure.
    let allowed = scan(&d, "json", &["--allow-incomplete"]);
    assert_eq!(allowed.code, 1, "{}", allowed.stderr);
    assert_eq!(json_summary(&allowed.stdout)["complete"], false);
    let allowed = scan(&d, "json", &["--allow-incomplete", "--no-fail"]);
    assert_eq!(allowed.code, 0);
    // --no-fail alone does not hide an incomplete scan.
    assert_eq!(scan(&d, "json", &["--no-fail"]).code, 2);
}

#[test]
fn policy_skips_alone_keep_exit_0_and_are_listed() {
    let d = Dir::new();
    d.create("logo.png", b"\x89PNG\0\0");
    d.create("notes.md", "nothing to see\n");
    let out = run(d.cmd().args(["scan", ".", "--format", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = json_summary(&out.stdout);
    assert_eq!(s["complete"], true);
    assert_eq!(s["skipped"][0]["path"], "logo.png");
    assert!(out.stderr.contains("skipped 1 binary file(s)"), "{}", out.stderr);
}

#[test]
fn long_skip_lists_are_cut_on_stderr_but_complete_in_reports() {
    let d = Dir::new();
    for i in 0..25 {
        d.create(&format!("bin/{i:02}.dat"), b"\0\x01\x02");
    }
    let out = run(d.cmd().args(["scan", ".", "--format", "json"]));
    assert_eq!(out.code, 0);
    assert_eq!(json_summary(&out.stdout)["skipped"].as_array().map(Vec::len), Some(25));
    assert!(out.stderr.contains("... and 15 more"), "{}", out.stderr);
    let all = run(d.cmd().args(["scan", ".", "--list-skipped"]));
    assert!(all.stderr.contains("bin/24.dat") && !all.stderr.contains("more"), "{}", all.stderr);
}

#[test]
fn exit_code_flag_is_1_to_255() {
    let d = Dir::new();
    d.create("a.env", format!("T={}\n", github_pat(902)));
    for bad in ["256", "0", "-1", "65536"] {
        let out = run(d.cmd().args(["scan", ".", "-q"]).arg(format!("--exit-code={bad}")));
        assert_eq!(out.code, 2, "--exit-code {bad} is a usage error: {}", out.stderr);
        assert!(out.stderr.contains("--exit-code"), "{}", out.stderr);
    }
    assert_eq!(run(d.cmd().args(["scan", ".", "-q", "--exit-code", "255"])).code, 255);
    assert_eq!(run(d.cmd().args(["scan", ".", "-q", "--exit-code", "7"])).code, 7);
}

#[test]
fn absurd_thread_counts_are_clamped() {
    // Unclamped, -j 100000 asks for 100,000 walker threads: gigabytes of stacks and arenas.
    // Under a 4 GB address-space limit that aborts; clamped, it is an ordinary scan.
    let d = Dir::new();
    d.create("a.env", format!("T={}\n", github_pat(903)));
    let bin = assert_cmd::cargo::cargo_bin("leakguard");
    let mut c = std::process::Command::new("sh");
    c.current_dir(d.path())
        .arg("-c")
        .arg(r#"ulimit -v 4000000 && exec "$0" scan . -q --format json -j 100000"#)
        .arg(&bin);
    let out = run(&mut c);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(json_lines(&out.stdout).len(), 1);
}
