//! Moving from gitleaks, through the real binary: the `--format gitleaks` report (field
//! names, rule ids, fingerprints, redaction), gitleaks rule ids wherever a rule id is
//! accepted (`.gitleaksignore`, baselines, `disabledRules`, GitLab ruleset identifiers), and
//! `--filters gitleaks`, checked against a report gitleaks made on a generated tree
//! (`tests/fixtures/gitleaks/`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::util::{B62, Dir, Rng, github_pat, json_lines, run};

/// gitleaks' report fields, in its order (`report/finding.go`; `Link` is omitted when empty).
const FIELDS: [&str; 18] = [
    "RuleID",
    "Description",
    "StartLine",
    "EndLine",
    "StartColumn",
    "EndColumn",
    "Match",
    "Secret",
    "File",
    "SymlinkFile",
    "Commit",
    "Entropy",
    "Author",
    "Email",
    "Date",
    "Message",
    "Tags",
    "Fingerprint",
];

fn gitlab_pat(seed: u64) -> String {
    format!("glpat-{}", Rng::new(seed).string(B62, 20))
}

fn report(text: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    v.as_array().unwrap_or_else(|| panic!("not an array: {text}")).clone()
}

fn tree() -> (Dir, String, String) {
    let d = Dir::new();
    let (gh, gl) = (github_pat(1100), gitlab_pat(1101));
    d.create("app/settings.py", format!("DEBUG = True\nGITHUB_TOKEN = \"{gh}\"\n"));
    d.create("deploy/values.yaml", format!("token: {gl}\n"));
    (d, gh, gl)
}

#[test]
fn gitleaks_format_has_gitleaks_fields_ids_and_fingerprints() {
    let (d, gh, gl) = tree();
    let out = run(d.cmd().args(["scan", ".", "--format", "gitleaks", "-o", "report.json"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "the report goes to the file: {}", out.stdout);
    let text = std::fs::read_to_string(d.join("report.json")).unwrap();
    // gitleaks' layout: an array indented by one space.
    assert!(text.starts_with("[\n {\n  \"RuleID\": "), "{text}");
    let items = report(&text);
    assert_eq!(items.len(), 2, "{text}");
    // Every field, in gitleaks' order.
    let first = &text[..text.find("\n }").unwrap()];
    let positions: Vec<usize> =
        FIELDS.iter().map(|f| first.find(&format!("\"{f}\":")).expect(f)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "field order: {first}");
    for it in &items {
        let keys: BTreeSet<&str> = it.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, FIELDS.iter().copied().collect(), "{it:#}");
    }
    let g = items.iter().find(|i| i["File"] == "app/settings.py").unwrap();
    assert_eq!(g["RuleID"], "github-pat", "gitleaks' id for github_personal_access_token");
    assert_eq!(g["Secret"], gh.as_str());
    assert_eq!(g["Match"], gh.as_str());
    assert_eq!(g["StartLine"], 2);
    assert_eq!(g["StartColumn"], 17);
    assert_eq!(g["EndColumn"], 56);
    assert_eq!(g["Fingerprint"], "app/settings.py:github-pat:2");
    assert_eq!(g["Commit"], "");
    assert!(g["Entropy"].as_f64().unwrap() > 4.0);
    assert!(g["Tags"].as_array().is_some());
    let l = items.iter().find(|i| i["File"] == "deploy/values.yaml").unwrap();
    assert_eq!(l["RuleID"], "gitlab-pat");
    assert_eq!(l["Secret"], gl.as_str());
    assert_eq!(l["Fingerprint"], "deploy/values.yaml:gitlab-pat:1");

    // --redact, as in gitleaks: the secret is gone from Secret and Match.
    let out = run(d.cmd().args([
        "scan",
        ".",
        "--format",
        "gitleaks",
        "--redact",
        "--exclude",
        "report.json",
    ]));
    assert!(!out.stdout.contains(&gh) && !out.stdout.contains(&gl), "{}", out.stdout);
    for it in report(&out.stdout) {
        assert_eq!(it["Secret"], "REDACTED");
        assert_eq!(it["Match"], "REDACTED");
    }

    // Nothing found: an empty array.
    let clean = Dir::new();
    clean.create("a.txt", "nothing here\n");
    let out = run(clean.cmd().args(["scan", ".", "--format", "gitleaks"]));
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "[]\n");
}

