//! Resolves the session cookie once per request and puts the signed-in user
//! in the request's extensions, where pages and handlers read it.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, request::Parts, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::Response,
};

use super::AppState;
use crate::domain::Role;
use crate::services::sessions::{self, ClientInfo};

pub async fn resolve_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // Assets and probes never need the user: spare the database.
    let path = request.uri().path();
    if ["/pkg/", "/vendor/", "/healthz", "/readyz"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        return next.run(request).await;
    }
    let token = token_in(request.headers());
    if let Some(token) = token {
        match sessions::resolve(&state.pool, &token).await {
            Ok(Some(user)) => {
                if state.settings.staff_two_factor_required
                    && user.role == Role::Staff
                    && !user.two_factor
                    && !open_before_two_factor(request.uri().path())
                {
                    return send_to_two_factor_setup(request.method());
                }
                request.extensions_mut().insert(user);
            }
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "could not resolve the session"),
        }
    }
    next.run(request).await
}

/// What staff without two-factor may still reach when it is required:
/// setting it up (and its step-up), and signing out.
fn open_before_two_factor(path: &str) -> bool {
    path == "/settings/two-factor"
        || path.starts_with("/settings/two-factor/")
        || path.starts_with("/api/two-factor")
        || path == "/confirm-identity"
        || path == "/logout"
}

fn send_to_two_factor_setup(method: &Method) -> Response {
    use axum::response::IntoResponse;
    if method == Method::GET || method == Method::HEAD {
        (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/settings/two-factor?required=1")],
        )
            .into_response()
    } else {
        (
            StatusCode::FORBIDDEN,
            "Staff accounts must turn on two-factor authentication first: /settings/two-factor",
        )
            .into_response()
    }
}

/// The client's address and browser, for sessions and sign-in records.
pub fn client_info(parts: &Parts) -> ClientInfo {
    ClientInfo {
        ip: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip().to_string()),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
    }
}

/// The session token in a request's cookies, if any.
fn token_in(headers: &HeaderMap) -> Option<String> {
    cookie_in(headers, sessions::COOKIE_NAME)
}

/// A cookie's value in a request, if set and not empty.
pub fn cookie_in(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| sessions::cookie_from_header(h, name).map(str::to_string))
}

/// The session token of this request, if it carries one.
pub fn session_token(parts: &Parts) -> Option<String> {
    token_in(&parts.headers)
}
