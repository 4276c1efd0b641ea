//! Matches longer than the old 1 KiB window: PEM private keys of every usual size are found
//! whole, by the built-in rules and by gitleaks' own unbounded `private-key` rule, and
//! `rules check` warns about rules whose regex can outgrow the window cap (issue 9).

use std::process::Command;

use base64::Engine as _;

use crate::util::{Dir, Rng, json_lines, run};

/// gitleaks' `private-key` rule, verbatim: its regex has no maximum length.
const GITLEAKS_PRIVATE_KEY: &str = r#"
[[rules]]
id = "private-key"
description = "Identified a Private Key, which may compromise cryptographic keys and sensitive information encryption."
regex = '''(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]*?KEY(?: BLOCK)?-----'''
keywords = ["-----begin"]
"#;

/// A fresh RSA key from `openssl genpkey` (PKCS#8; `traditional` converts it to PKCS#1), or
/// `None` when openssl is not installed.
fn openssl_rsa(bits: u32, traditional: bool) -> Option<String> {
    let out = Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt"])
        .arg(format!("rsa_keygen_bits:{bits}"))
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let pem = String::from_utf8(out.stdout).ok()?;
    if !traditional {
        return Some(pem);
    }
    let mut child = Command::new("openssl")
        .args(["pkey", "-traditional"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    std::io::Write::write_all(&mut child.stdin.take()?, pem.as_bytes()).ok()?;
    let out = child.wait_with_output().ok().filter(|o| o.status.success())?;
    String::from_utf8(out.stdout).ok()
}

/// A synthetic PEM block: `der_len` random bytes, base64 in 64-column lines.
fn synthetic_pem(label: &str, der_len: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let der: Vec<u8> = (0..der_len).map(|_| rng.next() as u8).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> =
        b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// The keys to find: real 2048- and 4096-bit RSA keys in PKCS#8 and PKCS#1 when openssl is
/// there (synthetic blocks of the same sizes otherwise), and a synthetic block the size of
/// a 16384-bit RSA key (about 9.3 KB of DER; 9.4 KB here, to err on the large side).
fn keys() -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for (bits, der) in [(2048u32, 1218usize), (4096, 2374)] {
        for traditional in [false, true] {
            let label = if traditional { "RSA PRIVATE KEY" } else { "PRIVATE KEY" };
            let pem = openssl_rsa(bits, traditional).unwrap_or_else(|| {
                eprintln!("openssl not available: a synthetic {bits}-bit {label} block instead");
                synthetic_pem(label, der, u64::from(bits))
            });
            assert!(pem.contains(&format!("-----BEGIN {label}-----")), "{pem}");
            keys.push((format!("rsa{bits}-{}", if traditional { "pkcs1" } else { "pkcs8" }), pem));
        }
    }
    keys.push(("rsa16384-pkcs1".into(), synthetic_pem("RSA PRIVATE KEY", 9_400, 16384)));
    keys.push(("rsa16384-pkcs8".into(), synthetic_pem("PRIVATE KEY", 9_426, 16385)));
    keys
}

/// Scans a directory holding each key (after some text, so it does not start the file) and
/// returns the findings of `rule` by path.
fn scan(extra: &[&str], dir: &Dir, rule: &str) -> Vec<(String, String)> {
    let out = run(dir.cmd().args(["scan", ".", "--format", "json", "-q"]).args(extra));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let mut found: Vec<(String, String)> = json_lines(&out.stdout)
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["secret"].as_str().unwrap().into()))
        .collect();
    found.sort();
    found
}

#[test]
fn private_keys_of_every_size_are_found_whole() {
    let d = Dir::new();
    let keys = keys();
    for (name, pem) in &keys {
        d.create(&format!("keys/{name}.pem"), format!("# deploy key\nsome: yaml\n\n{pem}\ntail\n"));
    }
    d.create("gitleaks.toml", GITLEAKS_PRIVATE_KEY);

    // gitleaks' unbounded rule: every key, BEGIN line to END line.
    let found = scan(&["--config", "gitleaks.toml"], &d, "private-key");
    assert_eq!(found.len(), keys.len(), "{found:?}");
    for (name, pem) in &keys {
        let (_, secret) = found.iter().find(|(p, _)| p.ends_with(&format!("{name}.pem"))).unwrap();
        assert_eq!(secret.as_str(), pem.trim_end(), "{name}");
    }

    // The built-in rules (bounded, with the structure check).
    let out = run(d.cmd().args(["scan", "keys", "--format", "json", "-q"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let findings = json_lines(&out.stdout);
    for (name, pem) in &keys {
        let f: Vec<_> = findings
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(&format!("{name}.pem")))
            .collect();
        assert_eq!(f.len(), 1, "{name}: {f:?}");
        assert_eq!(f[0]["secret"].as_str().unwrap(), pem.trim_end(), "{name}");
    }
}

#[test]
fn rules_check_warns_about_rules_that_can_outgrow_the_window() {
    let d = Dir::new();
    d.create("gitleaks.toml", GITLEAKS_PRIVATE_KEY);
    // 70 bounded counts in sequence: up to 70,004 bytes, while no count (nor product of
    // nested counts) passes RE2's limit of 1000.
    let huge = format!("big_{}", "[a-z]{0,1000}".repeat(70));
    d.create(
        "bounded.toml",
        format!(
            "[[rules]]\nid = \"tok\"\nregex = '''tok_[a-z0-9]{{8}}'''\nkeywords = [\"tok_\"]\n\
             [[rules]]\nid = \"huge\"\nregex = '''{huge}'''\nkeywords = [\"big_\"]\n"
        ),
    );
    let out = run(d.cmd().args(["rules", "check", "gitleaks.toml"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("rule \"private-key\": warning: its regex can match without bound")
            && out.stderr.contains("65536 bytes"),
        "{}",
        out.stderr
    );
    let out = run(d.cmd().args(["rules", "check", "bounded.toml"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("\"tok\""), "{}", out.stderr);
    assert!(out.stderr.contains("rule \"huge\": warning: its regex can match up to 70004 bytes"));
}
