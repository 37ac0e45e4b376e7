//! Site archives (`.zip`, `.tar.gz`): the portal checks an upload with
//! these rules and the node agent applies them again while unpacking, so
//! both refuse the same archives with the same words. Sizes are counted
//! from the bytes really read, never from the archive's headers.

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// The two formats a site can be uploaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    TarGz,
}

impl Format {
    /// Recognises an archive by its first bytes (names can lie).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Some(Self::Zip)
        } else if bytes.starts_with(&[0x1f, 0x8b]) {
            Some(Self::TarGz)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zip => "zip",
            Self::TarGz => "tar_gz",
        }
    }
}

/// What an archive may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Total size of its files once unpacked (the plan's storage quota).
    pub max_bytes: u64,
    pub max_files: u32,
}

/// Files a site archive may hold.
pub const MAX_FILES: u32 = 20_000;
/// An archive may unpack to this many times its own size (and at least
/// `BOMB_FLOOR` bytes): text compresses 5–10 times, a bomb thousands.
pub const BOMB_RATIO: u64 = 100;
const BOMB_FLOOR: u64 = 16 * 1024 * 1024;
const MAX_DEPTH: usize = 32;
const MAX_PATH: usize = 1024;

/// What an archive held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub files: u32,
    pub bytes: u64,
}

/// Why an archive is refused: each says what to change.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("That file is not a .zip or .tar.gz archive.")]
    NotAnArchive,
    #[error("The archive could not be read ({0}): make it again and upload it once more.")]
    Corrupt(String),
    #[error("“{0}” points outside the site's folder: archives may only hold paths inside it.")]
    UnsafePath(String),
    #[error("“{0}” is a link: site archives may not hold links (upload the files themselves).")]
    Link(String),
    #[error("“{0}” is not a file or a folder: site archives may only hold files and folders.")]
    Special(String),
    #[error("The archive holds no files.")]
    Empty,
    #[error(
        "The archive unpacks to more than {limit}, the plan's storage: upload fewer files or change plan."
    )]
    TooLarge { limit: String },
    #[error("The archive holds more than {0} files.")]
    TooManyFiles(u32),
    #[error("The archive unpacks to over {BOMB_RATIO} times its own size, which only archive bombs do.")]
    Bomb,
    #[error("The site could not be written on the node: {0}")]
    Write(#[from] io::Error),
}

/// Checks `bytes` (reading every file) without writing anything.
pub fn check(bytes: &[u8], limits: Limits) -> Result<Summary, ArchiveError> {
    walk(bytes, limits, |_, entry| match entry {
        Entry::Dir => Ok(()),
        Entry::File(reader) => io::copy(reader, &mut io::sink()).map(drop),
    })
}

/// Unpacks `bytes` into `dest` (made here; it must not exist). Files are
/// written 0644 and folders 0755 whatever the archive says. When
/// everything sits in one folder, that folder's contents become the site.
pub fn unpack(bytes: &[u8], dest: &Path, limits: Limits) -> Result<Summary, ArchiveError> {
    std::fs::create_dir_all(dest)?;
    let summary = walk(bytes, limits, |path, entry| {
        let target = dest.join(path);
        match entry {
            Entry::Dir => std::fs::create_dir_all(&target),
            Entry::File(reader) => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                // A later entry of the same name wins (tar appends so).
                match std::fs::remove_file(&target) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&target)?;
                io::copy(reader, &mut file).map(drop)
            }
        }
    })?;
    lift_single_folder(dest)?;
    Ok(summary)
}

/// `site/index.html` and the like: the folder's contents are the site.
fn lift_single_folder(dest: &Path) -> io::Result<()> {
    let children: Vec<_> = std::fs::read_dir(dest)?.collect::<Result<_, _>>()?;
    let [only] = children.as_slice() else {
        return Ok(());
    };
    if !only.file_type()?.is_dir() {
        return Ok(());
    }
    let aside = dest.with_extension("lifting");
    std::fs::rename(dest, &aside)?;
    std::fs::rename(aside.join(only.file_name()), dest)?;
    std::fs::remove_dir(&aside)
}

enum Entry<'a> {
    Dir,
    File(&'a mut dyn Read),
}

