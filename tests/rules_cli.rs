//! `leakguard rules list` / `rules check` through the real binary.

use crate::util::{Dir, leakguard_cmd, run};

#[test]
fn builtin_rules_examples_and_negative_examples_hold() {
    let out = run(leakguard_cmd().args(["rules", "check"]));
    assert_eq!(out.code, 0, "rules check failed:\n{}\n{}", out.stdout, out.stderr);
    let n: usize = out
        .stdout
        .split_whitespace()
        .skip_while(|w| *w != "rules:")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output {}", out.stdout));
    assert!(n >= 80, "only {n} built-in rules");
}

#[test]
fn rules_list_shows_ids_keywords_and_checks() {
    let out = run(leakguard_cmd().args(["rules", "list"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = out.stdout.lines().find(|l| l.starts_with("github_personal_access_token ")).unwrap();
    assert!(line.contains("ghp_") && line.contains("check=github"), "{line}");
    let json = run(leakguard_cmd().args(["rules", "list", "--json"]));
    let first: serde_json::Value =
        serde_json::from_str(json.stdout.lines().next().unwrap()).unwrap();
    assert!(first["id"].is_string() && first["keywords"].is_array());
}

#[test]
fn rules_check_names_rule_and_field_on_errors() {
    let d = Dir::new();
    d.create(
        "bad.toml",
        "[[rules]]\nid = \"broken-rule\"\nregex = '''(unclosed'''\nkeywords = [\"x\"]\n",
    );
    let out = run(d.cmd().args(["rules", "check", "bad.toml"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("broken-rule") && out.stderr.contains("regex"), "{}", out.stderr);

    d.create(
        "ex.toml",
        r#"[[rules]]
id = "demo"
regex = '''demo_[a-z0-9]{12}'''
keywords = ["demo_"]
examples = ["k = demo_q8z3k1m9x2w7", "demo_NOPE"]
negative_examples = ["demo_q8z3k1m9x2w7"]
"#,
    );
    let out = run(d.cmd().args(["rules", "check", "ex.toml"]));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("rule \"demo\": field \"examples[1]\""), "{}", out.stderr);
    assert!(out.stderr.contains("field \"negative_examples[0]\""), "{}", out.stderr);

    d.create(
        "check.toml",
        "[[rules]]\nid = \"c\"\nregex = 'a'\nkeywords=[\"a\"]\ncheck = \"nosuch\"\n",
    );
    let out = run(d.cmd().args(["scan", ".", "--config", "check.toml"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("rule \"c\": field \"check\""), "{}", out.stderr);
}
