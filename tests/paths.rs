//! Issue 11, point 1: a finding's path is the path by which the user reached the file, in
//! every format and for every argument form; GitLab and SARIF reports give paths relative to
//! the git work tree (or `--base-path`) so links work.

use crate::util::{Dir, Out, github_pat, json_lines, run};

fn run_stdin(c: std::process::Command, input: String) -> Out {
    let o = assert_cmd::Command::from_std(c).write_stdin(input).output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// What each format reports for one scan: (text, json, gitlab, sarif) paths.
fn paths_in_every_format(d: &Dir, cwd: &str, args: &[&str]) -> [Vec<String>; 4] {
    let scan = |format: &str| {
        let mut c = d.cmd();
        c.current_dir(d.join(cwd))
            .arg("scan")
            .args(args)
            .args(["-q", "--color", "never", "-f", format]);
        let out = run(&mut c);
        assert_eq!(out.code, 1, "scan {args:?} -f {format} from {cwd}: {}", out.stderr);
        out.stdout
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    let text = scan("text");
    // Text lines start with `path:line:column`.
    let text = sorted(
        text.lines()
            .filter_map(|l| l.split_once(':').map(|(p, _)| p.to_string()))
            .filter(|p| p.contains("app.py"))
            .collect(),
    );
    let json = sorted(
        json_lines(&scan("json"))
            .iter()
            .filter(|f| f.get("rule_id").is_some())
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect(),
    );
    let gitlab: serde_json::Value = serde_json::from_str(&scan("gitlab")).unwrap();
    let gitlab = sorted(
        gitlab["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["location"]["file"].as_str().unwrap().to_string())
            .collect(),
    );
    let sarif: serde_json::Value = serde_json::from_str(&scan("sarif")).unwrap();
    let sarif = sorted(
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect(),
    );
    [text, json, gitlab, sarif]
}

#[test]
fn paths_are_reported_as_reached_and_reports_are_work_tree_relative() {
    let d = Dir::new();
    let repo = d.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    d.create("repo/src/app.py", format!("token = \"{}\"\n", github_pat(11)));
    d.create("repo/lib/app.py", format!("token = \"{}\"\n", github_pat(12)));
    let abs = repo.join("src").to_string_lossy().into_owned();
    let abs_file = format!("{abs}/app.py");
    // (cwd, args, text/json paths, gitlab/sarif paths)
    type Case<'a> = (&'a str, Vec<&'a str>, &'a [&'a str], &'a [&'a str]);
    let table: &[Case] = &[
        ("repo", vec!["."], &["lib/app.py", "src/app.py"], &["lib/app.py", "src/app.py"]),
        ("repo", vec!["src"], &["src/app.py"], &["src/app.py"]),
        ("repo", vec!["./src"], &["src/app.py"], &["src/app.py"]),
        ("repo", vec!["src/"], &["src/app.py"], &["src/app.py"]),
        ("repo", vec!["src/app.py"], &["src/app.py"], &["src/app.py"]),
        ("repo", vec!["./src/app.py"], &["src/app.py"], &["src/app.py"]),
        ("repo", vec!["src", "lib"], &["lib/app.py", "src/app.py"], &["lib/app.py", "src/app.py"]),
        ("repo", vec![&abs], &[&abs_file], &["src/app.py"]),
        ("repo", vec![&abs_file], &[&abs_file], &["src/app.py"]),
        ("repo/src", vec!["."], &["app.py"], &["src/app.py"]),
        ("repo/src", vec!["app.py"], &["app.py"], &["src/app.py"]),
        ("repo/src", vec!["../lib"], &["../lib/app.py"], &["lib/app.py"]),
        ("repo/src", vec![".", "--base-path", "."], &["app.py"], &["app.py"]),
        (".", vec!["repo/src"], &["repo/src/app.py"], &["src/app.py"]),
    ];
    for (cwd, args, reached, linked) in table {
        let [text, json, gitlab, sarif] = paths_in_every_format(&d, cwd, args);
        let want = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(text, want(reached), "text: scan {args:?} from {cwd}");
        assert_eq!(json, want(reached), "json: scan {args:?} from {cwd}");
        assert_eq!(gitlab, want(linked), "gitlab: scan {args:?} from {cwd}");
        assert_eq!(sarif, want(linked), "sarif: scan {args:?} from {cwd}");
    }
}

#[test]
fn outside_a_work_tree_reports_are_relative_to_the_first_directory() {
    let d = Dir::new();
    d.create("tree/src/app.py", format!("token = \"{}\"\n", github_pat(13)));
    let [text, json, gitlab, sarif] = paths_in_every_format(&d, ".", &["tree"]);
    assert_eq!(text, ["tree/src/app.py"]);
    assert_eq!(json, ["tree/src/app.py"]);
    assert_eq!(gitlab, ["src/app.py"]);
    assert_eq!(sarif, ["src/app.py"]);
}

#[test]
fn excludes_match_relative_to_each_root() {
    let d = Dir::new();
    d.create("a/vendor/app.py", format!("token = \"{}\"\n", github_pat(14)));
    d.create("b/vendor/app.py", format!("token = \"{}\"\n", github_pat(15)));
    d.create("b/keep/app.py", format!("token = \"{}\"\n", github_pat(16)));
    let out = run(d.cmd().args(["scan", "a", "b", "--exclude", "vendor/*", "-q", "-f", "json"]));
    let paths: Vec<String> = json_lines(&out.stdout)
        .iter()
        .filter(|f| f.get("rule_id").is_some())
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["b/keep/app.py"], "{}", out.stderr);
}

#[test]
fn stdin_is_scanned_under_its_given_name() {
    let d = Dir::new();
    let secret = github_pat(17);
    let mut c = d.cmd();
    c.args(["scan", "-", "--stdin-name", "src/app.py", "-q", "-f", "json"]);
    let out = run_stdin(c, format!("token = \"{secret}\"\n"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let f = json_lines(&out.stdout);
    let f: Vec<_> = f.iter().filter(|f| f.get("rule_id").is_some()).collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "src/app.py");
    assert_eq!(f[0]["start_line"], 1);
    // Without a name: `-`.
    let mut c = d.cmd();
    c.args(["scan", "-", "-q", "-f", "json"]);
    let out = run_stdin(c, format!("x\ntoken = \"{secret}\"\n"));
    let f = json_lines(&out.stdout);
    let f: Vec<_> = f.iter().filter(|f| f.get("rule_id").is_some()).collect();
    assert_eq!((f[0]["path"].as_str(), f[0]["start_line"].as_u64()), (Some("-"), Some(2)));
    // A clean stream exits 0.
    let mut c = d.cmd();
    c.args(["scan", "-", "-q"]);
    assert_eq!(run_stdin(c, "nothing here\n".into()).code, 0);
}
