//! The dashboard page as last rendered for a session and URL, kept until
//! something its user may see changes (the listener's `Freshness`: an
//! event for them, a change to their memberships, role or session, or
//! their own writes) or `TTL` passes. The front door is the page everyone
//! loads most; a kept page costs a lookup instead of a render and its
//! queries.
//!
//! Only plain answers are kept: 200, HTML, no cookies set. Each answer
//! still carries its own CSP nonce: the kept page remembers where the
//! nonce it was rendered with stands and writes the new one there.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::csp::RequestNonce;
use super::AppState;
use crate::domain::{CurrentUser, Role};

/// Pages kept: the dashboard (with any period in its query).
const KEPT_PATHS: &[&str] = &["/"];
pub const TTL: Duration = Duration::from_secs(30);
const CAPACITY: usize = 5_000;
/// Pages one session keeps (periods and accounts it looks at); a longer
/// URL is rendered each time. Bounds what one user can make us hold.
const PER_SESSION: usize = 8;
const MAX_URI: usize = 256;
/// Pages are tens of KB; reading stops (and the answer fails) beyond this.
const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    session: Uuid,
    /// Staff and customer stamps are different sums: never compared.
    staff: bool,
    /// Path and query.
    uri: String,
    /// The islands router's fetches are answered apart.
    islands_router: bool,
}

struct Page {
    stamp: u64,
    stored: Instant,
    headers: HeaderMap,
    body: Bytes,
    /// Where the nonce the page was rendered with stands in `body`.
    nonce_at: Vec<usize>,
    nonce_len: usize,
}

#[derive(Default)]
pub struct PageCache {
    entries: Mutex<HashMap<Key, Page>>,
    /// Renders under way: the same page asked for meanwhile waits for the
    /// first render instead of running every query again.
    rendering: Mutex<HashMap<Key, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache").finish_non_exhaustive()
    }
}

impl PageCache {
    fn get(&self, key: &Key, stamp: u64, nonce: &str) -> Option<Response> {
        let entries = self.entries.lock().ok()?;
        let page = entries.get(key)?;
        if page.stamp != stamp || page.stored.elapsed() >= TTL || page.nonce_len != nonce.len() {
            return None;
        }
        let mut body = page.body.to_vec();
        for &at in &page.nonce_at {
            body.get_mut(at..at + nonce.len())?
                .copy_from_slice(nonce.as_bytes());
        }
        let mut response = Body::from(body).into_response();
        *response.headers_mut() = page.headers.clone();
        Some(response)
    }

    fn put(&self, key: Key, stamp: u64, nonce: &str, headers: HeaderMap, body: Bytes) {
        let nonce_at = find_all(&body, nonce.as_bytes());
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.keys().filter(|k| k.session == key.session).count() >= PER_SESSION {
            entries.retain(|k, _| k.session != key.session);
        }
        if entries.len() >= CAPACITY {
            entries.retain(|_, p| p.stored.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Page {
                stamp,
                stored: Instant::now(),
                headers,
                body,
                nonce_at,
                nonce_len: nonce.len(),
            },
        );
    }
}

impl PageCache {
    fn render_lock(&self, key: &Key) -> Option<std::sync::Arc<tokio::sync::Mutex<()>>> {
        let mut rendering = self.rendering.lock().ok()?;
        Some(std::sync::Arc::clone(rendering.entry(key.clone()).or_default()))
    }
}

/// Forgets a render's lock when the render ends, finished or abandoned.
struct Rendering<'a> {
    cache: &'a PageCache,
    key: &'a Key,
}

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.cache.rendering.lock() {
            rendering.remove(self.key);
        }
    }
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() {
        return Vec::new();
    }
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// Middleware on the rendered pages: answers a kept page when it is still
/// what a render would give, and keeps what it renders otherwise.
pub async fn keep_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let kept_path = request.method() == Method::GET && KEPT_PATHS.contains(&request.uri().path());
    let user = request.extensions().get::<CurrentUser>().cloned();
    let nonce = request
        .extensions()
        .get::<RequestNonce>()
        .map(|n| n.value().to_string());
    let short = request.uri().to_string().len() <= MAX_URI;
    let (Some(user), Some(nonce), true, true) = (user, nonce, kept_path, short) else {
        return next.run(request).await;
    };
    // Read before rendering: an event arriving meanwhile makes this render
    // stale at once.
    let Some(stamp) = state
        .hub
        .freshness()
        .stamp(user.user_id, user.role == Role::Staff)
    else {
        return next.run(request).await;
    };
    let key = Key {
        session: user.session_id,
        staff: user.role == Role::Staff,
        uri: request.uri().to_string(),
        islands_router: request.headers().contains_key("islands-router"),
    };
    if let Some(kept) = state.pages.get(&key, stamp, &nonce) {
        return kept;
    }
    let lock = state.pages.render_lock(&key);
    let _turn = match &lock {
        Some(lock) => Some(lock.lock().await),
        None => None,
    };
    if let Some(kept) = state.pages.get(&key, stamp, &nonce) {
        return kept;
    }
    let _rendering = Rendering {
        cache: &state.pages,
        key: &key,
    };
    render_and_keep(&state, key.clone(), stamp, &nonce, next.run(request).await).await
}

async fn render_and_keep(
    state: &AppState,
    key: Key,
    stamp: u64,
    nonce: &str,
    response: Response,
) -> Response {
    let plain_html = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !plain_html {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "could not read a rendered page to keep it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    state
        .pages
        .put(key, stamp, nonce, parts.headers.clone(), body.clone());
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_carries_the_new_requests_nonce() {
        let cache = PageCache::default();
        let key = Key {
            session: Uuid::from_u128(1),
            staff: false,
            uri: "/?range=7d".into(),
            islands_router: false,
        };
        let body = Bytes::from_static(b"<script nonce=\"AAAA\">1</script><script nonce=\"AAAA\">2</script>");
        cache.put(key.clone(), 7, "AAAA", HeaderMap::new(), body);
        assert!(cache.get(&key, 8, "BBBB").is_none(), "something changed since");
        assert!(cache.get(&key, 7, "BBBBB").is_none(), "a nonce of another length");
        let kept = cache.get(&key, 7, "BBBB").expect("kept");
        let body = futures::executor::block_on(axum::body::to_bytes(kept.into_body(), 1024)).expect("body");
        assert_eq!(
            &body[..],
            b"<script nonce=\"BBBB\">1</script><script nonce=\"BBBB\">2</script>"
        );
    }
}
