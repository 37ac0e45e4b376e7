//! Form endpoints of the hosting area. Each authorises once, converts its
//! typed form into domain types, calls one service, and answers with the
//! account page (a notice, or the errors next to the fields).

use axum::{
    extract::{Path, State},
    routing::post,
    Form, Router,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::billing::forms::order_page;
use crate::api::edge::auth::Actor;
use crate::api::edge::error::{require_ticked, Back, FormResult, ShownOn};
use crate::api::edge::forms::see_other;
use crate::api::{AppState, Notice};
use domain::hosting::Region;
use domain::{AccountId, AccountName, DomainName, Email, MemberRole};
use services::billing::checkout::{self, Created};
use services::billing::plan_change::{self, PlanChange};
use services::billing::subscriptions;
use services::failure::Invalid;
use services::hosting::access::{self, Access};
use services::hosting::accounts::{self, AccountDetails, NewAccount};
use services::hosting::invitations::{self, InvitationRef, NewInvitation};
use services::hosting::{members, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hosting/new", post(create))
        .route("/hosting/{id}/edit", post(edit))
        .route("/hosting/{id}/plan", post(change_plan))
        .route("/hosting/{id}/cancel", post(cancel))
        .route("/hosting/{id}/suspend", post(suspend))
        .route("/hosting/{id}/resume", post(resume))
        .route("/hosting/{id}/invite", post(invite))
        .route("/hosting/{id}/invitations/revoke", post(revoke_invitation))
        .route("/hosting/{id}/members/role", post(change_role))
        .route("/hosting/{id}/members/remove", post(remove_member))
        .route("/hosting/{id}/leave", post(leave))
        .route("/hosting/{id}/transfer", post(transfer))
        .route("/invitations/accept", post(accept))
}

/// The account page of `raw`.
pub(crate) fn account_page(raw: &str) -> String {
    format!("/hosting/{raw}")
}

/// The acting user's access to the account of a `/hosting/{id}/…` post,
/// or the account page answering "not found".
pub(crate) async fn access_to(
    state: &AppState,
    actor: &Actor,
    raw: &str,
    back: &Back,
) -> Result<Access, crate::api::edge::error::FormError> {
    let id = AccountId::parse(raw)
        .ok_or(services::hosting::not_found())
        .shown_on(back)?;
    access::authorize(&state.deps.pool, actor, id)
        .await
        .shown_on(back)
}

/// A member or invitation id from a form: one that is not a UUID names
/// nobody (the same answer as an unknown id).
fn id_field(value: &str, field: &'static str, message: &str) -> Result<Uuid, Invalid> {
    Uuid::parse_str(value.trim()).map_err(|_| Invalid::field(field, message))
}

/// The create and edit forms, as typed.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct AccountForm {
    name: String,
    plan: String,
    primary_domain: String,
    region: String,
}

impl TryFrom<&AccountForm> for AccountDetails {
    type Error = Invalid;

    fn try_from(form: &AccountForm) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        let name = invalid.check("name", AccountName::parse(&form.name));
        let primary_domain = invalid.check("primary_domain", DomainName::parse(&form.primary_domain));
        let region = invalid.check(
            "region",
            Region::parse(&form.region).ok_or("Choose one of our regions."),
        );
        match (name, primary_domain, region) {
            (Some(name), Some(primary_domain), Some(region)) => Ok(AccountDetails {
                name,
                primary_domain,
                region,
            }),
            _ => Err(invalid),
        }
    }
}

impl TryFrom<&AccountForm> for NewAccount {
    type Error = Invalid;

    /// Every field's error at once.
    fn try_from(form: &AccountForm) -> Result<Self, Invalid> {
        let details = AccountDetails::try_from(form);
        let plan = Uuid::parse_str(form.plan.trim()).map_err(|_| ("plan", "Choose a plan.".to_string()));
        match (details, plan) {
            (Ok(details), Ok(plan)) => Ok(NewAccount { details, plan }),
            (details, plan) => {
                let mut errors = details.err().map(|e| e.0).unwrap_or_default();
                errors.extend(plan.err());
                Err(Invalid(errors))
            }
        }
    }
}

async fn create(State(state): State<AppState>, actor: Actor, Form(form): Form<AccountForm>) -> FormResult {
    let back = Back::to("/hosting/new").keeping(&form);
    let input = NewAccount::try_from(&form).shown_on(&back)?;
    let deps = &state.deps;
    match checkout::create_account(deps, &deps.billing, &actor, &input)
        .await
        .shown_on(&back)?
    {
        Created::Active(id) => Ok(Notice::AccountCreated.redirect(&account_page(&id.to_string()))),
        Created::AwaitingPayment { order, .. } => {
            if let Err(error) = checkout::open_checkout(deps, &deps.billing, &actor, order).await {
                // The order page says so and offers to try again.
                tracing::warn!(%error, %order, "checkout not opened");
            }
            Ok(see_other(&order_page(order)))
        }
    }
}

