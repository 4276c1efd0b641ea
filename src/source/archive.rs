//! Reading inside archives: zip, tar, tar.gz and gz, nested up to a depth.
//!
//! Design decision: archives are expanded in memory entry by entry, and every byte read
//! through a decompressor counts against hard limits (entries, bytes per entry, total
//! expanded bytes, nesting depth). Reads go through `Read::take(limit + 1)`, so a zip bomb
//! stops expanding the moment it crosses a limit instead of after it has filled memory; the
//! entries read so far are still scanned, and the limit that was hit is reported. Entry
//! names are reported as `outer.zip!inner/path` (nested: `a.zip!b.tar.gz!c.txt`).

use std::io::{self, Cursor, Read};

use flate2::read::GzDecoder;

/// Limits for archive expansion.
#[derive(Clone, Copy, Debug)]
pub struct ArchiveLimits {
    /// Nesting depth: 1 reads one level of archive, 2 also archives inside it.
    pub max_depth: usize,
    /// Entries per archive (all levels together).
    pub max_entries: usize,
    /// Expanded bytes of one entry.
    pub max_entry_bytes: u64,
    /// Expanded bytes of everything in one top-level archive.
    pub max_total_bytes: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: 2,
            max_entries: 100_000,
            max_entry_bytes: 100 << 20,
            max_total_bytes: 1 << 30,
        }
    }
}

/// Why expansion stopped early.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArchiveError {
    /// An entry expands past `max_entry_bytes`.
    #[error("entry {0} expands past the per-entry limit (possible zip bomb)")]
    EntryTooLarge(String),
    /// The archive expands past `max_total_bytes`.
    #[error("expands past the total limit (possible zip bomb)")]
    TotalTooLarge,
    /// More than `max_entries` entries.
    #[error("more entries than the limit")]
    TooManyEntries,
    /// Malformed archive.
    #[error("unreadable archive: {0}")]
    Corrupt(String),
}

/// Archive formats recognised by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    /// PKZIP (also jar, apk, whl, docx...).
    Zip,
    /// POSIX tar.
    Tar,
    /// gzip (a `.tar.gz` is detected after decompression).
    Gzip,
}

/// Detects an archive by its magic bytes.
pub fn detect(data: &[u8]) -> Option<ArchiveKind> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(ArchiveKind::Zip)
    } else if data.starts_with(&[0x1f, 0x8b]) {
        Some(ArchiveKind::Gzip)
    } else if data.len() > 262 && &data[257..262] == b"ustar" {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
}

/// Walks the entries of an archive (recursively into nested archives), calling `visit` with
/// the `!`-joined entry name and its bytes for every non-archive file entry. Returns the
/// limit that stopped the walk, if any; entries seen before it were visited.
pub fn for_each_entry(
    name: &str,
    data: &[u8],
    limits: &ArchiveLimits,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Option<ArchiveError> {
    let mut budget = Budget { entries: 0, total: 0, limits: *limits };
    walk(name, data, 1, &mut budget, visit).err()
}

struct Budget {
    entries: usize,
    total: u64,
    limits: ArchiveLimits,
}

impl Budget {
    /// Reads one entry within the limits.
    fn read(&mut self, name: &str, r: &mut dyn Read) -> Result<Vec<u8>, ArchiveError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries);
        }
        let remaining = self.limits.max_total_bytes.saturating_sub(self.total);
        let cap = self.limits.max_entry_bytes.min(remaining);
        let mut buf = Vec::new();
        r.take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| ArchiveError::Corrupt(format!("{name}: {e}")))?;
        if buf.len() as u64 > cap {
            return Err(if cap == self.limits.max_entry_bytes {
                ArchiveError::EntryTooLarge(name.to_string())
            } else {
                ArchiveError::TotalTooLarge
            });
        }
        self.total += buf.len() as u64;
        Ok(buf)
    }
}

