//! Reading one file or stream into a reused buffer: the single entry point for file bytes.
//!
//! Design decision: files under scan are *read*, never memory-mapped. A map of a file that
//! another process truncates faults the reader with `SIGBUS` (ripgrep accepts that risk and
//! maps only a handful of explicit files; git reads working-tree files). A secret-scanning
//! gate must not die on a file that changes under it, and reading costs little here: the
//! scan, not the copy from the page cache, dominates (measured on 20 files of 50 MB and on
//! the generated corpus when the map was removed). Memory stays bounded by
//! `--max-file-size` per worker, and the buffer is reused across files.
//!
//! A file that changes while it is read (truncated, rewritten, growing) is scanned as far as
//! it was read, and [`Contents::changed`] says so: the number of bytes read differs from the
//! size at open, or (files of 1 MiB and more, read in several calls) the size or
//! modification time from a second `fstat` after the read differs from the first. Streams (stdin, FIFOs, process
//! substitutions) have no size upfront: [`FileReader::read_stream`] reads up to the cap and
//! says whether there was more.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;
use std::time::SystemTime;

/// A buffer that grew past this for one large file is given back before a smaller file is
/// read, so one huge file does not pin memory for the rest of the walk.
const KEEP_CAPACITY: usize = 64 << 20;

/// Why a file was not scanned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Larger than the configured cap.
    #[error("larger than the size limit ({size} > {limit} bytes)")]
    TooLarge {
        /// File size.
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// Not a regular file (device, socket, fifo).
    #[error("not a regular file")]
    NotRegular,
    /// An I/O error.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The bytes of one file, as far as they were read.
#[derive(Debug)]
pub struct Contents<'a> {
    bytes: &'a [u8],
    /// Set when the file changed during the read: what changed, without content.
    changed: Option<String>,
}

impl Contents<'_> {
    /// When the file changed while it was read (its size or modification time at the end of
    /// the read differs from that at open), a message saying how; the bytes are what was
    /// read. `None` for a file that stayed put.
    pub fn changed(&self) -> Option<&str> {
        self.changed.as_deref()
    }
}

impl Deref for Contents<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes
    }
}

/// The bytes of one stream, up to the cap.
#[derive(Debug)]
pub struct StreamContents<'a> {
    /// The bytes read (at most the cap).
    pub bytes: &'a [u8],
    /// Whether the stream had more bytes than the cap (they were not read).
    pub truncated: bool,
}

/// Files at least this large get a second `fstat` after the read (see [`FileReader::read`]).
const RESTAT_MIN: u64 = 1 << 20;

/// Reads files and streams with a size cap, reusing one buffer per thread.
#[derive(Debug)]
pub struct FileReader {
    /// Reused across files so the steady state allocates nothing.
    buf: Vec<u8>,
    max_size: u64,
}

impl FileReader {
    /// A reader with a size cap.
    pub fn new(max_size: u64) -> Self {
        FileReader { buf: Vec::with_capacity(64 << 10), max_size }
    }

