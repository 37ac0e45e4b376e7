//! Attachments: checked (type by extension and by content, size) before
//! anything is written, kept outside the database behind one storage
//! interface. The local directory (`KSF_DATA_DIR`) is the default; another
//! store (S3 and the like) implements [`BlobStore`].

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sqlx::PgPool;

use crate::failure::Invalid;
use domain::tickets::{FILE_TYPES, MAX_FILES, MAX_FILE_BYTES};

#[derive(Debug, thiserror::Error)]
#[error("file storage: {0}")]
pub struct StorageError(#[from] pub std::io::Error);

pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// Where attachment bytes live, by key.
pub trait BlobStore: std::fmt::Debug + Send + Sync {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> StoreFuture<'a, ()>;
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Vec<u8>>;
    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;
    /// The keys of files last written before `before` (for the sweep).
    fn list_older<'a>(&'a self, before: SystemTime) -> StoreFuture<'a, Vec<String>>;
}

/// Files in a directory: `<dir>/attachments/<key>`.
#[derive(Debug)]
pub struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    fn path(&self, key: &str) -> PathBuf {
        // Keys are made here (UUIDs); refuse anything that could climb out.
        let safe: String = key
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        self.root.join("attachments").join(safe)
    }
}

impl BlobStore for LocalDir {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(key);
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            // Written aside and renamed: a reader never sees half a file.
            let partial = path.with_extension("partial");
            if let Err(error) = tokio::fs::write(&partial, bytes).await {
                // A full disk leaves part of the file: give the space back.
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(error.into());
            }
            tokio::fs::rename(&partial, &path).await?;
            Ok(())
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Vec<u8>> {
        Box::pin(async move { Ok(tokio::fs::read(self.path(key)).await?) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move { remove(self.path(key)).await })
    }

    /// A `.partial` file this old is a write that never finished (the
    /// process died): it is removed here, as nothing can point at it.
    fn list_older<'a>(&'a self, before: SystemTime) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut keys = Vec::new();
            let mut dir = match tokio::fs::read_dir(self.root.join("attachments")).await {
                Ok(dir) => dir,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(keys),
                Err(e) => return Err(e.into()),
            };
            while let Some(entry) = dir.next_entry().await? {
                let meta = entry.metadata().await?;
                if !meta.is_file() || meta.modified()? >= before {
                    continue;
                }
                let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                if name.ends_with(".partial") {
                    remove(entry.path()).await?;
                } else {
                    keys.push(name);
                }
            }
            Ok(keys)
        })
    }
}

