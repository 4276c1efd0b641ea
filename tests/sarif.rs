//! SARIF 2.1.0 through the real binary: every log validates against the vendored OASIS
//! schema (`tests/schemas/`), for the findings that stress it: nested decodes, archive
//! entries, git history, composite (companion) findings, odd paths; and GitHub code
//! scanning's properties are there (`security-severity`, the `security` tag, help, level).

use base64::Engine as _;

use crate::util::{Dir, aws_key_id, github_pat, run, tar_of};

const SCHEMA: &str = include_str!("schemas/sarif-schema-2.1.0.json");

/// Validates `log` against the SARIF 2.1.0 schema and checks every tag list is unique.
pub fn validate_sarif(log: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    let run = &log["runs"][0];
    let mut bags: Vec<&serde_json::Value> = Vec::new();
    for r in run["tool"]["driver"]["rules"].as_array().unwrap() {
        bags.push(&r["properties"]["tags"]);
    }
    for r in run["results"].as_array().unwrap() {
        bags.push(&r["properties"]["tags"]);
    }
    for tags in bags.into_iter().filter_map(|t| t.as_array()) {
        let mut seen = std::collections::HashSet::new();
        for t in tags {
            assert!(seen.insert(t.as_str().unwrap()), "duplicate tag {t} in {tags:?}");
        }
    }
}

fn sarif(out: &crate::util::Out) -> serde_json::Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr))
}

fn results(log: &serde_json::Value) -> &Vec<serde_json::Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

