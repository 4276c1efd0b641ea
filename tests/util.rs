//! Test helpers (after ripgrep's `tests/util.rs`): a temp directory with file helpers, a
//! command builder for the real binary with a hermetic environment, and generators of
//! format-valid fake secrets (made at test time, never committed).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

/// A temporary directory that is removed on drop.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir { tmp: tempfile::Builder::new().prefix("leakguard-test-").tempdir().unwrap() }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Writes a file, creating parent directories.
    pub fn create(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// The `leakguard` binary, run inside this directory with a clean environment.
    pub fn cmd(&self) -> Command {
        let mut c = leakguard_cmd();
        c.current_dir(self.path());
        c
    }
}

/// The binary with configuration-affecting environment variables removed.
pub fn leakguard_cmd() -> Command {
    let mut c = Command::cargo_bin("leakguard").unwrap();
    for k in [
        "SECRET_DETECTION_EXCLUDED_PATHS",
        "SECRET_DETECTION_LOG_OPTIONS",
        "SECRET_DETECTION_HISTORIC_SCAN",
        "GITLEAKS_CONFIG",
        "GITLEAKS_CONFIG_TOML",
        "LEAKGUARD_CONFIG",
        "LEAKGUARD_GITLAB_PAT_PREFIX",
        "RUST_LOG",
        "NO_COLOR",
        "CI_SERVER_URL",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ] {
        c.env_remove(k);
    }
    c
}

/// Output of a finished command, as text.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(c: &mut Command) -> Out {
    let o = c.output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The findings of a JSON Lines report. Every report must end with exactly one summary line
/// (`{"type": "summary", ...}`); that is checked here and the line left out.
pub fn json_lines(s: &str) -> Vec<serde_json::Value> {
    let mut all: Vec<serde_json::Value> = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = all.pop().unwrap_or_else(|| panic!("no summary line in JSON output: {s:?}"));
    assert_eq!(last["type"], "summary", "JSON output must end with the summary line: {s}");
    assert!(all.iter().all(|f| f.get("type").is_none()), "one summary line, last: {s}");
    all
}

/// The summary line of a JSON Lines report.
pub fn json_summary(s: &str) -> serde_json::Value {
    let last = s.lines().rfind(|l| !l.trim().is_empty()).expect("empty JSON output");
    let v: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(v["type"], "summary", "JSON output must end with the summary line: {s}");
    v
}

/// A tiny deterministic PRNG (xorshift) so generated secrets are reproducible per seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char).collect()
    }
}

pub const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A GitHub classic PAT with a valid CRC32/base62 checksum.
pub fn github_pat(seed: u64) -> String {
    let payload = Rng::new(seed).string(B62, 30);
    format!("ghp_{payload}{}", leakguard::check::base62_crc32(payload.as_bytes()))
}

/// The same token with a corrupted checksum.
pub fn github_pat_bad_checksum(seed: u64) -> String {
    let mut t = github_pat(seed);
    let last = t.pop().unwrap();
    t.push(if last == 'a' { 'b' } else { 'a' });
    t
}

/// An AWS access key id (AKIA + 16 base32 characters).
pub fn aws_key_id(seed: u64) -> String {
    format!("AKIA{}", Rng::new(seed).string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))
}

/// The GitLab routable PAT test vector (v1 framing) from GitLab's routable-token documentation.
pub const GITLAB_ROUTABLE_PAT: &str = "glpat-AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdTo5aXgN.01.141uldyz0";

#[path = "fixtures.rs"]
mod fixtures;
pub use fixtures::{gzip, tar_of};

/// A fake PEM RSA private key: 900 random bytes, base64 in 64-column lines.
pub fn pem_key(seed: u64) -> String {
    use base64::Engine as _;
    let mut rng = Rng::new(seed);
    let raw: Vec<u8> = (0..900).map(|_| rng.next() as u8).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    let body: Vec<&str> =
        b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n", body.join("\n"))
}
