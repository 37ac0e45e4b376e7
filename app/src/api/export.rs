//! A customer's data export at the HTTP edge: its state (a server
//! function), asking for one (a form), and the download the emailed link
//! leads to (signed in as that customer, within 24 hours).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExportState {
    /// "pending", "ready", "failed" or "expired".
    pub status: String,
    pub asked: String,
    pub expires: Option<String>,
    pub size: Option<String>,
}

#[server(endpoint = "export/latest")]
pub async fn my_export() -> Result<Option<ExportState>, ApiError> {
    use super::edge::error::api_error;
    let (deps, actor) = super::edge::auth::actor()?;
    let latest = services::export::latest(&deps.pool, &actor)
        .await
        .map_err(api_error)?;
    Ok(latest.map(|l| ExportState {
        status: l.status,
        asked: super::when(l.created_at),
        expires: l.expires_at.map(super::when),
        size: l.size_bytes.map(domain::hosting::format_bytes),
    }))
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::extract::{Query, State};
    use axum::http::header;
    use axum::response::IntoResponse;
    use axum::{routing::get, routing::post, Router};
    use serde::Deserialize;

    use crate::api::edge::auth::Actor;
    use crate::api::edge::error::{Back, FormResult, ShownOn};
    use crate::api::{AppState, Notice};

    const PAGE: &str = "/settings/export";

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route(PAGE, post(request))
            .route("/settings/export/download", get(download))
    }

    async fn request(State(state): State<AppState>, actor: Actor) -> FormResult {
        services::export::request(&state.deps.pool, &actor)
            .await
            .shown_on(&Back::to(PAGE))?;
        Ok(Notice::ExportRequested.redirect(PAGE))
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Link {
        token: String,
    }

    async fn download(State(state): State<AppState>, actor: Actor, Query(link): Query<Link>) -> FormResult {
        let bytes = services::export::download(&state.deps.pool, &actor, &link.token)
            .await
            .shown_on(&Back::to(PAGE))?;
        let name = format!("ksfoundation-data-{}.zip", actor.now.date());
        Ok((
            [
                (header::CONTENT_TYPE, "application/zip".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response())
    }
}
