//! Reading inside archives: zip, tar, tar.gz and gz, nested up to a depth.
//!
//! Design decision: an archive is walked **entry by entry, streaming**, with an explicit work
//! list instead of recursion, and nothing it contains can hide anything else it contains.
//!
//! * A zip is read through its central directory (random access over the archive bytes, which
//!   the caller already holds); each entry is decompressed on its own. A `.tar.gz` / `.gz` is
//!   decompressed as a stream and tar entries are read one at a time by a small tar reader of
//!   our own, which can *resynchronise* after a header that fails its checksum (the `tar`
//!   crate ends the iteration at the first bad header). Only one entry's bytes are held at a
//!   time, and never more than [`ArchiveLimits::max_entry_bytes`] of them.
//! * Every outcome is classified for the caller's [`Visitor`]: entries are
//!   [visited](Visitor::entry); an entry over the size limit or an archive nested past the
//!   depth limit is a **policy skip** ([`Visitor::skipped`]) and the walk goes on; a corrupt
//!   entry is a **failure** of that entry only ([`Visitor::failed`]) and the walk goes on; a
//!   stream that breaks (truncated or corrupt gzip, truncated tar) fails from that point on.
//!   The zip-bomb guards ([`ArchiveLimits::max_total_bytes`], [`ArchiveLimits::max_entries`])
//!   stop the whole top-level archive, as a failure.
//! * Bytes that look like an archive (by magic number) but cannot be opened are handed to
//!   [`Visitor::entry`] as plain bytes, so reading archives never loses a finding that a plain
//!   scan makes; only when those bytes are binary is the unreadable archive also a failure (a
//!   text file that merely starts with `PK\x03\x04` is a text file).
//! * Nested archives are pushed on a work list (`Vec`), never recursed into, so a 3,000-level
//!   nested zip costs a loop, not the stack; the depth is also capped by
//!   [`MAX_DEPTH_CEILING`].
//!
//! Entry names are reported as `outer.zip!inner/path` (nested: `a.zip!b.tar.gz!c.txt`).

use std::borrow::Cow;
use std::cell::Cell;
use std::io::{self, Cursor, Read};

use flate2::read::MultiGzDecoder;

use super::looks_binary;

/// The hard ceiling for [`ArchiveLimits::max_depth`]: real artifacts nest a few levels (a
/// jar in a war in an ear; a wheel in a tarball), and every level holds its bytes in memory.
pub const MAX_DEPTH_CEILING: usize = 16;

/// Limits for archive expansion.
#[derive(Clone, Copy, Debug)]
pub struct ArchiveLimits {
    /// Nesting depth: 1 reads one level of archive, 2 also archives inside it. Values above
    /// [`MAX_DEPTH_CEILING`] are treated as the ceiling.
    pub max_depth: usize,
    /// Entries per top-level archive (all levels together); past it: a failure.
    pub max_entries: usize,
    /// Expanded bytes of one entry; a larger entry is skipped by policy.
    pub max_entry_bytes: u64,
    /// Bytes decompressed for one top-level archive (all levels, skipped entries read
    /// through included); past it: a failure.
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

/// Content inside an archive left out by policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntrySkip {
    /// The entry expands past [`ArchiveLimits::max_entry_bytes`].
    TooLarge {
        /// Its (declared) size in bytes.
        size: u64,
    },
    /// An archive nested deeper than [`ArchiveLimits::max_depth`]; not opened.
    Depth {
        /// The depth limit in force.
        limit: usize,
    },
}