fn walk(
    name: &str,
    data: &[u8],
    depth: usize,
    budget: &mut Budget,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Result<(), ArchiveError> {
    let Some(kind) = detect(data) else {
        visit(name, data);
        return Ok(());
    };
    if depth > budget.limits.max_depth {
        // Too deep: the archive's own bytes are scanned as they are.
        visit(name, data);
        return Ok(());
    }
    match kind {
        ArchiveKind::Zip => {
            let mut zip = zip::ZipArchive::new(Cursor::new(data))
                .map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
            for i in 0..zip.len() {
                let mut entry =
                    zip.by_index(i).map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
                if entry.is_dir() {
                    continue;
                }
                let inner = format!("{name}!{}", entry.name());
                let bytes = budget.read(&inner, &mut entry)?;
                walk(&inner, &bytes, depth + 1, budget, visit)?;
            }
        }
        ArchiveKind::Tar => {
            let mut ar = tar::Archive::new(Cursor::new(data));
            let entries = ar.entries().map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
            for entry in entries {
                let mut entry = entry.map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
                if !entry.header().entry_type().is_file() {
                    continue;
                }
                let path =
                    entry.path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
                let inner = format!("{name}!{path}");
                let bytes = budget.read(&inner, &mut entry)?;
                walk(&inner, &bytes, depth + 1, budget, visit)?;
            }
        }
        ArchiveKind::Gzip => {
            let inner_name = name
                .strip_suffix(".gz")
                .or_else(|| name.strip_suffix(".tgz").map(|_| name))
                .unwrap_or(name);
            let bytes = budget.read(name, &mut GzDecoder::new(data))?;
            // A .tar.gz is a tar inside gzip: same level for the user, so no extra depth.
            if detect(&bytes) == Some(ArchiveKind::Tar) {
                return walk(name, &bytes, depth, budget, visit);
            }
            visit(&format!("{name}!{}", base_name(inner_name)), &bytes);
        }
    }
    Ok(())
}

fn base_name(p: &str) -> &str {
    let p = p.rsplit('!').next().unwrap_or(p);
    p.rsplit('/').next().unwrap_or(p)
}

/// Writes a zip with the given (name, bytes) entries; used by tests and benches.
pub fn zip_bytes(entries: &[(&str, &[u8])]) -> io::Result<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).map_err(io::Error::other)?;
        io::Write::write_all(&mut w, bytes)?;
    }
    Ok(w.finish().map_err(io::Error::other)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_zip_tar_gz() {
        let mut tar_buf = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        let body = b"token = abc";
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar_buf.append_data(&mut h, "conf/app.env", &body[..]).unwrap();
        let tar_bytes = tar_buf.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        io::Write::write_all(&mut gz, &tar_bytes).unwrap();
        let tgz = gz.finish().unwrap();
        let zip = zip_bytes(&[("a.txt", b"hello"), ("inner.tar.gz", &tgz)]).unwrap();
        let mut seen = Vec::new();
        let err = for_each_entry("out.zip", &zip, &ArchiveLimits::default(), &mut |n, b| {
            seen.push((n.to_string(), b.to_vec()))
        });
        assert_eq!(err, None);
        assert_eq!(seen[0].0, "out.zip!a.txt");
        assert_eq!(seen[1], ("out.zip!inner.tar.gz!conf/app.env".to_string(), body.to_vec()));
    }

    #[test]
    fn zip_bomb_is_refused_within_limits() {
        // 64 MiB of zeros compresses to ~64 KiB; the limit stops expansion at 1 MiB.
        let zeros = vec![0u8; 64 << 20];
        let zip = zip_bytes(&[("ok.txt", b"fine"), ("bomb.bin", &zeros)]).unwrap();
        assert!(zip.len() < 1 << 20);
        let limits = ArchiveLimits { max_entry_bytes: 1 << 20, ..Default::default() };
        let mut seen = Vec::new();
        let err = for_each_entry("b.zip", &zip, &limits, &mut |n, _| seen.push(n.to_string()));
        assert_eq!(err, Some(ArchiveError::EntryTooLarge("b.zip!bomb.bin".into())));
        assert_eq!(seen, vec!["b.zip!ok.txt"]);
    }

    #[test]
    fn depth_limit() {
        let inner = zip_bytes(&[("deep.txt", b"x")]).unwrap();
        let mid = zip_bytes(&[("inner.zip", &inner)]).unwrap();
        let outer = zip_bytes(&[("mid.zip", &mid)]).unwrap();
        let mut seen = Vec::new();
        let limits = ArchiveLimits { max_depth: 2, ..Default::default() };
        for_each_entry("o.zip", &outer, &limits, &mut |n, _| seen.push(n.to_string()));
        assert_eq!(seen, vec!["o.zip!mid.zip!inner.zip"], "third level is not expanded");
    }
}
