//! Issue 9: archives and decoding never hide content. Every case runs the real binary over
//! archives built here (zip, tar, gzip) and corrupted by flipping or cutting bytes, and checks
//! the exit code, the JSON summary line's `skipped` / `failures`, the findings, and that the
//! entries after the bad one are still scanned.

use std::io::{Cursor, Write as _};

use base64::Engine as _;

use crate::util::{Dir, github_pat, gzip, json_lines, json_summary, run, tar_of};

/// What one `leakguard scan . --format json` run reported.
struct Scan {
    code: i32,
    /// (path, secret) of every finding, sorted.
    found: Vec<(String, String)>,
    /// (path, reason code) of every policy skip, sorted.
    skipped: Vec<(String, String)>,
    /// (path, message) of every failure, sorted.
    failures: Vec<(String, String)>,
    stderr: String,
}

fn scan(d: &Dir, extra: &[&str]) -> Scan {
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "-q"]).args(extra));
    assert!(out.code >= 0 && out.code <= 2, "crashed: {} {}", out.code, out.stderr);
    let summary = json_summary(&out.stdout);
    let pairs = |key: &str, a: &str, b: &str| {
        let mut v: Vec<(String, String)> = summary[key]
            .as_array()
            .unwrap_or_else(|| panic!("no {key} in {summary}"))
            .iter()
            .map(|e| (e[a].as_str().unwrap().to_string(), e[b].as_str().unwrap().to_string()))
            .collect();
        v.sort();
        v
    };
    let mut found: Vec<(String, String)> = json_lines(&out.stdout)
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["secret"].as_str().unwrap().into()))
        .collect();
    found.sort();
    Scan {
        code: out.code,
        found,
        skipped: pairs("skipped", "path", "reason"),
        failures: pairs("failures", "path", "message"),
        stderr: out.stderr,
    }
}

fn deflated() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
}

fn zip_of(entries: &[(&str, &[u8])], opts: zip::write::SimpleFileOptions) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn env(seed: u64) -> (String, Vec<u8>) {
    let t = github_pat(seed);
    let body = format!("# settings\nGITHUB_TOKEN={t}\n").into_bytes();
    (t, body)
}

fn pair(path: &str, secret: &str) -> (String, String) {
    (path.to_string(), secret.to_string())
}

#[test]
fn oversized_zip_entry_is_a_policy_skip_and_later_entries_are_scanned() {
    let d = Dir::new();
    let ((a, ea), (c, ec)) = (env(900), env(901));
    let big = vec![b'z'; 3 << 20];
    d.create("rel.zip", zip_of(&[("a.env", &ea), ("big.bin", &big), ("c.env", &ec)], deflated()));
    let s = scan(&d, &["--archives", "--max-file-size", "1M"]);
    assert_eq!(s.code, 1, "{}", s.stderr);
    assert_eq!(s.found, [pair("rel.zip!a.env", &a), pair("rel.zip!c.env", &c)]);
    assert_eq!(s.skipped, [pair("rel.zip!big.bin", "too_large")]);
    assert!(s.failures.is_empty(), "{:?}", s.failures);
}

#[test]
fn corrupt_zip_entry_fails_that_entry_only() {
    let d = Dir::new();
    let ((a, ea), (_, eb), (c, ec)) = (env(910), env(911), env(912));
    let filler = b"filler text that deflate turns into a bitstream worth corrupting\n".repeat(40);
    let eb = [eb, filler].concat();
    let mut zip = zip_of(&[("a.env", &ea), ("b.env", &eb), ("c.env", &ec)], deflated());
    // Flip bytes in the middle of b.env's compressed data (its local header ends with the name).
    let at = zip.windows(5).position(|w| w == b"b.env").unwrap() + 5 + 40;
    for b in &mut zip[at..at + 4] {
        *b ^= 0xa5;
    }
    d.create("rel.zip", &zip);
    let s = scan(&d, &["--archives"]);
    assert_eq!(s.code, 2, "a corrupt entry is a failure: {}", s.stderr);
    assert!(s.found.contains(&pair("rel.zip!a.env", &a)), "{:?}", s.found);
    assert!(s.found.contains(&pair("rel.zip!c.env", &c)), "after the bad entry: {:?}", s.found);
    assert_eq!(s.failures.len(), 1, "{:?}", s.failures);
    assert_eq!(s.failures[0].0, "rel.zip!b.env");
    assert!(s.failures[0].1.contains("unreadable archive entry"), "{:?}", s.failures);
    assert!(s.stderr.contains("rel.zip!b.env"), "{}", s.stderr);
    // --allow-incomplete: findings decide again.
    assert_eq!(scan(&d, &["--archives", "--allow-incomplete"]).code, 1);
}

