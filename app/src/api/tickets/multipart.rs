//! Reading the ticket forms that carry files (multipart), bounded at every
//! step so an oversized form is refused by its field and loses nothing.

use axum::extract::{multipart::MultipartRejection, Multipart};

use crate::api::edge::error::{Back, FormError};
use domain::tickets::{MAX_BODY_BYTES, MAX_FILES, MAX_FILE_BYTES};
use services::failure::Invalid;
use services::tickets::files::Upload;

/// A multipart form as read: its text fields and its files.
#[derive(Debug, Default)]
pub(super) struct Submitted {
    pub(super) fields: Vec<(String, String)>,
    pub(super) files: Vec<Upload>,
    /// A text field was longer than any message may be (it is kept cut).
    pub(super) oversized: bool,
}

impl Submitted {
    pub(super) fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// The form could not be read (not multipart, cut off, too large).
#[derive(Debug, thiserror::Error)]
#[error("The form could not be read: {0}. Please try again; files are at most 10 MB each.")]
pub(super) struct Unreadable(String);

impl services::failure::Failure for Unreadable {
    fn status(&self) -> http::StatusCode {
        http::StatusCode::BAD_REQUEST
    }
}

/// Reads every part, keeping at most one byte past each bound so the
/// checks can say what was too large.
/// Without `keep_files` the files are read past and dropped (the user may
/// not write now, but what they typed is shown again).
pub(super) async fn read(
    multipart: Result<Multipart, MultipartRejection>,
    keep_files: bool,
) -> Result<Submitted, Unreadable> {
    let mut multipart = multipart.map_err(|e| Unreadable(e.body_text()))?;
    let mut out = Submitted::default();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| Unreadable(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        // Text gets room for CRLF line ends, which count once as LF.
        let bound = if file_name.is_some() {
            MAX_FILE_BYTES
        } else {
            2 * MAX_BODY_BYTES
        };
        let bound = if file_name.is_some() && !keep_files {
            0
        } else {
            bound
        };
        let mut bytes: Vec<u8> = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| Unreadable(e.body_text()))? {
            if bound == 0 {
                continue;
            }
            let room = (bound + 1).saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        match file_name {
            Some(file_name) => {
                // One file past the bound is kept, so the check can say so.
                if out.files.len() > MAX_FILES {
                    return Err(Unreadable(format!("more than {MAX_FILES} files")));
                }
                out.files.push(Upload {
                    name: file_name,
                    bytes,
                });
            }
            None if out.fields.len() < 20 => {
                out.oversized |= bytes.len() > bound;
                out.fields
                    .push((name, String::from_utf8_lossy(&bytes).into_owned()));
            }
            None => return Err(Unreadable("too many fields".into())),
        }
    }
    Ok(out)
}

/// A message longer than any may be: refused by its field, never cut.
pub(super) fn refuse_oversized(submitted: &Submitted, back: &Back) -> Result<(), FormError> {
    if submitted.oversized {
        return Err(back.fail(&Invalid::field(
            "body",
            "The message is over 64 KB. Attach long logs as a file instead.",
        )));
    }
    Ok(())
}
