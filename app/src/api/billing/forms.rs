//! Billing's form endpoints, and Stripe's webhook endpoint (which takes no
//! session and no CSRF token: its signature is its authentication).

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Router,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::edge::auth::{Actor, Staff};
use crate::api::edge::error::{Back, FormResult, ShownOn};
use crate::api::edge::forms::see_other;
use crate::api::{AppState, Notice};
use domain::{AccountId, OrderId};
use services::billing::{checkout, subscriptions, webhook_queue, webhooks, ServiceError};
use services::hosting::access::{self, Access};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/billing/orders/{id}/checkout", post(open_checkout))
        .route("/billing/portal", get(portal))
        .route("/hosting/{id}/reactivate", post(reactivate))
        .route("/hosting/{id}/plan/confirm", post(confirm_plan))
        .route("/hosting/{id}/subscription/cancel", post(cancel_at_period_end))
        .route("/hosting/{id}/subscription/resume", post(resume))
        .route("/staff/billing/events/{id}/replay", post(replay))
}

/// Stripe's webhooks: outside the session and CSRF layers.
pub fn webhook_routes() -> Router<AppState> {
    Router::new().route("/webhooks/stripe", post(stripe_webhook))
}

pub fn order_page(id: OrderId) -> String {
    format!("/billing/orders/{id}")
}

async fn access_to(
    state: &AppState,
    actor: &Actor,
    raw: &str,
    back: &Back,
) -> Result<Access, crate::api::edge::error::FormError> {
    let id = AccountId::parse(raw)
        .ok_or(services::billing::not_found())
        .shown_on(back)?;
    access::authorize(&state.deps.pool, actor, id)
        .await
        .shown_on(back)
}

async fn open_checkout(State(state): State<AppState>, actor: Actor, Path(raw): Path<String>) -> FormResult {
    let back = Back::to(format!("/billing/orders/{raw}"));
    let id = OrderId::parse(&raw)
        .ok_or(services::billing::not_found())
        .shown_on(&back)?;
    let deps = &state.deps;
    checkout::open_checkout(deps, &deps.billing, &actor, id)
        .await
        .shown_on(&back)?;
    Ok(see_other(&order_page(id)))
}

/// Stripe's billing portal for the user's cards (a GET link: it changes
/// nothing here, and a link may leave the site where a form may not).
async fn portal(State(state): State<AppState>, actor: Actor) -> FormResult {
    let back = Back::to("/billing");
    let url = subscriptions::portal_url(&state.deps, &state.deps.billing, &actor)
        .await
        .shown_on(&back)?;
    Ok((StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, url)]).into_response())
}

async fn reactivate(State(state): State<AppState>, actor: Actor, Path(raw): Path<String>) -> FormResult {
    let back = Back::to(format!("/hosting/{raw}"));
    let access = access_to(&state, &actor, &raw, &back).await?;
    let deps = &state.deps;
    let order = checkout::reactivate(deps, &deps.billing, &actor, &access)
        .await
        .shown_on(&back)?;
    if let Err(error) = checkout::open_checkout(deps, &deps.billing, &actor, order).await {
        // The order page offers to try again.
        tracing::warn!(%error, %order, "checkout not opened");
    }
    Ok(see_other(&order_page(order)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlanForm {
    plan: String,
}

async fn confirm_plan(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<PlanForm>,
) -> FormResult {
    let back = Back::to(format!("/hosting/{raw}/plan?plan={}", form.plan.trim()));
    let access = access_to(&state, &actor, &raw, &back).await?;
    let plan = Uuid::parse_str(form.plan.trim())
        .map_err(|_| ServiceError::invalid("plan", "Choose one of the plans offered."))
        .shown_on(&back)?;
    let deps = &state.deps;
    subscriptions::change_plan(deps, &deps.billing, &actor, &access, plan)
        .await
        .shown_on(&back)?;
    Ok(Notice::PlanChangeRequested.redirect(&format!("/hosting/{raw}")))
}

async fn set_cancel(state: &AppState, actor: &Actor, raw: &str, cancel: bool) -> FormResult {
    let back = Back::to(format!("/hosting/{raw}"));
    let access = access_to(state, actor, raw, &back).await?;
    let deps = &state.deps;
    subscriptions::set_cancel_at_period_end(deps, &deps.billing, actor, &access, cancel)
        .await
        .shown_on(&back)?;
    let notice = if cancel {
        Notice::CancelScheduled
    } else {
        Notice::CancelWithdrawn
    };
    Ok(notice.redirect(&format!("/hosting/{raw}")))
}

async fn cancel_at_period_end(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
) -> FormResult {
    set_cancel(&state, &actor, &raw, true).await
}

async fn resume(State(state): State<AppState>, actor: Actor, Path(raw): Path<String>) -> FormResult {
    set_cancel(&state, &actor, &raw, false).await
}

async fn replay(State(state): State<AppState>, Staff(actor): Staff, Path(id): Path<String>) -> FormResult {
    let back = Back::to("/staff/billing");
    let found = webhook_queue::replay(&state.deps.pool, &actor, &id)
        .await
        .shown_on(&back)?;
    if !found {
        return Err(back.fail(&services::billing::not_found()));
    }
    Ok(Notice::EventReplayed.redirect("/staff/billing"))
}

/// Largest webhook body taken (Stripe's events are a few KB).
pub const MAX_WEBHOOK_BYTES: usize = 256 * 1024;

/// Verified before anything is read; stored once; acknowledged at once.
async fn stripe_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let deps = &state.deps;
    if body.len() > MAX_WEBHOOK_BYTES {
        return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
    }
    let Ok(payload) = std::str::from_utf8(&body) else {
        return (StatusCode::BAD_REQUEST, "not UTF-8").into_response();
    };
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    let received = webhooks::receive(
        &deps.pool,
        deps.billing.webhook_secret.as_deref(),
        payload,
        signature,
        deps.clock.now(),
    )
    .await;
    match received {
        Ok(Ok(_)) => (StatusCode::OK, "ok").into_response(),
        Ok(Err(refused)) => {
            tracing::info!(reason = %refused, "stripe webhook refused");
            (StatusCode::BAD_REQUEST, refused.to_string()).into_response()
        }
        Err(error) => {
            // Stripe retries: nothing is lost.
            tracing::error!(%error, "stripe webhook not stored");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}