fn rule<'a>(log: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id} in the rule table"))
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn sarif_nested_base64_validates_with_unique_tags() {
    let d = Dir::new();
    let gh = github_pat(900);
    // base64 of base64 of an assignment: the token is found two decodes deep.
    let twice = b64(&b64(&format!("token = {gh}\n")));
    d.create("deploy/values.yaml", format!("blob: {twice}\n"));
    let out = run(d.cmd().args(["scan", ".", "--format", "sarif", "-q"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let log = sarif(&out);
    validate_sarif(&log);
    let r = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "github_personal_access_token")
        .unwrap_or_else(|| panic!("nested token not found: {log:#}"));
    let tags: Vec<&str> =
        r["properties"]["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(tags.iter().filter(|t| **t == "decoded:base64").count(), 1, "{tags:?}");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/values.yaml"
    );
    assert_eq!(r["level"], "error", "a checksum-valid GitHub token is high confidence");
    // GitHub code scanning's rule properties.
    let gh_rule = rule(&log, "github_personal_access_token");
    assert_eq!(gh_rule["properties"]["security-severity"], "9.5");
    let rule_tags = gh_rule["properties"]["tags"].as_array().unwrap();
    assert!(rule_tags.iter().any(|t| t == "security"), "{rule_tags:?}");
    assert!(gh_rule["help"]["text"].as_str().unwrap().contains("revoke"));
    assert!(gh_rule["help"]["markdown"].as_str().unwrap().contains("docs/RULES.md#github"));
    assert_eq!(
        gh_rule["helpUri"],
        "https://github.com/leakguard/leakguard/blob/main/docs/RULES.md#github"
    );
    assert_eq!(gh_rule["defaultConfiguration"]["level"], "error");
    // Every rule carries a numeric security-severity.
    for r in log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap() {
        let s = r["properties"]["security-severity"].as_str().unwrap();
        assert!(s.parse::<f64>().is_ok_and(|v| v > 0.0 && v <= 10.0), "{}: {s}", r["id"]);
    }
}

#[test]
fn sarif_levels_follow_confidence_and_severity() {
    let d = Dir::new();
    // A low-confidence generic assignment (no provider format) is a note, not an error.
    let value = crate::util::Rng::new(905).string(crate::util::B62, 20);
    d.create("app/settings.py", format!("db_password = \"{value}\"\n"));
    let out = run(d.cmd().args(["scan", ".", "--format", "sarif", "-q"]));
    let log = sarif(&out);
    validate_sarif(&log);
    let r = &results(&log)[0];
    assert_eq!(r["properties"]["confidence"], "low", "{r:#}");
    assert_eq!(r["level"], "note", "{r:#}");
    let id = r["ruleId"].as_str().unwrap();
    let generic = rule(&log, id);
    assert_eq!(generic["defaultConfiguration"]["level"], "note");
    let sev: f64 = generic["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
    assert!(sev < 9.0, "a low-confidence rule is lowered a step: {sev}");
}

#[test]
fn sarif_archive_entry_validates() {
    let d = Dir::new();
    let gh = github_pat(901);
    let inner = format!("GITHUB_TOKEN={gh}\n");
    d.create("dist/bundle.tar", tar_of(&[("conf/app env.txt", inner.as_bytes())]));
    let out = run(d.cmd().args(["scan", ".", "--archives", "--format", "sarif", "-q"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let log = sarif(&out);
    validate_sarif(&log);
    let r = &results(&log)[0];
    // The space is percent-encoded: the URI stays a valid relative reference.
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dist/bundle.tar!conf/app%20env.txt"
    );
    assert!(r["message"]["text"].as_str().unwrap().contains("dist/bundle.tar!conf/app env.txt"));
}

#[cfg(feature = "git")]
#[test]
fn sarif_git_history_finding_validates() {
    let mut repo = crate::git_util::Repo::new();
    let gh = github_pat(902);
    repo.write("src/config.py", &format!("TOKEN = \"{gh}\"\n"));
    let sha = repo.commit("add config");
    repo.write("src/config.py", "TOKEN = os.environ[\"TOKEN\"]\n");
    repo.commit("read the token from the environment");
    let out = run(crate::util::leakguard_cmd()
        .current_dir(repo.path())
        .args(["git", ".", "--format", "sarif", "-q"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let log = sarif(&out);
    validate_sarif(&log);
    let r = &results(&log)[0];
    assert_eq!(r["properties"]["commit"]["sha"], sha.as_str());
    assert!(r["message"]["text"].as_str().unwrap().contains(&sha));
    assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "src/config.py");
}

#[test]
fn sarif_composite_findings_validate() {
    let d = Dir::new();
    // A key id and its secret: one finding carrying both parts (`[[rules.required]]`).
    let key_id = aws_key_id(903);
    let secret = crate::util::Rng::new(903).string(crate::util::B62, 40);
    d.create(
        "pair.toml",
        r#"
[extend]
useDefault = true

[[rules]]
id = "aws-secret-with-key-id"
description = "AWS secret access key next to its key id"
regex = '''aws_secret_access_key\s*=\s*([A-Za-z0-9/+]{40})'''
secretGroup = 1
keywords = ["aws_secret_access_key"]
[[rules.required]]
id = "aws"
withinLines = 3
"#,
    );
    d.create(
        "creds/aws.ini",
        format!("[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    );
    // A username/password pair rule (one regex, both parts).
    let password = crate::util::Rng::new(906).string(crate::util::B62, 18);
    d.create(
        "deploy/ftp.py",
        format!("conn = FTP(host=\"h\", user=\"app_rw\", passwd=\"{password}\")\n"),
    );
    let out = run(d.cmd().args([
        "scan",
        ".",
        "--config",
        "pair.toml",
        "--format",
        "sarif",
        "-q",
        "--exclude",
        "pair.toml",
        // The built-in AWS secret rule claims the same secret; both report.
        "--report-overlaps",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let log = sarif(&out);
    validate_sarif(&log);
    let pair = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "aws-secret-with-key-id")
        .unwrap_or_else(|| panic!("no composite finding: {log:#}"));
    let related = pair["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 2);
    assert!(related[0]["message"]["text"].as_str().unwrap().contains("aws"));
    // A custom rule has no catalogue entry to point at.
    assert!(rule(&log, "aws-secret-with-key-id").get("helpUri").is_none());
    let up = results(&log)
        .iter()
        .find(|r| r["ruleId"].as_str().unwrap().starts_with("pair_"))
        .unwrap_or_else(|| panic!("no user/password pair finding: {log:#}"));
    assert_eq!(up["properties"]["confidence"], "medium");
    assert_eq!(up["level"], "warning");
}

#[test]
fn sarif_schema_check_is_not_vacuous() {
    // Duplicate tags, a bad level and a non-numeric region are what the schema must reject.
    let d = Dir::new();
    d.create("a.txt", format!("{}\n", github_pat(904)));
    let mut log = sarif(&run(d.cmd().args(["scan", ".", "--format", "sarif", "-q"])));
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&log));
    let r = &mut log["runs"][0]["results"][0];
    r["properties"]["tags"] = serde_json::json!(["decoded:base64", "decoded:base64"]);
    assert!(!validator.is_valid(&log), "duplicate tags must be invalid");
    log["runs"][0]["results"][0]["properties"]["tags"] = serde_json::json!([]);
    log["runs"][0]["results"][0]["level"] = "critical".into();
    assert!(!validator.is_valid(&log), "an unknown level must be invalid");
}
