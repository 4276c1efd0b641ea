//! Client of a Token Revocation API: `GET /v1/revocable_token_types`,
//! then `POST /v1/revoke_tokens` in batches of at most 100, draining the client's outbox.
//!
//! Design decision: the client never sends anything that is not already in its outbox, and
//! marks rows only after the server answered, so a crash between any two steps loses nothing
//! (`leakguard revoke --resume` sends what is pending) and at worst repeats a batch, which the
//! API must tolerate (it is idempotent per token). Status handling: `2xx` done; `400` is a
//! permanent failure, recorded and never retried; `401`/`403` stop the run with a clear
//! error and leave everything pending; `429`, `5xx` and network errors are retried with
//! exponential backoff and jitter (honouring `Retry-After`) up to `max_attempts`, then left
//! pending; any other status stops the run, leaving rows pending. After each batch's outcome
//! is recorded the outbox WAL is truncated, so delivered tokens do not linger on disk.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Serialize;

use super::backoff::{Backoff, parse_retry_after};
use super::gitlab::without_url;
use super::outbox::{Outbox, Update};
use super::{Error, RevocationRequest, now_ms};

/// Client settings.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Base URL of the API (`https://revoke.example.com`), without `/v1/...`.
    pub api: String,
    /// Pre-shared token, sent verbatim as `Authorization`.
    pub token: String,
    /// Retry policy.
    pub backoff: Backoff,
    /// Tokens per `POST` (1..=100).
    pub batch_size: usize,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// The answer to one `POST`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostResult {
    /// `2xx`.
    Accepted(u16),
    /// `400`: never retry.
    Rejected(String),
    /// `401`/`403`: stop.
    Unauthorized(u16),
    /// `429`, `5xx`, network: retry later.
    Retry(String, Option<Duration>),
    /// Anything else: stop, keep pending.
    Unexpected(u16),
}

/// What a run did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct RunSummary {
    /// Tokens sent at least once in this run.
    pub sent: usize,
    /// Tokens the API accepted.
    pub accepted: usize,
    /// Tokens the API rejected (400).
    pub rejected: usize,
    /// Tokens still pending in the outbox for this API.
    pub pending: usize,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
}

/// A Token Revocation API client.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    opts: ClientOptions,
}

impl Client {
    /// A client for `opts.api`.
    pub fn new(mut opts: ClientOptions) -> Result<Client, Error> {
        opts.api = opts.api.trim_end_matches('/').to_string();
        opts.batch_size = opts.batch_size.clamp(1, 100);
        let http = reqwest::Client::builder()
            .timeout(opts.timeout)
            .user_agent(concat!("leakguard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Http(e.to_string()))?;
        Ok(Client { http, opts })
    }

    /// The outbox destination of this API (its normalised base URL).
    pub fn destination(&self) -> &str {
        &self.opts.api
    }

    /// `GET /v1/revocable_token_types`, retrying `429`/`5xx`/network errors.
    pub async fn revocable_types(&self) -> Result<Vec<String>, Error> {
        let url = format!("{}/v1/revocable_token_types", self.opts.api);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (reason, retry_after) =
                match self.http.get(&url).header("Authorization", &self.opts.token).send().await {
                    Err(e) => (without_url(&e), None),
                    Ok(resp) => {
                        let status = resp.status();
                        let ra = retry_after(&resp);
                        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                            return Err(unauthorized(status.as_u16()));
                        }
                        if status.is_success() {
                            let body =
                                resp.bytes().await.map_err(|e| Error::Http(without_url(&e)))?;
                            #[derive(serde::Deserialize)]
                            struct Types {
                                types: Vec<String>,
                            }
                            let t: Types = serde_json::from_slice(&body).map_err(|e| {
                                Error::Http(format!("revocable_token_types: unexpected body: {e}"))
                            })?;
                            return Ok(t.types);
                        }
                        if !(status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()) {
                            return Err(Error::Http(format!(
                                "Failed to get revocation token types: status {status}"
                            )));
                        }
                        (format!("status {status}"), ra)
                    }
                };
            if attempt >= self.opts.backoff.max_attempts {
                return Err(Error::Http(format!(
                    "Failed to get revocation token types after {attempt} attempts: {reason}"
                )));
            }
            let d = self.opts.backoff.delay(attempt, retry_after);
            tracing::warn!("revocable_token_types: {reason}; retrying in {d:?}");
            tokio::time::sleep(d).await;
        }
    }

