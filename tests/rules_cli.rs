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
    assert!(n >= 800, "only {n} built-in rules");
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

/// `docs/RULES.md` is generated; this fails when a rule file changed and the file was not
/// regenerated.
#[test]
fn docs_rules_md_is_current() {
    let out = run(leakguard_cmd().args(["rules", "list", "--format", "markdown"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/RULES.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == out.stdout,
        "docs/RULES.md is stale; regenerate it with\n  \
         cargo run -q -- rules list --format markdown > docs/RULES.md"
    );
}

#[test]
fn rules_list_json_carries_family_examples_and_revocation_type() {
    let out = run(leakguard_cmd().args(["rules", "list", "--format", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rules: Vec<serde_json::Value> =
        out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(rules.len() >= 800, "{} rules", rules.len());
    for r in &rules {
        assert!(r["family"].is_string() && !r["family"].as_str().unwrap().contains('/'), "{r}");
        assert!(r["examples"].as_array().is_some_and(|e| e.len() >= 2), "{r}");
        assert!(r["negative_examples"].as_array().is_some_and(|e| e.len() >= 2), "{r}");
    }
    assert!(
        rules
            .iter()
            .filter(|r| r["tags"].as_array().unwrap().iter().any(|t| t == "context"))
            .count()
            >= 300
    );

    // The same through a configuration that extends the built-in rules.
    let d = Dir::new();
    d.create("ext.toml", "[extend]\nuseDefault = true\n");
    let out = run(d.cmd().args(["rules", "list", "--format", "json", "--config", "ext.toml"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let context = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["tags"].as_array().unwrap().iter().any(|t| t == "context"))
        .expect("a context rule");
    assert!(context["examples"].as_array().is_some_and(|e| e.len() >= 2), "{context}");
}

/// A provider table line in a user's own config: compiled into a rule that finds the key next
/// to the provider's name in several syntaxes and stays silent on the decoys.
#[test]
fn provider_table_lines_become_context_rules() {
    let d = Dir::new();
    d.create(
        "rules.toml",
        "providers = [\n\
         { id = 'acmecorp_api_key', name = 'AcmeCorp', names = ['acmecorp', 'acme_corp'], alphabet = 'hex', length = 32 },\n\
         ]\n",
    );
    let key = "5f0e8a2c9b7d41e3a6c8f2b4d0e9a7c1";
    d.create(
        "app/settings.py",
        format!(
            "ACMECORP_API_KEY = '{key}'\n\
             acme_corp_key_id = '{key}'\n\
             cache_key = '{key}'\n\
             # see https://acmecorp.com/docs/{key}\n"
        ),
    );
    d.create("app/headers.txt", format!("X-Acme-Corp-Token: {key}\n"));
    let out = run(d.cmd().args(["scan", "app", "--config", "rules.toml", "--format", "json"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let found = crate::util::json_lines(&out.stdout);
    let at: Vec<(String, u64)> = found
        .iter()
        .map(|f| {
            (f["file"].as_str().unwrap_or_default().to_string(), f["line"].as_u64().unwrap_or(0))
        })
        .collect();
    assert_eq!(at.len(), 2, "{at:?}\n{}", out.stdout);
    assert!(
        found.iter().all(|f| f["rule_id"] == "acmecorp_api_key" && f["secret"] == key),
        "{}",
        out.stdout
    );

    let check = run(d.cmd().args(["rules", "check", "rules.toml"]));
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);

    d.create(
        "bad.toml",
        "providers = [\n{ id = 'acmecorp_api_key', name = 'AcmeCorp', names = ['acme'], alphabet = 'hexx', length = 32 },\n]\n",
    );
    let bad = run(d.cmd().args(["rules", "check", "bad.toml"]));
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("acmecorp_api_key") && bad.stderr.contains("providers.alphabet"),
        "{}",
        bad.stderr
    );
}

/// Every relative link in the README, `docs/` and the top-level reports points at a file in
/// the repository, and a link into a Markdown file with `#anchor` at one of its headings
/// (GitHub's anchor form: lowercase, punctuation dropped, blanks as `-`).
#[test]
fn documentation_links_resolve() {
    use std::path::{Path, PathBuf};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["README.md", "RELIABILITY.md", "QUALITY.md", "BENCHMARKS.md"]
        .iter()
        .map(|f| root.join(f))
        .collect();
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    let anchors = |path: &Path| -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.strip_prefix('#'))
            .map(|h| {
                h.trim_start_matches('#')
                    .trim()
                    .to_lowercase()
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == ' ')
                    .collect::<String>()
                    .replace(' ', "-")
            })
            .collect()
    };
    let (mut checked, mut broken) = (0, Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // Code blocks hold shell and TOML, not links.
        let prose: String = text.split("```").step_by(2).collect::<Vec<_>>().join("\n");
        for (i, _) in prose.match_indices("](") {
            let link: String =
                prose[i + 2..].chars().take_while(|c| *c != ')' && !c.is_whitespace()).collect();
            if link.contains("://") || link.starts_with("mailto:") || link.is_empty() {
                continue;
            }
            checked += 1;
            let (path, frag) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() { f.clone() } else { f.parent().unwrap().join(path) };
            if !target.exists() {
                broken.push(format!("{}: {link} (no such file)", f.display()));
            } else if !frag.is_empty()
                && target.extension().is_some_and(|x| x == "md")
                && !anchors(&target).iter().any(|a| a == frag)
            {
                broken.push(format!("{}: {link} (no such heading)", f.display()));
            }
        }
    }
    assert!(checked > 100, "only {checked} links found: the scan itself is broken");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