/// Calls `sink` with each entry's safe relative path, counting files and
/// the bytes `sink` really reads against the limits.
fn walk(
    bytes: &[u8],
    limits: Limits,
    sink: impl FnMut(&Path, Entry<'_>) -> io::Result<()>,
) -> Result<Summary, ArchiveError> {
    let format = Format::sniff(bytes).ok_or(ArchiveError::NotAnArchive)?;
    let mut walker = Walker {
        limits,
        budget: limits
            .max_bytes
            .min((bytes.len() as u64).saturating_mul(BOMB_RATIO).max(BOMB_FLOOR)),
        summary: Summary::default(),
        sink,
    };
    let corrupt = |e: &dyn std::fmt::Display| ArchiveError::Corrupt(e.to_string());
    match format {
        Format::Zip => {
            let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
            for i in 0..zip.len() {
                let mut entry = zip.by_index(i).map_err(|e| corrupt(&e))?;
                let name = entry.name().to_string();
                // The Unix file type, when the archive was made on Unix.
                let kind = entry.unix_mode().map(|m| m & 0o170000);
                if entry.is_symlink() || kind == Some(0o120000) {
                    return Err(ArchiveError::Link(name));
                }
                if entry.is_dir() {
                    walker.dir(&name)?;
                } else if matches!(kind, None | Some(0) | Some(0o100000)) {
                    walker.file(&name, &mut entry)?;
                } else {
                    return Err(ArchiveError::Special(name));
                }
            }
        }
        Format::TarGz => {
            let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
            for entry in tar.entries().map_err(|e| corrupt(&e))? {
                let mut entry = entry.map_err(|e| corrupt(&e))?;
                let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                let kind = entry.header().entry_type();
                if kind.is_symlink() || kind.is_hard_link() {
                    return Err(ArchiveError::Link(name));
                } else if kind.is_dir() {
                    walker.dir(&name)?;
                } else if kind.is_file() || kind.is_contiguous() {
                    walker.file(&name, &mut entry)?;
                } else if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
                    // Metadata for the entries around it, not a file.
                } else {
                    return Err(ArchiveError::Special(name));
                }
            }
        }
    }
    if walker.summary.files == 0 {
        return Err(ArchiveError::Empty);
    }
    Ok(walker.summary)
}

struct Walker<F> {
    limits: Limits,
    /// The most bytes the archive may unpack to: the quota, or less when
    /// that would be a bomb's ratio.
    budget: u64,
    summary: Summary,
    sink: F,
}

impl<F: FnMut(&Path, Entry<'_>) -> io::Result<()>> Walker<F> {
    fn dir(&mut self, name: &str) -> Result<(), ArchiveError> {
        match safe_path(name)? {
            Some(path) => (self.sink)(&path, Entry::Dir).map_err(ArchiveError::Write),
            None => Ok(()),
        }
    }

    fn file(&mut self, name: &str, reader: &mut dyn Read) -> Result<(), ArchiveError> {
        // A file named like the site's folder itself is no file.
        let path =
            safe_path(name)?.ok_or_else(|| ArchiveError::UnsafePath(name.chars().take(200).collect()))?;
        self.summary.files += 1;
        if self.summary.files > self.limits.max_files {
            return Err(ArchiveError::TooManyFiles(self.limits.max_files));
        }
        let left = self.budget - self.summary.bytes;
        let mut counted = Counted {
            inner: reader.take(left + 1),
            read: 0,
        };
        let written = (self.sink)(&path, Entry::File(&mut counted));
        self.summary.bytes += counted.read;
        if self.summary.bytes > self.budget {
            return Err(over(self.budget, self.limits));
        }
        written.map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => ArchiveError::Corrupt(e.to_string()),
            _ => ArchiveError::Write(e),
        })
    }
}

fn over(budget: u64, limits: Limits) -> ArchiveError {
    if budget < limits.max_bytes {
        ArchiveError::Bomb
    } else {
        ArchiveError::TooLarge {
            limit: crate::hosting::format_bytes(limits.max_bytes.min(i64::MAX as u64) as i64),
        }
    }
}

/// The entry's path inside the site, or None for the site's folder itself
/// (`./`). Refuses absolute paths, `..`, and over-long or deep paths.
fn safe_path(name: &str) -> Result<Option<PathBuf>, ArchiveError> {
    let unsafe_path = || ArchiveError::UnsafePath(name.chars().take(200).collect());
    // Old Windows tools write `\` between folders.
    let normal = name.replace('\\', "/");
    if normal.len() > MAX_PATH || normal.contains('\0') || normal.starts_with('/') {
        return Err(unsafe_path());
    }
    let mut path = PathBuf::new();
    for part in Path::new(&normal).components() {
        match part {
            Component::Normal(p) => path.push(p),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return Err(unsafe_path()),
        }
    }
    // `C:` and the like are folder names on Unix but paths on Windows.
    if path.components().count() > MAX_DEPTH || normal.split('/').any(|p| p.ends_with(':')) {
        return Err(unsafe_path());
    }
    Ok((path.components().count() > 0).then_some(path))
}

