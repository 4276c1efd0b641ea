//! Signing keys for the Partner API: ECDSA P-256 key pairs in the service's state directory,
//! rotation, and the `{public_keys: [...]}` document partners verify against.
//!
//! Design decision: the key store is plain files — `keys/<id>.pem` (PKCS#8, mode 0600) and
//! `keys/current` naming the signing key — so `leakguard keys rotate` can run while the service
//! is up: it writes the new key, then atomically renames a new `current` into place. The
//! service re-reads `current` when it signs a batch and when it serves `/v1/public_keys`, so a
//! rotation takes effect without a restart, and old keys stay listed (with
//! `is_current: false`) so requests signed before the rotation still verify. A key identifier
//! is the first 40 hex digits of SHA-256 over the key's SPKI DER (GitLab's look like 40-hex
//! SHA-1s; any opaque stable string works).
//!
//! ```
//! use leakguard::revoke::keys::KeyStore;
//! use leakguard::revoke::partner::verify;
//! let dir = tempfile::tempdir().unwrap();
//! let store = KeyStore::open(dir.path()).unwrap();
//! let (id, sig) = store.sign(b"[]").unwrap();
//! let old = id.clone();
//! store.rotate().unwrap();
//! let keys = store.public_keys().unwrap();
//! assert_eq!(keys.len(), 2);
//! assert!(keys.iter().any(|k| k.key_identifier == old && !k.is_current));
//! verify(&keys, &old, &sig, b"[]").unwrap();
//! ```

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Error;

/// One entry of the public keys document.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicKey {
    /// Identifier sent in `Gitlab-Public-Key-Identifier`.
    pub key_identifier: String,
    /// SPKI PEM.
    pub key: String,
    /// Whether this key signs new requests.
    pub is_current: bool,
}

/// The public keys document: `{"public_keys": [...]}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PublicKeys {
    /// The keys, current first.
    pub public_keys: Vec<PublicKey>,
}

/// Identifier of a verifying key: hex SHA-256 of its SPKI DER, first 40 digits.
pub fn key_identifier(vk: &VerifyingKey) -> Result<String, Error> {
    let der = vk.to_public_key_der().map_err(|e| Error::Keys(e.to_string()))?;
    Ok(hex::encode(Sha256::digest(der.as_bytes()))[..40].to_string())
}

/// Signs `body` with `key`: base64 (standard, padded) of the DER ECDSA P-256/SHA-256 signature.
pub fn sign_with(key: &SigningKey, body: &[u8]) -> String {
    let sig: Signature = key.sign(body);
    STANDARD.encode(sig.to_der().as_bytes())
}

/// Key files in `<state_dir>/keys`.
#[derive(Clone, Debug)]
pub struct KeyStore {
    dir: PathBuf,
}

impl KeyStore {
    /// Opens the store under `state_dir`, creating a first key if there is none.
    pub fn open(state_dir: &Path) -> Result<KeyStore, Error> {
        let dir = state_dir.join("keys");
        crate::state::create_private_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let store = KeyStore { dir };
        if !store.dir.join("current").is_file() {
            store.rotate()?;
        }
        Ok(store)
    }

    fn current_id(&self) -> Result<String, Error> {
        let p = self.dir.join("current");
        let id = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
        let id = id.trim().to_string();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Keys(format!("{}: not a key identifier", p.display())));
        }
        Ok(id)
    }

    fn load(&self, id: &str) -> Result<SigningKey, Error> {
        let p = self.dir.join(format!("{id}.pem"));
        let pem = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
        SigningKey::from_pkcs8_pem(&pem).map_err(|e| Error::Keys(format!("{}: {e}", p.display())))
    }

    /// The current signing key and its identifier.
    pub fn current(&self) -> Result<(String, SigningKey), Error> {
        let id = self.current_id()?;
        Ok((id.clone(), self.load(&id)?))
    }

    /// Signs `body` with the current key: (key identifier, base64 DER signature).
    pub fn sign(&self, body: &[u8]) -> Result<(String, String), Error> {
        let (id, key) = self.current()?;
        Ok((id, sign_with(&key, body)))
    }

    /// Makes a new current key; old keys stay listed. Returns the new identifier.
    pub fn rotate(&self) -> Result<String, Error> {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let id = key_identifier(key.verifying_key())?;
        let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| Error::Keys(e.to_string()))?;
        let path = self.dir.join(format!("{id}.pem"));
        write_private(&path, pem.as_bytes())?;
        let tmp = self.dir.join(".current.tmp");
        write_private(&tmp, format!("{id}\n").as_bytes())?;
        std::fs::rename(&tmp, self.dir.join("current")).map_err(|e| Error::io(&tmp, e))?;
        Ok(id)
    }

    /// Every key, current first, then by identifier.
    pub fn public_keys(&self) -> Result<Vec<PublicKey>, Error> {
        let current = self.current_id()?;
        let rd = std::fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let mut out = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| Error::io(&self.dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(".pem") else { continue };
            let key = self.load(id)?;
            let pem = key
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .map_err(|e| Error::Keys(e.to_string()))?;
            out.push(PublicKey { key_identifier: id.into(), key: pem, is_current: id == current });
        }
        out.sort_by(|a, b| {
            b.is_current.cmp(&a.is_current).then(a.key_identifier.cmp(&b.key_identifier))
        });
        Ok(out)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| Error::io(path, e))
}
