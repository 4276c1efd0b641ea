//! Drop-in compatibility: gitleaks configuration, GitLab ruleset files, ignore files and
//! baselines, through the real binary.

use crate::util::{Dir, github_pat, json_lines, run};

fn scan(d: &Dir, extra: &[&str]) -> Vec<serde_json::Value> {
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "-q", "--no-fail"]).args(extra));
    assert!(out.stderr.is_empty() || !out.stderr.contains("error"), "{}", out.stderr);
    json_lines(&out.stdout)
}

#[test]
fn gitleaks_config_fields_take_effect() {
    let d = Dir::new();
    d.create(
        ".gitleaks.toml",
        r#"
title = "team config"
[extend]
useDefault = true
disabledRules = ["github_personal_access_token"]

[[rules]]
id = "acme-key"
description = "ACME key"
regex = '''acme[_-]key\s*=\s*"(ak_[a-z0-9]{16})"'''
secretGroup = 1
entropy = 2.5
keywords = ["acme"]
tags = ["acme"]
[[rules.allowlists]]
description = "fixtures"
condition = "AND"
paths = ['''fixtures/''']
stopwords = ["test"]
[rules.allowlist]
regexTarget = "line"
regexes = ['''nolint''']

[[rules]]
id = "p12-file"
description = "PKCS#12 file"
path = '''\.p12$'''

[[rules]]
id = "acme-secret"
description = "ACME secret, only next to its key"
regex = '''acme_pin\s*=\s*"([a-z0-9]{20})"'''
keywords = ["acme_pin"]
[[rules.required]]
id = "acme-key"
withinLines = 2

[[allowlists]]
targetRules = ["acme-key"]
paths = ['''vendor/''']
"#,
    );
    d.create("a.py", "acme_key = \"ak_q8z3k1m9x2w7p4r6\"\nacme_pin = \"k3j5h7g9f1d3s5a7q9w2\"\n");
    d.create("b.py", "acme_pin = \"k3j5h7g9f1d3s5a7q9w3\"\n");
    d.create("fixtures/test.py", "acme_key = \"ak_test9z3k1m9x2w7p\"\n");
    d.create("fixtures/real.py", "acme_key = \"ak_r8z3k1m9x2w7p4q6\"\n");
    d.create("c.py", "acme_key = \"ak_z8z3k1m9x2w7p4q5\" # nolint\n");
    d.create("vendor/d.py", "acme_key = \"ak_y8z3k1m9x2w7p4q5\"\n");
    d.create("low.py", "acme_key = \"ak_aaaaaaaaaaaaaaab\"\n");
    d.create("cert.p12", b"\x30\x82\x00binary");
    d.create("gh.txt", format!("{}\n", github_pat(300)));
    let fs = scan(&d, &[]);
    let got: Vec<(String, String)> = fs
        .iter()
        .map(|f| (f["rule_id"].as_str().unwrap().into(), f["path"].as_str().unwrap().into()))
        .collect();
    let want: Vec<(String, String)> = [
        ("acme-key", "a.py"),
        ("acme-secret", "a.py"),
        ("p12-file", "cert.p12"),
        ("acme-key", "fixtures/real.py"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let mut want_sorted = want;
    want_sorted.sort();
    assert_eq!(got_sorted, want_sorted, "{fs:#?}");
    assert_eq!(
        fs.iter().find(|f| f["rule_id"] == "acme-key").unwrap()["secret"],
        "ak_q8z3k1m9x2w7p4r6"
    );
    // The composite rule is one finding carrying both parts.
    let pair = fs.iter().find(|f| f["rule_id"] == "acme-secret").unwrap();
    assert_eq!(pair["secret"], "k3j5h7g9f1d3s5a7q9w2");
    assert_eq!(pair["companions"][0]["rule_id"], "acme-key");
    assert_eq!(pair["companions"][0]["secret"], "ak_q8z3k1m9x2w7p4r6");
    assert_eq!(pair["companions"][0]["line"], 1);
}

/// gitleaks' own default configuration (its `config/gitleaks.toml`, MIT, vendored with its
/// license notice in `tests/fixtures/gitleaks/`) loads unchanged and finds with gitleaks' ids.
#[test]
fn gitleaks_default_config_loads_unchanged() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gitleaks/gitleaks.toml");
    let d = Dir::new();
    d.create("a.txt", format!("token = {}\n", github_pat(301)));
    let out = run(d.cmd().args(["rules", "check"]).arg(&path));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("222 rules"), "{}", out.stdout);
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "-q", "--config"]).arg(&path));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(json_lines(&out.stdout).iter().any(|f| f["rule_id"] == "github-pat"), "{}", out.stdout);
}

