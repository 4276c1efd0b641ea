//! `leakguard scan` through the real binary on real temp directories.

use std::io::Write;

use base64::Engine as _;

use crate::util::{
    Dir, GITLAB_ROUTABLE_PAT, Rng, aws_key_id, github_pat, github_pat_bad_checksum, json_lines,
    pem_key, run,
};

fn scan_json(d: &Dir, extra: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let mut c = d.cmd();
    c.args(["scan", ".", "--format", "json", "-q"]).args(extra);
    let out = run(&mut c);
    (out.code, json_lines(&out.stdout), out.stderr)
}

fn find<'a>(fs: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    fs.iter().filter(|f| f["rule_id"] == rule).collect()
}

#[test]
fn planted_secrets_are_found_at_the_right_line_and_column() {
    let d = Dir::new();
    let gh = github_pat(1);
    let aws = aws_key_id(2);
    d.create("src/config.py", format!("import os\n\nclass Config:\n    TOKEN = \"{gh}\"\n"));
    d.create(
        "deploy/.env",
        format!("# deploy\nAWS_ACCESS_KEY_ID={aws}\nGITLAB_TOKEN={GITLAB_ROUTABLE_PAT}\n"),
    );
    d.create("keys/id_rsa", format!("# key below\n\n{}", pem_key(3)));
    d.create("clean/readme.md", "nothing to see here\n".repeat(100));
    let (code, fs, err) = scan_json(&d, &[]);
    assert_eq!(code, 1, "{err}");

    let f = find(&fs, "github_personal_access_token");
    assert_eq!(f.len(), 1, "{fs:#?}");
    assert_eq!(f[0]["path"], "src/config.py");
    assert_eq!((f[0]["start_line"].as_u64(), f[0]["start_column"].as_u64()), (Some(4), Some(14)));
    assert_eq!(f[0]["end_column"].as_u64(), Some(14 + 40 - 1));
    assert_eq!(f[0]["secret"], gh);
    assert_eq!(f[0]["confidence"], "high");

    let aws_f: Vec<_> = fs.iter().filter(|f| f["secret"] == aws.as_str()).collect();
    assert_eq!(aws_f.len(), 1, "AWS key id not found once: {fs:#?}");
    assert_eq!(
        (aws_f[0]["path"].as_str(), aws_f[0]["start_line"].as_u64()),
        (Some("deploy/.env"), Some(2))
    );
    assert_eq!(aws_f[0]["start_column"].as_u64(), Some(19));

    let gl: Vec<_> = fs.iter().filter(|f| f["secret"] == GITLAB_ROUTABLE_PAT).collect();
    assert_eq!(gl.len(), 1, "{fs:#?}");
    assert_eq!(gl[0]["start_line"].as_u64(), Some(3));
    assert_eq!(gl[0]["confidence"], "high");

    let pem: Vec<_> = fs.iter().filter(|f| f["path"] == "keys/id_rsa").collect();
    assert_eq!(pem.len(), 1, "{fs:#?}");
    assert_eq!(pem[0]["start_line"].as_u64(), Some(3), "PEM keys are reported at the BEGIN line");
    assert!(fs.iter().all(|f| f["path"] != "clean/readme.md"));
    for f in &fs {
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn checksum_vectors_decide_what_is_reported() {
    let d = Dir::new();
    let good = [
        "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",
        "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",
        "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",
    ];
    let mut text = String::new();
    for t in good {
        text.push_str(&format!("token: {t}\n"));
    }
    // Documentation placeholder (fails its checksum) and a corrupted checksum.
    text.push_str("docs: ghp_16C7e42F292c6912E7710c838347Ae178B4a\n");
    text.push_str(&format!("bad: {}\n", github_pat_bad_checksum(9)));
    text.push_str("gitlab: glpat-AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdTo5aXgN.01.141uldyz1\n");
    d.create("tokens.yml", text);
    let (_, fs, _) = scan_json(&d, &[]);
    let secrets: Vec<&str> = fs.iter().map(|f| f["secret"].as_str().unwrap()).collect();
    assert_eq!(secrets, good.to_vec(), "only checksum-valid tokens are reported");
}

#[test]
fn one_secret_claimed_by_two_rules_is_reported_once() {
    let d = Dir::new();
    // `npm_access_token` (checksum) and `npmrc_auth_token` (context) both claim this token.
    let payload = Rng::new(77).string(crate::util::B62, 30);
    let token = format!("npm_{payload}{}", leakguard::check::base62_crc32(payload.as_bytes()));
    d.create(".npmrc", format!("//registry.npmjs.org/:_authToken={token}\n"));
    let (_, fs, _) = scan_json(&d, &[]);
    let rules: Vec<&str> = fs.iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["npm_access_token"], "the checked rule reports, once: {fs:?}");
    assert_eq!(fs[0]["secret"], token.as_str());
    let (_, fs, _) = scan_json(&d, &["--report-overlaps"]);
    let mut rules: Vec<&str> = fs.iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    rules.sort();
    assert_eq!(rules, ["npm_access_token", "npmrc_auth_token"], "every rule reports: {fs:?}");

    // `AccountKey=` inside a connection string: the account-key rule and the connection-string
    // rule claim the same key; one finding.
    let d = Dir::new();
    let mut rng = Rng::new(78);
    let raw: Vec<u8> = (0..64).map(|_| rng.next() as u8).collect();
    let key = base64::engine::general_purpose::STANDARD.encode(raw);
    d.create(
        "storage.env",
        format!(
            "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=acme;\
             AccountKey={key};EndpointSuffix=core.windows.net\n"
        ),
    );
    let (_, fs, _) = scan_json(&d, &[]);
    let rules: Vec<&str> = fs.iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["azure_storage_connection_string"], "{fs:?}");
    assert_eq!(fs[0]["secret"], key.as_str());
}

