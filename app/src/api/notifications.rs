//! The signed-in user's notifications: the bell in the header and the
//! notifications page read them; one form marks them all read.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRow {
    pub title: String,
    pub link: String,
    pub when: String,
    pub read: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notifications {
    pub unread: i64,
    pub items: Vec<NotificationRow>,
}

/// The bell's contents, drawn by the server (`islands::bell`).
pub const BELL_PATH: &str = "/notifications/bell";

#[server(endpoint = "notifications")]
pub async fn my_notifications() -> Result<Notifications, ApiError> {
    use super::edge::error::api_error;
    use services::failure::Internal;
    let (deps, actor) = super::edge::auth::actor()?;
    let (unread, items) = services::notifications::recent(&deps.pool, &actor)
        .await
        .map_err(|e| api_error(Internal::from(e)))?;
    Ok(Notifications {
        unread,
        items: items.into_iter().map(row).collect(),
    })
}

#[cfg(feature = "ssr")]
fn row(n: services::notifications::Notification) -> NotificationRow {
    NotificationRow {
        title: n.title,
        link: n.link,
        when: super::when(n.created_at),
        read: n.read,
    }
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{
        extract::State,
        response::{IntoResponse, Response},
        routing::{get, post},
        Router,
    };
    use leptos::prelude::*;

    use crate::api::edge::auth::Actor;
    use crate::api::edge::error::{Back, FormResult, ShownOn};
    use crate::api::edge::forms::see_other;
    use crate::api::edge::part::part;
    use crate::api::AppState;
    use services::failure::Internal;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/notifications/read", post(mark_all_read))
            .route(super::BELL_PATH, get(bell))
    }

    /// The bell's summary and panel, as HTML for the bell to swap in.
    async fn bell(State(state): State<AppState>, actor: Actor) -> Result<Response, Response> {
        let (unread, items) = services::notifications::recent(&state.deps.pool, &actor)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "reading the bell's notifications");
                axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
            })?;
        let notifications = super::Notifications {
            unread,
            items: items.into_iter().map(super::row).collect(),
        };
        Ok(part(|| {
            view! { <crate::components::bell::BellContents notifications/> }.to_html()
        }))
    }

    async fn mark_all_read(State(state): State<AppState>, actor: Actor) -> FormResult {
        services::notifications::mark_all_read(&state.deps.pool, &actor)
            .await
            .map_err(Internal::from)
            .shown_on(&Back::to("/notifications"))?;
        Ok(see_other("/notifications"))
    }
}
