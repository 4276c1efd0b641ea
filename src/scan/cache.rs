//! A persistent cache of clean blobs: re-runs scan only blobs they have not seen clean.
//!
//! Design decision: an **append-only file of fixed-size, checksummed records**, one per
//! (blob id, rule-set digest) whose content produced no candidate match at all. Chosen over
//! "write a temp file, rename, under a lock" because:
//! * concurrent runs need no lock: each run appends whole batches of records with a single
//!   `write` on a file opened with `O_APPEND`, which the kernel places contiguously;
//! * a run killed mid-write leaves at most one torn record at the end; readers verify each
//!   record's magic and CRC-32 and resynchronise byte by byte on the next valid record, so a
//!   torn or interleaved record costs one cache miss, never a wrong hit;
//! * nothing is ever rewritten in place. The only rewrite, compaction (when stale or corrupt
//!   records outnumber current ones), writes a fresh file and renames it over the old one; an
//!   append racing with it can be lost, which again only costs a rescan.
//!
//! "Clean" means the matcher found no candidate anywhere in the blob, which depends on the
//! bytes and the rules only, not on the path (path-only rules and allowlists are applied per
//! path on every run), so the (blob id, rules digest) key is sound. Blobs with findings, or
//! with candidates that checks or allowlists rejected, are never cached: they are rescanned
//! and their findings reported on every run. Changing the rules changes the digest and so
//! invalidates every record.
//!
//! Record layout (64 bytes): `b"LGBC"`, version `1`, id length, 2 reserved bytes, the id
//! zero-padded to 32 bytes, the first 20 bytes of the rules digest, CRC-32 (LE) of the 60
//! bytes before it.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 4] = b"LGBC";
const VERSION: u8 = 1;
const RECORD: usize = 64;
const DIGEST_LEN: usize = 20;
/// Records buffered before one `write` (64 records = 4 KiB, one page).
const BATCH: usize = 64;

/// A blob id as stored: up to 32 bytes (SHA-1 or SHA-256).
type Key = ([u8; 32], u8);

/// The blob cache for one rule set.
///
/// ```
/// use leakguard::scan::cache::BlobCache;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("cache");
/// let digest = "ab".repeat(32); // Scanner::rules().digest() in real use
/// let mut cache = BlobCache::open(&path, &digest).unwrap();
/// cache.insert(&[7u8; 20]).unwrap();
/// drop(cache); // flushes
/// assert!(BlobCache::open(&path, &digest).unwrap().contains(&[7u8; 20]));
/// assert!(!BlobCache::open(&path, &"cd".repeat(32)).unwrap().contains(&[7u8; 20]));
/// ```
#[derive(Debug)]
pub struct BlobCache {
    path: PathBuf,
    digest: [u8; DIGEST_LEN],
    known: HashSet<Key>,
    file: Option<File>,
    pending: Vec<u8>,
    /// Records read at open: (current rules, stale or corrupt).
    loaded: (usize, usize),
    added: usize,
}

/// Errors opening or writing the cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// The rules digest is not hex.
    #[error("rule-set digest {0:?} is not a hex sha256")]
    Digest(String),
    /// I/O on the cache file.
    #[error("{path}: {source}")]
    Io {
        /// Cache file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

impl BlobCache {
    /// Opens (or creates) the cache at `path` for the rule set with hex digest `rules_digest`.
    pub fn open(path: &Path, rules_digest: &str) -> Result<BlobCache, CacheError> {
        let raw = hex::decode(rules_digest.trim())
            .ok()
            .filter(|d| d.len() >= DIGEST_LEN)
            .ok_or_else(|| CacheError::Digest(rules_digest.to_string()))?;
        let mut digest = [0u8; DIGEST_LEN];
        digest.copy_from_slice(&raw[..DIGEST_LEN]);
        let io_err = |source| CacheError::Io { path: path.to_owned(), source };
        let mut data = Vec::new();
        match File::open(path) {
            Ok(mut f) => {
                f.read_to_end(&mut data).map_err(io_err)?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(e)),
        }
        let (known, stale) = parse(&data, &digest);
        let mut cache = BlobCache {
            path: path.to_owned(),
            digest,
            loaded: (known.len(), stale),
            known,
            file: None,
            pending: Vec::with_capacity(BATCH * RECORD),
            added: 0,
        };
        if stale > cache.known.len() && stale + cache.known.len() > 10_000 {
            cache.compact().map_err(io_err)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path).map_err(io_err)?;
        cache.file = Some(file);
        Ok(cache)
    }

    /// Whether the blob is known clean under these rules.
    pub fn contains(&self, id: &[u8]) -> bool {
        key(id).is_some_and(|k| self.known.contains(&k))
    }

    /// Records a clean blob (buffered; written in batches and on [`BlobCache::flush`]).
    pub fn insert(&mut self, id: &[u8]) -> Result<(), CacheError> {
        let Some(k) = key(id) else { return Ok(()) };
        if !self.known.insert(k) {
            return Ok(());
        }
        self.pending.extend_from_slice(&record(&k, &self.digest));
        self.added += 1;
        if self.pending.len() >= BATCH * RECORD {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes buffered records with one `write` per batch.
    pub fn flush(&mut self) -> Result<(), CacheError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if let Some(f) = &mut self.file {
            for batch in self.pending.chunks(BATCH * RECORD) {
                f.write_all(batch)
                    .map_err(|source| CacheError::Io { path: self.path.clone(), source })?;
            }
        }
        self.pending.clear();
        Ok(())
    }

    /// Clean blobs known for the current rules.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether no blob is known.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// Records read at open for the current rules, and stale or corrupt ones.
    pub fn loaded(&self) -> (usize, usize) {
        self.loaded
    }

    /// Records added by this run.
    pub fn added(&self) -> usize {
        self.added
    }

    /// Rewrites the file with current records only: temp file, fsync, rename.
    fn compact(&mut self) -> io::Result<()> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::Builder::new().prefix(".leakguard-cache-").tempfile_in(dir)?;
        {
            let mut w = io::BufWriter::new(tmp.as_file_mut());
            for k in &self.known {
                w.write_all(&record(k, &self.digest))?;
            }
            w.flush()?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        self.loaded.1 = 0;
        Ok(())
    }
}

impl Drop for BlobCache {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::warn!("blob cache not fully written: {e}");
        }
    }
}

