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