/// A JSON scan of the tree with the gitleaks-format report `known.json` as its baseline.
const WITH_BASELINE: [&str; 8] =
    ["scan", ".", "--format", "json", "--baseline", "known.json", "--exclude", "known.json"];

#[test]
fn gitleaks_report_round_trips_into_baseline() {
    let (d, gh, _) = tree();
    d.create("src/more.env", format!("A={}\nB={}\n", github_pat(1102), gitlab_pat(1103)));
    for redact in [false, true] {
        let mut args = vec![
            "scan",
            ".",
            "-q",
            "--format",
            "gitleaks",
            "-o",
            "known.json",
            "--exclude",
            "known.json",
        ];
        if redact {
            args.push("--redact");
        }
        let out = run(d.cmd().args(&args));
        assert_eq!(out.code, 1, "{}", out.stderr);
        let known = report(&std::fs::read_to_string(d.join("known.json")).unwrap());
        assert_eq!(known.len(), 4);
        // Everything the report lists is suppressed by it.
        let out = run(d.cmd().args(WITH_BASELINE));
        assert_eq!(out.code, 0, "redact={redact}: {}{}", out.stdout, out.stderr);
        assert!(json_lines(&out.stdout).is_empty(), "redact={redact}: {}", out.stdout);
    }
    // A new secret is still reported.
    let new = github_pat(1104);
    d.create("src/new.txt", format!("{new}\n"));
    let out = run(d.cmd().args(WITH_BASELINE));
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{}", out.stdout);
    assert_eq!(fs[0]["secret"], new.as_str());
    assert_ne!(fs[0]["secret"], gh.as_str());
}

#[cfg(feature = "git")]
#[test]
fn gitleaks_format_in_git_history_round_trips_and_ignores_by_commit() {
    let mut repo = crate::git_util::Repo::new();
    let (gh, gl) = (github_pat(1110), gitlab_pat(1111));
    repo.write("src/a.py", &format!("x = 1\nTOKEN = \"{gh}\"\n"));
    let first = repo.commit("add a");
    repo.write("src/b.py", &format!("GL = \"{gl}\"\n"));
    let second = repo.commit("add b");
    let root = repo.path().to_path_buf();
    let git = |args: &[&str]| {
        run(crate::util::leakguard_cmd().current_dir(&root).arg("git").arg(".").args(args))
    };
    let out = git(&["-q", "--format", "gitleaks", "--redact"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let items = report(&out.stdout);
    assert_eq!(items.len(), 2, "{}", out.stdout);
    let a = items.iter().find(|i| i["File"] == "src/a.py").unwrap();
    assert_eq!(a["Commit"], first.as_str());
    assert_eq!(a["Fingerprint"], format!("{first}:src/a.py:github-pat:2"));
    assert_eq!(a["Author"], "Ada Author");
    assert_eq!(a["Email"], "ada@example.com");
    assert!(!a["Date"].as_str().unwrap().is_empty());
    assert_eq!(a["Message"].as_str().unwrap().trim(), "add a");
    // The redacted report is a baseline for the next run.
    let side = Dir::new();
    let known = side.create("known.json", &out.stdout);
    let out = git(&["--format", "json", "--baseline", known.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // `.gitleaksignore` entries by commit with gitleaks' rule id.
    repo.write(".gitleaksignore", &format!("{second}:src/b.py:gitlab-pat:1\n"));
    repo.commit("ignore b");
    let out = git(&["--format", "json", "--report-unused-ignores"]);
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{}", out.stdout);
    assert_eq!(fs[0]["path"], "src/a.py");
    assert!(!out.stderr.contains("unused ignore entry"), "{}", out.stderr);
}

#[test]
fn gitleaksignore_accepts_gitleaks_rule_ids() {
    let (d, _, gl) = tree();
    d.create(".gitleaksignore", "# from a gitleaks report\napp/settings.py:github-pat:2\n");
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "--report-unused-ignores"]));
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{}", out.stdout);
    assert_eq!(fs[0]["secret"], gl.as_str());
    assert!(!out.stderr.contains("unused ignore entry"), "{}", out.stderr);
    // Our own ids keep working, and a gitleaks id never matches another rule.
    d.create(
        ".gitleaksignore",
        "deploy/values.yaml:gitlab_personal_access_token:1\ndeploy/values.yaml:github-pat:1\n",
    );
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "--report-unused-ignores"]));
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{}", out.stdout);
    assert_eq!(fs[0]["path"], "app/settings.py");
    assert!(out.stderr.contains(".gitleaksignore:2"), "{}", out.stderr);
}