/// Content inside an archive that could not be read. Messages never contain entry content.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The archive expands past [`ArchiveLimits::max_total_bytes`].
    #[error(
        "expands past the total limit of {limit} bytes (possible zip bomb); \
         the rest of the archive was not scanned"
    )]
    TotalTooLarge {
        /// The limit.
        limit: u64,
    },
    /// More than [`ArchiveLimits::max_entries`] entries.
    #[error(
        "has more than {limit} entries (possible zip bomb); the rest of the archive was not scanned"
    )]
    TooManyEntries {
        /// The limit.
        limit: usize,
    },
    /// One entry cannot be read; the other entries are.
    #[error("unreadable archive entry ({0}); the bytes read before the error were scanned")]
    CorruptEntry(String),
    /// A tar header fails its checksum; the entry it describes is lost.
    #[error("corrupt tar header at byte {offset} (checksum mismatch); that entry was not scanned")]
    CorruptHeader {
        /// Offset of the header in the (decompressed) tar stream.
        offset: u64,
    },
    /// An entry decompresses to more than it declares (and more than the entry limit).
    #[error(
        "entry expands past its declared size of {declared} bytes and past the entry limit of \
         {limit} bytes (corrupt or a zip bomb); not scanned"
    )]
    SizeMismatch {
        /// The declared size.
        declared: u64,
        /// The entry limit.
        limit: u64,
    },
    /// The (decompressed) stream breaks: everything before was read, nothing after.
    #[error("corrupt or truncated after {offset} bytes ({reason}); the rest could not be read")]
    Truncated {
        /// Bytes read from the stream before it broke.
        offset: u64,
        /// The decoder's message.
        reason: String,
    },
    /// The bytes look like an archive but cannot be opened; they were scanned as plain bytes.
    #[error("not a readable {kind} archive ({reason}); scanned as a plain file instead")]
    Unreadable {
        /// zip, tar or gzip.
        kind: &'static str,
        /// The decoder's message.
        reason: String,
    },
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

/// What the walk reports; the caller decides what scanning, skipping and failing mean.
pub trait Visitor {
    /// A file entry (not itself an archive to open), or bytes that looked like an archive but
    /// could not be opened, to be scanned as plain bytes.
    fn entry(&mut self, name: &str, bytes: &[u8]);
    /// Content left out by policy.
    fn skipped(&mut self, name: &str, why: EntrySkip);
    /// Content that could not be read.
    fn failed(&mut self, name: &str, err: ArchiveError);
}

/// Walks the archive `data` named `name` (and archives inside it, up to the depth limit),
/// reporting every entry, skip and failure to `visitor`. Never recurses.
pub fn walk(name: &str, data: &[u8], limits: &ArchiveLimits, visitor: &mut dyn Visitor) {
    let mut limits = *limits;
    limits.max_depth = limits.max_depth.clamp(1, MAX_DEPTH_CEILING);
    let w = Walker { limits, entries: Cell::new(0), used: Cell::new(0) };
    let mut stack = vec![Item { name: name.to_string(), data: Cow::Borrowed(data), depth: 1 }];
    let mut nested = Vec::new();
    while let Some(item) = stack.pop() {
        let res = match detect(&item.data) {
            None => {
                visitor.entry(&item.name, &item.data);
                Ok(())
            }
            Some(ArchiveKind::Zip) => w.zip(&item, &mut nested, visitor),
            Some(ArchiveKind::Gzip) => w.gzip(&item, &mut nested, visitor),
            Some(ArchiveKind::Tar) => {
                let r = w.tar(&mut Cursor::new(&item.data[..]), &item, &mut nested, visitor);
                match r {
                    Ok(false) => {
                        w.unreadable(&item.name, &item.data, "tar", "no valid tar header", visitor);
                        Ok(())
                    }
                    other => other.map(|_| ()),
                }
            }
        };
        if let Err(fatal) = res {
            visitor.failed(name, fatal);
            return;
        }
        // In entry order: the work list is last in, first out.
        stack.extend(nested.drain(..).rev());
    }
}

/// One archive waiting to be opened.
struct Item<'a> {
    name: String,
    data: Cow<'a, [u8]>,
    depth: usize,
}

struct Walker {
    limits: ArchiveLimits,
    entries: Cell<usize>,
    /// Bytes decompressed so far (shared with the [`Counted`] readers).
    used: Cell<u64>,
}

