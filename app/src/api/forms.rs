//! Plain HTML form handling: a POST either redirects (success) or renders
//! the same page again with the user's input and the errors next to the
//! fields. Works with and without JavaScript (the islands router submits
//! forms with fetch and swaps in the answer).

use axum::{
    body::Body,
    http::{header, request::Parts, HeaderValue, Request, StatusCode},
    response::{IntoResponse, Response},
};
use leptos::prelude::provide_context;

use super::AppState;
use crate::components::form::FormState;

/// Renders a page with `form` in context: the page at `page` (a path), or
/// the request's own URL when `page` is `None`.
pub async fn render_form(
    state: &AppState,
    parts: &Parts,
    page: Option<&str>,
    form: FormState,
    status: StatusCode,
) -> Response {
    render_with(state, parts, page, status, move || provide_context(form.clone())).await
}

/// Renders a page (as `render_form`) with extra context from `provide`:
/// for answers that exist only in this response, such as new recovery codes.
pub async fn render_with(
    state: &AppState,
    parts: &Parts,
    page: Option<&str>,
    status: StatusCode,
    provide: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let app_state = state.clone();
    let options = state.leptos_options.clone();
    // Rendered whole before sending, as the data pages' own routes are
    // (`SsrMode::Async`): the answer to a form post is complete HTML, also
    // with JavaScript off.
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            // What the routes' own renders have (see the server's router).
            provide_context(app_state.clone());
            provide_context(app_state.pool.clone());
            provide();
        },
        move || crate::shell(options.clone()),
    );
    let uri = match page.and_then(|p| p.parse::<axum::http::Uri>().ok()) {
        Some(uri) => uri,
        None => parts.uri.clone(),
    };
    let mut request = Request::builder().method("GET").uri(uri);
    if let Some(headers) = request.headers_mut() {
        *headers = parts.headers.clone();
        headers.remove(header::CONTENT_TYPE);
        headers.remove(header::CONTENT_LENGTH);
    }
    let Ok(mut request) = request.body(Body::empty()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    *request.extensions_mut() = parts.extensions.clone();
    let mut response = handler(request).await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// The signed-in user of a form post, if any.
pub fn signed_in(parts: &Parts) -> Option<crate::domain::CurrentUser> {
    parts.extensions.get::<crate::domain::CurrentUser>().cloned()
}

/// Where a signed-out visitor posting a form is sent: sign in, then back
/// to `back`.
pub fn sign_in_first(back: &str) -> Response {
    see_other(
        &format!(
            "/login?next={}",
            crate::domain::next_path::encode_query_value(back)
        ),
        None,
    )
}

/// 303 See Other to a same-site path, optionally setting a cookie.
pub fn see_other(location: &str, cookie: Option<String>) -> Response {
    see_other_setting(location, cookie.into_iter().collect())
}

/// 303 See Other, setting several cookies.
pub fn see_other_setting(location: &str, cookies: Vec<String>) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location.to_string())]).into_response();
    for value in cookies.iter().filter_map(|c| HeaderValue::from_str(c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A 429 page with `Retry-After`.
pub fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}