#[test]
fn corrupt_tar_header_inside_tar_gz_fails_that_entry_only() {
    let d = Dir::new();
    let ((a, ea), (_, eb), (c, ec)) = (env(920), env(921), env(922));
    let mut t = tar_of(&[("one.env", &ea), ("two.env", &eb), ("three.env", &ec)]);
    t[1024 + 10] ^= 0x41; // inside two.env's header: its checksum no longer matches
    d.create("backup.tar.gz", gzip(&t));
    let s = scan(&d, &["--archives"]);
    assert_eq!(s.code, 2, "{}", s.stderr);
    assert_eq!(s.found, [pair("backup.tar.gz!one.env", &a), pair("backup.tar.gz!three.env", &c)]);
    assert_eq!(s.failures.len(), 1, "{:?}", s.failures);
    assert!(s.failures[0].0.starts_with("backup.tar.gz!two"), "{:?}", s.failures);
    assert!(s.failures[0].1.contains("corrupt tar header at byte 1024"), "{:?}", s.failures);
}

#[test]
fn truncated_tar_gz_keeps_the_entries_before_the_cut() {
    let d = Dir::new();
    let (a, ea) = env(930);
    let noise: Vec<u8> =
        (0..400_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let tgz =
        gzip(&tar_of(&[("first.env", &ea), ("noise.bin", &noise), ("last.env", &env(931).1)]));
    d.create("cut.tar.gz", &tgz[..tgz.len() * 3 / 4]);
    let s = scan(&d, &["--archives", "--scan-binary"]);
    assert_eq!(s.code, 2, "{}", s.stderr);
    assert!(s.found.contains(&pair("cut.tar.gz!first.env", &a)), "{:?}", s.found);
    assert_eq!(s.failures.len(), 1, "{:?}", s.failures);
    assert!(s.failures[0].0.starts_with("cut.tar.gz"), "{:?}", s.failures);
    assert!(s.failures[0].1.contains("truncated"), "{:?}", s.failures);
}

#[test]
fn text_with_archive_magic_gives_the_same_findings_with_and_without_archives() {
    for (name, magic) in [("zipish.txt", &b"PK\x03\x04"[..]), ("gzish.txt", &b"\x1f\x8b"[..])] {
        let d = Dir::new();
        let t = github_pat(940);
        d.create(name, [magic, format!("\nnotes\nGITHUB_TOKEN={t}\n").as_bytes()].concat());
        let plain = scan(&d, &[]);
        let with = scan(&d, &["--archives"]);
        assert_eq!(plain.found, [pair(name, &t)], "{}", plain.stderr);
        assert_eq!(with.found, plain.found, "--archives lost a finding: {}", with.stderr);
        assert_eq!((plain.code, with.code), (1, 1), "{}", with.stderr);
        assert!(with.failures.is_empty(), "{:?}", with.failures);
    }
}

#[test]
fn unreadable_zip_is_a_failure_and_scanned_as_plain_bytes() {
    let d = Dir::new();
    let t = github_pat(950);
    // Stored (not deflated): the token is in the zip's bytes as they are.
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let zip = zip_of(&[("a.env", format!("T={t}\n").as_bytes())], stored);
    d.create("broken.zip", &zip[..zip.len() - 10]); // end of central directory cut off
    let s = scan(&d, &["--archives", "--scan-binary"]);
    assert_eq!(s.code, 2, "{}", s.stderr);
    assert_eq!(s.found, [pair("broken.zip", &t)]);
    assert_eq!(s.failures.len(), 1);
    assert!(s.failures[0].1.contains("not a readable zip archive"), "{:?}", s.failures);
    // Without --scan-binary the plain bytes follow the binary policy: listed as a skip too.
    let s = scan(&d, &["--archives"]);
    assert_eq!(s.code, 2);
    assert_eq!(s.skipped, [pair("broken.zip", "binary")]);
}

#[test]
fn binary_entries_follow_the_binary_policy() {
    let d = Dir::new();
    let t = github_pat(960);
    let bin = [b"\0\x01\x02".as_slice(), format!("T={t}\n").as_bytes()].concat();
    let (c, ec) = env(961);
    d.create("mixed.zip", zip_of(&[("blob.dat", &bin), ("c.env", &ec)], deflated()));
    let s = scan(&d, &["--archives"]);
    assert_eq!((s.code, s.found.clone()), (1, vec![pair("mixed.zip!c.env", &c)]), "{}", s.stderr);
    assert_eq!(s.skipped, [pair("mixed.zip!blob.dat", "binary")]);
    let s = scan(&d, &["--archives", "--scan-binary"]);
    assert_eq!(s.found, [pair("mixed.zip!blob.dat", &t), pair("mixed.zip!c.env", &c)]);
    assert!(s.skipped.is_empty());
}

#[test]
fn deeply_nested_zip_needs_no_stack_and_the_depth_has_a_ceiling() {
    let d = Dir::new();
    let t = github_pat(970);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut z = zip_of(&[("deep.env", format!("T={t}\n").as_bytes())], stored);
    for i in 0..3000 {
        z = zip_of(&[(&format!("l{i}.zip"), &z)], stored);
    }
    d.create("nest.zip", &z);
    let out = run(d.cmd().args(["scan", ".", "--archives", "--max-archive-depth", "100000"]));
    assert_eq!(out.code, 2, "usage error: {}", out.stderr);
    assert!(
        out.stderr.contains("--max-archive-depth") && out.stderr.contains("16"),
        "{}",
        out.stderr
    );
    let s = scan(&d, &["--archives", "--max-archive-depth", "16"]);
    assert_eq!(s.code, 0, "no crash; the depth skip is a policy skip: {}", s.stderr);
    assert!(s.found.is_empty() && s.failures.is_empty());
    assert_eq!(s.skipped.len(), 1, "{:?}", s.skipped);
    let (path, reason) = &s.skipped[0];
    assert_eq!(reason, "archive_depth");
    assert_eq!(path.matches('!').count(), 16, "{path}");
    assert!(path.starts_with("nest.zip!l2999.zip!l2998.zip!") && path.ends_with("!l2984.zip"));
    // Within the depth, nested archives are opened.
    let mut z = zip_of(&[("deep.env", format!("T={t}\n").as_bytes())], stored);
    for i in 0..3 {
        z = zip_of(&[(&format!("l{i}.zip"), &z)], stored);
    }
    let d = Dir::new();
    d.create("nest.zip", &z);
    let s = scan(&d, &["--archives", "--max-archive-depth", "4"]);
    assert_eq!(s.found, [pair("nest.zip!l2.zip!l1.zip!l0.zip!deep.env", &t)]);
    let s = scan(&d, &["--archives", "--max-archive-depth", "3"]);
    assert_eq!(s.skipped, [pair("nest.zip!l2.zip!l1.zip!l0.zip", "archive_depth")]);
}

#[test]
fn zip_bomb_over_the_total_limit_is_a_failure() {
    let d = Dir::new();
    let (a, ea) = env(980);
    let zeros = vec![b'0'; 4 << 20];
    let entries: Vec<(String, &[u8])> = (0..5).map(|i| (format!("z{i}.txt"), &zeros[..])).collect();
    let mut all: Vec<(&str, &[u8])> = vec![("a.env", &ea)];
    all.extend(entries.iter().map(|(n, b)| (n.as_str(), *b)));
    d.create("bomb.zip", zip_of(&all, deflated()));
    let s = scan(&d, &["--archives", "--max-file-size", "10M", "--max-archive-total", "10M"]);
    assert_eq!(s.code, 2, "{}", s.stderr);
    assert_eq!(s.found, [pair("bomb.zip!a.env", &a)], "entries before the limit were scanned");
    assert_eq!(s.failures.len(), 1, "{:?}", s.failures);
    assert_eq!(s.failures[0].0, "bomb.zip");
    assert!(s.failures[0].1.contains("total limit of 10485760 bytes"), "{:?}", s.failures);
}

/// A `.tar.gz` far larger than the old single buffer (which held at most --max-file-size of
/// decompressed bytes, then gave up): 64 entries of 1 MiB of text, the secret in the last
/// one, under `--max-file-size 16M`. (300 MB with the default limits works the same, but takes
/// about a minute in a debug build on a shared machine, so the test uses 4x the cap instead.)
#[test]
fn large_tar_gz_is_streamed_entry_by_entry() {
    let d = Dir::new();
    let t = github_pat(990);
    let mut chunk = Vec::with_capacity(1 << 20);
    let mut i = 0u32;
    while chunk.len() < (1 << 20) - 80 {
        writeln!(chunk, "{i:08} the quick brown fox jumps over the lazy dog, again").unwrap();
        i += 1;
    }
    let mut b =
        tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    let mut total = 0u64;
    for n in 0..64 {
        let body = if n == 63 {
            [chunk.as_slice(), format!("GITHUB_TOKEN={t}\n").as_bytes()].concat()
        } else {
            chunk.clone()
        };
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("logs/{n:03}.log"), body.as_slice()).unwrap();
        total += body.len() as u64;
    }
    let tgz = b.into_inner().unwrap().finish().unwrap();
    assert!(total > 4 * (16 << 20) - (1 << 20), "{total}");
    d.create("logs.tar.gz", &tgz);
    let started = std::time::Instant::now();
    let s = scan(&d, &["--archives", "--max-file-size", "16M"]);
    assert_eq!(s.code, 1, "{}", s.stderr);
    assert_eq!(s.found, [pair("logs.tar.gz!logs/063.log", &t)]);
    assert!(s.skipped.is_empty() && s.failures.is_empty());
    eprintln!("scanned {total} bytes of tar.gz in {:?}", started.elapsed());
}

