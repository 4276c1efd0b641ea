//! Atomic report files that leave nothing readable behind when the process is killed.
//!
//! Design decision: the report is written into a file **that has no name** until it is
//! complete. On Linux that is an `O_TMPFILE` file in the destination's directory (so the final
//! link is on the same filesystem): it is written, fsynced and only then linked into place
//! through `/proc/self/fd/N` (`linkat(AT_SYMLINK_FOLLOW)`, no `unsafe`: `rustix`). A `kill -9`
//! before that point frees the inode with the process; nothing unredacted survives. `linkat`
//! cannot replace an existing report, so in that case the finished file is linked into a
//! private directory first and renamed over the report. Where `O_TMPFILE` is unavailable
//! (other systems, filesystems without it) the temporary file is a named file inside a private
//! directory `.leakguard-tmp-<pid>-<random>` (mode 0700, file 0600) next to the report. Every
//! write first removes such directories left by processes that no longer exist (Linux:
//! `/proc/<pid>` is gone) or that are older than a day, so a killed run's leftovers last only
//! until the next run. Temporary files are created 0600, never wider than the report.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

/// Prefix of the private temporary directories.
pub(crate) const TMP_DIR_PREFIX: &str = ".leakguard-tmp-";
/// Prefix of the named temporary files of earlier versions (cleaned like the directories).
const LEGACY_PREFIX: &str = ".leakguard-report-";
/// Leftovers whose owner cannot be checked are removed after this long.
const STALE_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How the temporary file is made; [`Strategy::Auto`] in production, the others for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// `O_TMPFILE` where available, else a private directory.
    Auto,
    /// Always a private directory (the fallback), to test it where `O_TMPFILE` works.
    #[cfg(test)]
    PrivateDir,
}

/// Writes `path` atomically (see the module doc); `dir` is its directory.
pub(crate) fn write<F>(path: &Path, dir: &Path, strategy: Strategy, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    clean_stale(dir);
    #[cfg(target_os = "linux")]
    if strategy == Strategy::Auto {
        if let Some(file) = linux::open_unnamed(dir)? {
            return finish_unnamed(path, dir, file, fill);
        }
    }
    let _ = strategy;
    let private = private_dir(dir)?;
    let tmp = private.path().join("report");
    let mut file = create_private_file(&tmp)?;
    fill_and_sync(&mut file, fill)?;
    std::fs::rename(&tmp, path)?;
    sync_dir(dir);
    Ok(())
}

#[cfg(target_os = "linux")]
fn finish_unnamed<F>(path: &Path, dir: &Path, mut file: std::fs::File, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    fill_and_sync(&mut file, fill)?;
    match linux::link(&file, path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // linkat never replaces: link under a private name, then rename over the report.
            let private = private_dir(dir)?;
            let tmp = private.path().join("report");
            linux::link(&file, &tmp)?;
            std::fs::rename(&tmp, path)?;
        }
        Err(e) => return Err(e),
    }
    sync_dir(dir);
    Ok(())
}

fn fill_and_sync<F>(file: &mut std::fs::File, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    {
        let mut buf = io::BufWriter::new(&mut *file);
        fill(&mut buf)?;
        buf.flush()?;
    }
    file.sync_all()
}

/// Best effort: makes the new directory entry durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn create_private_file(path: &Path) -> io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// A `.leakguard-tmp-<pid>-<random>` directory (mode 0700 on Unix), removed with its content
/// when the [`tempfile::TempDir`] drops.
fn private_dir(dir: &Path) -> io::Result<tempfile::TempDir> {
    let prefix = format!("{TMP_DIR_PREFIX}{}-", std::process::id());
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix);
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    b.tempdir_in(dir)
}