fn key(id: &[u8]) -> Option<Key> {
    if id.is_empty() || id.len() > 32 {
        return None;
    }
    let mut k = [0u8; 32];
    k[..id.len()].copy_from_slice(id);
    Some((k, id.len() as u8))
}

fn record(k: &Key, digest: &[u8; DIGEST_LEN]) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    r[..4].copy_from_slice(MAGIC);
    r[4] = VERSION;
    r[5] = k.1;
    r[8..40].copy_from_slice(&k.0);
    r[40..60].copy_from_slice(digest);
    let crc = crc32fast::hash(&r[..60]);
    r[60..].copy_from_slice(&crc.to_le_bytes());
    r
}

/// Valid records for `digest`, and the count of stale records plus corrupt stretches.
fn parse(data: &[u8], digest: &[u8; DIGEST_LEN]) -> (HashSet<Key>, usize) {
    let mut known = HashSet::new();
    let mut stale = 0;
    let mut p = 0;
    let mut in_garbage = false;
    while p + RECORD <= data.len() {
        let r = &data[p..p + RECORD];
        let valid = &r[..4] == MAGIC
            && r[4] == VERSION
            && (1..=32).contains(&r[5])
            && crc32fast::hash(&r[..60]).to_le_bytes() == r[60..];
        if !valid {
            if !in_garbage {
                stale += 1;
                in_garbage = true;
            }
            // Resynchronise: the next record may start anywhere after a torn write.
            p += match memchr::memmem::find(&data[p + 1..], MAGIC) {
                Some(i) => i + 1,
                None => data.len(),
            };
            continue;
        }
        in_garbage = false;
        if &r[40..60] == digest {
            let mut k = [0u8; 32];
            k.copy_from_slice(&r[8..40]);
            known.insert((k, r[5]));
        } else {
            stale += 1;
        }
        p += RECORD;
    }
    (known, stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D1: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const D2: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    #[test]
    fn remembers_clean_blobs_per_rule_set() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cache");
        {
            let mut c = BlobCache::open(&p, D1).unwrap();
            assert!(c.is_empty());
            c.insert(&[1u8; 20]).unwrap();
            c.insert(&[2u8; 32]).unwrap();
        }
        let c = BlobCache::open(&p, D1).unwrap();
        assert!(c.contains(&[1u8; 20]) && c.contains(&[2u8; 32]));
        assert!(!c.contains(&[3u8; 20]));
        assert_eq!(c.loaded(), (2, 0));
        let other = BlobCache::open(&p, D2).unwrap();
        assert!(!other.contains(&[1u8; 20]), "changed rules must invalidate");
        assert_eq!(other.loaded(), (0, 2));
    }

    #[test]
    fn torn_and_interleaved_records_are_skipped_not_misread() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cache");
        let d = {
            let c = BlobCache::open(&p, D1).unwrap();
            c.digest
        };
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&record(&key(&[1u8; 20]).unwrap(), &d));
        bytes.extend_from_slice(&record(&key(&[2u8; 20]).unwrap(), &d)[..30]); // killed writer
        bytes.extend_from_slice(&record(&key(&[3u8; 20]).unwrap(), &d)); // next run appends
        let mut flipped = record(&key(&[4u8; 20]).unwrap(), &d);
        flipped[20] ^= 0xff; // bit rot
        bytes.extend_from_slice(&flipped);
        bytes.extend_from_slice(&record(&key(&[5u8; 20]).unwrap(), &d)[..63]); // torn tail
        std::fs::write(&p, &bytes).unwrap();
        let c = BlobCache::open(&p, D1).unwrap();
        assert!(c.contains(&[1u8; 20]));
        assert!(!c.contains(&[2u8; 20]));
        assert!(c.contains(&[3u8; 20]));
        assert!(!c.contains(&[4u8; 20]));
        assert!(!c.contains(&[5u8; 20]));
    }

    #[test]
    fn concurrent_appenders_do_not_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cache");
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let p = &p;
                s.spawn(move || {
                    let mut c = BlobCache::open(p, D1).unwrap();
                    for i in 0..500u16 {
                        let mut id = [t; 20];
                        id[..2].copy_from_slice(&i.to_le_bytes());
                        c.insert(&id).unwrap();
                    }
                });
            }
        });
        let c = BlobCache::open(&p, D1).unwrap();
        assert_eq!(c.len(), 2000);
        assert_eq!(c.loaded().1, 0);
    }
}
