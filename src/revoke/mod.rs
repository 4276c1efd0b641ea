//! Post-processing after a scan: classification of findings, revocation type strings, a
//! durable outbox, the Token Revocation API client, the built-in Token Revocation API service
//! with partner dispatch (ECDSA P-256 signed bodies), and the partner-side verifier.
//!
//! Module rules (ARCHITECTURE.md): this is the only module that does network I/O; it consumes
//! reports and findings and never calls the matcher. It is compiled only with the `revoke`
//! cargo feature, so `--no-default-features` leaves the pure scanning library.
//!
//! Design decision: **every revocation request is written to a SQLite outbox before it is
//! sent** ([`outbox`]). The client writes before its first POST; the service answers `204`
//! only after the request is committed, and a separate dispatcher drains the outbox toward
//! partners. Delivery is therefore *at least once*, which the receivers tolerate because each
//! request carries a stable idempotency key, [`idempotency_key`] = `sha256(type, NUL, token)`,
//! and duplicates of the same key collapse into one outbox row. Tokens are stored only while a
//! row is pending: a row that is done or permanently failed has its token column cleared
//! (with `PRAGMA secure_delete`), and tokens are never printed or logged in clear ([`redact`]).
//!
//! ```
//! use leakguard::revoke::{idempotency_key, revocation_type};
//! assert_eq!(
//!     revocation_type("gitleaks_rule_id", "GitLab Personal Access Token"),
//!     "gitleaks_rule_id_gitlab_personal_access_token"
//! );
//! let k = idempotency_key("gitleaks_rule_id_aws", "AKIAQXRYONJ3DYBVZXG2");
//! assert_eq!(k.len(), 64);
//! ```

pub mod backoff;
pub mod classify;
pub mod client;
pub mod config;
pub mod gitlab;
pub mod keys;
pub mod outbox;
pub mod partner;
pub mod service;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Errors of the revocation pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A report could not be parsed.
    #[error("report {}: {msg}", .path.display())]
    Report {
        /// The report file (or `-`).
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// The outbox database failed.
    #[error("outbox {}: {source}", .path.display())]
    Outbox {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The service configuration is invalid.
    #[error("config {}: {msg}", .path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// Signing keys could not be created, read or parsed.
    #[error("signing keys: {0}")]
    Keys(String),
    /// A signature did not verify.
    #[error("signature: {0}")]
    Signature(String),
    /// An HTTP exchange failed.
    #[error("HTTP: {0}")]
    Http(String),
    /// The remote rejected our credentials (401).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }
}

pub use crate::finding::revocation_type;

/// Stable idempotency key of one revocation target: hex `sha256(type || 0x00 || token)`.
/// The same token found in many places, or sent twice, has one key.
pub fn idempotency_key(revocation_type: &str, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(revocation_type.as_bytes());
    h.update([0]);
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

/// Hex `sha256(token)`: how receivers and tests refer to a token without holding it.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token in a form that is safe to print or log: a short provider prefix, the length, and
/// the first 8 hex digits of its SHA-256. Never the token.
///
/// ```
/// let shown = leakguard::revoke::redact("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");
/// assert!(shown.starts_with("ghp_****"));
/// assert!(!shown.contains("M7H4"));
/// ```
pub fn redact(token: &str) -> String {
    format!("{} sha256:{}", crate::finding::mask(token), &token_sha256(token)[..8])
}

/// One element of `POST /v1/revoke_tokens` (Token Revocation API).
/// Unknown members (GitLab may add `vulnerability`) are ignored when reading.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RevocationRequest {
    /// Revocation type string.
    #[serde(rename = "type")]
    pub kind: String,
    /// The leaked token.
    pub token: String,
    /// Where it was found (raw-file URL at the commit, or a path).
    #[serde(default)]
    pub location: String,
}

/// One element of a Partner API request: note `url`, not `location`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartnerRequest {
    /// Token type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The leaked token.
    pub token: String,
    /// Public URL of the raw file.
    #[serde(default)]
    pub url: String,
}

/// Milliseconds since the Unix epoch (the outbox's clock).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
