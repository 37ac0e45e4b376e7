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
pub async fn list_my_sessions() -> Result<Vec<MySession>, ServerFnError> {
    let user = super::current_user().ok_or_else(|| ServerFnError::new("Sign in to see your sessions."))?;
    let state = use_context::<super::AppState>().ok_or_else(|| ServerFnError::new("no app state"))?;
    let sessions = crate::services::sessions::list_for_user(&state.pool, user.user_id)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "listing sessions failed");
            ServerFnError::new("Could not load your sessions. Please try again.")
        })?;
    let when = |t: time::OffsetDateTime| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute());
    Ok(sessions
        .into_iter()
        .map(|s| MySession {
            id: s.id.to_string(),
            device: s.device,
            ip: s.ip.unwrap_or_else(|| "unknown".into()),
            created: when(s.created_at),
            last_active: when(s.last_seen_at),
            this_device: s.id == user.session_id,
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use std::collections::HashMap;

    use axum::{extract::State, http::request::Parts, response::Response, routing::post, Form, Router};
    use uuid::Uuid;

    use crate::api::forms::{see_other, signed_in};
    use crate::api::session::client_info;
    use crate::api::AppState;
    use crate::services::sessions;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/settings/sessions/revoke", post(revoke))
            .route("/settings/sessions/revoke-others", post(revoke_others))
    }

    async fn revoke(
        State(state): State<AppState>,
        parts: Parts,
        Form(f): Form<HashMap<String, String>>,
    ) -> Response {
        let Some(user) = signed_in(&parts) else {
            return see_other("/login?next=/settings/sessions", None);
        };
        let id = f.get("session_id").and_then(|s| Uuid::parse_str(s.trim()).ok());
        let revoked = match id {
            Some(id) => sessions::revoke_own(&state.pool, &user, id, &client_info(&parts)).await,
            None => Ok(false),
        };
        match revoked {
            Ok(true) if id == Some(user.session_id) => see_other(
                "/login?signed_out=1",
                Some(sessions::clear_cookie(state.settings.secure_cookies())),
            ),
            Ok(true) => see_other("/settings/sessions?done=revoked", None),
            Ok(false) => see_other("/settings/sessions?done=not_found", None),
            Err(error) => {
                tracing::error!(%error, "revoking a session failed");
                see_other("/settings/sessions?done=error", None)
            }
        }
    }

    async fn revoke_others(State(state): State<AppState>, parts: Parts) -> Response {
        let Some(user) = signed_in(&parts) else {
            return see_other("/login?next=/settings/sessions", None);
        };
        match sessions::revoke_others(&state.pool, &user, &client_info(&parts)).await {
            Ok(_) => see_other("/settings/sessions?done=others", None),
            Err(error) => {
                tracing::error!(%error, "signing out other sessions failed");
                see_other("/settings/sessions?done=error", None)
            }
        }
    }
}
