//! Email delivery: Resend's webhooks in, and a person's view of whether we
//! still mail their address (with the way to ask for mail again).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use domain::mail::SuppressionReason;

/// Why mail to the signed-in person's address stopped, for their settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MySuppression {
    pub reason: SuppressionReason,
    pub detail: Option<String>,
    pub since: String,
}

#[server]
pub async fn my_email_suppression() -> Result<Option<MySuppression>, super::ApiError> {
    use super::edge::error::api_error;
    let (deps, actor) = super::edge::auth::actor()?;
    let found = services::mail::suppression::find(&deps.pool, &actor.user.email)
        .await
        .map_err(|e| api_error(services::failure::Internal::from(e)))?;
    Ok(found.map(|s| MySuppression {
        reason: s.reason,
        detail: s.detail,
        since: crate::api::when(s.since),
    }))
}

#[cfg(feature = "ssr")]
pub use routes::{routes, webhook_routes};

#[cfg(feature = "ssr")]
mod routes {
    use axum::{
        body::Bytes,
        extract::State,
        http::{HeaderMap, StatusCode},
        response::{IntoResponse, Response},
        routing::post,
        Router,
    };
    use services::failure::Internal;
    use services::mail::{delivery, suppression};

    use crate::api::edge::auth::Actor;
    use crate::api::edge::error::{Back, FormResult, ShownOn};
    use crate::api::{AppState, Notice};

    pub fn routes() -> Router<AppState> {
        Router::new().route("/settings/email/resume", post(resume))
    }

    /// Resend's webhooks authenticate by signature, never by cookie.
    pub fn webhook_routes() -> Router<AppState> {
        Router::new().route("/webhooks/resend", post(resend_webhook))
    }

    /// The person says their mailbox works again.
    async fn resume(State(state): State<AppState>, actor: Actor) -> FormResult {
        let lifted = suppression::lift(&state.deps.pool, &actor.user.email)
            .await
            .map_err(Internal::from)
            .shown_on(&Back::to("/settings"))?;
        tracing::info!(lifted, "mail resumed by its owner");
        Ok(Notice::MailResumed.redirect("/settings"))
    }

    /// Verified before anything is read; stored once; answered at once.
    async fn resend_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
        if body.len() > delivery::MAX_BYTES {
            return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
        }
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let signed = delivery::Signed {
            id: header("svix-id"),
            timestamp: header("svix-timestamp"),
            signature: header("svix-signature"),
        };
        let received = delivery::receive(
            &state.deps.pool,
            state.settings.resend_webhook_secret.as_ref(),
            &signed,
            &body,
            state.deps.clock.now(),
        )
        .await;
        match received {
            Ok(Ok(_)) => (StatusCode::OK, "ok").into_response(),
            Ok(Err(delivery::Refused::NotConfigured)) => (StatusCode::NOT_FOUND, "not found").into_response(),
            Ok(Err(refused)) => {
                tracing::info!(reason = %refused, "resend webhook refused");
                (StatusCode::BAD_REQUEST, refused.to_string()).into_response()
            }
            Err(error) => {
                // Resend retries: nothing is lost.
                tracing::error!(%error, "resend webhook not stored");
                (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
            }
        }
    }
}
