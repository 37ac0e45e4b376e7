//! The development mailbox: captured emails as the recipient would see them.
//! Available only in development mode.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One email in the dev mailbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MailboxEmail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub status: String,
    pub created: String,
}

/// The newest emails, optionally only those to one address.
#[server]
pub async fn list_mailbox(to: Option<String>) -> Result<Vec<MailboxEmail>, super::ApiError> {
    use super::edge::error::api_error;
    let state =
        use_context::<super::AppState>().ok_or_else(|| super::ApiError::NotFound("Not found.".into()))?;
    if !state.settings.dev_mode {
        return Err(super::ApiError::NotFound(
            "The dev mailbox is only available in development mode.".into(),
        ));
    }
    let to = to.filter(|t| !t.trim().is_empty());
    let emails = services::mail::outbox::recent(&state.deps.pool, to.as_deref(), 50)
        .await
        .map_err(|e| api_error(services::failure::Internal::from(e)))?;
    Ok(emails
        .into_iter()
        .map(|e| MailboxEmail {
            id: e.id.to_string(),
            to: e.to_address,
            subject: e.subject,
            text: e.text_body,
            // "sent · delivered" once the provider (or its stand-in) reports.
            status: match e.delivery {
                Some(delivery) => format!("{} · {delivery}", e.status),
                None => e.status,
            },
            created: format!(
                "{} {:02}:{:02}:{:02} UTC",
                e.created_at.date(),
                e.created_at.hour(),
                e.created_at.minute(),
                e.created_at.second()
            ),
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{
        extract::{Path, State},
        http::{header, StatusCode},
        response::{IntoResponse, Response},
        routing::get,
        Router,
    };
    use uuid::Uuid;

    use crate::api::AppState;

    pub fn routes() -> Router<AppState> {
        Router::new().route("/dev/mailbox/{id}/html", get(html))
    }

    /// The HTML body of one email, served on its own so it renders as sent.
    async fn html(State(state): State<AppState>, Path(id): Path<String>) -> Response {
        if !state.settings.dev_mode {
            return (StatusCode::NOT_FOUND, "Not found").into_response();
        }
        let Ok(id) = Uuid::parse_str(&id) else {
            return (StatusCode::NOT_FOUND, "No such email").into_response();
        };
        match services::mail::outbox::find(&state.deps.pool, id).await {
            Ok(Some(email)) => (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                email.html_body,
            )
                .into_response(),
            Ok(None) => (StatusCode::NOT_FOUND, "No such email").into_response(),
            Err(error) => {
                tracing::error!(%error, "mailbox lookup failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}