#[test]
fn kubernetes_secret_with_a_200_kib_value_is_decoded() {
    let d = Dir::new();
    let t = github_pat(1000);
    let mut config = String::new();
    while config.len() < 200 << 10 {
        config.push_str("log_level: info\nfeature_flags: [a, b, c]\nendpoint: https://x.io\n");
    }
    config.push_str(&format!("github_token: {t}\n"));
    let value = base64::engine::general_purpose::STANDARD.encode(&config);
    assert!(value.len() > 64 << 10, "longer than the old 64 KiB decode limit");
    d.create(
        "k8s/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  config.yaml: {value}\n"
        ),
    );
    let s = scan(&d, &[]);
    assert_eq!(s.code, 1, "{}", s.stderr);
    assert_eq!(s.found, [pair("k8s/secret.yaml", &t)]);
    assert!(s.failures.is_empty(), "{:?}", s.failures);
}

/// Text that decodes both as base64 and as percent-encoding at every level, nested: each level
/// of decoding doubles the number of segments, so the decoded bytes grow past 4x the file.
fn budget_bomb_line(depth: usize) -> String {
    let mut text = "password=hX9mQ2vLz7pK4wR8 ".repeat(20);
    for _ in 0..depth {
        text = format!("{}%41%41", base64::engine::general_purpose::STANDARD.encode(&text));
    }
    text
}

