//! Archive fixtures shared by the integration tests (`tests/util.rs`) and the archive
//! module's unit tests (`src/source/archive.rs`, through `#[path]`): written with the `tar`
//! and `flate2` crates, independent of leakguard's own readers.

/// A GNU tar of (name, bytes) entries, made with the `tar` crate (an independent writer, so the
/// tests do not check leakguard's tar reader against itself).
pub fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, body) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *body).unwrap();
    }
    b.into_inner().unwrap()
}

/// `data` gzipped.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}
