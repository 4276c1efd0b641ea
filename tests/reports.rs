//! Report formats: GitLab schema 15.2.1 validity, SARIF shape, stable ids.

use crate::util::{Dir, github_pat, run};

const SCHEMA: &str = include_str!("data/gl-secret-detection-report-format-15.2.1.json");

fn validate_gitlab(report: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(report).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "schema violations: {errors:#?}");
}

fn tree() -> (Dir, String) {
    let d = Dir::new();
    let gh = github_pat(200);
    d.create("app/settings.py", format!("DEBUG = True\nGITHUB_TOKEN = \"{gh}\"\n"));
    d.create("deploy/values.yaml", format!("token: {}\n", github_pat(201)));
    (d, gh)
}

#[test]
fn gitlab_report_validates_against_schema_15_2_1() {
    let (d, gh) = tree();
    let out = run(d.cmd().args(["scan", ".", "--format", "gitlab", "-q"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    validate_gitlab(&report);
    assert_eq!(report["version"], "15.2.1");
    let scan = &report["scan"];
    assert_eq!(scan["analyzer"]["id"], "leakguard");
    assert_eq!(scan["scanner"]["name"], "leakguard");
    assert_eq!(scan["scanner"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(scan["type"], "secret_detection");
    assert_eq!(scan["status"], "success");
    let ts = scan["start_time"].as_str().unwrap();
    assert_eq!(ts.len(), 19, "{ts}");
    let vulns = report["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 2);
    let v = vulns.iter().find(|v| v["location"]["file"] == "app/settings.py").unwrap();
    assert_eq!(v["identifiers"][0]["type"], "gitleaks_rule_id");
    assert_eq!(v["identifiers"][0]["value"], "github_personal_access_token");
    assert_eq!(v["identifiers"][0]["name"], "Gitleaks rule ID github_personal_access_token");
    assert_eq!(v["severity"], "Critical");
    assert_eq!(v["location"]["start_line"], 2);
    assert_eq!(v["location"]["commit"]["sha"], "0000000");
    assert_eq!(v["raw_source_code_extract"], gh.as_str());
    assert!(uuid::Uuid::parse_str(v["id"].as_str().unwrap()).is_ok());
    // Ids are stable across runs.
    let again: serde_json::Value =
        serde_json::from_str(&run(d.cmd().args(["scan", ".", "--format", "gitlab", "-q"])).stdout)
            .unwrap();
    let ids = |r: &serde_json::Value| -> Vec<String> {
        r["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&report), ids(&again));
}

#[test]
fn empty_gitlab_report_is_valid() {
    let d = Dir::new();
    d.create("a.txt", "nothing\n");
    let out = run(d.cmd().args(["scan", ".", "--format", "gitlab"]));
    assert_eq!(out.code, 0);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    validate_gitlab(&report);
    assert_eq!(report["vulnerabilities"].as_array().unwrap().len(), 0);
}

#[test]
fn schema_check_is_not_vacuous() {
    // The validator must reject what GitLab rejects (lowercase severity, `Z` timestamps).
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let (d, _) = tree();
    let mut report: serde_json::Value =
        serde_json::from_str(&run(d.cmd().args(["scan", ".", "--format", "gitlab", "-q"])).stdout)
            .unwrap();
    assert!(validator.is_valid(&report));
    report["vulnerabilities"][0]["severity"] = "critical".into();
    assert!(!validator.is_valid(&report));
    report["vulnerabilities"][0]["severity"] = "Critical".into();
    report["scan"]["start_time"] = "2025-01-01T10:00:00Z".into();
    assert!(!validator.is_valid(&report));
}

#[test]
fn sarif_has_rules_results_and_stable_fingerprints() {
    let (d, _) = tree();
    let out = run(d.cmd().args(["scan", ".", "--format", "sarif", "-q"]));
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    // The rule table lists the rules that have results, and each result points into it.
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(rules.len(), 1, "{rules:?}");
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    let r = &results[0];
    assert_eq!(r["ruleId"], "github_personal_access_token");
    assert_eq!(r["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
    let fp = r["partialFingerprints"]["leakguardFingerprint/v1"].as_str().unwrap().to_string();
    // Moving the secret down a line keeps its fingerprint.
    let content = std::fs::read_to_string(d.join("app/settings.py")).unwrap();
    d.create("app/settings.py", format!("\n\n{content}"));
    let moved: serde_json::Value =
        serde_json::from_str(&run(d.cmd().args(["scan", ".", "--format", "sarif", "-q"])).stdout)
            .unwrap();
    let r2 = &moved["runs"][0]["results"][0];
    assert_eq!(r2["locations"][0]["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(r2["partialFingerprints"]["leakguardFingerprint/v1"], fp.as_str());
}