#[test]
fn exhausted_decode_budget_is_a_failure() {
    let d = Dir::new();
    let line = budget_bomb_line(3);
    let body = format!("{line}\n").repeat((5 << 20) / line.len());
    d.create("bomb.txt", &body);
    let s = scan(&d, &["--max-decode-depth", "3"]);
    assert_eq!(s.code, 2, "{}", s.stderr);
    assert_eq!(s.failures.len(), 1, "{:?}", s.failures);
    assert_eq!(s.failures[0].0, "bomb.txt");
    assert!(s.failures[0].1.contains("decode budget exhausted after"), "{:?}", s.failures);
    assert!(s.stderr.contains("decode budget exhausted"), "{}", s.stderr);
    // A base64 text run longer than 1 MiB is a limit hit too, and reported.
    let d = Dir::new();
    let long = base64::engine::general_purpose::STANDARD.encode("key = value\n".repeat(100_000));
    d.create("long.txt", format!("blob: {long}\n"));
    let s = scan(&d, &[]);
    assert_eq!(s.code, 2, "{}", s.stderr);
    assert!(s.failures[0].1.contains("longer than the decode limit"), "{:?}", s.failures);
}

/// The git driver reports decode limits like the directory driver (and never caches such a
/// blob as clean).
#[cfg(feature = "git")]
#[test]
fn git_scan_reports_decode_limits_as_failures() {
    let mut r = crate::git_util::Repo::new();
    let long = base64::engine::general_purpose::STANDARD.encode("key = value\n".repeat(100_000));
    r.write("long.txt", &format!("blob: {long}\n"));
    r.write("ok.env", &format!("T={}\n", github_pat(1010)));
    r.commit("add files");
    let out = run(crate::util::leakguard_cmd().arg("git").arg(r.path()).args(["-f", "json", "-q"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(json_lines(&out.stdout).len(), 1);
    let summary = json_summary(&out.stdout);
    assert_eq!(summary["failures"][0]["path"], "long.txt", "{summary}");
    let msg = summary["failures"][0]["message"].as_str().unwrap();
    assert!(msg.contains("longer than the decode limit"), "{msg}");
}