async fn remove(path: PathBuf) -> Result<(), StorageError> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Files are written before their row commits: only files this old (far
/// beyond any request's time) that no row points to are swept.
pub const SWEEP_MIN_AGE: Duration = Duration::from_secs(24 * 3600);

/// Removes attachment files no ticket points to (a process that died
/// between writing and committing, rows gone with a deleted user) and
/// older than `min_age`. Returns how many. Several processes may run it.
pub async fn sweep(
    pool: &PgPool,
    storage: &Storage,
    now: SystemTime,
    min_age: Duration,
) -> anyhow::Result<u64> {
    let old = storage
        .store()
        .list_older(now.checked_sub(min_age).unwrap_or(SystemTime::UNIX_EPOCH))
        .await?;
    let mut removed = 0;
    for chunk in old.chunks(1000) {
        let known: std::collections::HashSet<String> = sqlx::query_scalar!(
            "SELECT storage_key FROM ticket_attachments WHERE storage_key = ANY($1)",
            chunk
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
        for key in chunk.iter().filter(|k| !known.contains(*k)) {
            storage.store().delete(key).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The storage services use. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Storage(Arc<dyn BlobStore>);

impl Storage {
    /// Files under `dir` (`KSF_DATA_DIR`).
    pub fn local(dir: impl Into<PathBuf>) -> Self {
        Self(Arc::new(LocalDir { root: dir.into() }))
    }

    pub fn with(store: Arc<dyn BlobStore>) -> Self {
        Self(store)
    }

    pub fn store(&self) -> &dyn BlobStore {
        self.0.as_ref()
    }
}

/// A file as uploaded: its name and bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file that passed the checks: safe name, the type it is served with.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The files of one message, or every problem with them (field `files`).
pub fn check(uploads: Vec<Upload>) -> Result<Vec<CheckedFile>, Invalid> {
    let uploads: Vec<Upload> = uploads
        .into_iter()
        .filter(|u| !(u.name.is_empty() && u.bytes.is_empty()))
        .collect();
    if uploads.len() > MAX_FILES {
        return Err(Invalid::field(
            "files",
            format!("Attach at most {MAX_FILES} files."),
        ));
    }
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for upload in uploads {
        let name = safe_name(&upload.name);
        match check_one(&name, &upload.bytes) {
            Ok(content_type) => checked.push(CheckedFile {
                name,
                content_type,
                bytes: upload.bytes,
            }),
            Err(problem) => problems.push(format!("{name}: {problem}")),
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(Invalid::field("files", problems.join(" ")))
    }
}

fn check_one(name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("the file is empty.".into());
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {:.1} MB; at most 10 MB each.",
            bytes.len() as f64 / 1_048_576.0
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, content_type)) = FILE_TYPES.iter().find(|(e, _)| *e == ext) else {
        return Err("this kind of file cannot be attached (images, PDF, text, logs and zip can).".into());
    };
    if content_matches(content_type, bytes) {
        Ok(content_type)
    } else {
        Err(format!(
            "the content is not what a .{ext} file holds, so it was refused."
        ))
    }
}

/// Whether the bytes are what the type says (magic numbers; text is UTF-8
/// without NUL bytes).
pub fn content_matches(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "image/webp" => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "application/zip" => bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06"),
        "text/plain" => std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0),
        _ => false,
    }
}

/// Invisible characters that change how a name reads (right-to-left
/// overrides, zero-width joiners): `report\u{202E}gnp.txt` would show as
/// "reporttxt.png".
fn is_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A file name that is safe to store and to send back in a header: the
/// last path part, control characters and quotes removed, at most 120
/// characters.
pub fn safe_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c) && !matches!(c, '"' | '\\' | '/' | ';'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    let name = if cleaned.is_empty() {
        "file".to_string()
    } else {
        cleaned
    };
    if name.chars().count() <= 120 {
        return name;
    }
    // Keep the extension when shortening.
    match name.rsplit_once('.') {
        Some((stem, ext)) if ext.len() <= 10 => {
            let stem: String = stem.chars().take(110).collect();
            format!("{stem}.{ext}")
        }
        _ => name.chars().take(120).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn types_are_checked_by_extension_and_content() {
        let ok = check(vec![
            upload("shot.PNG", b"\x89PNG\r\n\x1a\nrest"),
            upload("error.log", b"line 1\nline 2\n"),
            upload("invoice.pdf", b"%PDF-1.7 ..."),
        ])
        .unwrap();
        assert_eq!(
            ok.iter().map(|f| f.content_type).collect::<Vec<_>>(),
            ["image/png", "text/plain", "application/pdf"]
        );
        let err = check(vec![upload("fake.png", b"<html><script>")]).unwrap_err();
        assert!(err.0[0].1.contains("not what a .png file holds"), "{err:?}");
        let err = check(vec![upload("run.exe", b"MZ")]).unwrap_err();
        assert!(err.0[0].1.contains("cannot be attached"), "{err:?}");
        let err = check(vec![upload("x.svg", b"<svg/>")]).unwrap_err();
        assert!(err.0[0].1.contains("cannot be attached"), "{err:?}");
        assert!(check(vec![upload("bin.txt", b"a\0b")]).is_err());
    }

    #[test]
    fn size_and_count_are_bounded() {
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(check(vec![upload("big.txt", &big)]).is_err());
        let six: Vec<Upload> = (0..6).map(|i| upload(&format!("{i}.txt"), b"x")).collect();
        assert!(check(six).is_err());
        assert!(check(vec![upload("", b"")]).unwrap().is_empty(), "no file chosen");
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\Users\\me\\a\"b;.txt"), "ab.txt");
        assert_eq!(safe_name("..."), "file");
        assert_eq!(safe_name("report\u{202E}gnp.txt"), "reportgnp.txt");
        let long = format!("{}.log", "x".repeat(300));
        let short = safe_name(&long);
        assert!(short.ends_with(".log") && short.chars().count() <= 120, "{short}");
    }
}