#[test]
fn gitleaks_ids_in_disabled_rules_and_gitlab_ruleset() {
    let (d, _, gl) = tree();
    d.create("team.toml", "[extend]\nuseDefault = true\ndisabledRules = [\"github-pat\"]\n");
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "--config", "team.toml"]));
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{}", out.stdout);
    assert_eq!(fs[0]["secret"], gl.as_str());

    // GitLab ruleset identifiers: disable and override by gitleaks id.
    d.create(
        ".gitlab/secret-detection-ruleset.toml",
        r#"
[[secrets.ruleset]]
disable = true
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "gitlab-pat"

[[secrets.ruleset]]
[secrets.ruleset.identifier]
type = "gitleaks_rule_id"
value = "github-pat"
[secrets.ruleset.override]
name = "Company GitHub token"
severity = "Low"
"#,
    );
    let out = run(d.cmd().args(["scan", ".", "--format", "gitlab"]));
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    let gitlab: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let vulns = gitlab["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 1, "{vulns:#?}");
    assert_eq!(vulns[0]["identifiers"][0]["value"], "github_personal_access_token");
    assert_eq!(vulns[0]["name"], "Company GitHub token");
    assert_eq!(vulns[0]["severity"], "Low");
}

/// (File, RuleID, StartLine, sha256(Secret)) of a gitleaks-format report; a fixture's
/// secrets are already hashed (`sha256:…`).
fn keys(items: &[serde_json::Value]) -> BTreeSet<(String, String, u64, String)> {
    items
        .iter()
        .map(|f| {
            let secret = f["Secret"].as_str().unwrap();
            let hashed = match secret.strip_prefix("sha256:") {
                Some(h) => h.to_string(),
                None => hex::encode(Sha256::digest(secret.as_bytes())),
            };
            (
                f["File"].as_str().unwrap().to_string(),
                f["RuleID"].as_str().unwrap().to_string(),
                f["StartLine"].as_u64().unwrap(),
                hashed,
            )
        })
        .collect()
}

#[test]
fn gitleaks_filters_reproduce_gitleaks_report() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gitleaks");
    let config = fixtures.join("gitleaks.toml");
    let expected = report(&std::fs::read_to_string(fixtures.join("report.json")).unwrap());
    let d = Dir::new();
    crate::gitleaks_tree::write(d.path());
    let scan = |filters: &str| {
        let out = run(d
            .cmd()
            .args(["scan", ".", "-q", "--no-fail", "--format", "gitleaks", "--filters", filters])
            .arg("--config")
            .arg(&config));
        assert_eq!(out.code, 0, "{}", out.stderr);
        report(&out.stdout)
    };
    let want = keys(&expected);
    assert_eq!(want.len(), 15, "the fixture");
    let got = scan("gitleaks");
    assert_eq!(keys(&got), want, "--filters gitleaks must find what gitleaks found");
    // Beyond the compared key, gitleaks' fingerprints and descriptions match too.
    let fp = |items: &[serde_json::Value]| -> BTreeSet<(String, String)> {
        items
            .iter()
            .map(|f| {
                (
                    f["Fingerprint"].as_str().unwrap().into(),
                    f["Description"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(fp(&got), fp(&expected));

    // leakguard's own filters drop exactly the placeholders, documentation keys and broken
    // checksums, and nothing else.
    let ours = keys(&scan("leakguard"));
    assert!(ours.is_subset(&want), "{ours:#?}");
    let dropped: BTreeSet<(String, String, u64)> =
        want.difference(&ours).map(|(f, r, l, _)| (f.clone(), r.clone(), *l)).collect();
    let expect_dropped: BTreeSet<(String, String, u64)> = [
        ("config/app.env", "github-pat", 5), // checksum does not hold
        ("settings/service.yml", "generic-api-key", 7), // masked `xxxx` value
        ("src/notify.py", "npm-access-token", 3), // checksum does not hold
        ("src/payments.js", "stripe-access-token", 4), // Stripe's documentation key
        ("src/session.ts", "jwt", 4),        // the jwt.io sample token
    ]
    .iter()
    .map(|(f, r, l)| (f.to_string(), r.to_string(), *l))
    .collect();
    assert_eq!(dropped, expect_dropped);
    assert_eq!(ours.len(), 10);
}
