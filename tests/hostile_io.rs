//! Hostile I/O through the real binary: files that change under the scan, streams given as
//! arguments (stdin, `/dev/stdin`, FIFOs, process substitutions), special files inside a
//! tree, and paths excluded by ignore files (issue 9: nothing is skipped silently, and no
//! input kills the process).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::util::{Dir, github_pat, json_lines, json_summary, leakguard_cmd, run};

/// Makes a FIFO with the `mkfifo` tool (no FFI in tests).
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Runs `cmd` to completion, failing the test (and killing the child) after `limit`.
fn run_with_deadline(cmd: &mut Command, limit: Duration) -> crate::util::Out {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("leakguard did not finish within {limit:?} (blocked on a special file?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    crate::util::Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Runs `cmd` with `input` on its stdin (a closed pipe after the scanner stops reading is
/// fine), collecting stdout and stderr.
fn with_stdin(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// Text of `mib` MiB without secrets, lines of ordinary code.
fn filler(mib: usize) -> Vec<u8> {
    let line = b"let total = items.iter().map(|x| x.price * x.quantity).sum::<u64>(); // ok\n";
    let mut v = Vec::with_capacity(mib << 20);
    while v.len() < mib << 20 {
        v.extend_from_slice(line);
    }
    v
}

/// Issue 9: a file that shrinks while it is scanned used to kill the process with SIGBUS
/// (files of 8 MiB and more were memory-mapped). A thread truncates and rewrites several
/// 16-40 MiB files in a loop while the scan runs: the process must always exit by itself
/// (0, 1 or 2), write a valid report, and find the secret in a stable file.
#[test]
fn issue9_truncation_race_never_kills_the_scan() {
    let d = Dir::new();
    let stable = github_pat(9001);
    d.create("stable/config.env", format!("GITHUB_TOKEN={stable}\n"));
    let sizes = [16usize, 24, 32, 40];
    let bodies: Vec<Arc<Vec<u8>>> = sizes.iter().map(|&m| Arc::new(filler(m))).collect();
    let paths: Vec<_> = sizes.iter().map(|m| d.join(&format!("big/f{m}.txt"))).collect();
    std::fs::create_dir_all(d.join("big")).unwrap();
    for (p, b) in paths.iter().zip(&bodies) {
        std::fs::write(p, b.as_slice()).unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let (stop, paths, bodies) = (stop.clone(), paths.clone(), bodies.clone());
        std::thread::spawn(move || {
            let mut rounds = 0u64;
            while !stop.load(Ordering::Relaxed) {
                for (p, b) in paths.iter().zip(&bodies) {
                    // Truncate in place (same inode as any open descriptor or map), then
                    // rewrite: readers see the file shrink to nothing and grow back.
                    // Errors only once the test is over and its directory removed.
                    let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(p) else {
                        return rounds;
                    };
                    if f.set_len(0).is_err() {
                        return rounds;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                    if f.write_all(b).is_err() {
                        return rounds;
                    }
                }
                rounds += 1;
            }
            rounds
        })
    };
    const RUNS: usize = 5;
    let mut changed_reported = 0;
    for attempt in 0..RUNS {
        let mut c = d.cmd();
        c.args(["scan", ".", "--format", "json", "-j", "4"]);
        let o = c.output().unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&o.stderr);
        let code = o.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "attempt {attempt}: the scan died ({:?}) instead of exiting: {stderr}",
            o.status
        );
        let findings = json_lines(&stdout);
        assert!(
            findings.iter().any(|f| f["path"] == "stable/config.env" && f["secret"] == stable),
            "attempt {attempt}: the stable secret was lost: {stdout}"
        );
        let summary = json_summary(&stdout);
        let failures = summary["failures"].as_array().cloned().unwrap_or_default();
        for f in &failures {
            let msg = f["message"].as_str().unwrap_or_default();
            assert!(
                msg.contains("changed while being read") || msg.contains("No such file"),
                "attempt {attempt}: unexpected failure {f}"
            );
        }
        if !failures.is_empty() {
            assert_eq!(code, Some(2), "a file that changed under the scan makes it incomplete");
            changed_reported += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let rounds = churn.join().unwrap();
    assert!(rounds > 0, "the truncating thread never completed a round");
    eprintln!(
        "truncation rounds: {rounds}; runs reporting a changed file: {changed_reported}/{RUNS}"
    );
}

/// `scan -` reads stdin; its findings have the path `-` in every report (the GitLab report
/// requires a non-empty `location.file`).
#[test]
fn issue9_scan_dash_reads_stdin() {
    let d = Dir::new();
    let tok = github_pat(9101);
    for format in ["json", "gitlab"] {
        let o = with_stdin(
            d.cmd().args(["scan", "-", "--format", format, "-q"]),
            format!("first line\nexport GITHUB_TOKEN={tok}\n").as_bytes(),
        );
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", String::from_utf8_lossy(&o.stderr));
        if format == "json" {
            let fs = json_lines(&stdout);
            assert_eq!(fs.len(), 1, "{stdout}");
            assert_eq!(
                (fs[0]["path"].as_str(), fs[0]["start_line"].as_u64()),
                (Some("-"), Some(2))
            );
            assert_eq!(fs[0]["secret"], tok.as_str());
        } else {
            let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(report["vulnerabilities"][0]["location"]["file"], "-", "{stdout}");
        }
    }
}

#[test]
fn issue9_dev_stdin_is_read_as_a_stream() {
    let d = Dir::new();
    let tok = github_pat(9102);
    let o = with_stdin(
        d.cmd().args(["scan", "/dev/stdin", "--format", "json", "-q"]),
        format!("t={tok}\n").as_bytes(),
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    let fs = json_lines(&stdout);
    assert_eq!(fs.len(), 1, "{stdout}");
    assert_eq!(fs[0]["path"], "/dev/stdin");
}

#[test]
fn issue9_fifo_argument_is_read_as_a_stream() {
    let d = Dir::new();
    let tok = github_pat(9103);
    let fifo = d.join("pipe");
    mkfifo(&fifo);
    let writer = {
        let (fifo, tok) = (fifo.clone(), tok.clone());
        // A non-blocking open for writing fails (ENXIO) until the scanner opens the FIFO for
        // reading; polling it keeps this thread from hanging if the scanner never does.
        std::thread::spawn(move || {
            use std::os::unix::fs::OpenOptionsExt;
            const O_NONBLOCK: i32 = 0o4000; // Linux
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(60) {
                let open =
                    std::fs::OpenOptions::new().write(true).custom_flags(O_NONBLOCK).open(&fifo);
                if let Ok(mut f) = open {
                    f.write_all(format!("line\nGITHUB_TOKEN={tok}\n").as_bytes()).unwrap();
                    return true;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            false
        })
    };
    let out = run_with_deadline(
        d.cmd().args(["scan", "pipe", "--format", "json", "-q"]),
        Duration::from_secs(60),
    );
    assert!(writer.join().unwrap(), "the scanner never opened the FIFO: {}", out.stderr);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{}", out.stdout);
    assert_eq!((fs[0]["path"].as_str(), fs[0]["secret"].as_str()), (Some("pipe"), Some(&*tok)));
}

#[test]
fn issue9_process_substitution_is_read_as_a_stream() {
    let d = Dir::new();
    let tok = github_pat(9104);
    let bin = assert_cmd::cargo::cargo_bin("leakguard");
    let script =
        format!("'{}' scan <(printf 'x\\nGITHUB_TOKEN={tok}\\n') --format json -q", bin.display());
    let out = run(Command::new("bash").arg("-c").arg(script).current_dir(d.path()));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{}", out.stdout);
    assert!(fs[0]["path"].as_str().is_some_and(|p| p.starts_with("/dev/fd/")), "{}", out.stdout);
    assert_eq!(fs[0]["start_line"], 2);
}

/// A stream has no size upfront: one over `--max-file-size` is scanned up to the cap and the
/// run is incomplete (exit 2), since its tail was never looked at.
#[test]
fn issue9_stream_over_the_cap_is_a_failure() {
    let d = Dir::new();
    let tok = github_pat(9105);
    let mut body = format!("GITHUB_TOKEN={tok}\n").into_bytes();
    body.extend(std::iter::repeat_n(b'x', 10_000));
    let o =
        with_stdin(d.cmd().args(["scan", "-", "--format", "json", "--max-file-size", "4K"]), &body);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json_lines(&stdout).len(), 1, "what was read is still scanned: {stdout}");
    let summary = json_summary(&stdout);
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["failures"][0]["path"], "-");
    assert!(summary["failures"][0]["message"].as_str().unwrap().contains("--max-file-size"));
}

/// A decoding limit hit in a stream is a failure, as it is in a file: the text the scanner
/// did not decode was not scanned.
#[test]
fn issue9_decode_limit_in_a_stream_is_a_failure() {
    use base64::Engine as _;
    let d = Dir::new();
    let long = base64::engine::general_purpose::STANDARD.encode("key = value\n".repeat(100_000));
    let body = format!("blob = \"{long}\"\n");
    let o = with_stdin(d.cmd().args(["scan", "-", "--format", "json"]), body.as_bytes());
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = json_summary(&stdout);
    assert_eq!(summary["complete"], false, "{summary}");
    assert_eq!(summary["failures"][0]["path"], "-", "{summary}");
    let msg = summary["failures"][0]["message"].as_str().unwrap();
    assert!(msg.contains("longer than the decode limit"), "{msg}");
}

/// A FIFO inside a scanned directory is never opened (it would block forever with no
/// writer); it is listed as a policy skip and the rest of the tree is scanned.
#[test]
fn issue9_fifo_inside_a_tree_is_listed_not_opened() {
    let d = Dir::new();
    let tok = github_pat(9106);
    d.create("src/app.env", format!("GITHUB_TOKEN={tok}\n"));
    mkfifo(&d.join("src/events.pipe"));
    let out =
        run_with_deadline(d.cmd().args(["scan", ".", "--format", "json"]), Duration::from_secs(60));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(json_lines(&out.stdout).len(), 1);
    let summary = json_summary(&out.stdout);
    assert_eq!(summary["complete"], true, "a special file is a policy skip: {summary}");
    assert_eq!(summary["skipped"][0]["path"], "src/events.pipe", "{summary}");
    assert_eq!(summary["skipped"][0]["reason"], "not_regular");
    assert!(out.stderr.contains("src/events.pipe"), "{}", out.stderr);
}

/// A bad line in an ignore file is one failure, whatever the number of walker threads that
/// meet it (each thread has its own matchers), and its glob text is not echoed.
#[test]
fn issue9_bad_ignore_line_is_reported_once() {
    let d = Dir::new();
    d.create("sub/.gitignore", "SECRET{MARKER\n");
    for i in 0..60 {
        d.create(&format!("sub/d{i}/e/f.txt"), "x = 1\n");
    }
    for _ in 0..3 {
        let o = run(d.cmd().args(["scan", ".", "-j", "4"]));
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(o.stderr.contains(", 1 unreadable"), "{}", o.stderr);
        assert!(o.stderr.contains("sub/.gitignore: line 1: invalid glob"), "{}", o.stderr);
        assert!(!o.stderr.contains("MARKER"), "{}", o.stderr);
    }
}

/// Paths excluded by ignore files are listed: an ignored directory as one entry with a
/// trailing `/`, an ignored file by its path; `--no-ignore` scans them.
#[test]
fn issue9_paths_excluded_by_ignore_files_are_listed() {
    let d = Dir::new();
    d.create(".gitignore", "build/\n*.log\n");
    d.create("src/main.env", format!("A={}\n", github_pat(9201)));
    d.create("build/out/gen.env", format!("B={}\n", github_pat(9202)));
    d.create("build/other.env", format!("C={}\n", github_pat(9203)));
    d.create("debug.log", format!("D={}\n", github_pat(9204)));
    let out = run(leakguard_cmd().current_dir(d.path()).args(["scan", ".", "--format", "json"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let fs = json_lines(&out.stdout);
    assert_eq!(fs.len(), 1, "{}", out.stdout);
    let summary = json_summary(&out.stdout);
    assert_eq!(summary["complete"], true, "{summary}");
    let skipped: Vec<(String, String)> = summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap().into(), s["reason"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        skipped,
        vec![("build/".to_string(), "ignored".to_string()), ("debug.log".into(), "ignored".into())],
        "one entry per pruned directory, not one per file inside it"
    );
    assert!(out.stderr.contains("excluded by ignore files"), "{}", out.stderr);
    let out = run(d.cmd().args(["scan", ".", "--format", "gitlab", "-q"]));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let msgs = report["scan"]["messages"].to_string();
    assert!(msgs.contains("build/") && msgs.contains("debug.log"), "{msgs}");
    let out = run(d.cmd().args(["scan", ".", "--format", "json", "--no-ignore"]));
    assert_eq!(json_lines(&out.stdout).len(), 4, "{}", out.stdout);
    assert_eq!(json_summary(&out.stdout)["skipped"], serde_json::json!([]));
}
