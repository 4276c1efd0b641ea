//! Built-in revocation handler for GitLab tokens.
//!
//! Design decision: with an admin token, `DELETE /api/v4/admin/token` (body `{"token": ...}`,
//! header `PRIVATE-TOKEN: <admin>`) revokes any GitLab token type; without one, a leaked
//! personal access token revokes *itself* with `DELETE /api/v4/personal_access_tokens/self`
//! and `PRIVATE-TOKEN: <leaked token>`. The self-revocation route needs no privileges at all,
//! which is why it is the default; `401` there means the token is already revoked or invalid,
//! which is as good as revoked, and is recorded as such. Both outcomes are recorded in the
//! outbox row.

use std::time::Duration;

use reqwest::StatusCode;

use super::Error;
use super::backoff::parse_retry_after;

/// What GitLab said about one token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Finished; the text is recorded (`revoked`, `already revoked or invalid`, …).
    Done(String),
    /// Will never work (e.g. `400`); the text is recorded.
    Permanent(String),
    /// Try again later.
    Retry(String, Option<Duration>),
}

/// Revokes GitLab tokens through a GitLab instance's REST API.
#[derive(Clone, Debug)]
pub struct GitLabRevoker {
    http: reqwest::Client,
    url: String,
    admin_token: Option<String>,
}

impl GitLabRevoker {
    /// A revoker for the instance at `url` (`https://gitlab.example.com`).
    pub fn new(url: &str, admin_token: Option<String>, timeout: Duration) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| Error::Http(e.to_string()))?;
        Ok(GitLabRevoker { http, url: url.trim_end_matches('/').into(), admin_token })
    }

    /// Whether an admin token is configured.
    pub fn has_admin_token(&self) -> bool {
        self.admin_token.is_some()
    }

    /// Revokes one token.
    pub async fn revoke(&self, token: &str) -> Outcome {
        let req = match &self.admin_token {
            Some(admin) => self
                .http
                .delete(format!("{}/api/v4/admin/token", self.url))
                .header("PRIVATE-TOKEN", admin)
                .header("Content-Type", "application/json")
                .body(serde_json::json!({ "token": token }).to_string()),
            None => self
                .http
                .delete(format!("{}/api/v4/personal_access_tokens/self", self.url))
                .header("PRIVATE-TOKEN", token),
        };
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                return Outcome::Retry(format!("GitLab unreachable: {}", without_url(&e)), None);
            }
        };
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let admin = self.admin_token.is_some();
        match status {
            s if s.is_success() => Outcome::Done(format!("revoked ({})", s.as_u16())),
            StatusCode::UNAUTHORIZED if !admin => {
                Outcome::Done("already revoked or invalid (401)".into())
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if admin => {
                Outcome::Retry(format!("admin token rejected ({})", status.as_u16()), None)
            }
            StatusCode::FORBIDDEN => Outcome::Permanent("token may not revoke itself (403)".into()),
            StatusCode::NOT_FOUND if admin => Outcome::Done("not found (404)".into()),
            StatusCode::TOO_MANY_REQUESTS => {
                Outcome::Retry("rate limited (429)".into(), retry_after)
            }
            s if s.is_server_error() => {
                Outcome::Retry(format!("GitLab error ({})", s.as_u16()), retry_after)
            }
            s => Outcome::Permanent(format!("rejected ({})", s.as_u16())),
        }
    }
}

/// A reqwest error without the URL (which could carry credentials in userinfo).
pub(crate) fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_request() {
        "request error"
    } else if e.is_body() || e.is_decode() {
        "body error"
    } else {
        "HTTP error"
    };
    kind.to_string()
}