/// A decompressing reader whose output counts against the total limit.
struct Counted<'c, R> {
    inner: R,
    used: &'c Cell<u64>,
    limit: u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.used.set(self.used.get() + n as u64);
        if self.used.get() > self.limit {
            return Err(io::Error::other("total expansion limit"));
        }
        Ok(n)
    }
}

impl Walker {
    fn counted<R: Read>(&self, inner: R) -> Counted<'_, R> {
        Counted { inner, used: &self.used, limit: self.limits.max_total_bytes }
    }

    fn over_total(&self) -> bool {
        self.used.get() > self.limits.max_total_bytes
    }

    /// The failure that ends the whole walk, if a guard tripped.
    fn guard(&self) -> Result<(), ArchiveError> {
        if self.over_total() {
            return Err(ArchiveError::TotalTooLarge { limit: self.limits.max_total_bytes });
        }
        Ok(())
    }

    /// Counts one file entry against the entry limit.
    fn count(&self) -> Result<(), ArchiveError> {
        self.entries.set(self.entries.get() + 1);
        if self.entries.get() > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries { limit: self.limits.max_entries });
        }
        Ok(())
    }

    /// Bytes that look like an archive but cannot be opened: scanned as plain bytes, and a
    /// failure unless they are text (a text file that starts with an archive's magic).
    fn unreadable(
        &self,
        name: &str,
        data: &[u8],
        kind: &'static str,
        reason: &str,
        v: &mut dyn Visitor,
    ) {
        if looks_binary(data) {
            v.failed(name, ArchiveError::Unreadable { kind, reason: reason.to_string() });
        } else {
            tracing::debug!(name, kind, reason, "text with an archive's magic bytes: plain text");
        }
        v.entry(name, data);
    }

    /// An entry's bytes: a nested archive goes on the work list (or is skipped past the depth
    /// limit), anything else is visited.
    fn found(
        &self,
        name: String,
        bytes: Vec<u8>,
        depth: usize,
        nested: &mut Vec<Item<'static>>,
        v: &mut dyn Visitor,
    ) {
        if detect(&bytes).is_none() {
            v.entry(&name, &bytes);
        } else if depth >= self.limits.max_depth {
            v.skipped(&name, EntrySkip::Depth { limit: self.limits.max_depth });
            if !looks_binary(&bytes) {
                // Not really an archive: text with a magic prefix is still scanned.
                v.entry(&name, &bytes);
            }
        } else {
            nested.push(Item { name, data: Cow::Owned(bytes), depth: depth + 1 });
        }
    }

    fn zip(
        &self,
        item: &Item<'_>,
        nested: &mut Vec<Item<'static>>,
        v: &mut dyn Visitor,
    ) -> Result<(), ArchiveError> {
        let mut zip = match zip::ZipArchive::new(Cursor::new(&item.data[..])) {
            Ok(z) => z,
            Err(e) => {
                self.unreadable(&item.name, &item.data, "zip", &e.to_string(), v);
                return Ok(());
            }
        };
        let max = self.limits.max_entry_bytes;
        for i in 0..zip.len() {
            let listed = zip.name_for_index(i).map_or_else(|| format!("#{i}"), str::to_string);
            let name = format!("{}!{listed}", item.name);
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.count()?;
                    v.failed(&name, ArchiveError::CorruptEntry(e.to_string()));
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            self.count()?;
            let declared = entry.size();
            if declared > max {
                v.skipped(&name, EntrySkip::TooLarge { size: declared });
                continue;
            }
            let mut buf = Vec::with_capacity(declared.min(16 << 20) as usize);
            let res = self.counted(&mut entry).take(max + 1).read_to_end(&mut buf);
            drop(entry);
            self.guard()?;
            match res {
                Err(e) => {
                    v.failed(&name, ArchiveError::CorruptEntry(e.to_string()));
                    self.found(name, buf, item.depth, nested, v);
                }
                Ok(_) if buf.len() as u64 > max => {
                    v.failed(&name, ArchiveError::SizeMismatch { declared, limit: max });
                }
                Ok(_) => self.found(name, buf, item.depth, nested, v),
            }
        }
        Ok(())
    }

    fn gzip(
        &self,
        item: &Item<'_>,
        nested: &mut Vec<Item<'static>>,
        v: &mut dyn Visitor,
    ) -> Result<(), ArchiveError> {
        let mut gz = self.counted(MultiGzDecoder::new(&item.data[..]));
        let mut head = Vec::with_capacity(512);
        let res = (&mut gz).take(512).read_to_end(&mut head);
        self.guard()?;
        if let Err(e) = &res {
            if head.is_empty() {
                self.unreadable(&item.name, &item.data, "gzip", &e.to_string(), v);
                return Ok(());
            }
        }
        if res.is_ok() && detect(&head) == Some(ArchiveKind::Tar) {
            // A .tar.gz: the tar is the same level for the user, so no extra depth.
            let mut stream = Cursor::new(head).chain(gz);
            return self.tar(&mut stream, item, nested, v).map(|_| ());
        }
        if res.is_ok() && head.is_empty() {
            return Ok(()); // an empty .gz
        }
        let name = format!("{}!{}", item.name, gz_member_name(&item.name));
        self.count()?;
        let max = self.limits.max_entry_bytes;
        let mut buf = head;
        let res = match res {
            Ok(_) => (&mut gz).take(max + 1 - buf.len() as u64).read_to_end(&mut buf).map(|_| ()),
            Err(e) => Err(e),
        };
        self.guard()?;
        match res {
            Err(e) => {
                let offset = buf.len() as u64;
                v.failed(&name, ArchiveError::Truncated { offset, reason: e.to_string() });
                self.found(name, buf, item.depth, nested, v);
            }
            Ok(()) if buf.len() as u64 > max => {
                // gzip's trailer holds the size modulo 2^32: a better figure than "limit + 1"
                // when it is larger, without decompressing the rest.
                let trailer = item.data.len().checked_sub(4).map_or(0, |at| {
                    let b = &item.data[at..];
                    u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                });
                v.skipped(&name, EntrySkip::TooLarge { size: trailer.max(max + 1) });
            }
            Ok(()) => self.found(name, buf, item.depth, nested, v),
        }
        Ok(())
    }

    /// A broken stream: a failure from here on (the entries before it were read), unless a
    /// guard tripped, which ends the whole walk.
    fn broken(
        &self,
        name: &str,
        offset: u64,
        e: io::Error,
        v: &mut dyn Visitor,
    ) -> Result<(), ArchiveError> {
        self.guard()?;
        v.failed(name, ArchiveError::Truncated { offset, reason: e.to_string() });
        Ok(())
    }

    /// Skips `n` bytes of tar `name` at `offset` (advanced past them). `false` when the
    /// stream ended early: that is reported as the archive's failure, and the walk of it ends.
    fn pass(
        &self,
        name: &str,
        r: &mut dyn Read,
        n: u64,
        offset: &mut u64,
        v: &mut dyn Visitor,
    ) -> Result<bool, ArchiveError> {
        match skip(r, n) {
            Ok(()) => {
                *offset += n;
                Ok(true)
            }
            Err(e) => {
                self.broken(name, *offset, e, v)?;
                Ok(false)
            }
        }
    }

    /// Reads a tar stream entry by entry. Returns whether any valid header was seen.
    fn tar(
        &self,
        r: &mut dyn Read,
        item: &Item<'_>,
        nested: &mut Vec<Item<'static>>,
        v: &mut dyn Visitor,
    ) -> Result<bool, ArchiveError> {
        let name = &*item.name;
        let max = self.limits.max_entry_bytes;
        let mut block = [0u8; 512];
        let mut offset = 0u64;
        let mut listed = false;
        // After a corrupt header: looking for the next valid one (block by block).
        let mut resync = false;
        let mut long_name: Option<Vec<u8>> = None;
        let mut pax_path: Option<Vec<u8>> = None;
        let mut pax_size: Option<u64> = None;
        loop {
            match read_block(r, &mut block) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.broken(name, offset, e, v)?;
                    return Ok(listed);
                }
            }
            let at = offset;
            offset += 512;
            if block.iter().all(|&b| b == 0) {
                if resync {
                    continue;
                }
                break; // end-of-archive marker
            }
            let size = match (checksum_ok(&block), octal_size(&block[124..136])) {
                (true, Some(size)) => size,
                _ => {
                    if !resync {
                        resync = true;
                        let n = format!("{name}!{}", String::from_utf8_lossy(&header_path(&block)));
                        v.failed(&n, ArchiveError::CorruptHeader { offset: at });
                    }
                    continue;
                }
            };
            resync = false;
            listed = true;
            let typeflag = block[156];
            let size = match typeflag {
                // Extension headers describe the next entry; its pax `size` overrides.
                b'L' | b'K' | b'x' | b'g' => size,
                _ => pax_size.take().unwrap_or(size),
            };
            let padding = size.div_ceil(512) * 512 - size;
            match typeflag {
                b'L' | b'x' => {
                    // GNU long name / pax extended header for the next entry (bounded).
                    let mut meta = Vec::new();
                    let res = Read::take(&mut *r, size.min(1 << 20)).read_to_end(&mut meta);
                    let res = res.and_then(|_| skip(r, size - meta.len() as u64 + padding));
                    if let Err(e) = res {
                        self.broken(name, offset, e, v)?;
                        return Ok(listed);
                    }
                    offset += size + padding;
                    if typeflag == b'L' {
                        let end = meta.iter().position(|&b| b == 0).unwrap_or(meta.len());
                        meta.truncate(end);
                        long_name = Some(meta);
                    } else {
                        for (k, val) in pax_records(&meta) {
                            match k {
                                b"path" => pax_path = Some(val.to_vec()),
                                b"size" => {
                                    pax_size =
                                        std::str::from_utf8(val).ok().and_then(|s| s.parse().ok())
                                }
                                _ => {}
                            }
                        }
                    }
                    continue;
                }
                b'0' | 0 | b'7' => {}
                b'S' => {
                    // GNU sparse files: not read (rare); said, not hidden.
                    let path = long_name.take().or(pax_path.take());
                    let path = path.unwrap_or_else(|| header_path(&block));
                    let entry = format!("{name}!{}", String::from_utf8_lossy(&path));
                    v.failed(&entry, ArchiveError::CorruptEntry("GNU sparse entry".into()));
                    if !self.pass(name, r, size + padding, &mut offset, v)? {
                        return Ok(listed);
                    }
                    continue;
                }
                _ => {
                    // Directories, links, devices, global pax headers: nothing to scan.
                    if !self.pass(name, r, size + padding, &mut offset, v)? {
                        return Ok(listed);
                    }
                    long_name = None;
                    pax_path = None;
                    continue;
                }
            }
            let path = long_name.take().or(pax_path.take()).unwrap_or_else(|| header_path(&block));
            let entry = format!("{name}!{}", String::from_utf8_lossy(&path));
            self.count()?;
            if size > max {
                v.skipped(&entry, EntrySkip::TooLarge { size });
                if !self.pass(name, r, size + padding, &mut offset, v)? {
                    return Ok(listed);
                }
                continue;
            }
            let mut buf = Vec::with_capacity(size.min(16 << 20) as usize);
            let res = Read::take(&mut *r, size).read_to_end(&mut buf);
            self.guard()?;
            let res = res.and_then(|_| {
                if (buf.len() as u64) < size {
                    Err(io::Error::new(io::ErrorKind::UnexpectedEof, "entry cut short"))
                } else {
                    skip(r, padding)
                }
            });
            if let Err(e) = res {
                self.guard()?;
                let read = offset + buf.len() as u64;
                v.failed(&entry, ArchiveError::Truncated { offset: read, reason: e.to_string() });
                self.found(entry, buf, item.depth, nested, v);
                return Ok(listed);
            }
            offset += size + padding;
            self.found(entry, buf, item.depth, nested, v);
        }
        self.guard()?;
        Ok(listed)
    }
}

