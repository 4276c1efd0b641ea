//! The partner side of the Partner API: verifying a signed request the way a
//! partner must, and a minimal example receiver (`leakguard partner serve`) that verifies every
//! request and records what it received.
//!
//! Design decision: verification is a pure function over (public keys, key identifier,
//! signature header, exact body bytes) — [`verify`] — and the network part only fetches the
//! public keys document. [`Verifier`] caches the keys and refetches them once when a request
//! names a key it does not know, which is exactly what a key rotation looks like from the
//! partner's side. The example receiver records `sha256(token)`, never the token, so its
//! record file is safe to keep and to compare in tests.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, RwLock};

use super::keys::{PublicKey, PublicKeys};
use super::{Error, PartnerRequest, now_ms, token_sha256};

/// Header naming the signing key.
pub const KEY_ID_HEADER: &str = "Gitlab-Public-Key-Identifier";
/// Header carrying base64(DER ECDSA signature) over the body.
pub const SIGNATURE_HEADER: &str = "Gitlab-Public-Key-Signature";

/// Verifies `signature_b64` (base64 of a DER ECDSA P-256/SHA-256 signature) over `body` with
/// the key `key_id` from `keys`.
pub fn verify(
    keys: &[PublicKey],
    key_id: &str,
    signature_b64: &str,
    body: &[u8],
) -> Result<(), Error> {
    let entry = keys
        .iter()
        .find(|k| k.key_identifier == key_id)
        .ok_or_else(|| Error::Signature(format!("unknown key identifier {key_id:?}")))?;
    let vk = VerifyingKey::from_public_key_pem(&entry.key)
        .map_err(|e| Error::Signature(format!("public key {key_id}: {e}")))?;
    let der = STANDARD
        .decode(signature_b64.trim())
        .map_err(|e| Error::Signature(format!("signature is not base64: {e}")))?;
    let sig = Signature::from_der(&der)
        .map_err(|e| Error::Signature(format!("signature is not DER ECDSA: {e}")))?;
    vk.verify(body, &sig).map_err(|_| Error::Signature("does not verify".into()))
}

/// Fetches and parses a public keys document.
pub async fn fetch_public_keys(http: &reqwest::Client, url: &str) -> Result<Vec<PublicKey>, Error> {
    let resp = http.get(url).send().await.map_err(|e| Error::Http(format!("GET {url}: {e}")))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| Error::Http(format!("GET {url}: {e}")))?;
    if !status.is_success() {
        return Err(Error::Http(format!("GET {url}: status {status}")));
    }
    let doc: PublicKeys = serde_json::from_slice(&body)
        .map_err(|e| Error::Http(format!("GET {url}: not a public keys document: {e}")))?;
    Ok(doc.public_keys)
}

/// Verifies requests against a public keys URL, caching the keys and refetching them when a
/// request names an unknown key (rotation).
#[derive(Debug)]
pub struct Verifier {
    url: String,
    http: reqwest::Client,
    keys: RwLock<Vec<PublicKey>>,
}

impl Verifier {
    /// A verifier for the keys at `url`.
    pub fn new(url: &str) -> Result<Verifier, Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Http(e.to_string()))?;
        Ok(Verifier { url: url.into(), http, keys: RwLock::new(Vec::new()) })
    }

    /// Verifies one request given its two headers and exact body.
    pub async fn verify(
        &self,
        key_id: &str,
        signature_b64: &str,
        body: &[u8],
    ) -> Result<(), Error> {
        {
            let keys = self.keys.read().await;
            if keys.iter().any(|k| k.key_identifier == key_id) {
                return verify(&keys, key_id, signature_b64, body);
            }
        }
        let fresh = fetch_public_keys(&self.http, &self.url).await?;
        let result = verify(&fresh, key_id, signature_b64, body);
        *self.keys.write().await = fresh;
        result
    }
}

/// Options of the example receiver.
#[derive(Clone, Debug)]
pub struct ReceiverOptions {
    /// The revocation service's `/v1/public_keys` URL.
    pub public_keys_url: String,
    /// JSON Lines file to append one record per request to.
    pub record: PathBuf,
    /// Largest body accepted.
    pub max_body_bytes: usize,
}

struct Receiver {
    verifier: Verifier,
    record: Mutex<std::fs::File>,
    max_body_bytes: usize,
}

/// Runs the example receiver on `listener` until `shutdown` resolves. Every `POST` (any path)
/// is verified; verified requests get `204` and a record line
/// `{"received_ms","key_identifier","verified":true,"items":[{"type","url","token_sha256"}]}`,
/// others get `401` (bad signature) or `400` (bad body) and a record with `"verified": false`.
pub async fn serve_receiver(
    listener: TcpListener,
    opts: ReceiverOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&opts.record)
        .map_err(|e| Error::io(&opts.record, e))?;
    let state = Arc::new(Receiver {
        verifier: Verifier::new(&opts.public_keys_url)?,
        record: Mutex::new(file),
        max_body_bytes: opts.max_body_bytes,
    });
    let app = Router::new().fallback(receive).with_state(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Http(e.to_string()))
}

async fn receive(
    State(st): State<Arc<Receiver>>,
    method: axum::http::Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if method != axum::http::Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Ok(body): Result<Bytes, _> = axum::body::to_bytes(body, st.max_body_bytes).await else {
        return (StatusCode::BAD_REQUEST, "body too large").into_response();
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let key_id = header(KEY_ID_HEADER).to_string();
    let (status, record) = match st.verifier.verify(&key_id, header(SIGNATURE_HEADER), &body).await
    {
        Err(e) => (
            StatusCode::UNAUTHORIZED,
            json!({"received_ms": now_ms(), "key_identifier": key_id, "verified": false, "error": e.to_string()}),
        ),
        Ok(()) => match serde_json::from_slice::<Vec<PartnerRequest>>(&body) {
            Err(e) => (
                StatusCode::BAD_REQUEST,
                json!({"received_ms": now_ms(), "key_identifier": key_id, "verified": true, "error": format!("body: {e}")}),
            ),
            Ok(items) => {
                let items: Vec<_> = items
                    .iter()
                    .map(|i| json!({"type": i.kind, "url": i.url, "token_sha256": token_sha256(&i.token)}))
                    .collect();
                tracing::info!("received {} verified token(s) signed by {key_id}", items.len());
                (
                    StatusCode::NO_CONTENT,
                    json!({"received_ms": now_ms(), "key_identifier": key_id, "verified": true, "items": items}),
                )
            }
        },
    };
    let mut line = record.to_string();
    line.push('\n');
    let mut f = st.record.lock().await;
    if let Err(e) = std::io::Write::write_all(&mut *f, line.as_bytes()) {
        tracing::error!("cannot write record: {e}");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    status.into_response()
}
