//! "Where you're signed in": list and end your own sessions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One of the signed-in user's sessions, ready to show.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MySession {
    pub id: String,
    pub device: String,
    pub ip: String,
    pub created: String,
    pub last_active: String,
    pub this_device: bool,
}

#[server]
pub async fn list_my_sessions() -> Result<Vec<MySession>, super::ApiError> {
    use super::edge::error::api_error;
    let (deps, actor) = super::edge::auth::actor()?;
    let sessions = services::sessions::list_for_user(&deps.pool, actor.id())
        .await
        .map_err(|e| api_error(services::failure::Internal::from(e)))?;
    Ok(sessions
        .into_iter()
        .map(|s| MySession {
            id: s.id.to_string(),
            device: s.device,
            ip: s.ip.unwrap_or_else(|| "unknown".into()),
            created: crate::api::when(s.created_at),
            last_active: crate::api::when(s.last_seen_at),
            this_device: s.id == actor.user.session_id,
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{extract::State, routing::post, Form, Router};
    use serde::Deserialize;
    use uuid::Uuid;

    use crate::api::edge::auth::Actor;
    use crate::api::edge::error::{Back, FormResult, ShownOn};
    use crate::api::edge::forms::see_other_setting;
    use crate::api::{AppState, Notice};
    use services::failure::Internal;
    use services::sessions;

    const PAGE: &str = "/settings/sessions";

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/settings/sessions/revoke", post(revoke))
            .route("/settings/sessions/revoke-others", post(revoke_others))
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct RevokeForm {
        session_id: String,
    }

    async fn revoke(State(state): State<AppState>, actor: Actor, Form(form): Form<RevokeForm>) -> FormResult {
        let Ok(id) = Uuid::parse_str(form.session_id.trim()) else {
            return Ok(Notice::SessionGone.redirect(PAGE));
        };
        let revoked = sessions::revoke_own(&state.deps.pool, &actor, id)
            .await
            .map_err(Internal::from)
            .shown_on(&Back::to(PAGE))?;
        Ok(match revoked {
            true if id == actor.user.session_id => see_other_setting(
                &Notice::SignedOut.on("/login"),
                vec![sessions::clear_cookie(state.settings.secure_cookies)],
            ),
            true => Notice::SessionRevoked.redirect(PAGE),
            false => Notice::SessionGone.redirect(PAGE),
        })
    }

    async fn revoke_others(State(state): State<AppState>, actor: Actor) -> FormResult {
        sessions::revoke_others(&state.deps.pool, &actor)
            .await
            .map_err(Internal::from)
            .shown_on(&Back::to(PAGE))?;
        Ok(Notice::OtherSessionsRevoked.redirect(PAGE))
    }
}
