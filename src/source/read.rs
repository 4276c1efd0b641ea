//! Reading one file: the single entry point that picks mmap or a reused buffer.
//!
//! Design decision (ripgrep's `search_file_maybe_path`): callers get a [`Contents`] that
//! derefs to `&[u8]` whatever the strategy, so the scanner never knows how bytes arrived.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;

use memmap2::Mmap;

use super::mmap::MmapChoice;

/// Files at least this large are memory-mapped when mapping is enabled. Below it, one
/// `read` into a reused buffer is cheaper than setting up and tearing down a map.
pub const DEFAULT_MMAP_THRESHOLD: u64 = 8 << 20;

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

/// The bytes of one file.
pub enum Contents<'a> {
    /// Read into the caller's buffer.
    Buffer(&'a [u8]),
    /// Memory-mapped.
    Mapped(Mmap),
}

impl Deref for Contents<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Contents::Buffer(b) => b,
            Contents::Mapped(m) => m,
        }
    }
}

/// Reads files with a size cap and a memory-map policy, reusing one buffer per thread.
#[derive(Debug)]
pub struct FileReader {
    buf: Vec<u8>,
    mmap: MmapChoice,
    mmap_threshold: u64,
    max_size: u64,
}

impl FileReader {
    /// A reader with a size cap.
    pub fn new(max_size: u64, mmap: MmapChoice) -> Self {
        FileReader {
            buf: Vec::with_capacity(64 << 10),
            mmap,
            mmap_threshold: DEFAULT_MMAP_THRESHOLD,
            max_size,
        }
    }

    /// Changes the mmap threshold.
    pub fn mmap_threshold(mut self, bytes: u64) -> Self {
        self.mmap_threshold = bytes;
        self
    }

    /// Reads `path`.
    pub fn read(&mut self, path: &Path) -> Result<Contents<'_>, ReadError> {
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(ReadError::NotRegular);
        }
        let size = meta.len();
        if size > self.max_size {
            return Err(ReadError::TooLarge { size, limit: self.max_size });
        }
        if size >= self.mmap_threshold {
            if let Some(map) = self.mmap.open(&file, path) {
                return Ok(Contents::Mapped(map));
            }
        }
        self.buf.clear();
        // Cap what we read by the limit + 1 so a file growing during the scan stays bounded.
        (&mut file).take(self.max_size.saturating_add(1)).read_to_end(&mut self.buf)?;
        if self.buf.len() as u64 > self.max_size {
            return Err(ReadError::TooLarge { size: self.buf.len() as u64, limit: self.max_size });
        }
        // Do not let one huge file pin memory for the rest of the walk.
        if self.buf.capacity() > (64 << 20) && (self.buf.len() as u64) < self.mmap_threshold {
            self.buf.shrink_to(1 << 20);
        }
        Ok(Contents::Buffer(&self.buf))
    }
}
