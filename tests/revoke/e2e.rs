//! scan → report → classify → revoke (client + outbox) → serve → partner receiver.

use std::time::Duration;

use serde_json::Value;

use super::harness::*;

const GH: &str = "gitleaks_rule_id_github_personal_access_token";
const AWS: &str = "gitleaks_rule_id_aws";

#[test]
fn scan_classify_revoke_serve_partner_each_token_once() {
    let mut w = World::new();
    let (gh1, gh2, key_id, secret) = (ghp(), ghp(), akia(), aws_secret());
    w.secrets.extend([gh1.clone(), gh2.clone(), key_id.clone(), secret.clone()]);
    let src = w.path("repo");
    std::fs::create_dir_all(src.join("app")).unwrap();
    std::fs::create_dir_all(src.join("tests/fixtures")).unwrap();
    std::fs::write(
        src.join("app/config.env"),
        format!(
            "GITHUB_TOKEN={gh1}\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
        ),
    )
    .unwrap();
    std::fs::write(src.join("app/deploy.sh"), format!("export GH={gh1}\n")).unwrap();
    std::fs::write(src.join("tests/fixtures/token.env"), format!("GITHUB_TOKEN={gh2}\n")).unwrap();

    // scan -> GitLab report
    let out = w.run(
        "scan",
        &["scan", "repo", "--format", "gitlab", "-o", "r.json", "--no-fail", "-q"],
        &[],
    );
    assert!(out.status.success(), "scan: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&std::fs::read(w.path("r.json")).unwrap()).unwrap();
    assert_eq!(report["vulnerabilities"].as_array().unwrap().len(), 5, "{report:#}");

    // classify: types, dedup, likely-test flag, written-back flags valid against 15.2.1
    let out =
        w.run("classify", &["classify", "r.json", "--json", "--write-flags", "flagged.json"], &[]);
    assert!(out.status.success(), "classify: {}", String::from_utf8_lossy(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["format"], "gitlab");
    let findings = c["findings"].as_array().unwrap();
    let types: Vec<&str> =
        findings.iter().map(|f| f["revocation_type"].as_str().unwrap()).collect();
    assert!(types.contains(&GH) && types.contains(&AWS), "{types:?}");
    assert!(types.contains(&"gitleaks_rule_id_aws_secret_access_key"));
    let fixture =
        findings.iter().find(|f| f["path"].as_str().unwrap().contains("fixtures")).unwrap();
    assert!(fixture["likely_test"].as_str().unwrap().contains("tests/"), "{fixture}");
    let app = findings
        .iter()
        .find(|f| f["path"] == "app/config.env" && f["revocation_type"] == AWS)
        .unwrap();
    assert_eq!(app["likely_test"], Value::Null);
    assert_eq!(app["revocable"], true, "aws is on the known list");
    assert_eq!(app["confidence"], "high");
    // without an API, GitHub tokens are not on the known list; AWS key ids are
    let targets = c["targets"].as_array().unwrap();
    assert_eq!(targets.iter().filter(|t| t["type"] == GH).count(), 0);
    assert_eq!(targets.iter().filter(|t| t["type"] == AWS).count(), 1);
    let flagged: Value =
        serde_json::from_slice(&std::fs::read(w.path("flagged.json")).unwrap()).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../data/gl-secret-detection-report-format-15.2.1.json"))
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&flagged).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "flags report invalid: {errors:?}");
    let flags: Vec<&Value> = flagged["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.get("flags"))
        .collect();
    assert_eq!(flags.len(), 1, "only the fixture is flagged");
    assert_eq!(flags[0][0]["type"], "flagged-as-likely-false-positive");
    assert_eq!(flags[0][0]["origin"], "leakguard");

    // service + partner receiver
    let svc_port = free_port();
    let svc_url = format!("http://127.0.0.1:{svc_port}");
    let (_partner, partner_url) = w.partner(&svc_url, 0, "partner.jsonl");
    let cfg =
        w.service_config("svc", svc_port, &[(&[GH, AWS], &format!("{partner_url}/revoke"))], "");
    let (mut svc, _) = w.serve(&cfg);

    // with the API's list: the same ghp in two files is one target
    let out = w.run(
        "classify-api",
        &["classify", "r.json", "--json", "--api", &svc_url, "--token-file", "service-token.txt"],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    let gh: Vec<&Value> =
        c["targets"].as_array().unwrap().iter().filter(|t| t["type"] == GH).collect();
    assert_eq!(gh.len(), 2, "gh1 (two findings) and gh2");
    let mut sizes: Vec<usize> =
        gh.iter().map(|t| t["findings"].as_array().unwrap().len()).collect();
    sizes.sort();
    assert_eq!(sizes, vec![1, 2]);
    let text = w.run("classify-text", &["classify", "r.json"], &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("5 finding(s)")
            && text.contains("[likely test: path is under a tests/ directory]"),
        "{text}"
    );

    // dry run: redacted, nothing recorded
    let out = w.run(
        "dry-run",
        &[
            "revoke",
            "--report",
            "r.json",
            "--api",
            &svc_url,
            "--token-file",
            "service-token.txt",
            "--outbox",
            "client.sqlite",
            "--dry-run",
        ],
        &[],
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("would send 3 token(s)"), "{text}");
    assert!(!w.path("client.sqlite").exists(), "dry run must not write the outbox");

    // revoke: 3 targets (gh1 deduplicated, gh2, AKIA; the secret key type is not listed)
    let args = ["revoke", "--report", "r.json", "--api", &svc_url, "--outbox", "client.sqlite"];
    let token_env = [("LEAKGUARD_REVOCATION_TOKEN", SERVICE_TOKEN)];
    let out = w.run("revoke", &args, &token_env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "revoke: {stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("sent 3, accepted 3, rejected 0, pending 0"), "{stdout}");
    let record = w.path("partner.jsonl");
    expect_each_once(&record, &[gh1.clone(), gh2.clone(), key_id.clone()]);

    // every request verified against /v1/public_keys, key ids published
    let (_, _, keys) = http("GET", &format!("{svc_url}/v1/public_keys"), None, None);
    let keys: Value = serde_json::from_str(&keys).unwrap();
    for r in records(&record) {
        let kid = r["key_identifier"].as_str().unwrap();
        assert!(keys["public_keys"].as_array().unwrap().iter().any(|k| k["key_identifier"] == kid));
    }

    // running again sends nothing new: the outbox remembers, the service dedups
    let out = w.run("revoke-again", &args, &token_env);
    assert!(String::from_utf8_lossy(&out.stdout).contains("sent 0, accepted 0"));
    // a repeated POST of an already revoked token is accepted (idempotent) but not re-sent
    assert_eq!(post_tokens(&svc_url, &[(GH, &gh1), (GH, &gh1)]), 204);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(received(&record).len(), 3);

    // no token left at rest in either outbox
    let client = leakguard::revoke::outbox::Outbox::open(&w.path("client.sqlite")).unwrap();
    assert_eq!(client.tokens_held().unwrap(), 0);
    assert_eq!(client.stats().unwrap().done, 3);
    let st = status(&w, &cfg);
    assert_eq!(st["outbox"]["done"], 3, "{st}");
    let server =
        leakguard::revoke::outbox::Outbox::open(&w.path("svc-state/outbox.sqlite")).unwrap();
    assert_eq!(server.tokens_held().unwrap(), 0);

    assert!(svc.term().success(), "graceful SIGTERM exit");
    assert!(svc.stderr().contains("leakguard serve: stopped"));
    w.assert_no_leaks(&[&record]);
}