#[test]
fn gitignore_is_honoured_and_git_dirs_are_never_entered() {
    let d = Dir::new();
    d.create(".gitignore", "build/\n");
    d.create("build/out.txt", format!("t = {}\n", github_pat(10)));
    d.create(".git/config", format!("url = https://x:{}@github.com/a/b\n", github_pat(11)));
    d.create("src/ok.txt", "clean\n");
    let (code, fs, _) = scan_json(&d, &[]);
    assert_eq!((code, fs.len()), (0, 0), "{fs:#?}");
    let (code, fs, _) = scan_json(&d, &["--no-ignore"]);
    assert_eq!(code, 1);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0]["path"], "build/out.txt");
}

#[test]
fn dotfiles_are_scanned() {
    let d = Dir::new();
    d.create(".env", format!("GITHUB_TOKEN={}\n", github_pat(12)));
    let (code, fs, _) = scan_json(&d, &[]);
    assert_eq!((code, fs.len()), (1, 1));
}

#[test]
fn excludes_from_flags_and_gitlab_variable_use_parent_directory_semantics() {
    let d = Dir::new();
    d.create("doc/deep/a.txt", format!("{}\n", github_pat(20)));
    d.create("spec/fixtures/b.txt", format!("{}\n", github_pat(21)));
    d.create("web/app.min.js", format!("var t=\"{}\";\n", github_pat(22)));
    d.create("src/c.txt", format!("{}\n", github_pat(23)));
    let (_, fs, _) = scan_json(&d, &["--exclude", "doc", "--exclude", "*.min.js"]);
    let paths: Vec<&str> = fs.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["spec/fixtures/b.txt", "src/c.txt"]);
    let out = run(d
        .cmd()
        .args(["scan", ".", "--format", "json", "-q"])
        .env("SECRET_DETECTION_EXCLUDED_PATHS", "doc, spec/fixtures,web"));
    let paths: Vec<String> =
        json_lines(&out.stdout).iter().map(|f| f["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(paths, vec!["src/c.txt"]);
}

#[test]
fn binary_files_are_skipped_unless_asked() {
    let d = Dir::new();
    let mut bin = b"\x7fELF\x00\x01\x02".to_vec();
    bin.extend_from_slice(format!(" {} ", github_pat(30)).as_bytes());
    d.create("tool.bin", &bin);
    let out = run(d.cmd().args(["scan", ".", "--format", "json"]));
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("1 skipped"), "{}", out.stderr);
    let (code, fs, _) = scan_json(&d, &["--scan-binary"]);
    assert_eq!((code, fs.len()), (1, 1));
}

