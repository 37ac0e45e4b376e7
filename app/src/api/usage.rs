//! The usage API for hosting nodes: `POST /api/usage` with
//! `Authorization: Bearer <node token>` and a JSON body
//! `{"samples": [{"account_id", "time", "storage_bytes", "bandwidth_bytes"}]}`.
//! Answers 200 `{"stored", "duplicates"}`, 401, 413/422 with `{"error"}`,
//! or 422 `{"error", "rows": [{"row", "error"}]}` (nothing stored).

pub const PATH: &str = domain::sites::USAGE_PATH;

#[cfg(feature = "ssr")]
pub use handler::routes;

#[cfg(feature = "ssr")]
mod handler {
    use axum::{
        extract::State,
        http::{header, HeaderMap, StatusCode},
        response::{IntoResponse, Response},
        routing::post,
        Json, Router,
    };
    use serde::Deserialize;
    use serde_json::json;

    use crate::api::AppState;
    use services::hosting::usage::{self, IngestError, RawSample};

    #[derive(Deserialize)]
    struct Batch {
        samples: Vec<RawSample>,
    }

    pub fn routes() -> Router<AppState> {
        Router::new().route(super::PATH, post(ingest))
    }

    fn bearer(headers: &HeaderMap) -> Option<&str> {
        headers
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")
            .map(str::trim)
    }

    async fn ingest(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
        let Some(token) = bearer(&headers) else {
            return error(
                StatusCode::UNAUTHORIZED,
                "send the node token as Authorization: Bearer <token>",
            );
        };
        let batch: Batch = match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("the body is not a valid batch: {e}"),
                )
            }
        };
        let deps = &state.deps;
        match usage::ingest(&deps.pool, token, &batch.samples, deps.clock.now()).await {
            Ok(report) => (StatusCode::OK, Json(report)).into_response(),
            Err(IngestError::Unauthorized) => error(StatusCode::UNAUTHORIZED, "missing or invalid node token"),
            Err(e @ IngestError::NoRegion) => error(StatusCode::FORBIDDEN, &e.to_string()),
            Err(e @ IngestError::BatchSize) => error(StatusCode::PAYLOAD_TOO_LARGE, &e.to_string()),
            Err(IngestError::Rows(rows)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": format!("{} row(s) refused; nothing was stored", rows.len()), "rows": rows })),
            )
                .into_response(),
            Err(e @ IngestError::Internal(_)) => {
                let reference = crate::api::edge::error::log_internal(&e);
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("internal error (reference {reference}); retry the batch"),
                )
            }
        }
    }

    fn error(status: StatusCode, message: &str) -> Response {
        (status, Json(json!({ "error": message }))).into_response()
    }
}