/// Reads one 512-byte block: `Ok(false)` at a clean end of stream.
fn read_block(r: &mut dyn Read, block: &mut [u8; 512]) -> io::Result<bool> {
    let mut got = 0;
    while got < block.len() {
        match r.read(&mut block[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "partial tar block")),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn skip(r: &mut dyn Read, n: u64) -> io::Result<()> {
    let skipped = io::copy(&mut r.take(n), &mut io::sink())?;
    if skipped < n {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ends inside an entry"));
    }
    Ok(())
}

/// The header checksum: the sum of the header bytes with the checksum field read as spaces
/// (unsigned, or signed as some old tars wrote it).
fn checksum_ok(h: &[u8; 512]) -> bool {
    let Some(stored) = octal_size(&h[148..156]) else { return false };
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &b) in h.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// An octal numeric field (NUL/space padded), or GNU base-256 when the high bit is set.
fn octal_size(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|&b| b & 0x80 != 0) {
        let mut n = 0u64;
        for &b in &field[1..] {
            n = n.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(n);
    }
    let s = field.iter().skip_while(|&&b| b == b' ' || b == 0);
    let mut n = 0u64;
    let mut digits = 0;
    for &b in s {
        match b {
            b'0'..=b'7' => {
                n = n.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
                digits += 1;
            }
            b' ' | 0 => break,
            _ => return None,
        }
    }
    (digits > 0).then_some(n)
}

/// `prefix/name` of a ustar header (just `name` for old tars).
fn header_path(h: &[u8; 512]) -> Vec<u8> {
    let field = |f: &[u8]| f[..f.iter().position(|&b| b == 0).unwrap_or(f.len())].to_vec();
    let name = field(&h[..100]);
    if &h[257..262] == b"ustar" {
        let prefix = field(&h[345..500]);
        if !prefix.is_empty() {
            let mut p = prefix;
            p.push(b'/');
            p.extend_from_slice(&name);
            return p;
        }
    }
    name
}

/// `"<len> <key>=<value>\n"` records of a pax extended header.
fn pax_records(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let sp = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..sp]).ok()?.parse().ok()?;
        if len <= sp || len > rest.len() {
            return None;
        }
        let rec = &rest[sp + 1..len];
        rest = &rest[len..];
        let rec = rec.strip_suffix(b"\n").unwrap_or(rec);
        let eq = rec.iter().position(|&b| b == b'=')?;
        Some((&rec[..eq], &rec[eq + 1..]))
    })
}