#[test]
fn files_over_the_size_cap_are_skipped_and_listed() {
    let d = Dir::new();
    let mut big = "x".repeat(4000);
    big.push_str(&format!("\n{}\n", github_pat(31)));
    d.create("big.txt", big);
    d.create("small.txt", format!("{}\n", github_pat(32)));
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "--max-file-size", "2K"]));
    assert_eq!(out.code, 1);
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["path"], "small.txt");
    assert!(
        out.stderr
            .contains("skipped 1 file(s) over the size limit (--max-file-size):\n  big.txt ("),
        "{}",
        out.stderr
    );
    let summary = crate::util::json_summary(&out.stdout);
    assert_eq!(summary["complete"], true, "a policy skip is not a failure");
    assert_eq!(summary["skipped"][0]["path"], "big.txt");
    assert_eq!(summary["skipped"][0]["reason"], "too_large");
    // The gitlab report carries the note too.
    let out = run(d.cmd().args(["scan", ".", "--format", "gitlab", "--max-file-size", "2K", "-q"]));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let msgs = report["scan"]["messages"].to_string();
    assert!(msgs.contains("big.txt"), "{msgs}");
}

#[test]
fn unreadable_files_and_broken_symlinks_are_reported_and_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let d = Dir::new();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let locked = d.create("locked.txt", format!("{}\n", github_pat(40)));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::os::unix::fs::symlink(d.join("missing-target"), d.join("dangling")).unwrap();
    d.create("open.txt", format!("{}\n", github_pat(41)));
    // Root reads mode-000 files, so drop to an unprivileged user when running as root.
    let is_root = std::fs::read(&locked).is_ok();
    let bin = assert_cmd::cargo::cargo_bin("leakguard");
    let mut c = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    c.current_dir(d.path()).args(["scan", ".", "--format", "json"]);
    let out = run(&mut c);
    assert_eq!(out.code, 2, "incomplete: exit 2 after everything else was scanned: {}", out.stderr);
    let summary = crate::util::json_summary(&out.stdout);
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["failures"].as_array().map(Vec::len), Some(2), "{summary}");
    // --allow-incomplete accepts the gap: findings decide the exit code again.
    let out = run(c.arg("--allow-incomplete"));
    assert_eq!(out.code, 1, "not fatal; the readable secret is still reported: {}", out.stderr);
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["path"], "open.txt");
    assert!(out.stderr.contains("locked.txt"), "{}", out.stderr);
    assert!(
        out.stderr.contains("dangling") && out.stderr.contains("broken symlink"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("2 unreadable"), "{}", out.stderr);
}

#[test]
fn invalid_utf8_and_empty_files() {
    let d = Dir::new();
    let gh = github_pat(50);
    let mut bytes = b"\xff\xfe\xc3 x\n\xe2\x82 key=".to_vec();
    bytes.extend_from_slice(gh.as_bytes());
    bytes.extend_from_slice(b" \xff\n");
    d.create("latin1.txt", &bytes);
    d.create("empty.txt", "");
    d.create("empty2", "");
    let (code, fs, _) = scan_json(&d, &[]);
    assert_eq!(code, 1);
    assert_eq!(fs.len(), 1);
    assert_eq!(
        (fs[0]["start_line"].as_u64(), fs[0]["start_column"].as_u64()),
        (Some(2), Some(7)),
        "a truncated UTF-8 sequence is one character"
    );
    assert_eq!(fs[0]["secret"], gh);
}

#[test]
fn a_200_mb_file_with_one_secret_at_its_end() {
    let d = Dir::new();
    let path = d.join("huge.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let line = "2026-11-22T10:00:00Z INFO request handled in 3ms path=/api/v1/items status=200\n";
    let mut written = 0usize;
    let mut lines = 0usize;
    while written < 200 << 20 {
        f.write_all(line.as_bytes()).unwrap();
        written += line.len();
        lines += 1;
    }
    let gh = github_pat(60);
    write!(f, "export TOKEN={gh}").unwrap();
    f.flush().unwrap();
    drop(f);
    let (code, fs, _) = scan_json(&d, &["--max-file-size", "300M"]);
    assert_eq!(code, 1);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["start_line"].as_u64(), Some(lines as u64 + 1));
    assert_eq!(fs[0]["secret"], gh);
}

