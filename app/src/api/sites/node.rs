//! The hosting nodes' API, all with `Authorization: Bearer <node token>`:
//! - `GET /api/node/state?after=G` answers what the node serves
//!   (`domain::sites::DesiredState`). With `after`, it holds the request
//!   until the node's generation is past `after` (at most 25 s), so the
//!   agent learns of a change within moments; 304 when nothing changed.
//! - `GET /api/node/releases/{deploy}`: a deploy's archive;
//!   `POST` there a `DeployReport` once the node unpacked or refused it.
//!   A node reaches only the deploys of its own sites (404 otherwise).
//! - `POST /api/node/sites`: a `SitesReport` (each site's health, errors
//!   and certificates);
//!   sites that are not the node's are ignored.

pub use handler::routes;

mod handler {
    use std::time::Duration;

    use axum::{
        extract::{Path, Query, State},
        http::{header, HeaderMap, StatusCode},
        response::{IntoResponse, Response},
        routing::{get, post},
        Json, Router,
    };
    use serde::Deserialize;
    use serde_json::json;

    use crate::api::AppState;
    use domain::sites::{DeployReport, SitesReport, SITES_REPORT_PATH};
    use domain::sites::{AGENT_VERSION_HEADER, MAX_WAIT_SECS, STATE_PATH};
    use services::hosting::node_tokens::{self, Node};
    use services::sites::{checks, deploys, state};
    use uuid::Uuid;

    #[derive(Deserialize)]
    struct Ask {
        /// The generation the agent applied last.
        after: Option<i64>,
    }

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route(STATE_PATH, get(desired))
            .route("/api/node/releases/{deploy}", get(release).post(report))
            .route(SITES_REPORT_PATH, post(sites_report))
    }

    /// The node the bearer token names, or the answer refusing it.
    async fn node_of(app: &AppState, headers: &HeaderMap) -> Result<Node, Response> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let node = match token {
            Some(t) => node_tokens::authenticate(&app.deps.pool, t).await,
            None => Ok(None),
        };
        match node {
            Ok(Some(node)) if node.region.is_some() => Ok(node),
            Ok(Some(_)) => Err(error(
                StatusCode::FORBIDDEN,
                "this token has no region: make a new one",
            )),
            Ok(None) => Err(error(StatusCode::UNAUTHORIZED, "missing or invalid node token")),
            Err(e) => Err(internal(&e)),
        }
    }

    /// The node of the token, and the deploy a `/releases/{deploy}` path
    /// names (one that is no id names nothing: 404).
    async fn node_and_deploy(
        app: &AppState,
        headers: &HeaderMap,
        raw: &str,
    ) -> Result<(Node, Uuid), Response> {
        let node = node_of(app, headers).await?;
        let deploy = Uuid::parse_str(raw).map_err(|_| error(StatusCode::NOT_FOUND, "no such deploy"))?;
        Ok((node, deploy))
    }

    async fn desired(State(app): State<AppState>, headers: HeaderMap, Query(ask): Query<Ask>) -> Response {
        let node = match node_of(&app, &headers).await {
            Ok(node) => node,
            Err(refused) => return refused,
        };
        let pool = &app.deps.pool;
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

    async fn release(
        State(app): State<AppState>,
        headers: HeaderMap,
        Path(deploy): Path<String>,
    ) -> Response {
        let (node, deploy) = match node_and_deploy(&app, &headers, &deploy).await {
            Ok(found) => found,
            Err(refused) => return refused,
        };
        match deploys::archive_for_node(&app.deps.pool, node.id, deploy).await {
            Ok(Some(archive)) => {
                ([(header::CONTENT_TYPE, "application/octet-stream")], archive).into_response()
            }
            Ok(None) => error(
                StatusCode::NOT_FOUND,
                "no such deploy on this node, or it is too old to keep",
            ),
            Err(e) => internal(&e),
        }
    }

    async fn report(
        State(app): State<AppState>,
        headers: HeaderMap,
        Path(deploy): Path<String>,
        body: axum::body::Bytes,
    ) -> Response {
        let (node, deploy) = match node_and_deploy(&app, &headers, &deploy).await {
            Ok(found) => found,
            Err(refused) => return refused,
        };
        let report: DeployReport = match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("the body is not a report: {e}"),
                )
            }
        };
        let now = app.deps.clock.now();
        match deploys::report(&app.deps.pool, node.id, deploy, &report, now).await {
            Ok(true) => StatusCode::NO_CONTENT.into_response(),
            Ok(false) => error(StatusCode::NOT_FOUND, "no such deploy on this node"),
            Err(e) => internal(&e),
        }
    }

    /// The most sites one report may carry.
    const MAX_REPORTED_SITES: usize = 10_000;

    async fn sites_report(
        State(app): State<AppState>,
        headers: HeaderMap,
        body: axum::body::Bytes,
    ) -> Response {
        let node = match node_of(&app, &headers).await {
            Ok(node) => node,
            Err(refused) => return refused,
        };
        let report: SitesReport = match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("the body is not a report: {e}"),
                )
            }
        };
        if report.sites.len() > MAX_REPORTED_SITES {
            return error(StatusCode::PAYLOAD_TOO_LARGE, "at most 10,000 sites a report");
        }
        match checks::record(&app.deps.pool, node.id, &report, app.deps.clock.now()).await {
            Ok(recorded) => (StatusCode::OK, Json(json!({ "recorded": recorded }))).into_response(),
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