    /// Reads the regular file at `path`, at most the cap. A path that is not a regular file
    /// is refused after `open`, unread (the walk never hands FIFOs here).
    pub fn read(&mut self, path: &Path) -> Result<Contents<'_>, ReadError> {
        let mut file = File::open(path)?;
        let before = file.metadata()?;
        if !before.is_file() {
            return Err(ReadError::NotRegular);
        }
        let size = before.len();
        if size > self.max_size {
            return Err(ReadError::TooLarge { size, limit: self.max_size });
        }
        let want = usize::try_from(size).unwrap_or(usize::MAX);
        self.prepare(want);
        // The stat size is a hint: the file may shrink or grow while we read. Reading to EOF
        // bounded by the cap keeps memory bounded whatever happens.
        (&mut file).take(self.max_size).read_to_end(&mut self.buf)?;
        let read = self.buf.len() as u64;
        // A file that shrank or grew while read yields a byte count other than its size at
        // open. A file read in more than one call could also have been rewritten in place at
        // the same size: `fstat` again (size and mtime). Below that, the extra syscall per
        // file cost about 2% of a tree scan and the window is one `read`.
        let before = Stat::of(&before);
        let after = if size >= RESTAT_MIN { Stat::of(&file.metadata()?) } else { before };
        let changed = changed(before, after, read);
        if let Some(why) = &changed {
            tracing::debug!(path = %path.display(), why, "file changed while being read");
        }
        Ok(Contents { bytes: &self.buf, changed })
    }

    /// Reads a stream (stdin, a FIFO, a process substitution) up to the cap.
    pub fn read_stream<R: Read>(&mut self, stream: R) -> io::Result<StreamContents<'_>> {
        self.prepare(0);
        let cap = self.max_size;
        stream.take(cap.saturating_add(1)).read_to_end(&mut self.buf)?;
        let truncated = self.buf.len() as u64 > cap;
        if truncated {
            self.buf.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
        }
        Ok(StreamContents { bytes: &self.buf, truncated })
    }

    /// Empties the buffer and makes room for `want` bytes (plus one, so `read_to_end` finds
    /// EOF without growing), giving back a large allocation when this file is small.
    fn prepare(&mut self, want: usize) {
        self.buf.clear();
        if self.buf.capacity() > KEEP_CAPACITY && want < KEEP_CAPACITY {
            self.buf.shrink_to(want.max(1 << 20));
        }
        self.buf.reserve(want.saturating_add(1));
    }
}

/// How the file changed between the two `fstat`s around a read that got `read` bytes.
/// What `fstat` said about a file: its size and modification time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stat {
    len: u64,
    mtime: SystemTime,
}

impl Stat {
    fn of(m: &Metadata) -> Stat {
        Stat { len: m.len(), mtime: m.modified().unwrap_or(SystemTime::UNIX_EPOCH) }
    }
}

/// Why a file read as `read` bytes between `before` and `after` changed meanwhile, if it did.
fn changed(before: Stat, after: Stat, read: u64) -> Option<String> {
    let (b, a) = (before.len, after.len);
    if b != a {
        Some(format!(
            "changed while being read (size {b} bytes at open, {a} at the end; the first {read} \
             bytes were scanned)"
        ))
    } else if read != b {
        Some(format!(
            "changed while being read (size {b} bytes, but {read} bytes were read and scanned)"
        ))
    } else if before.mtime != after.mtime {
        Some(format!(
            "changed while being read (modified during the read; {read} bytes were scanned)"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_files_and_refuses_over_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"hello").unwrap();
        let mut r = FileReader::new(5);
        let c = r.read(&p).unwrap();
        assert_eq!(&*c, b"hello");
        assert!(c.changed().is_none());
        std::fs::write(&p, b"hello!").unwrap();
        assert!(matches!(r.read(&p), Err(ReadError::TooLarge { size: 6, limit: 5 })));
        assert!(matches!(r.read(dir.path()), Err(ReadError::NotRegular)));
    }

    #[test]
    fn changes_during_a_read_are_named() {
        let t0 = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000);
        let t1 = t0 + std::time::Duration::from_secs(1);
        let at = |len, mtime| Stat { len, mtime };
        assert_eq!(changed(at(100, t0), at(100, t0), 100), None);
        let grew = changed(at(100, t0), at(150, t1), 100).unwrap();
        assert!(grew.contains("size 100 bytes at open, 150 at the end"), "{grew}");
        // Shrunk (or grew) within one read: no second stat, the byte count tells.
        let shrank = changed(at(100, t0), at(100, t0), 60).unwrap();
        assert!(shrank.contains("but 60 bytes were read"), "{shrank}");
        let rewritten = changed(at(100, t0), at(100, t1), 100).unwrap();
        assert!(rewritten.contains("modified during the read"), "{rewritten}");
    }

    #[test]
    fn streams_are_read_up_to_the_cap() {
        let mut r = FileReader::new(4);
        let s = r.read_stream(&b"abcd"[..]).unwrap();
        assert_eq!((s.bytes, s.truncated), (&b"abcd"[..], false));
        let s = r.read_stream(&b"abcdef"[..]).unwrap();
        assert_eq!((s.bytes, s.truncated), (&b"abcd"[..], true));
    }
}
