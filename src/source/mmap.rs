//! Memory-map policy, the only module allowed `unsafe`.
//!
//! Design decision (after ripgrep's `searcher/mmap.rs`): mapping is a *choice* the caller
//! makes explicitly, defaulting to never; [`MmapChoice::auto`] is `unsafe` because a mapped
//! file that another process truncates can fault the reader. We map only files above a size
//! threshold, where the copy a `read` makes costs more than the mapping (measured in
//! BENCHMARKS.md); small files go through a reused buffer. A failed map falls back to
//! `read` with a `debug!` log, never to an error.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

/// Whether and how to memory-map files.
#[derive(Clone, Copy, Debug, Default)]
pub struct MmapChoice(MmapChoiceImpl);

#[derive(Clone, Copy, Debug, Default)]
enum MmapChoiceImpl {
    #[default]
    Never,
    Auto,
}

impl MmapChoice {
    /// Use memory maps when the reader decides they pay off.
    ///
    /// # Safety
    ///
    /// A memory map reflects concurrent modifications of the file. If another process
    /// truncates the file while it is mapped, reading the map can raise `SIGBUS`. Callers
    /// must accept that risk for the files they scan (as every mmap-based search tool does);
    /// the secret scanner reads files that are not being written during a scan.
    pub unsafe fn auto() -> MmapChoice {
        MmapChoice(MmapChoiceImpl::Auto)
    }

    /// Never memory-map.
    pub fn never() -> MmapChoice {
        MmapChoice(MmapChoiceImpl::Never)
    }

    /// Whether maps are allowed.
    pub fn is_enabled(&self) -> bool {
        matches!(self.0, MmapChoiceImpl::Auto)
    }

    /// Maps `file`, or returns `None` (with a debug log) when not enabled or the map fails.
    pub(crate) fn open(&self, file: &File, path: &Path) -> Option<Mmap> {
        if !self.is_enabled() {
            return None;
        }
        // SAFETY: `MmapChoice::auto` is unsafe and its caller accepted that the file may
        // change underneath the map (see its `# Safety` section). The map is read-only.
        match unsafe { Mmap::map(file) } {
            Ok(map) => {
                #[cfg(unix)]
                let _ = map.advise(memmap2::Advice::Sequential);
                tracing::debug!(path = %path.display(), "searching via memory map");
                Some(map)
            }
            Err(err) => {
                tracing::debug!(path = %path.display(), %err, "memory map failed, reading instead");
                None
            }
        }
    }
}
