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
        items: items
            .into_iter()
            .map(|n| NotificationRow {
                title: n.title,
                link: n.link,
                when: super::when(n.created_at),
                read: n.read,
            })
            .collect(),
    })
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{extract::State, routing::post, Router};

    use crate::api::edge::auth::Actor;
    use crate::api::edge::error::{Back, FormResult, ShownOn};
    use crate::api::edge::forms::see_other;
    use crate::api::AppState;
    use services::failure::Internal;

    pub fn routes() -> Router<AppState> {
        Router::new().route("/notifications/read", post(mark_all_read))
    }

    async fn mark_all_read(State(state): State<AppState>, actor: Actor) -> FormResult {
        services::notifications::mark_all_read(&state.deps.pool, &actor)
            .await
            .map_err(Internal::from)
            .shown_on(&Back::to("/notifications"))?;
        Ok(see_other("/notifications"))
    }
}
