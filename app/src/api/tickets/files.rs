//! `GET /support/{number}/files/{id}`: an attachment, only to those who may
//! see its ticket (and, on a staff note, to staff), always as a download
//! with the type it was checked as: a browser never renders it in our
//! origin.

use axum::{
    extract::{Path, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::api::edge::auth::Actor;
use crate::api::edge::error::{Back, FormResult, ShownOn};
use crate::api::AppState;
use services::tickets::{access, lists, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/support/{number}/files/{id}", get(download))
}

/// `Content-Disposition` for `name`: an ASCII fallback and the UTF-8 name.
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' })
        .filter(|c| !matches!(c, '"' | '\\'))
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

async fn download(
    State(state): State<AppState>,
    actor: Actor,
    Path((raw, id)): Path<(String, String)>,
) -> FormResult {
    let back = Back::here();
    let number = access::parse_number(&raw).shown_on(&back)?;
    let access = access::authorize(&state.deps.pool, &actor, number)
        .await
        .shown_on(&back)?;
    let id = uuid::Uuid::parse_str(&id)
        .map_err(|_| services::tickets::not_found())
        .shown_on(&back)?;
    let (name, content_type, key) = lists::attachment(&state.deps.pool, &access, id)
        .await
        .shown_on(&back)?;
    let bytes = state
        .deps
        .support
        .storage
        .store()
        .get(&key)
        .await
        .map_err(ServiceError::from)
        .shown_on(&back)?;
    let mut response: Response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    let set =
        |v: &str| HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, set(&content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition(&name)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Even opened directly, the file runs nothing in our origin.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn names_are_quoted_safely() {
        assert_eq!(
            disposition("report é.pdf"),
            "attachment; filename=\"report _.pdf\"; filename*=UTF-8''report%20%C3%A9.pdf"
        );
        assert!(!disposition("a\"b.txt").contains("a\"b"));
    }
}