/// Counts what passes through.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const ROOMY: Limits = Limits {
        max_bytes: 1 << 30,
        max_files: 100,
    };

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        for (name, body) in entries {
            out.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(body).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn tar_gz(build: impl FnOnce(&mut tar::Builder<flate2::write::GzEncoder<Vec<u8>>>)) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let mut out = tar::Builder::new(gz);
        build(&mut out);
        out.into_inner().unwrap().finish().unwrap()
    }

    fn file_header(size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h
    }

    #[test]
    fn a_zip_of_a_folder_unpacks_to_its_contents() {
        let bytes = zip_of(&[("site/index.html", b"<h1>Hi</h1>"), ("site/css/a.css", b"a{}")]);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("r1");
        let summary = unpack(&bytes, &dest, ROOMY).unwrap();
        assert_eq!(summary, Summary { files: 2, bytes: 14 });
        assert_eq!(std::fs::read(dest.join("index.html")).unwrap(), b"<h1>Hi</h1>");
        assert!(dest.join("css/a.css").is_file());
    }

    #[test]
    fn zip_slip_is_refused() {
        let bytes = zip_of(&[("index.html", b"x"), ("../../etc/evil", b"x")]);
        let err = check(&bytes, ROOMY).unwrap_err();
        assert!(
            matches!(err, ArchiveError::UnsafePath(ref p) if p == "../../etc/evil"),
            "{err}"
        );
    }

    #[test]
    fn tar_links_and_traversal_are_refused() {
        let link = tar_gz(|t| {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            t.append_link(&mut h, "passwd", "/etc/passwd").unwrap();
        });
        assert!(matches!(check(&link, ROOMY), Err(ArchiveError::Link(ref p)) if p == "passwd"));
        let traversal = tar_gz(|t| {
            let mut h = file_header(1);
            // The builder refuses `..`; a hostile tool would not.
            h.as_gnu_mut().unwrap().name[..9].copy_from_slice(b"../x.html");
            h.set_cksum();
            t.append(&h, &b"x"[..]).unwrap();
        });
        assert!(matches!(
            check(&traversal, ROOMY),
            Err(ArchiveError::UnsafePath(_))
        ));
    }

    #[test]
    fn a_bomb_is_refused_from_the_bytes_read() {
        // 64 MB of zeros compress to about 64 KB.
        let zeros = vec![0u8; 64 << 20];
        let bomb = tar_gz(|t| {
            t.append_data(&mut file_header(zeros.len() as u64), "index.html", &zeros[..])
                .unwrap()
        });
        assert!(bomb.len() < 1 << 20);
        let refused = check(&bomb, ROOMY);
        assert!(matches!(refused, Err(ArchiveError::Bomb)), "{refused:?}");
    }

    #[test]
    fn the_quota_and_the_file_count_bound_an_archive() {
        let bytes = zip_of(&[("a.html", &[b'a'; 600]), ("b.html", &[b'b'; 600])]);
        let small = Limits {
            max_bytes: 1000,
            max_files: 100,
        };
        assert!(matches!(check(&bytes, small), Err(ArchiveError::TooLarge { .. })));
        let few = Limits {
            max_bytes: 1 << 30,
            max_files: 1,
        };
        assert!(matches!(check(&bytes, few), Err(ArchiveError::TooManyFiles(1))));
        assert!(matches!(check(b"hello", ROOMY), Err(ArchiveError::NotAnArchive)));
        assert!(matches!(check(&zip_of(&[]), ROOMY), Err(ArchiveError::Empty)));
    }

    #[test]
    fn a_tar_gz_unpacks_with_dot_slash_paths() {
        let bytes = tar_gz(|t| {
            t.append_data(&mut file_header(2), "./index.html", &b"ok"[..])
                .unwrap()
        });
        let dir = tempfile::tempdir().unwrap();
        let summary = unpack(&bytes, &dir.path().join("r"), ROOMY).unwrap();
        assert_eq!(summary.files, 1);
        assert_eq!(std::fs::read(dir.path().join("r/index.html")).unwrap(), b"ok");
    }
}
