//! `leakguard git`: history, ranges, shallow clones, the blob cache and staged changes,
//! on real repositories made with the git CLI (issue #3).

use crate::git_util::{Repo, git, scanned_count, sites};
use crate::util::{Dir, github_pat, json_lines, leakguard_cmd, run};

fn scan(repo: &std::path::Path, extra: &[&str]) -> crate::util::Out {
    let mut c = leakguard_cmd();
    c.arg("git").arg(repo).args(["-f", "json", "-j", "2"]).args(extra);
    run(&mut c)
}

#[test]
fn issue3_added_moved_deleted_readded_found_once_each_with_commit_metadata() {
    let s1 = github_pat(301);
    let mut r = Repo::new();
    r.write("README.md", "hello\n");
    r.write("a.txt", &format!("first line\ntoken = {s1}\n"));
    let c1 = r.commit("add token");
    // An unrelated edit of the same file: new blob, same secret at the same path.
    r.write("a.txt", &format!("first line changed\ntoken = {s1}\n"));
    r.commit("edit a");
    r.git(&["mv", "a.txt", "b.txt"]);
    let c3 = r.commit("move a to b");
    r.git(&["rm", "-q", "b.txt"]);
    r.commit("delete b");
    r.write("a.txt", &format!("first line changed\ntoken = {s1}\n"));
    r.commit("re-add a");
    let out = scan(r.path(), &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let got = sites(&out.stdout);
    assert_eq!(
        got,
        vec![
            ("a.txt".to_string(), c1.clone(), 2, s1.clone()),
            ("b.txt".to_string(), c3.clone(), 2, s1.clone()),
        ],
        "{}",
        out.stdout
    );
    // Exclusions apply to history paths too (flag and GitLab's variable).
    let out = scan(r.path(), &["--exclude", "b.txt"]);
    assert_eq!(sites(&out.stdout).len(), 1);
    let mut c = leakguard_cmd();
    c.arg("git")
        .arg(r.path())
        .args(["-f", "json"])
        .env("SECRET_DETECTION_EXCLUDED_PATHS", "a.txt,b.txt");
    let excluded = run(&mut c);
    assert_eq!(excluded.code, 0, "{}", excluded.stderr);
    assert!(json_lines(&excluded.stdout).is_empty(), "{}", excluded.stdout);
    let out = scan(r.path(), &[]);
    let f = json_lines(&out.stdout).into_iter().find(|f| f["path"] == "a.txt").unwrap();
    assert_eq!(f["commit"]["author_name"], "Ada Author");
    assert_eq!(f["commit"]["author_email"], "ada@example.com");
    assert_eq!(f["commit"]["date"], "2023-11-14T23:13:20Z");
    assert_eq!(f["commit"]["message"].as_str().unwrap().trim(), "add token");
    assert!(f["blob_id"].as_str().unwrap().len() == 40);
}

#[test]
fn issue3_secret_on_unmerged_branch_and_in_conflict_resolution() {
    let s_branch = github_pat(302);
    let s_merge = github_pat(303);
    let mut r = Repo::new();
    r.write("conf.txt", "mode = a\n");
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.write("conf.txt", "mode = topic\n");
    r.commit("topic change");
    r.git(&["checkout", "-q", "-b", "unmerged", "main"]);
    r.write("only-here.env", &format!("GH={s_branch}\n"));
    let c_branch = r.commit("secret on a branch nobody merged");
    r.git(&["checkout", "-q", "main"]);
    r.write("conf.txt", "mode = main\n");
    r.commit("main change");
    let merge = r.git_dated(&["merge", "-q", "--no-edit", "topic"]);
    assert!(!merge.status.success(), "the merge must conflict");
    r.write("conf.txt", &format!("mode = resolved\ntoken = {s_merge}\n"));
    r.git(&["add", "conf.txt"]);
    let c_merge = r.commit_staged("merge topic, resolving the conflict");
    assert_eq!(r.git(&["rev-list", "--parents", "-n1", "HEAD"]).split(' ').count(), 3);
    let out = scan(r.path(), &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        sites(&out.stdout),
        vec![
            ("conf.txt".to_string(), c_merge, 2, s_merge),
            ("only-here.env".to_string(), c_branch, 1, s_branch),
        ]
    );
}

#[test]
fn issue3_clean_merge_keeps_attribution_to_the_branch_commit() {
    let s = github_pat(304);
    let mut r = Repo::new();
    r.write("x.txt", "x\n");
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.write("k.txt", &format!("{s}\n"));
    let c_topic = r.commit("key on topic");
    r.git(&["checkout", "-q", "main"]);
    r.write("y.txt", "y\n");
    r.commit("main moves on");
    let m = r.git_dated(&["merge", "-q", "--no-edit", "--no-ff", "topic"]);
    assert!(m.status.success());
    let out = scan(r.path(), &[]);
    assert_eq!(sites(&out.stdout), vec![("k.txt".to_string(), c_topic, 1, s)]);
}

#[test]
fn issue3_shallow_clone_scans_what_is_present_and_says_so() {
    let s = github_pat(305);
    let mut r = Repo::new();
    r.write("old.txt", &format!("{s}\n"));
    r.commit("old secret");
    r.write("b.txt", "b\n");
    r.commit("two");
    r.write("c.txt", "c\n");
    let head = r.commit("three");
    let clone = Dir::new();
    let url = format!("file://{}", r.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let path = clone.join("shallow");
    let out = scan(&path, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("shallow clone"), "{}", out.stderr);
    assert_eq!(sites(&out.stdout), vec![("old.txt".to_string(), head, 1, s)]);
    let mut c = leakguard_cmd();
    c.arg("git").arg(&path).args(["-f", "gitlab", "-q"]);
    let report: serde_json::Value = serde_json::from_str(&run(&mut c).stdout).unwrap();
    let messages = report["scan"]["messages"].as_array().unwrap();
    assert!(
        messages.iter().any(|m| m["level"] == "warn"
            && m["value"].as_str().unwrap().contains("shallow clone")),
        "{messages:?}"
    );
}

#[test]
fn issue3_range_scans_only_new_content() {
    let s_old = github_pat(306);
    let s_new = github_pat(307);
    let mut r = Repo::new();
    r.write("a.txt", &format!("{s_old}\n"));
    let c1 = r.commit("old secret");
    r.write("a.txt", &format!("{s_old}\nmore text\n"));
    r.write("b.txt", &format!("{s_new}\n"));
    let c2 = r.commit("new secret, and an edit next to the old one");
    let range = format!("{c1}..{c2}");
    let expect = vec![("b.txt".to_string(), c2.clone(), 1, s_new.clone())];
    let out = scan(r.path(), &["--log-opts", &range]);
    assert_eq!(sites(&out.stdout), expect, "{}", out.stderr);
    let out = scan(r.path(), &["--since-commit", &c1]);
    assert_eq!(sites(&out.stdout), expect);
    let out = scan(r.path(), &["--log-opts", "-n 1"]);
    assert_eq!(sites(&out.stdout), expect);
    let mut c = leakguard_cmd();
    c.arg("git").arg(r.path()).args(["-f", "json"]);
    c.env("SECRET_DETECTION_LOG_OPTIONS", &range);
    assert_eq!(sites(&run(&mut c).stdout), expect);
    // HISTORIC_SCAN wins over LOG_OPTIONS: the whole history again.
    c.env("SECRET_DETECTION_HISTORIC_SCAN", "true");
    assert_eq!(sites(&run(&mut c).stdout).len(), 2);
    // An empty range scans nothing and says so.
    let out = scan(r.path(), &["--since-commit", &c2]);
    assert_eq!(out.code, 0);
    assert_eq!(scanned_count(&out.stderr, "blobs"), 0);
    assert!(out.stderr.contains("0 commits"), "{}", out.stderr);
}

#[test]
fn issue3_blob_cache_second_run_scans_no_old_blob() {
    let dir = Dir::new();
    let cache = dir.join("cache.bin");
    let cache = cache.to_str().unwrap();
    let mut r = Repo::new();
    for i in 0..5 {
        r.write(&format!("f{i}.txt"), &format!("clean content {i}\n"));
        r.commit(&format!("c{i}"));
    }
    let first = scan(r.path(), &["--cache", cache]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(scanned_count(&first.stderr, "blobs"), 5);
    let second = scan(r.path(), &["--cache", cache]);
    assert_eq!(scanned_count(&second.stderr, "blobs"), 0, "{}", second.stderr);
    assert!(second.stderr.contains("5 known clean from the cache"), "{}", second.stderr);
    // New commits: only their blobs are scanned; a secret is never hidden by the cache.
    let s = github_pat(308);
    r.write("new.txt", "brand new\n");
    r.write("key.txt", &format!("{s}\n"));
    r.commit("new blobs");
    for _ in 0..2 {
        let out = scan(r.path(), &["--cache", cache]);
        assert_eq!(out.code, 1);
        assert_eq!(sites(&out.stdout).len(), 1);
        assert!(scanned_count(&out.stderr, "blobs") <= 2, "{}", out.stderr);
    }
    let third = scan(r.path(), &["--cache", cache]);
    assert_eq!(scanned_count(&third.stderr, "blobs"), 1, "only the blob with the secret");
    // Other rules: the cache does not apply.
    let cfg = dir.create("rules.toml", "[extend]\nuseDefault = true\n[[rules]]\nid = \"extra\"\ndescription = \"extra\"\nregex = '''zzzextra[0-9]{8}'''\nkeywords = [\"zzzextra\"]\n");
    let other = scan(r.path(), &["--cache", cache, "-c", cfg.to_str().unwrap()]);
    assert_eq!(scanned_count(&other.stderr, "blobs"), 7, "{}", other.stderr);
}

#[test]
fn issue3_staged_scans_the_index_not_the_work_tree() {
    let s_staged = github_pat(309);
    let s_unstaged = github_pat(310);
    let s_old = github_pat(311);
    let mut r = Repo::new();
    // Before the first commit: no HEAD.
    r.write("first.env", &format!("\n\nKEY={s_staged}\n"));
    r.git(&["add", "first.env"]);
    let out = scan(r.path(), &["--staged"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        sites(&out.stdout),
        vec![("first.env".to_string(), String::new(), 3, s_staged.clone())]
    );
    assert!(out.stderr.contains("scanned 1 staged file(s)"), "{}", out.stderr);
    r.git(&["rm", "-q", "--cached", "first.env"]);
    std::fs::remove_file(r.path().join("first.env")).unwrap();
    r.write("app.cfg", &format!("old = {s_old}\n"));
    r.commit("already committed secret");
    // Unstaged change with a secret: not what would be committed.
    r.write("app.cfg", &format!("old = {s_old}\nnew = {s_unstaged}\n"));
    r.write("clean.txt", "nothing here\n");
    r.git(&["add", "clean.txt"]);
    let out = scan(r.path(), &["--staged"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("scanned 1 staged file(s), 13 bytes"), "{}", out.stderr);
    // Staged now: the new secret is found at its staged line; the old one is not new.
    r.git(&["add", "app.cfg"]);
    let mut c = leakguard_cmd();
    c.current_dir(r.path()).args(["hook", "pre-commit", "-f", "json"]);
    let out = run(&mut c);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(sites(&out.stdout), vec![("app.cfg".to_string(), String::new(), 2, s_unstaged)]);
    assert!(out.stderr.contains("scanned 2 staged file(s)"), "{}", out.stderr);
}

#[test]
fn issue3_staged_fails_loudly_on_an_unreadable_index() {
    let mut r = Repo::new();
    r.write("a.txt", "a\n");
    r.commit("one");
    std::fs::write(r.path().join(".git/index"), b"DIRC garbage that is not an index").unwrap();
    let out = scan(r.path(), &["--staged"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("cannot read the index"), "{}", out.stderr);
    // Nothing staged in a fresh repository: passes, but says it scanned nothing.
    let fresh = Repo::new();
    let out = scan(fresh.path(), &["--staged"]);
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("scanned 0 staged file(s), 0 bytes"), "{}", out.stderr);
    assert!(out.stderr.contains("nothing staged"));
}

#[test]
fn issue3_not_a_repository_is_an_error() {
    let d = Dir::new();
    let mut c = leakguard_cmd();
    c.arg("git").arg(d.path());
    let out = run(&mut c);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not a git repository"), "{}", out.stderr);
}

#[test]
fn issue3_pre_commit_hook_blocks_git_commit_a_through_the_temporary_index() {
    let mut r = Repo::new();
    r.write("settings.ini", "[main]\nname = x\n");
    let head = r.commit("settings");
    let bin = assert_cmd::cargo::cargo_bin("leakguard");
    let hook = r.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, format!("#!/bin/sh\nexec '{}' hook pre-commit\n", bin.display()))
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // Modified but not staged: only `commit -a`'s temporary index contains the secret.
    r.write("settings.ini", &format!("[main]\nname = x\ntoken = {}\n", github_pat(312)));
    let o = crate::git_util::git_cmd(r.path())
        .args(["commit", "-q", "-a", "-m", "leak"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "the hook must block the commit: {err}");
    assert!(err.contains("settings.ini:3:"), "{err}");
    assert!(err.contains("scanned 1 staged file(s)"), "{err}");
    assert_eq!(r.git(&["rev-parse", "HEAD"]), head);
}
