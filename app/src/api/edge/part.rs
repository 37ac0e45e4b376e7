//! Parts of pages as HTML, for an island to put in place
//! (`islands::fragment`): drawn by the page's own components, outside any
//! page, and personal.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use leptos::prelude::Owner;

/// The HTML `draw` renders (in a fresh reactive owner, as a page would
/// have). Never kept by a shared cache: every part is someone's.
pub fn part(draw: impl FnOnce() -> String) -> Response {
    let html = Owner::new().with(draw);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        html,
    )
        .into_response()
}

/// A failure as its status alone (the island keeps what it shows), logged
/// when it is ours. What the user may not see answers as what does not
/// exist: the services make both the same failure.
pub fn refused(failure: impl services::failure::Failure, drawing: &'static str) -> Response {
    let status = failure.status();
    if status.is_server_error() {
        tracing::error!(error = %failure, drawing, "a part could not be drawn");
    }
    status.into_response()
}

/// Like `part`, answering `status` (a refused form's errors).
pub fn part_with(status: axum::http::StatusCode, draw: impl FnOnce() -> String) -> Response {
    (status, part(draw)).into_response()
}
