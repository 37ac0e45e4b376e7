//! Errors in people's browsers: a panic in an island (the wasm panic hook),
//! an uncaught script error or a rejected promise (`public/error-report.js`).
//! Each is logged at ERROR under `ksf::browser`, so it reaches the log and
//! the error collector (`SENTRY_DSN`) next to the server's own errors.
//! Addresses keep only their path: a query string can hold a token.

use std::sync::Mutex;

use axum::{body::Bytes, http::StatusCode, routing::post, Router};
use serde::Deserialize;

use super::AppState;

/// Largest report taken.
pub const MAX_BYTES: usize = 16 * 1024;
/// Reports a process takes per minute: a page stuck on an error in many
/// browsers cannot flood the collector.
const PER_MINUTE: u32 = 120;
/// Longest text kept from one field.
const MAX_CHARS: usize = 2_000;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/client-errors", post(report))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Panic,
    Error,
    Rejection,
}

impl Kind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "panic" => Some(Self::Panic),
            "error" => Some(Self::Error),
            "rejection" => Some(Self::Rejection),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Panic => "panic",
            Self::Error => "error",
            Self::Rejection => "rejection",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Report {
    kind: String,
    message: String,
    page: String,
    source: String,
    line: u32,
    column: u32,
    stack: String,
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_CHARS).collect()
}

/// A URL or path without its query string or fragment.
fn path_only(s: &str) -> String {
    clip(s.split(['?', '#']).next().unwrap_or_default())
}

/// Counts this minute's reports; false once the minute's share is used.
fn admit(window: &Mutex<(u64, u32)>, minute: u64) -> bool {
    let Ok(mut w) = window.lock() else {
        return false;
    };
    if w.0 != minute {
        *w = (minute, 0);
    }
    w.1 += 1;
    w.1 <= PER_MINUTE
}

static WINDOW: Mutex<(u64, u32)> = Mutex::new((0, 0));

async fn report(body: Bytes) -> StatusCode {
    if body.len() > MAX_BYTES {
        return StatusCode::PAYLOAD_TOO_LARGE;
    }
    // sendBeacon posts text/plain: the body is read as JSON whatever its type.
    let Ok(report) = serde_json::from_slice::<Report>(&body) else {
        return StatusCode::UNPROCESSABLE_ENTITY;
    };
    let Some(kind) = Kind::parse(&report.kind) else {
        return StatusCode::UNPROCESSABLE_ENTITY;
    };
    if report.message.trim().is_empty() {
        return StatusCode::UNPROCESSABLE_ENTITY;
    }
    let minute = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 60);
    if !admit(&WINDOW, minute) {
        return StatusCode::TOO_MANY_REQUESTS;
    }
    tracing::error!(
        target: "ksf::browser",
        kind = kind.as_str(),
        page = %path_only(&report.page),
        source = %path_only(&report.source),
        line = report.line,
        column = report.column,
        stack = %clip(&report.stack),
        "browser {}: {}",
        kind.as_str(),
        clip(&report.message)
    );
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_never_reach_the_log() {
        assert_eq!(path_only("/reset-password?token=abc#x"), "/reset-password");
        assert_eq!(path_only("http://site/pkg/ksf.js?v=1"), "http://site/pkg/ksf.js");
    }

    #[test]
    fn each_minute_takes_a_bounded_number_of_reports() {
        let window = Mutex::new((0, 0));
        assert!((0..PER_MINUTE).all(|_| admit(&window, 7)));
        assert!(!admit(&window, 7));
        assert!(admit(&window, 8), "a new minute starts afresh");
    }

    #[test]
    fn only_known_kinds_are_taken() {
        assert_eq!(Kind::parse("panic"), Some(Kind::Panic));
        assert_eq!(Kind::parse("PANIC"), None);
    }
}
