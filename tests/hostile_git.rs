//! Hostile git inputs (issue 9): repositories corrupted by flipping bytes in packs, removing
//! loose objects, truncating pack indexes and the index. A git scan must never call a
//! repository it could not read "clean": every object it could not read is listed (JSON
//! summary line, GitLab `scan.messages`) with its object id, findings in the intact objects
//! are still reported, the run exits 2, and `--allow-incomplete` restores 0/1.

use std::path::Path;

use crate::git_util::{Repo, git};
use crate::util::{Out, github_pat, json_lines, json_summary, leakguard_cmd, run};

fn scan(repo: &Path, format: &str, extra: &[&str]) -> Out {
    let mut c = leakguard_cmd();
    c.arg("git").arg(repo).args(["-f", format, "-j", "2"]).args(extra);
    run(&mut c)
}

/// One object of `git verify-pack -v`: (id, kind, offset, size in the pack).
fn pack_entries(repo: &Path) -> Vec<(String, String, u64, u64)> {
    let idx = pack_file(repo, "idx");
    let out = git(repo, &["verify-pack", "-v", idx.to_str().unwrap()]);
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 5 && f[0].len() == 40).then(|| {
                (f[0].to_string(), f[1].to_string(), f[4].parse().unwrap(), f[3].parse().unwrap())
            })
        })
        .collect()
}

fn pack_file(repo: &Path, ext: &str) -> std::path::PathBuf {
    let dir = repo.join(".git/objects/pack");
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    assert_eq!(found.len(), 1, "one pack expected in {}", dir.display());
    found.pop().unwrap()
}

fn make_writable(p: &Path) {
    let mut perms = std::fs::metadata(p).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(p, perms).unwrap();
}

/// Flips the bytes in the middle of object `id`'s compressed data (not its entry header).
fn corrupt_in_pack(repo: &Path, id: &str) {
    let (_, _, offset, size) = pack_entries(repo)
        .into_iter()
        .find(|e| e.0 == id)
        .unwrap_or_else(|| panic!("{id} not in the pack"));
    assert!(size >= 16, "object too small to corrupt safely: {size}");
    let pack = pack_file(repo, "pack");
    make_writable(&pack);
    let mut bytes = std::fs::read(&pack).unwrap();
    let start = (offset + size / 2 - 4) as usize;
    for b in &mut bytes[start..start + 8] {
        *b ^= 0xff;
    }
    std::fs::write(&pack, bytes).unwrap();
}