async fn edit(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<AccountForm>,
) -> FormResult {
    let back = Back::to(format!("/hosting/{raw}/edit")).keeping(&form);
    let access = access_to(&state, &actor, &raw, &back).await?;
    let details = AccountDetails::try_from(&form).shown_on(&back)?;
    accounts::update(&state.deps.pool, &actor, &access, &details)
        .await
        .shown_on(&back)?;
    Ok(Notice::AccountSaved.redirect(&account_page(&raw)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlanForm {
    plan: String,
}

async fn change_plan(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<PlanForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    let plan = id_field(&form.plan, "plan", "Choose one of the plans offered.").shown_on(&back)?;
    match plan_change::request(&state.deps, &actor, &access, plan)
        .await
        .shown_on(&back)?
    {
        PlanChange::ShowCost => Ok(see_other(&format!("/hosting/{raw}/plan?plan={plan}"))),
        PlanChange::Checkout { order } => Ok(see_other(&order_page(order))),
        PlanChange::Changed => Ok(Notice::PlanChanged.redirect(&account_page(&raw))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConfirmForm {
    confirm: String,
}

async fn cancel(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    require_ticked(
        &form.confirm,
        "confirm",
        "Tick the box to confirm the cancellation.",
    )
    .shown_on(&back)?;
    // The subscription, if any, ends with the account.
    let deps = &state.deps;
    subscriptions::cancel_account(deps, &deps.billing, &actor, &access)
        .await
        .shown_on(&back)?;
    Ok(Notice::AccountCancelled.redirect(&account_page(&raw)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct SuspendForm {
    reason: String,
}

async fn suspend(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<SuspendForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw)).keeping(&form);
    let access = access_to(&state, &actor, &raw, &back).await?;
    services::hosting::status::suspend(&state.deps.pool, &actor, &access, &form.reason)
        .await
        .shown_on(&back)?;
    Ok(Notice::AccountSuspended.redirect(&account_page(&raw)))
}

async fn resume(State(state): State<AppState>, actor: Actor, Path(raw): Path<String>) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    services::hosting::status::resume(&state.deps.pool, &actor, &access)
        .await
        .shown_on(&back)?;
    Ok(Notice::AccountResumed.redirect(&account_page(&raw)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct InviteForm {
    email: String,
    role: String,
}

impl TryFrom<&InviteForm> for NewInvitation {
    type Error = Invalid;

    fn try_from(form: &InviteForm) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        let email = invalid.check("email", Email::parse(&form.email));
        let role = invalid.check(
            "role",
            MemberRole::parse_assignable(&form.role).ok_or("Choose admin, developer, billing or viewer."),
        );
        match (email, role) {
            (Some(email), Some(role)) => Ok(NewInvitation { email, role }),
            _ => Err(invalid),
        }
    }
}

async fn invite(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<InviteForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw)).keeping(&form);
    let access = access_to(&state, &actor, &raw, &back).await?;
    let invitation = NewInvitation::try_from(&form).shown_on(&back)?;
    invitations::invite(&state.deps, &actor, &access, &invitation)
        .await
        .shown_on(&back)?;
    Ok(Notice::Invited.redirect(&account_page(&raw)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InvitationForm {
    invitation_id: String,
}

async fn revoke_invitation(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<InvitationForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    let invitation = Uuid::parse_str(form.invitation_id.trim())
        .map_err(|_| ServiceError::Conflict("That invitation was already used or withdrawn.".into()))
        .shown_on(&back)?;
    invitations::revoke(&state.deps.pool, &actor, &access, invitation)
        .await
        .shown_on(&back)?;
    Ok(Notice::InvitationWithdrawn.redirect(&account_page(&raw)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MemberForm {
    user_id: String,
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<MemberForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    let member = id_field(
        &form.user_id,
        "member",
        "That person is not a member of this account.",
    )
    .shown_on(&back)?;
    let role = MemberRole::parse_assignable(&form.role)
        .ok_or_else(|| Invalid::field("role", "Choose admin, developer, billing or viewer."))
        .shown_on(&back)?;
    members::change_role(&state.deps.pool, &actor, &access, member, role)
        .await
        .shown_on(&back)?;
    Ok(Notice::RoleChanged.redirect(&account_page(&raw)))
}

async fn remove_member(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<MemberForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    let member = id_field(
        &form.user_id,
        "member",
        "That person is not a member of this account.",
    )
    .shown_on(&back)?;
    members::remove(&state.deps.pool, &actor, &access, member)
        .await
        .shown_on(&back)?;
    Ok(Notice::MemberRemoved.redirect(&account_page(&raw)))
}

async fn leave(State(state): State<AppState>, actor: Actor, Path(raw): Path<String>) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    members::leave(&state.deps.pool, &actor, &access)
        .await
        .shown_on(&back)?;
    Ok(Notice::Left.redirect("/hosting"))
}

async fn transfer(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<MemberForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    let new_owner = id_field(
        &form.user_id,
        "new_owner",
        "The new owner must already be a member of this account.",
    )
    .shown_on(&back)?;
    members::transfer_ownership(&state.deps.pool, &actor, &access, new_owner)
        .await
        .shown_on(&back)?;
    Ok(Notice::OwnershipTransferred.redirect(&account_page(&raw)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AcceptForm {
    token: String,
    invitation_id: String,
}

async fn accept(State(state): State<AppState>, actor: Actor, Form(form): Form<AcceptForm>) -> FormResult {
    let back = if form.token.is_empty() {
        Back::to("/invitations")
    } else {
        Back::to(format!("/invitations/accept?token={}", form.token))
    };
    let by = match Uuid::parse_str(form.invitation_id.trim()) {
        Ok(id) => InvitationRef::Id(id),
        Err(_) => InvitationRef::Token(form.token.clone()),
    };
    let account = invitations::accept(&state.deps.pool, &actor, &by)
        .await
        .shown_on(&back)?;
    Ok(Notice::Joined.redirect(&account_page(&account.to_string())))
}