#[test]
fn gitlab_ruleset_disables_overrides_and_passes_through() {
    let d = Dir::new();
    d.create(
        ".gitlab/secret-detection-ruleset.toml",
        r#"
[[secrets.ruleset]]
disable = true
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "aws"

[[secrets.ruleset]]
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "github_personal_access_token"
[secrets.ruleset.override]
name = "Company GitHub token"
description = "Rotate it at https://example.invalid/rotate"
severity = "Low"

[[secrets.passthrough]]
type = "raw"
target = "gitleaks.toml"
value = """
[extend]
path = "/gitleaks.toml"
[[rules]]
id = "internal-token"
description = "Internal token"
regex = '''itk_[a-z0-9]{24}'''
keywords = ["itk_"]
"""
"#,
    );
    d.create("a.env", format!("GH={}\nAWS_ACCESS_KEY_ID=AKIAQNZGKIQY56JQ7WML\nINTERNAL=itk_q8z3k1m9x2w7p4r6t5y7u9i0\n", github_pat(302)));
    let out = run(d.cmd().args(["scan", ".", "--format", "gitlab", "-q"]));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let vulns = report["vulnerabilities"].as_array().unwrap();
    let ids: Vec<&str> =
        vulns.iter().map(|v| v["identifiers"][0]["value"].as_str().unwrap()).collect();
    assert!(ids.contains(&"internal-token"), "{ids:?}");
    assert!(!ids.contains(&"aws"), "{ids:?}");
    let gh = vulns
        .iter()
        .find(|v| v["identifiers"][0]["value"] == "github_personal_access_token")
        .unwrap();
    assert_eq!(gh["name"], "Company GitHub token");
    assert_eq!(gh["description"], "Rotate it at https://example.invalid/rotate");
    assert_eq!(gh["severity"], "Low");
}

#[test]
fn ignore_files_and_baselines() {
    let d = Dir::new();
    let (a, b) = (github_pat(310), github_pat(311));
    d.create("src/a.txt", format!("x\n{a}\n"));
    d.create("src/b.txt", format!("{b}\n"));
    let fs = scan(&d, &[]);
    assert_eq!(fs.len(), 2);
    let fp_a = fs.iter().find(|f| f["path"] == "src/a.txt").unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();

    // .leakguardignore by content survives moving the secret to another line.
    d.create(
        ".leakguardignore",
        format!("# known test token\n{fp_a}\n{} src/nowhere.txt\n", "a".repeat(64)),
    );
    d.create("src/a.txt", format!("\n\n\nmoved {a}\n"));
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "--report-unused-ignores"]));
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0]["path"], "src/b.txt");
    assert!(
        out.stderr.contains("unused ignore entry: ") && out.stderr.contains(".leakguardignore:3"),
        "{}",
        out.stderr
    );
    std::fs::remove_file(d.join(".leakguardignore")).unwrap();

    // .gitleaksignore (position-keyed, gitleaks format).
    d.create(".gitleaksignore", "src/b.txt:github_personal_access_token:1\n");
    let fs = scan(&d, &[]);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["path"], "src/a.txt");
    std::fs::remove_file(d.join(".gitleaksignore")).unwrap();

    // A baseline written by one run silences known findings in the next; new ones remain.
    let out =
        run(d.cmd().args(["scan", ".", "-q", "--no-fail", "--write-baseline", "baseline.jsonl"]));
    assert_eq!(out.code, 0);
    let baseline = std::fs::read_to_string(d.join("baseline.jsonl")).unwrap();
    assert_eq!(baseline.lines().count(), 2);
    assert!(!baseline.contains(&a) && !baseline.contains("line"), "{baseline}");
    let mut sorted: Vec<&str> = baseline.lines().collect();
    sorted.sort();
    assert_eq!(sorted, baseline.lines().collect::<Vec<_>>(), "baseline is sorted");
    let c = github_pat(312);
    d.create("src/c.txt", format!("{c}\n"));
    let fs = scan(&d, &["--baseline", "baseline.jsonl"]);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["secret"], c);
    // gitleaks reports work as baselines too.
    d.create(
        "gitleaks-report.json",
        format!(r#"[{{"RuleID":"github-pat","Secret":"{c}","File":"src/c.txt","StartLine":1}}]"#),
    );
    let fs = scan(&d, &["--baseline", "gitleaks-report.json"]);
    assert_eq!(fs.len(), 2);
    assert!(fs.iter().all(|f| f["secret"] != c.as_str()));
}