/// The member name of `x.gz` (`x`), from the last path component of the archive's name.
fn gz_member_name(archive: &str) -> &str {
    let base = archive.rsplit('!').next().unwrap_or(archive);
    let base = base.rsplit(['/', '\\']).next().unwrap_or(base);
    base.strip_suffix(".gz").or_else(|| base.strip_suffix(".gzip")).unwrap_or(base)
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

/// Tar and gzip writers shared with the integration tests.
#[cfg(test)]
#[path = "../../tests/fixtures.rs"]
mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;
    use fixtures::{gzip, tar_of};

    /// Records what the walk reports.
    #[derive(Default)]
    struct Seen {
        entries: Vec<(String, Vec<u8>)>,
        skipped: Vec<(String, EntrySkip)>,
        failed: Vec<(String, ArchiveError)>,
    }

    impl Visitor for Seen {
        fn entry(&mut self, name: &str, bytes: &[u8]) {
            self.entries.push((name.to_string(), bytes.to_vec()));
        }
        fn skipped(&mut self, name: &str, why: EntrySkip) {
            self.skipped.push((name.to_string(), why));
        }
        fn failed(&mut self, name: &str, err: ArchiveError) {
            self.failed.push((name.to_string(), err));
        }
    }

    fn seen(name: &str, data: &[u8], limits: &ArchiveLimits) -> Seen {
        let mut s = Seen::default();
        walk(name, data, limits, &mut s);
        s
    }

    fn names(s: &Seen) -> Vec<&str> {
        s.entries.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn nested_zip_tar_gz() {
        let body = b"token = abc";
        let tgz = gzip(&tar_of(&[("conf/app.env", body)]));
        let zip = zip_bytes(&[("a.txt", b"hello"), ("inner.tar.gz", &tgz)]).unwrap();
        let s = seen("out.zip", &zip, &ArchiveLimits::default());
        assert!(s.failed.is_empty() && s.skipped.is_empty());
        assert_eq!(s.entries[0].0, "out.zip!a.txt");
        assert_eq!(s.entries[1], ("out.zip!inner.tar.gz!conf/app.env".to_string(), body.to_vec()));
    }

    #[test]
    fn oversized_zip_entry_is_skipped_and_later_entries_read() {
        let zeros = vec![0u8; 4 << 20];
        let zip = zip_bytes(&[("ok.txt", b"fine"), ("bomb.bin", &zeros), ("after.txt", b"later")])
            .unwrap();
        let limits = ArchiveLimits { max_entry_bytes: 1 << 20, ..Default::default() };
        let s = seen("b.zip", &zip, &limits);
        assert_eq!(names(&s), ["b.zip!ok.txt", "b.zip!after.txt"]);
        assert_eq!(s.skipped, [("b.zip!bomb.bin".into(), EntrySkip::TooLarge { size: 4 << 20 })]);
        assert!(s.failed.is_empty());
    }

    #[test]
    fn total_limit_stops_the_archive_as_a_failure() {
        let zeros = vec![b'0'; 1 << 20];
        let zip = zip_bytes(&[("a", &zeros), ("b", &zeros), ("c", &zeros)]).unwrap();
        let limits = ArchiveLimits { max_total_bytes: (2 << 20) + 10, ..Default::default() };
        let s = seen("t.zip", &zip, &limits);
        assert_eq!(names(&s), ["t.zip!a", "t.zip!b"]);
        assert_eq!(
            s.failed,
            [("t.zip".into(), ArchiveError::TotalTooLarge { limit: (2 << 20) + 10 })]
        );
        let limits = ArchiveLimits { max_entries: 2, ..Default::default() };
        let s = seen("t.zip", &zip, &limits);
        assert_eq!(s.failed, [("t.zip".into(), ArchiveError::TooManyEntries { limit: 2 })]);
    }

    #[test]
    fn large_tar_gz_streams_past_the_entry_limit() {
        let big = vec![b'x'; 3 << 20];
        let tgz = gzip(&tar_of(&[("big.txt", &big), ("small.txt", b"after"), ("b2", &big)]));
        let limits = ArchiveLimits { max_entry_bytes: 4 << 20, ..Default::default() };
        let s = seen("a.tar.gz", &tgz, &limits);
        assert_eq!(names(&s), ["a.tar.gz!big.txt", "a.tar.gz!small.txt", "a.tar.gz!b2"]);
        let limits = ArchiveLimits { max_entry_bytes: 1 << 20, ..Default::default() };
        let s = seen("a.tar.gz", &tgz, &limits);
        assert_eq!(names(&s), ["a.tar.gz!small.txt"]);
        assert_eq!(s.skipped.len(), 2);
    }

    #[test]
    fn corrupt_tar_header_costs_that_entry_only() {
        let mut t = tar_of(&[("one.txt", b"first"), ("two.txt", b"second"), ("three.txt", b"3rd")]);
        t[512 * 2 + 3] ^= 0x55; // the header of two.txt (one.txt: header + one data block)
        let s = seen("c.tar", &t, &ArchiveLimits::default());
        assert_eq!(names(&s), ["c.tar!one.txt", "c.tar!three.txt"]);
        assert_eq!(s.failed.len(), 1, "{:?}", s.failed);
        assert!(matches!(s.failed[0].1, ArchiveError::CorruptHeader { offset: 1024 }));
        // Through gzip as well.
        let s = seen("c.tgz", &gzip(&t), &ArchiveLimits::default());
        assert_eq!(names(&s), ["c.tgz!one.txt", "c.tgz!three.txt"]);
    }

    #[test]
    fn corrupt_zip_entry_costs_that_entry_only() {
        let body = b"some text that deflates into a stream of bytes ".repeat(50);
        let mut zip = zip_bytes(&[("a.txt", &body), ("b.txt", &body), ("c.txt", &body)]).unwrap();
        // Flip a byte inside b.txt's compressed data (after its local header and name).
        let b_at = zip.windows(5).position(|w| w == b"b.txt").unwrap();
        zip[b_at + 5 + 20] ^= 0xff;
        let s = seen("z.zip", &zip, &ArchiveLimits::default());
        assert!(names(&s).contains(&"z.zip!a.txt") && names(&s).contains(&"z.zip!c.txt"));
        assert_eq!(s.failed.len(), 1, "{:?}", s.failed);
        assert_eq!(s.failed[0].0, "z.zip!b.txt");
    }

    #[test]
    fn unreadable_archives_are_plain_bytes() {
        let text = b"PK\x03\x04 not a zip\ntoken = abc\n";
        let s = seen("t.txt", text, &ArchiveLimits::default());
        assert_eq!(s.entries, [("t.txt".to_string(), text.to_vec())]);
        assert!(s.failed.is_empty(), "text with a magic prefix is text");
        let text = b"\x1f\x8b not gzip\ntoken = abc\n";
        let s = seen("g.txt", text, &ArchiveLimits::default());
        assert_eq!(s.entries, [("g.txt".to_string(), text.to_vec())]);
        // A truncated zip (binary): a failure, and its bytes are still handed over.
        let zip = zip_bytes(&[("a.txt", b"hello hello hello")]).unwrap();
        let cut = &zip[..zip.len() - 30];
        let s = seen("cut.zip", cut, &ArchiveLimits::default());
        assert_eq!(names(&s), ["cut.zip"]);
        assert!(matches!(s.failed[0].1, ArchiveError::Unreadable { kind: "zip", .. }));
    }

    #[test]
    fn truncated_gzip_keeps_what_was_read() {
        let text = b"line of text\n".repeat(10_000);
        let g = gzip(&text);
        let s = seen("log.gz", &g[..g.len() / 2], &ArchiveLimits::default());
        assert_eq!(names(&s), ["log.gz!log"]);
        assert!(!s.entries[0].1.is_empty());
        assert!(matches!(s.failed[0].1, ArchiveError::Truncated { .. }), "{:?}", s.failed);
    }

    #[test]
    fn deep_nesting_is_a_loop_and_stops_at_the_depth_limit() {
        let mut z = zip_bytes(&[("deep.txt", b"x")]).unwrap();
        for i in 0..3000 {
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            let o = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            w.start_file(format!("l{i}.zip"), o).unwrap();
            io::Write::write_all(&mut w, &z).unwrap();
            z = w.finish().unwrap().into_inner();
        }
        let limits = ArchiveLimits { max_depth: 100_000, ..Default::default() };
        let s = seen("n.zip", &z, &limits);
        assert!(s.entries.is_empty() && s.failed.is_empty());
        assert_eq!(s.skipped.len(), 1);
        assert_eq!(s.skipped[0].1, EntrySkip::Depth { limit: MAX_DEPTH_CEILING });
        assert_eq!(s.skipped[0].0.matches('!').count(), MAX_DEPTH_CEILING);
        let limits = ArchiveLimits { max_depth: 2, ..Default::default() };
        let s = seen("n.zip", &z, &limits);
        assert_eq!(
            s.skipped,
            [("n.zip!l2999.zip!l2998.zip".into(), EntrySkip::Depth { limit: 2 })]
        );
    }
}