    /// One `POST /v1/revoke_tokens` with a JSON array body.
    pub async fn post(&self, items: &[RevocationRequest]) -> PostResult {
        let body = match serde_json::to_vec(items) {
            Ok(b) => b,
            Err(e) => return PostResult::Rejected(format!("cannot serialise: {e}")),
        };
        let resp = match self
            .http
            .post(format!("{}/v1/revoke_tokens", self.opts.api))
            .header("Authorization", &self.opts.token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return PostResult::Retry(without_url(&e), None),
        };
        let status = resp.status();
        let ra = retry_after(&resp);
        match status {
            s if s.is_success() => PostResult::Accepted(s.as_u16()),
            StatusCode::BAD_REQUEST => {
                let text = resp.text().await.unwrap_or_default();
                let text: String = text.chars().take(200).collect();
                PostResult::Rejected(format!("400 Bad Request: {text}"))
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                PostResult::Unauthorized(status.as_u16())
            }
            StatusCode::TOO_MANY_REQUESTS => PostResult::Retry("429 Too Many Requests".into(), ra),
            s if s.is_server_error() => PostResult::Retry(format!("status {s}"), ra),
            s => PostResult::Unexpected(s.as_u16()),
        }
    }

    /// Sends every pending row of this API's destination in `outbox`, in batches, with
    /// retries, marking rows as it goes. `401`/`403` end the run with
    /// [`Error::Unauthorized`] (rows stay pending).
    pub async fn drain(&self, outbox: &mut Outbox) -> Result<RunSummary, Error> {
        let mut sum = RunSummary::default();
        let pending = outbox.pending(self.destination())?;
        'chunks: for chunk in pending.chunks(self.opts.batch_size) {
            let rows: Vec<_> = chunk.iter().filter(|r| r.token.is_some()).collect();
            let reqs: Vec<RevocationRequest> = rows
                .iter()
                .map(|r| RevocationRequest {
                    kind: r.revocation_type.clone(),
                    token: r.token.clone().unwrap_or_default(),
                    location: r.location.clone(),
                })
                .collect();
            if reqs.is_empty() {
                continue;
            }
            sum.sent += reqs.len();
            let mut attempt = 0;
            loop {
                attempt += 1;
                match self.post(&reqs).await {
                    PostResult::Accepted(code) => {
                        let ups: Vec<_> = rows
                            .iter()
                            .map(|r| Update::done(r.id, &format!("accepted ({code})")))
                            .collect();
                        outbox.complete(&ups)?;
                        outbox.truncate_wal(super::outbox::CHECKPOINT_WAIT);
                        sum.accepted += reqs.len();
                        break;
                    }
                    PostResult::Rejected(why) => {
                        tracing::warn!("batch of {} rejected: {why}", reqs.len());
                        let ups: Vec<_> = rows
                            .iter()
                            .map(|r| Update::Failed { id: r.id, error: why.clone() })
                            .collect();
                        outbox.complete(&ups)?;
                        outbox.truncate_wal(super::outbox::CHECKPOINT_WAIT);
                        sum.rejected += reqs.len();
                        break;
                    }
                    PostResult::Unauthorized(code) => return Err(unauthorized(code)),
                    PostResult::Unexpected(code) => {
                        sum.stopped = Some(format!("unexpected status {code} from the API"));
                        break 'chunks;
                    }
                    PostResult::Retry(why, ra) => {
                        if attempt >= self.opts.backoff.max_attempts {
                            let ups: Vec<_> = rows
                                .iter()
                                .map(|r| Update::Retry {
                                    id: r.id,
                                    error: why.clone(),
                                    next_attempt_ms: now_ms(),
                                    max_attempts: u32::MAX,
                                })
                                .collect();
                            outbox.complete(&ups)?;
                            outbox.truncate_wal(super::outbox::CHECKPOINT_WAIT);
                            sum.stopped = Some(format!("gave up after {attempt} attempts: {why}"));
                            break 'chunks;
                        }
                        let d = self.opts.backoff.delay(attempt, ra);
                        tracing::warn!("revoke_tokens: {why}; retrying in {d:?}");
                        tokio::time::sleep(d).await;
                    }
                }
            }
        }
        // A truncation postponed in the loop (readers still used the WAL) is retried after
        // the next batch; after the last one, only here.
        outbox.truncate_wal(super::outbox::CHECKPOINT_WAIT);
        sum.pending = outbox.pending(self.destination())?.len();
        Ok(sum)
    }
}

fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(parse_retry_after)
}

fn unauthorized(code: u16) -> Error {
    Error::Unauthorized(format!(
        "the Token Revocation API refused our token ({code}); check --token-file or \
         $LEAKGUARD_REVOCATION_TOKEN (it is sent verbatim in the Authorization header)"
    ))
}
