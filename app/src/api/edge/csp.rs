//! The Content-Security-Policy of every HTML answer: scripts only from us,
//! or inline with this request's nonce. The nonce is made here, before
//! anything renders, handed to Leptos (which puts it on its scripts) and
//! written into the header of whatever answer goes out, so a page's header
//! and its scripts always agree.

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use leptos::prelude::{provide_context, use_context};

/// This request's nonce.
#[derive(Debug, Clone)]
pub struct RequestNonce(String);

impl RequestNonce {
    pub fn value(&self) -> &str {
        &self.0
    }
}

fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Middleware: a fresh nonce per request, and the policy naming it on
/// every HTML answer.
pub async fn content_security_policy(mut request: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    request.extensions_mut().insert(RequestNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        if let Ok(value) = HeaderValue::from_str(&policy(&nonce)) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

/// For a render's context: Leptos' scripts carry this request's nonce.
pub fn provide_request_nonce() {
    let nonce =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<RequestNonce>().cloned());
    if let Some(RequestNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}
