//! Staff's actions on a customer, as forms: each takes a reason, is
//! audited, and comes back to the customer's page with what happened.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Form, Router};
use serde::{Deserialize, Serialize};

use crate::api::edge::auth::{Actor, Staff};
use crate::api::edge::error::{Back, FormError, FormResult, ShownOn};
use crate::api::{AppState, Notice};
use services::customers::{actions, contact, two_factor_reset, view_as};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/customers/{id}/lock", post(lock))
        .route("/staff/customers/{id}/unlock", post(unlock))
        .route("/staff/customers/{id}/sessions/end", post(end_sessions))
        .route("/staff/customers/{id}/notes", post(add_note))
        .route("/staff/customers/{id}/view-as", post(view_as))
        .route("/staff/view-as/end", post(end_view))
        .route("/staff/customers/{id}/verification", post(resend_verification))
        .route("/staff/customers/{id}/export", post(prepare_export))
        .route("/staff/customers/{id}/email", post(change_email))
        .route("/staff/customers/{id}/two-factor-reset", post(request_reset))
        .route("/staff/two-factor-resets/{reset}/approve", post(approve_reset))
        .route("/staff/two-factor-resets/{reset}/cancel", post(cancel_reset))
}

/// The customer's page (the directory for anything that names nobody).
fn page(raw: &str) -> String {
    match uuid::Uuid::parse_str(raw.trim()) {
        Ok(id) => format!("/staff/customers/{id}"),
        Err(_) => "/staff/customers".into(),
    }
}

fn customer_id(raw: &str, back: &Back) -> Result<uuid::Uuid, crate::api::edge::error::FormError> {
    uuid::Uuid::parse_str(raw.trim())
        .map_err(|_| services::customers::not_found())
        .shown_on(back)
}

/// One action on the customer the path names: `act` runs for them, and a
/// refusal shows the page again with what was typed and why.
async fn on_customer<F, Fut, T>(raw: &str, typed: &impl Serialize, act: F) -> Result<T, FormError>
where
    F: FnOnce(uuid::Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<T, services::failure::ServiceError>>,
{
    let back = Back::to(page(raw)).keeping(typed);
    let id = customer_id(raw, &back)?;
    act(id).await.shown_on(&back)
}

/// Why staff act, as typed.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct ReasonForm {
    /// Which form (the page opens that one again with its error).
    action: String,
    reason: String,
}

async fn lock(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<ReasonForm>,
) -> FormResult {
    on_customer(&raw, &form, |id| {
        actions::lock(&state.deps.pool, &state.deps.links, &actor, id, &form.reason)
    })
    .await?;
    Ok(Notice::CustomerLocked.redirect(&page(&raw)))
}

async fn unlock(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<ReasonForm>,
) -> FormResult {
    on_customer(&raw, &form, |id| {
        actions::unlock(&state.deps.pool, &actor, id, &form.reason)
    })
    .await?;
    Ok(Notice::CustomerUnlocked.redirect(&page(&raw)))
}

async fn end_sessions(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<ReasonForm>,
) -> FormResult {
    on_customer(&raw, &form, |id| {
        actions::end_sessions(&state.deps.pool, &actor, id, &form.reason)
    })
    .await?;
    Ok(Notice::CustomerSessionsEnded.redirect(&page(&raw)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct NoteForm {
    body: String,
}

async fn add_note(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<NoteForm>,
) -> FormResult {
    on_customer(&raw, &form, |id| {
        actions::add_note(&state.deps.pool, &actor, id, &form.body)
    })
    .await?;
    Ok(Notice::CustomerNoteAdded.redirect(&page(&raw)))
}

/// Staff start a read-only view of the portal as the customer (the
/// session is the customer's until it ends or 15 minutes pass).
async fn view_as(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<ReasonForm>,
) -> FormResult {
    on_customer(&raw, &form, |id| {
        view_as::start(&state.deps.pool, &actor, id, &form.reason)
    })
    .await?;
    Ok(Notice::ViewAsStarted.redirect("/"))
}

/// Ends the view (the request is seen as the customer): back to their page.
async fn end_view(State(state): State<AppState>, actor: Actor) -> FormResult {
    let back = Back::to("/");
    match view_as::end(&state.deps.pool, &actor.user)
        .await
        .shown_on(&back)?
    {
        Some(id) => Ok(Notice::ViewAsEnded.redirect(&page(&id.to_string()))),
        None => Ok(crate::api::edge::forms::see_other("/")),
    }
}

async fn resend_verification(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<ReasonForm>,
) -> FormResult {
    on_customer(&raw, &form, |id| {
        contact::resend_verification(&state.deps.pool, &state.deps.links, &actor, id, &form.reason)
    })
    .await?;
    Ok(Notice::VerificationResent.redirect(&page(&raw)))
}

/// Staff prepare a copy of the customer's data; the link goes to them.
async fn prepare_export(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<ReasonForm>,
) -> FormResult {
    on_customer(&raw, &form, |id| {
        services::export::request_for(&state.deps.pool, &actor, id, &form.reason)
    })
    .await?;
    Ok(Notice::CustomerExportRequested.redirect(&page(&raw)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct EmailForm {
    action: String,
    new_email: String,
    reason: String,
}

async fn change_email(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<EmailForm>,
) -> FormResult {
    on_customer(&raw, &form, |id| {
        contact::change_email(
            &state.deps.pool,
            &state.deps.links,
            &actor,
            id,
            &form.new_email,
            &form.reason,
        )
    })
    .await?;
    Ok(Notice::CustomerEmailChangeStarted.redirect(&page(&raw)))
}

/// The reset request as posted: a `checks` field per ticked check.
#[derive(Debug, Default, Serialize)]
struct ResetForm {
    action: String,
    reason: String,
    checks: String,
}

async fn request_reset(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> FormResult {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let checks: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "checks")
        .map(|(_, v)| v.clone())
        .take(20)
        .collect();
    let kept = ResetForm {
        action: value("action"),
        reason: value("reason"),
        checks: checks.join(" "),
    };
    let back = Back::to(page(&raw)).keeping(&kept);
    let id = customer_id(&raw, &back)?;
    two_factor_reset::request(&state.deps.pool, &actor, id, &checks, &kept.reason)
        .await
        .shown_on(&back)?;
    Ok(Notice::TwoFactorResetRequested.redirect(&page(&raw)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct ApproveForm {
    /// The customer's page, to come back to.
    customer: String,
}

async fn approve_reset(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<ApproveForm>,
) -> FormResult {
    let back = Back::to(page(&form.customer));
    let reset = uuid::Uuid::parse_str(raw.trim())
        .map_err(|_| services::failure::ServiceError::NotFound("That reset is not waiting for approval."))
        .shown_on(&back)?;
    two_factor_reset::approve(&state.deps.pool, &state.deps.links, &actor, reset)
        .await
        .shown_on(&back)?;
    Ok(Notice::TwoFactorResetApproved.redirect(&page(&form.customer)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct CancelForm {
    action: String,
    customer: String,
    reason: String,
}

async fn cancel_reset(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(form): Form<CancelForm>,
) -> FormResult {
    let back = Back::to(page(&form.customer)).keeping(&form);
    let reset = uuid::Uuid::parse_str(raw.trim())
        .map_err(|_| services::failure::ServiceError::NotFound("That reset is not waiting for approval."))
        .shown_on(&back)?;
    let id = two_factor_reset::cancel(&state.deps.pool, &actor, reset, &form.reason)
        .await
        .shown_on(&back)?;
    Ok(Notice::TwoFactorResetCancelled.redirect(&page(&id.to_string())))
}
