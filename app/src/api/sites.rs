//! The hosting nodes' state API: `GET /api/node/state?after=G` with
//! `Authorization: Bearer <node token>` answers what the node serves
//! (`domain::sites::DesiredState`). With `after`, it holds the request
//! until the node's generation is past `after` (at most 25 s), so the agent
//! learns of a change within moments; 304 when nothing changed.

#[cfg(feature = "ssr")]
pub use handler::routes;

#[cfg(feature = "ssr")]
mod handler {
    use std::time::Duration;

    use axum::{
        extract::{Query, State},
        http::{header, HeaderMap, StatusCode},
        response::{IntoResponse, Response},
        routing::get,
        Json, Router,
    };
    use serde::Deserialize;
    use serde_json::json;

    use crate::api::AppState;
    use domain::sites::{AGENT_VERSION_HEADER, MAX_WAIT_SECS, STATE_PATH};
    use services::hosting::node_tokens;
    use services::sites::state;

    #[derive(Deserialize)]
    struct Ask {
        /// The generation the agent applied last.
        after: Option<i64>,
    }

    pub fn routes() -> Router<AppState> {
        Router::new().route(STATE_PATH, get(desired))
    }

    async fn desired(State(app): State<AppState>, headers: HeaderMap, Query(ask): Query<Ask>) -> Response {
        let pool = &app.deps.pool;
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let node = match token {
            Some(t) => node_tokens::authenticate(pool, t).await,
            None => Ok(None),
        };
        let node = match node {
            Ok(Some(node)) if node.region.is_some() => node,
            Ok(Some(_)) => return error(StatusCode::FORBIDDEN, "this token has no region: make a new one"),
            Ok(None) => return error(StatusCode::UNAUTHORIZED, "missing or invalid node token"),
            Err(e) => return internal(&e),
        };
        if let Some(after) = ask.after {
            match state::changed_since(pool, node.id, after, Duration::from_secs(MAX_WAIT_SECS)).await {
                Ok(true) => {}
                Ok(false) => return StatusCode::NOT_MODIFIED.into_response(),
                Err(e) => return internal(&e),
            }
        }
        let version = headers.get(AGENT_VERSION_HEADER).and_then(|v| v.to_str().ok());
        let portal = format!("{}/", app.deps.links.site_url.trim_end_matches('/'));
        match state::desired(pool, &node, version, &portal, app.deps.clock.now()).await {
            Ok(desired) => (StatusCode::OK, Json(desired)).into_response(),
            Err(e) => internal(&e),
        }
    }

    fn internal(e: &sqlx::Error) -> Response {
        let reference = crate::api::edge::error::log_internal(e);
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("internal error (reference {reference}); ask again"),
        )
    }

    fn error(status: StatusCode, message: &str) -> Response {
        (status, Json(json!({ "error": message }))).into_response()
    }
}