/// The failures of the JSON summary line as "path | message".
fn json_failures(stdout: &str) -> Vec<String> {
    let summary = json_summary(stdout);
    assert_eq!(summary["complete"], false, "{summary}");
    summary["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} | {}", f["path"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect()
}

/// The GitLab report's warn messages.
fn gitlab_warnings(stdout: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(stdout).unwrap();
    report["scan"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["level"] == "warn")
        .map(|m| m["value"].as_str().unwrap().to_string())
        .collect()
}

fn secrets(stdout: &str) -> Vec<String> {
    let mut v: Vec<String> =
        json_lines(stdout).iter().map(|f| f["secret"].as_str().unwrap().to_string()).collect();
    v.sort();
    v
}

/// Checks one corrupted repository in the JSON and GitLab formats and with
/// `--allow-incomplete`: exit 2, the failure listed at `path` naming `id`, `found` reported.
fn assert_incomplete(repo: &Path, extra: &[&str], id: &str, path: &str, found: &[&String]) {
    let out = scan(repo, "json", extra);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    let failures = json_failures(&out.stdout);
    assert!(
        failures.iter().any(|f| f.starts_with(&format!("{path} | ")) && f.contains(id)),
        "no failure at {path} naming {id}: {failures:#?}"
    );
    let mut want: Vec<String> = found.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(secrets(&out.stdout), want, "{}", out.stderr);
    assert!(out.stderr.contains(id), "the failure is said on stderr too: {}", out.stderr);
    let gl = scan(repo, "gitlab", extra);
    assert_eq!(gl.code, 2, "{}", gl.stderr);
    let warnings = gitlab_warnings(&gl.stdout);
    assert!(warnings.iter().any(|w| w.contains(id) && w.contains(path)), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.starts_with("scan incomplete")), "{warnings:#?}");
    let mut args = extra.to_vec();
    args.push("--allow-incomplete");
    let allowed = scan(repo, "json", &args);
    assert_eq!(allowed.code, if found.is_empty() { 0 } else { 1 }, "{}", allowed.stderr);
    assert!(json_failures(&allowed.stdout).iter().any(|f| f.contains(id)));
}

/// Three commits, packed: `keep.txt` (intact secret), `leak.txt` (its secret's blob is the
/// one corrupted), then an unrelated change.
fn packed_repo(keep: &str, leak: &str) -> (Repo, [String; 3]) {
    let mut r = Repo::new();
    r.write("keep.txt", &format!("kept = {keep}\n"));
    let c1 = r.commit("keep");
    r.write(
        "leak.txt",
        &format!("# some padding so the blob compresses to a few dozen bytes\nleaked = {leak}\n"),
    );
    let c2 = r.commit("leak");
    r.write("later.txt", "later\n");
    let c3 = r.commit("later");
    r.git(&["gc", "-q"]);
    assert!(pack_entries(r.path()).len() >= 9);
    (r, [c1, c2, c3])
}

#[test]
fn issue9_corrupt_pack_blob_is_a_failure_and_the_rest_is_still_scanned() {
    let (keep, leak) = (github_pat(901), github_pat(902));
    let (r, [_, c2, _]) = packed_repo(&keep, &leak);
    let blob = r.git(&["rev-parse", "HEAD:leak.txt"]);
    let clean = scan(r.path(), "json", &[]);
    assert_eq!(clean.code, 1, "{}", clean.stderr);
    assert_eq!(secrets(&clean.stdout).len(), 2);
    corrupt_in_pack(r.path(), &blob);
    assert_incomplete(r.path(), &[], &blob, "leak.txt", &[&keep]);
    // The message names the commit too, and never quotes the content.
    let out = scan(r.path(), "json", &[]);
    let failures = json_failures(&out.stdout);
    assert!(failures.iter().any(|f| f.contains(&c2)), "{failures:#?}");
    assert!(!out.stdout.contains(&leak) && !out.stderr.contains(&leak));
}

#[test]
fn issue9_corrupt_pack_commit_is_a_failure_and_its_content_is_scanned_through_the_child() {
    let (keep, leak) = (github_pat(903), github_pat(904));
    let (r, [_, c2, _]) = packed_repo(&keep, &leak);
    corrupt_in_pack(r.path(), &c2);
    // The child's tree still holds both files: they are scanned (attributed to the child).
    assert_incomplete(r.path(), &[], &c2, &c2, &[&keep, &leak]);
}

#[test]
fn issue9_missing_loose_object_is_a_failure_and_excluded_paths_are_listed() {
    let (keep, gone) = (github_pat(905), github_pat(906));
    let mut r = Repo::new();
    r.write("keep.txt", &format!("kept = {keep}\n"));
    r.write("gone.txt", &format!("gone = {gone}\n"));
    r.write("vendor/lib.txt", "vendored\n");
    r.write("blob.bin", "\u{0}binary\n");
    r.commit("one");
    let blob = r.git(&["rev-parse", "HEAD:gone.txt"]);
    std::fs::remove_file(r.path().join(format!(".git/objects/{}/{}", &blob[..2], &blob[2..])))
        .unwrap();
    assert_incomplete(r.path(), &[], &blob, "gone.txt", &[&keep]);
    // A range scan (git rev-list) lists the missing blob instead of dying on it.
    assert_incomplete(r.path(), &["--log-opts", "HEAD"], &blob, "gone.txt", &[&keep]);
    // Excluded history paths are policy skips, listed once each; they do not fail the run.
    let out = scan(r.path(), "json", &["--exclude", "gone.txt", "--exclude", "vendor"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let summary = json_summary(&out.stdout);
    assert_eq!(summary["complete"], true, "{summary}");
    let skipped: Vec<String> = summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["path"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(skipped, ["blob.bin binary", "gone.txt excluded", "vendor/ excluded"], "{summary}");
    let gl = scan(r.path(), "gitlab", &["--exclude", "gone.txt", "--exclude", "vendor"]);
    let report: serde_json::Value = serde_json::from_str(&gl.stdout).unwrap();
    let infos: Vec<&str> = report["scan"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["level"] == "info")
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert!(infos.iter().any(|m| m.contains("binary") && m.ends_with(": blob.bin")), "{infos:#?}");
    assert!(
        infos.iter().any(|m| m.contains("--exclude") && m.ends_with(": gone.txt, vendor/")),
        "{infos:#?}"
    );
}

#[test]
fn issue9_truncated_pack_index_is_a_failure_not_zero_commits() {
    let (keep, leak) = (github_pat(907), github_pat(908));
    let (mut r, [_, _, c3]) = packed_repo(&keep, &leak);
    // A loose commit on top: still readable, its new blob still scanned.
    let fresh = github_pat(909);
    r.write("fresh.txt", &format!("fresh = {fresh}\n"));
    r.commit("after gc");
    let idx = pack_file(r.path(), "idx");
    make_writable(&idx);
    let len = std::fs::metadata(&idx).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&idx).unwrap().set_len(len / 2).unwrap();
    let name = idx.file_name().unwrap().to_str().unwrap().to_string();
    let out = scan(r.path(), "json", &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let failures = json_failures(&out.stdout);
    assert!(failures.iter().any(|f| f.contains(&name)), "{failures:#?}");
    // The parent commit lived in the pack: named.
    assert_incomplete(r.path(), &[], &c3, &c3, &[&fresh]);
}

#[test]
fn issue9_truncated_index_fails_staged_scan_and_pre_commit() {
    let mut r = Repo::new();
    r.write("a.txt", "a\n");
    r.commit("one");
    let staged = github_pat(910);
    r.write("new.env", &format!("TOKEN={staged}\n"));
    r.git(&["add", "new.env"]);
    let index = r.path().join(".git/index");
    let len = std::fs::metadata(&index).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&index).unwrap().set_len(len - 25).unwrap();
    let out = scan(r.path(), "json", &["--staged"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let failures = json_failures(&out.stdout);
    assert!(
        failures.iter().any(|f| f.contains(".git/index |") && f.contains("cannot read the index")),
        "{failures:#?}"
    );
    assert!(!out.stderr.contains("(nothing staged)"), "{}", out.stderr);
    let gl = scan(r.path(), "gitlab", &["--staged"]);
    assert_eq!(gl.code, 2);
    assert!(gitlab_warnings(&gl.stdout).iter().any(|w| w.contains("cannot read the index")));
    let allowed = scan(r.path(), "json", &["--staged", "--allow-incomplete"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    let mut c = leakguard_cmd();
    c.current_dir(r.path()).args(["hook", "pre-commit"]);
    let hook = run(&mut c);
    assert_eq!(hook.code, 2, "{}", hook.stderr);
    assert!(hook.stderr.contains("cannot read the index"), "{}", hook.stderr);
}
