//! `leakguard hook pre-receive` behind a real bare repository and real `git push` over
//! `file://` (issue #3): quarantine, rejection message, skips, deletions, time budget.

use std::path::{Path, PathBuf};

use crate::git_util::{Repo, git, git_cmd};
use crate::util::{Dir, github_pat};

struct Server {
    _dir: Dir,
    bare: PathBuf,
    url: String,
}

/// A bare repository whose pre-receive hook execs leakguard with `hook_args`.
fn server(hook_args: &str) -> Server {
    let dir = Dir::new();
    let bare = dir.join("server.git");
    git(dir.path(), &["init", "-q", "--bare", "server.git"]);
    git(&bare, &["config", "receive.advertisePushOptions", "true"]);
    let bin = assert_cmd::cargo::cargo_bin("leakguard");
    let hook = bare.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' hook pre-receive {hook_args}\n", bin.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let url = format!("file://{}", bare.display());
    Server { _dir: dir, bare, url }
}

struct Push {
    ok: bool,
    output: String,
}

fn push(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> Push {
    let mut c = git_cmd(repo);
    c.arg("push").args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    Push {
        ok: o.status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

fn server_ref(s: &Server, r: &str) -> Option<String> {
    let o = git_cmd(&s.bare).args(["rev-parse", "--verify", "-q", r]).output().unwrap();
    o.status.success().then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn client(s: &Server) -> Repo {
    let mut r = Repo::new();
    r.git(&["remote", "add", "origin", &s.url]);
    r.write("README.md", "clean\n");
    r.commit("initial");
    let p = push(r.path(), &["-q", "origin", "main"], &[]);
    assert!(p.ok, "clean initial push must pass: {}", p.output);
    r
}

#[test]
fn issue3_pre_receive_rejects_secret_with_commit_path_line_rule_and_keeps_ref() {
    let s = server("");
    let mut r = client(&s);
    let before = server_ref(&s, "refs/heads/main").unwrap();
    let key = github_pat(401);
    r.write("src/config.py", &format!("# settings\n\nTOKEN = \"{key}\"\n"));
    let bad = r.commit("add config");
    r.write("more.txt", "more\n");
    r.commit("unrelated follow-up");
    let p = push(r.path(), &["origin", "main"], &[]);
    assert!(!p.ok, "push with a secret must be rejected: {}", p.output);
    assert!(p.output.contains("PUSH BLOCKED: Secrets detected in code changes"), "{}", p.output);
    assert!(
        p.output.contains(&format!("found the following secrets in commit: {bad}")),
        "{}",
        p.output
    );
    assert!(
        p.output.contains("-- src/config.py:3 | GitHub personal access token (classic)"),
        "{}",
        p.output
    );
    assert!(p.output.contains("-o secret_push_protection.skip_all"), "{}", p.output);
    assert!(p.output.contains("scanned 2 new blob(s)"), "{}", p.output);
    assert_eq!(server_ref(&s, "refs/heads/main").unwrap(), before, "ref must not move");

    // Under GitLab (GL_ID set) every line is prefixed for the UI.
    let p = push(r.path(), &["origin", "main"], &[("GL_ID", "user-1")]);
    assert!(!p.ok);
    assert!(p.output.contains("GL-HOOK-ERR: PUSH BLOCKED"), "{}", p.output);

    // The push option lets it through, and says so.
    let p = push(r.path(), &["-o", "secret_push_protection.skip_all", "origin", "main"], &[]);
    assert!(p.ok, "{}", p.output);
    assert!(p.output.contains("skipped for this push (push option"), "{}", p.output);
    assert_eq!(server_ref(&s, "refs/heads/main").unwrap(), r.git(&["rev-parse", "HEAD"]));
}

#[test]
fn issue3_pre_receive_clean_push_marker_and_branch_deletion() {
    let s = server("");
    let mut r = client(&s);
    r.write("docs.md", "just docs\n");
    r.commit("docs");
    let p = push(r.path(), &["origin", "main"], &[]);
    assert!(p.ok, "{}", p.output);
    assert!(p.output.contains("scanned 1 new blob(s)"), "{}", p.output);

    // A commit-message marker skips the whole push, with a note.
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("k.env", &format!("K={}\n", github_pat(402)));
    let c = r.commit("test fixture [Skip Secret Push Protection]");
    let p = push(r.path(), &["origin", "feature"], &[]);
    assert!(p.ok, "{}", p.output);
    assert!(p.output.contains(&format!("commit {c} asks for it")), "{}", p.output);

    // Deleting a branch has nothing to scan.
    let p = push(r.path(), &["origin", "--delete", "feature"], &[]);
    assert!(p.ok, "{}", p.output);
    assert!(p.output.contains("nothing to scan (ref deletion)"), "{}", p.output);
    assert!(server_ref(&s, "refs/heads/feature").is_none());
}

#[test]
fn issue3_pre_receive_reads_packed_quarantine_and_skips_binary_and_large() {
    // More than receive.unpackLimit (100) objects: the push stays a pack in quarantine.
    let s = server("--max-blob-size 2K");
    let mut r = client(&s);
    for i in 0..60 {
        r.write(&format!("gen/f{i}.txt"), &format!("file {i}\n"));
    }
    r.write("big.txt", &"x".repeat(4096));
    std::fs::write(r.path().join("blob.bin"), b"\x00\x01binary").unwrap();
    r.commit("many files");
    let key = github_pat(403);
    r.write("gen/f7.txt", &format!("file 7\n{key}\n"));
    let bad = r.commit("secret in a packed push");
    let p = push(r.path(), &["origin", "main"], &[]);
    assert!(!p.ok, "{}", p.output);
    assert!(p.output.contains(&format!("in commit: {bad}")), "{}", p.output);
    assert!(p.output.contains("-- gen/f7.txt:2 |"), "{}", p.output);
    assert!(
        p.output.contains("skipped 1 binary blob(s) and 1 blob(s) over 2048 bytes"),
        "{}",
        p.output
    );
}

#[test]
fn issue3_pre_receive_time_budget_allow_or_reject_and_lists_what_was_not_scanned() {
    for (policy, should_pass) in [("allow", true), ("reject", false)] {
        let s = server(&format!("--timeout 0 --on-timeout {policy}"));
        let mut r = Repo::new();
        r.git(&["remote", "add", "origin", &s.url]);
        r.write("a.txt", "a\n");
        r.commit("one");
        let p = push(r.path(), &["origin", "main"], &[]);
        assert_eq!(p.ok, should_pass, "{policy}: {}", p.output);
        assert!(p.output.contains("NOT scanned"), "{}", p.output);
        assert!(p.output.contains(&format!("--on-timeout {policy}")), "{}", p.output);
    }
}

#[test]
fn issue3_pre_receive_sha256_repository() {
    let dir = Dir::new();
    git(dir.path(), &["init", "-q", "--bare", "--object-format=sha256", "srv.git"]);
    let bin = assert_cmd::cargo::cargo_bin("leakguard");
    let hook = dir.join("srv.git/hooks/pre-receive");
    std::fs::write(&hook, format!("#!/bin/sh\nexec '{}' hook pre-receive\n", bin.display()))
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    git(dir.path(), &["init", "-q", "--object-format=sha256", "client"]);
    let client = dir.join("client");
    std::fs::write(client.join("ok.txt"), "fine\n").unwrap();
    git(&client, &["add", "-A"]);
    git(&client, &["commit", "-qm", "clean"]);
    let p = push(&client, &["../srv.git", "main"], &[]);
    assert!(p.ok, "{}", p.output);
    std::fs::write(client.join("k.txt"), format!("{}\n", github_pat(404))).unwrap();
    git(&client, &["add", "-A"]);
    git(&client, &["commit", "-qm", "key"]);
    let sha = git(&client, &["rev-parse", "HEAD"]);
    assert_eq!(sha.len(), 64);
    let p = push(&client, &["../srv.git", "main"], &[]);
    assert!(!p.ok, "{}", p.output);
    assert!(p.output.contains(&format!("in commit: {sha}")), "{}", p.output);
    assert!(p.output.contains("-- k.txt:1 |"), "{}", p.output);
}

#[test]
fn issue3_pre_receive_per_blob_budget_lists_the_slow_blob_and_scans_the_rest() {
    let s = server("--blob-timeout 1ms --max-blob-size 100M --on-timeout reject -j 2");
    let mut r = client(&s);
    // ~24 MB: far more than a 20 ms watchdog tick of matching, even in an optimised build.
    let line = "token ghp_ xoxb- AKIA glpat- -----BEGIN sk_live_ filler filler filler\n";
    r.write("huge.txt", &line.repeat(24_000_000 / line.len()));
    r.write("small.txt", "small\n");
    r.commit("a huge blob and a small one");
    let p = push(r.path(), &["origin", "main"], &[]);
    assert!(!p.ok, "{}", p.output);
    assert!(p.output.contains("huge.txt): blob time budget exceeded"), "{}", p.output);
    assert!(!p.output.contains("small.txt)"), "{}", p.output);
    assert!(p.output.contains("scanned 1 new blob(s) (6 bytes)"), "{}", p.output);
    assert!(p.output.contains("push rejected: scan incomplete"), "{}", p.output);
}

#[test]
fn issue9_pre_receive_lists_an_object_missing_from_quarantine_and_applies_the_policy() {
    for (policy, should_pass) in [("allow", true), ("reject", false)] {
        let s = server("");
        let mut r = client(&s);
        r.write("kept.txt", "kept\n");
        r.write("gone.txt", "this blob disappears from the quarantine\n");
        r.commit("two files");
        let gone = r.git(&["rev-parse", "HEAD:gone.txt"]);
        // A hook that loses one pushed object after git's connectivity check, then runs
        // leakguard: a real push, a real quarantine, a missing object.
        let bin = assert_cmd::cargo::cargo_bin("leakguard");
        std::fs::write(
            s.bare.join("hooks/pre-receive"),
            format!(
                "#!/bin/sh\nrm -f \"$GIT_QUARANTINE_PATH/{}/{}\"\nexec '{}' hook pre-receive \
                 --on-timeout {policy}\n",
                &gone[..2],
                &gone[2..],
                bin.display()
            ),
        )
        .unwrap();
        let p = push(r.path(), &["origin", "main"], &[]);
        assert_eq!(p.ok, should_pass, "{policy}: {}", p.output);
        assert!(p.output.contains("could not read; NOT scanned:"), "{}", p.output);
        assert!(
            p.output.contains(&format!("gone.txt: blob {gone}")) && p.output.contains("is missing"),
            "{}",
            p.output
        );
        assert!(p.output.contains("scanned 1 new blob(s)"), "{}", p.output);
        assert!(p.output.contains(&format!("--on-timeout {policy}")), "{}", p.output);
    }
}