/// Removes private directories (and legacy temp files) that earlier, killed runs left in
/// `dir`. Best effort: a failure here never fails the write.
pub(crate) fn clean_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        // Only names we create are looked at further: no metadata read for the rest.
        let ours = name.strip_prefix(TMP_DIR_PREFIX);
        if ours.is_none() && !name.starts_with(LEGACY_PREFIX) {
            continue;
        }
        let Ok(meta) = e.metadata() else { continue };
        let old =
            meta.modified().ok().and_then(|m| m.elapsed().ok()).is_some_and(|a| a > STALE_AFTER);
        if let Some(rest) = ours {
            if !meta.is_dir() {
                continue;
            }
            let owner = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
            if old || owner.is_some_and(|pid| !process_alive(pid)) {
                tracing::debug!("removing stale report temp dir {}", e.path().display());
                let _ = std::fs::remove_dir_all(e.path());
            }
        } else if meta.is_file() && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether `pid` names a live process; `true` where that cannot be told (age decides then).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") { Path::new("/proc").join(pid.to_string()).exists() } else { true }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::AsRawFd as _;
    use std::path::Path;

    use rustix::fs::{AtFlags, CWD, Mode, OFlags};

    /// An unnamed file in `dir` (`O_TMPFILE`, mode 0600), or `None` where the kernel or the
    /// filesystem does not support it.
    pub(super) fn open_unnamed(dir: &Path) -> io::Result<Option<std::fs::File>> {
        let flags = OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC;
        match rustix::fs::openat(CWD, dir, flags, Mode::from_raw_mode(0o600)) {
            Ok(fd) => Ok(Some(std::fs::File::from(fd))),
            // EOPNOTSUPP: filesystem without O_TMPFILE; EISDIR/EINVAL: kernel without it.
            Err(e)
                if e == rustix::io::Errno::OPNOTSUPP
                    || e == rustix::io::Errno::ISDIR
                    || e == rustix::io::Errno::INVAL =>
            {
                tracing::debug!(
                    "O_TMPFILE unavailable in {}: {e}; using a private dir",
                    dir.display()
                );
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Gives the unnamed `file` the name `to` (fails with `AlreadyExists` if `to` exists).
    pub(super) fn link(file: &std::fs::File, to: &Path) -> io::Result<()> {
        let from = format!("/proc/self/fd/{}", file.as_raw_fd());
        rustix::fs::linkat(CWD, from.as_str(), CWD, to, AtFlags::SYMLINK_FOLLOW)
            .map_err(io::Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions())
            & 0o777
    }

    /// With `O_TMPFILE` the directory never holds a named temporary file, not even while the
    /// report is being written, whether or not the report already exists.
    #[cfg(target_os = "linux")]
    #[test]
    fn unnamed_temp_file_never_appears_in_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        if linux::open_unnamed(dir.path()).unwrap().is_none() {
            eprintln!("skipped: no O_TMPFILE on this filesystem");
            return;
        }
        let p = dir.path().join("r.json");
        for round in 0..2 {
            let before = names(dir.path());
            write(&p, dir.path(), Strategy::Auto, |w| {
                w.write_all(b"secret-ish report")?;
                assert_eq!(names(dir.path()), before, "a named temp file exists mid-write");
                Ok(())
            })
            .unwrap();
            assert_eq!(names(dir.path()), vec!["r.json".to_string()], "round {round}");
            assert_eq!(mode(&p), 0o600);
        }
        assert_eq!(std::fs::read(&p).unwrap(), b"secret-ish report");
        // a failed write leaves the previous report and nothing else
        let err = write(&p, dir.path(), Strategy::Auto, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("killed"))
        });
        assert!(err.is_err());
        assert_eq!(names(dir.path()), vec!["r.json".to_string()]);
        assert_eq!(std::fs::read(&p).unwrap(), b"secret-ish report");
    }

    /// The fallback writes through a private 0700 directory holding a 0600 file, and removes it.
    #[cfg(unix)]
    #[test]
    fn private_dir_fallback_is_private_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        write(&p, dir.path(), Strategy::PrivateDir, |w| {
            w.write_all(b"report")?;
            let tmp: Vec<_> =
                names(dir.path()).into_iter().filter(|n| n.starts_with(TMP_DIR_PREFIX)).collect();
            assert_eq!(tmp.len(), 1, "one private dir while writing");
            let private = dir.path().join(&tmp[0]);
            assert_eq!(mode(&private), 0o700);
            assert_eq!(mode(&private.join("report")), 0o600);
            Ok(())
        })
        .unwrap();
        assert_eq!(names(dir.path()), vec!["r.json".to_string()]);
        assert_eq!(std::fs::read(&p).unwrap(), b"report");
        assert_eq!(mode(&p), 0o600);
    }

    /// Leftovers of a killed run (its pid is gone) are removed by the next write; a live
    /// process's directory is left alone.
    #[cfg(target_os = "linux")]
    #[test]
    fn next_run_removes_leftovers_of_killed_runs() {
        let dir = tempfile::tempdir().unwrap();
        // a process that has exited: its pid no longer exists
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = dir.path().join(format!("{TMP_DIR_PREFIX}{dead}-abc123"));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("report"), b"unredacted leftovers").unwrap();
        let live = dir.path().join(format!("{TMP_DIR_PREFIX}{}-def456", std::process::id()));
        std::fs::create_dir(&live).unwrap();
        for strategy in [Strategy::PrivateDir, Strategy::Auto] {
            write(&dir.path().join("r.json"), dir.path(), strategy, |w| w.write_all(b"r")).unwrap();
        }
        assert!(!stale.exists(), "stale private dir of a dead process removed");
        assert!(live.exists(), "a live process's private dir is kept");
    }
}