#[test]
fn a_single_50_mb_line() {
    let d = Dir::new();
    let gh = github_pat(70);
    let mut s = "a1;".repeat(25 << 20 >> 1);
    s.push_str(&format!(" t=\"{gh}\" "));
    s.push_str(&"b2;".repeat(25 << 20 >> 1));
    d.create("bundle.min.js", &s);
    let (code, fs, _) = scan_json(&d, &[]);
    assert_eq!(code, 1);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["start_line"].as_u64(), Some(1));
    assert_eq!(fs[0]["start_column"].as_u64(), Some((s.find("ghp_").unwrap() + 1) as u64));
}

#[test]
fn exit_codes() {
    let d = Dir::new();
    d.create("a.txt", "clean\n");
    assert_eq!(run(d.cmd().args(["scan", "."])).code, 0);
    d.create("b.txt", format!("{}\n", github_pat(80)));
    assert_eq!(run(d.cmd().args(["scan", ".", "-q"])).code, 1);
    assert_eq!(run(d.cmd().args(["scan", ".", "-q", "--exit-code", "7"])).code, 7);
    assert_eq!(run(d.cmd().args(["scan", ".", "-q", "--no-fail"])).code, 0);
    let out = run(d.cmd().args(["scan", "does-not-exist"]));
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.lines().count(), 1, "one-line message: {}", out.stderr);
    assert!(out.stderr.contains("does-not-exist"));
    let out = run(d.cmd().args(["scan", ".", "-o", "/nonexistent-dir/report.json"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot write report"), "{}", out.stderr);
    d.create("bad.toml", "[[rules]]\nid = \"oops\"\nregex = 'x'\nentropy = 99\n");
    let out = run(d.cmd().args(["scan", ".", "--config", "bad.toml"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("oops") && out.stderr.contains("entropy"), "{}", out.stderr);
    assert_eq!(run(d.cmd().args(["scan", "--no-such-flag"])).code, 2);
}

#[test]
fn redaction_removes_the_secret_from_every_format() {
    let d = Dir::new();
    let gh = github_pat(90);
    d.create("a.py", format!("GITHUB_TOKEN = \"{gh}\"\n"));
    for format in ["text", "json", "gitlab", "sarif"] {
        let out = run(d.cmd().args(["scan", ".", "--redact", "--format", format]));
        assert_eq!(out.code, 1, "{format}");
        assert!(
            !out.stdout.contains(&gh) && !out.stderr.contains(&gh),
            "{format} leaks the secret"
        );
        assert!(out.stdout.contains("REDACTED"), "{format}: {}", out.stdout);
        let file = d.join(&format!("r.{format}"));
        run(d.cmd().args(["scan", ".", "--redact", "-q", "--format", format, "-o"]).arg(&file));
        assert!(!std::fs::read_to_string(&file).unwrap().contains(&gh), "{format} file leaks");
    }
    // Without --redact, human output still masks.
    let out = run(d.cmd().args(["scan", "."]));
    assert!(!out.stdout.contains(&gh), "{}", out.stdout);
    assert!(out.stdout.contains("ghp_****"), "{}", out.stdout);
}

#[test]
fn inline_allow_markers() {
    let d = Dir::new();
    d.create(
        "a.py",
        format!(
            "T = \"{}\"  # gitleaks:allow\nU = \"{}\" // leakguard:allow\n",
            github_pat(100),
            github_pat(101)
        ),
    );
    let (code, fs, _) = scan_json(&d, &[]);
    assert_eq!((code, fs.len()), (0, 0));
    let (_, fs, _) = scan_json(&d, &["--ignore-gitleaks-allow"]);
    assert_eq!(fs.len(), 2);
}

#[test]
fn custom_gitlab_pat_prefix() {
    let d = Dir::new();
    let body = Rng::new(110).string(crate::util::B62, 20);
    d.create("ci.yml", format!("token: acme-{body}\n"));
    let gitlab = |fs: &[serde_json::Value]| find(fs, "gitlab_personal_access_token").len();
    let (_, fs, _) = scan_json(&d, &[]);
    assert_eq!(gitlab(&fs), 0, "{fs:#?}");
    let (_, fs, _) = scan_json(&d, &["--gitlab-pat-prefix", "acme-"]);
    assert_eq!(gitlab(&fs), 1, "{fs:#?}");
    assert_eq!(fs.len(), 1, "the PAT rule outranks generic rules on the same secret: {fs:#?}");
    assert_eq!(fs[0]["secret"], format!("acme-{body}"));
    let out = run(d
        .cmd()
        .args(["scan", ".", "--format", "json", "-q"])
        .env("LEAKGUARD_GITLAB_PAT_PREFIX", "acme-"));
    assert_eq!(gitlab(&json_lines(&out.stdout)), 1);
}

#[test]
fn a_killed_scan_never_leaves_a_partial_report() {
    let d = Dir::new();
    // Enough data that the scan is still running when killed.
    let chunk = "let value = compute(input, 42); // ordinary code line\n".repeat(20_000);
    for i in 0..60 {
        d.create(&format!("src/f{i}.rs"), &chunk);
    }
    let report = d.join("gl-secret-detection-report.json");
    std::fs::write(&report, "previous report").unwrap();
    let mut child = d
        .cmd()
        .args(["scan", ".", "--format", "gitlab", "-q", "-j", "1", "-o"])
        .arg(&report)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().unwrap();
    child.wait().unwrap();
    let after = std::fs::read_to_string(&report).unwrap();
    assert!(
        after == "previous report" || serde_json::from_str::<serde_json::Value>(&after).is_ok()
    );
    let temps: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".leakguard-report-"))
        .collect();
    assert!(temps.is_empty());
    // A completed run replaces the file with a whole report.
    let out = run(d.cmd().args(["scan", ".", "--format", "gitlab", "-q", "-o"]).arg(&report));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["version"], "15.2.1");
}

#[test]
fn text_output_and_summary() {
    let d = Dir::new();
    d.create("a.txt", format!("x\ny = {}\n", github_pat(120)));
    let out = run(d.cmd().args(["scan", ".", "--color", "never"]));
    assert!(
        out.stdout.starts_with("a.txt:2:5: github_personal_access_token  ghp_****"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("high confidence"));
    assert!(
        out.stderr.contains("scanned 1 files") && out.stderr.contains("1 finding"),
        "{}",
        out.stderr
    );
    let out = run(d.cmd().args(["scan", ".", "--color", "always"]));
    assert!(out.stdout.contains("\x1b["));
    let out = run(d.cmd().args(["scan", ".", "-q", "--rule-stats"]));
    assert!(
        out.stderr.contains("      1  github_personal_access_token  (1/0/0)"),
        "{}",
        out.stderr
    );
}

#[test]
fn base64_kubernetes_secret_and_percent_encoding_are_decoded() {
    let d = Dir::new();
    let gh = github_pat(130);
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    d.create(
        "k8s/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  password: {}\n  github-token: {}\n",
            b64("hX9mQ2vLz7pK4wR8tY"),
            b64(&gh)
        ),
    );
    d.create(
        "call.sh",
        "curl 'https://api.x.io/login?user=admin%40corp.io&password=Zq8rT2mV9xLp%21kW7'\n",
    );
    let (code, fs, _) = scan_json(&d, &[]);
    assert_eq!(code, 1);
    let pw = fs
        .iter()
        .find(|f| f["secret"] == "hX9mQ2vLz7pK4wR8tY")
        .unwrap_or_else(|| panic!("{fs:#?}"));
    assert_eq!(
        (pw["path"].as_str(), pw["start_line"].as_u64(), pw["start_column"].as_u64()),
        (Some("k8s/secret.yaml"), Some(7), Some(13))
    );
    assert!(pw["tags"].as_array().unwrap().iter().any(|t| t == "decoded:base64"));
    let tok = fs.iter().find(|f| f["secret"] == gh.as_str()).unwrap_or_else(|| panic!("{fs:#?}"));
    assert_eq!(
        (tok["start_line"].as_u64(), tok["rule_id"].as_str()),
        (Some(8), Some("github_personal_access_token"))
    );
    assert_eq!(
        fs.iter().filter(|f| f["path"] == "k8s/secret.yaml").count(),
        2,
        "encoded duplicates dropped: {fs:#?}"
    );
    let q = fs.iter().find(|f| f["path"] == "call.sh").unwrap_or_else(|| panic!("{fs:#?}"));
    assert_eq!(q["secret"], "Zq8rT2mV9xLp!kW7");
    let (_, fs, _) = scan_json(&d, &["--max-decode-depth", "0"]);
    assert!(fs.iter().all(|f| f["secret"] != gh.as_str()), "decoding disabled: {fs:#?}");
}

#[test]
fn archives_are_scanned_with_zip_bomb_limits() {
    use std::io::Write as _;
    let d = Dir::new();
    let (a, b) = (github_pat(140), github_pat(141));
    // tar.gz with a secret, inside a zip with another secret.
    let mut tar = tar::Builder::new(Vec::new());
    let body = format!("GITHUB_TOKEN={b}\n");
    let mut h = tar::Header::new_gnu();
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "conf/.env", body.as_bytes()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    let tgz = gz.finish().unwrap();
    let zip = leakguard::source::archive::zip_bytes(&[
        ("src/config.py", format!("x = 1\nTOKEN = \"{a}\"\n").as_bytes()),
        ("backup.tar.gz", &tgz),
    ])
    .unwrap();
    d.create("release.zip", &zip);
    let (code, fs, _) = scan_json(&d, &[]);
    assert_eq!((code, fs.len()), (0, 0), "archives are binary files unless --archives");
    let (code, fs, err) = scan_json(&d, &["--archives"]);
    assert_eq!(code, 1, "{err}");
    let mut got: Vec<(String, u64)> = fs
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["start_line"].as_u64().unwrap()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("release.zip!backup.tar.gz!conf/.env".to_string(), 1),
            ("release.zip!src/config.py".to_string(), 2)
        ]
    );

    // A zip bomb: one entry expanding to 1 GiB of zeros, after an entry with a secret.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    w.start_file("first.env", opts).unwrap();
    w.write_all(format!("T={}\n", github_pat(142)).as_bytes()).unwrap();
    w.start_file("bomb.txt", opts).unwrap();
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..1024 {
        w.write_all(&zeros).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 8 << 20, "compressed bomb is small: {}", bomb.len());
    let d2 = Dir::new();
    d2.create("bomb.zip", &bomb);
    let started = std::time::Instant::now();
    let out = run(d2.cmd().args([
        "scan",
        ".",
        "--archives",
        "--max-file-size",
        "10M",
        "--format",
        "json",
    ]));
    assert_eq!(out.code, 1, "an entry over the entry limit is a policy skip: {}", out.stderr);
    assert_eq!(json_lines(&out.stdout).len(), 1, "the entry before the bomb was scanned");
    let summary = crate::util::json_summary(&out.stdout);
    assert_eq!(summary["skipped"][0]["path"], "bomb.zip!bomb.txt");
    assert_eq!(summary["skipped"][0]["reason"], "too_large");
    assert_eq!(summary["failures"].as_array().map(Vec::len), Some(0), "{summary}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    // The same bomb split into entries under the entry limit trips the total limit: that is
    // a failure (the rest was not scanned), after the first entry's finding.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("first.env", opts).unwrap();
    w.write_all(format!("T={}\n", github_pat(143)).as_bytes()).unwrap();
    for i in 0..8 {
        w.start_file(format!("part{i}.txt"), opts).unwrap();
        for _ in 0..8 {
            w.write_all(&zeros).unwrap();
        }
    }
    d2.create("bomb.zip", w.finish().unwrap().into_inner());
    let out = run(d2.cmd().args([
        "scan",
        ".",
        "--archives",
        "--max-file-size",
        "10M",
        "--max-archive-total",
        "32M",
        "--format",
        "json",
    ]));
    assert_eq!(out.code, 2, "the total limit was hit: {}", out.stderr);
    assert!(out.stderr.contains("zip bomb"), "{}", out.stderr);
    assert_eq!(json_lines(&out.stdout).len(), 1, "the entry before the limit was scanned");
    let summary = crate::util::json_summary(&out.stdout);
    assert_eq!(summary["failures"][0]["path"], "bomb.zip", "{summary}");
}
