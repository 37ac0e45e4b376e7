//! Plain HTML forms: a POST either redirects (success, with a `Notice`) or
//! answers with its page rendered again, the user's input kept and the
//! errors next to the fields. Works with and without JavaScript (the
//! islands router submits forms with fetch and swaps in the answer).
//!
//! Handlers return `FormResult`; a page to render travels in the response
//! as a [`RenderPage`] and is rendered here, where the request's session
//! is known.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::prelude::provide_context;

use super::error::RenderPage;
use crate::api::AppState;
use domain::NextPath;

/// Renders the pages that handlers asked for (see `RenderPage`), as the
/// routes' own renders would: with the same session and headers, as a GET.
pub async fn render_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // What a render of the page needs of the request (its body is gone).
    let saved = Saved {
        uri: parts.uri.clone(),
        headers: parts.headers.clone(),
        extensions: parts.extensions.clone(),
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(page) = response.extensions().get::<RenderPage>().cloned() else {
        return response;
    };
    tracing::debug!(page = ?page.page, "rendering the form's page");
    let mut rendered = render(&state, page.page.as_deref(), saved, page.provide).await;
    tracing::debug!(status = %rendered.status(), "rendered the form's page");
    if rendered.status() == StatusCode::OK {
        *rendered.status_mut() = page.status;
    }
    if let Some(wait) = response.headers().get(header::RETRY_AFTER) {
        rendered.headers_mut().insert(header::RETRY_AFTER, wait.clone());
    }
    for cookie in response.headers().get_all(header::SET_COOKIE) {
        rendered.headers_mut().append(header::SET_COOKIE, cookie.clone());
    }
    rendered
}

/// The parts of a form's request that its page is rendered with.
struct Saved {
    uri: Uri,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
}

async fn render(
    state: &AppState,
    page: Option<&str>,
    request: Saved,
    provide: Option<std::sync::Arc<dyn Fn() + Send + Sync>>,
) -> Response {
    let Saved {
        uri,
        mut headers,
        extensions,
    } = request;
    let app_state = state.clone();
    let options = state.leptos_options.clone();
    // Rendered whole before sending, as the data pages' own routes are
    // (`SsrMode::Async`): the answer to a form post is complete HTML, also
    // with JavaScript off.
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            // What the routes' own renders have (see the server's router).
            provide_context(app_state.clone());
            provide_context(app_state.deps.pool.clone());
            super::csp::provide_request_nonce();
            if let Some(provide) = &provide {
                provide();
            }
        },
        move || crate::shell(options.clone()),
    );
    let uri = page.and_then(|p| p.parse::<Uri>().ok()).unwrap_or(uri);
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    let mut request = Request::builder().method("GET").uri(uri);
    if let Some(h) = request.headers_mut() {
        *h = headers;
    }
    let Ok(mut request) = request.body(Body::empty()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    *request.extensions_mut() = extensions;
    handler(request).await
}

/// The islands router fetches pages and form answers and swaps them into
/// the document; the browser logs every 4xx/5xx fetch as a console error,
/// though the page it gets explains the problem. Such fetches get 200 (the
/// real status in `X-Status`); plain requests keep their status. Upload
/// forms, which the page submits natively, say so with `_via=js` in their
/// action (public/router-guard.js).
pub async fn islands_router_status(request: Request, next: Next) -> Response {
    let from_islands_router = request
        .headers()
        .get("islands-router")
        .is_some_and(|v| v.as_bytes() == b"true")
        || request
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|pair| pair == "_via=js"));
    let mut response = next.run(request).await;
    let status = response.status();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if from_islands_router && html && (status.is_client_error() || status.is_server_error()) {
        if let Ok(v) = HeaderValue::from_str(status.as_str()) {
            response.headers_mut().insert("x-status", v);
        }
        *response.status_mut() = StatusCode::OK;
    }
    response
}

/// 303 See Other to a same-site path.
pub fn see_other(location: &str) -> Response {
    see_other_setting(location, Vec::new())
}

/// 303 See Other, setting cookies.
pub fn see_other_setting(location: &str, cookies: Vec<String>) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location.to_string())]).into_response();
    for value in cookies.iter().filter_map(|c| HeaderValue::from_str(c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The "confirm it's you" page, coming back to `back` afterwards.
pub fn confirm_identity_path(back: &str) -> String {
    let back = NextPath::or_dashboard(Some(back));
    format!(
        "/confirm-identity?next={}",
        domain::next_path::encode_query_value(back.as_str())
    )
}

/// The sign-in page, coming back to `back` afterwards.
pub fn sign_in_path(back: &str) -> String {
    let back = NextPath::or_dashboard(Some(back));
    format!(
        "/login?next={}",
        domain::next_path::encode_query_value(back.as_str())
    )
}
