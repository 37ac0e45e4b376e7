//! Cross-site request forgery guard: a state-changing request (any method
//! but GET, HEAD, OPTIONS) is refused unless its `Origin` — or, when a
//! browser sends none, its `Referer` — is this site. `SameSite=Lax` cookies
//! are the first line; this is the second.

use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::api::AppState;

/// `scheme://host[:port]` of a URL, lower-cased, default ports dropped.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host.to_string(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

/// In development, `localhost` and `127.0.0.1` are the same site.
fn loopback_alias(origin: &str) -> Option<String> {
    if let Some(rest) = origin.strip_prefix("http://localhost") {
        Some(format!("http://127.0.0.1{rest}"))
    } else {
        origin
            .strip_prefix("http://127.0.0.1")
            .map(|rest| format!("http://localhost{rest}"))
    }
}

pub fn same_site(request_origin: &str, site_url: &str, dev_mode: bool) -> bool {
    let (Some(request), Some(site)) = (origin_of(request_origin), origin_of(site_url)) else {
        return false;
    };
    request == site || (dev_mode && loopback_alias(&request).as_deref() == Some(site.as_str()))
}

pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let claimed = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "null");
    let allowed = claimed.is_some_and(|o| same_site(o, &state.settings.site_url, state.settings.dev_mode));
    if allowed {
        next.run(request).await
    } else {
        tracing::warn!(origin = ?claimed, path = %request.uri().path(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            "This form was sent from another site, or your browser did not say where it came from. \
             Go back, reload the page and try again.",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_by_scheme_host_and_port() {
        assert!(same_site(
            "https://portal.example.com",
            "https://portal.example.com",
            false
        ));
        assert!(same_site(
            "https://portal.example.com/settings?x=1",
            "https://portal.example.com",
            false
        ));
        assert!(same_site(
            "https://PORTAL.example.com:443",
            "https://portal.example.com/",
            false
        ));
        assert!(!same_site(
            "https://evil.example",
            "https://portal.example.com",
            false
        ));
        assert!(!same_site(
            "http://portal.example.com",
            "https://portal.example.com",
            false
        ));
        assert!(!same_site(
            "https://portal.example.com.evil.example",
            "https://portal.example.com",
            false
        ));
        assert!(!same_site(
            "https://portal.example.com:8443",
            "https://portal.example.com",
            false
        ));
        assert!(!same_site("null", "https://portal.example.com", false));
        assert!(!same_site(
            "https://user@portal.example.com",
            "https://portal.example.com",
            false
        ));
    }

    #[test]
    fn localhost_and_127_0_0_1_are_one_site_in_development_only() {
        assert!(same_site("http://localhost:3000", "http://127.0.0.1:3000", true));
        assert!(!same_site(
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            false
        ));
        assert!(!same_site("http://localhost:3001", "http://127.0.0.1:3000", true));
    }
}
