//! Hosting accounts at the HTTP edge: server functions that feed the pages,
//! and the form endpoints. Each calls one service function with the
//! signed-in user; the services decide who may do what.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{AccountStatus, MemberRole};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub primary_domain: String,
    pub plan: String,
    pub status: AccountStatus,
    pub role: Option<MemberRole>,
    pub created: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountList {
    pub items: Vec<AccountRow>,
    pub page: i64,
    pub has_next: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanOption {
    pub id: String,
    pub name: String,
    /// "50 GB storage, 500 GB bandwidth, 10 sites — 14.99 EUR / month"
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MemberRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: MemberRole,
    pub me: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub role: MemberRole,
    pub expires: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FeedRow {
    pub account_id: String,
    pub account_name: String,
    pub sentence: String,
    pub when: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FeedPage {
    pub items: Vec<FeedRow>,
    pub page: i64,
    pub has_next: bool,
}

/// Usage against a quota, ready to draw.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Meter {
    pub used: String,
    pub quota: String,
    /// 0–100 (capped) for the bar; the text says the real figure.
    pub percent: u8,
    pub over: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountView {
    pub id: String,
    pub name: String,
    pub primary_domain: String,
    pub region: String,
    pub region_label: String,
    pub status: AccountStatus,
    pub suspended_reason: Option<String>,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_price: String,
    pub max_sites: i32,
    pub created: String,
    pub storage: Meter,
    pub bandwidth: Meter,
    pub last_sample: Option<String>,
    pub my_role: Option<MemberRole>,
    pub staff: bool,
    pub can_edit: bool,
    pub can_change_plan: bool,
    pub can_manage_members: bool,
    pub can_cancel: bool,
    pub can_transfer: bool,
    pub members: Vec<MemberRow>,
    pub invitations: Vec<InvitationRow>,
    pub feed: FeedPage,
    pub plans: Vec<PlanOption>,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use crate::services::hosting::{feed::FeedEntry, plans::Plan, usage::format_bytes, HostingError, Page};

    pub fn when(t: time::OffsetDateTime) -> String {
        format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
    }

    pub fn plan_option(p: &Plan) -> PlanOption {
        PlanOption {
            id: p.id.to_string(),
            name: p.name.clone(),
            summary: format!(
                "{} storage, {} bandwidth a month, {} site{} — {} / month",
                format_bytes(p.storage_quota_bytes),
                format_bytes(p.bandwidth_quota_bytes),
                p.max_sites,
                if p.max_sites == 1 { "" } else { "s" },
                crate::services::hosting::plans::format_price(p.price_minor, &p.currency)
            ),
        }
    }

    pub fn meter(used: i64, quota: i64) -> Meter {
        let ratio = if quota > 0 {
            used as f64 / quota as f64
        } else {
            0.0
        };
        Meter {
            used: format_bytes(used),
            quota: format_bytes(quota),
            percent: (ratio * 100.0).clamp(0.0, 100.0).round() as u8,
            over: used > quota,
        }
    }

    pub fn feed(page: Page<FeedEntry>) -> FeedPage {
        FeedPage {
            items: page
                .items
                .into_iter()
                .map(|e| FeedRow {
                    account_id: e.account_id.to_string(),
                    account_name: e.account_name,
                    sentence: e.sentence,
                    when: when(e.at),
                })
                .collect(),
            page: page.page,
            has_next: page.has_next,
        }
    }

    pub fn server_error(e: HostingError) -> ServerFnError {
        if let HostingError::Internal(detail) = &e {
            tracing::error!(%detail, "hosting request failed");
        }
        ServerFnError::new(e.to_string())
    }
}

#[cfg(feature = "ssr")]
fn context() -> Result<(super::AppState, crate::domain::CurrentUser), ServerFnError> {
    let user =
        super::current_user().ok_or_else(|| ServerFnError::new("Sign in to see your hosting accounts."))?;
    let state = use_context::<super::AppState>().ok_or_else(|| ServerFnError::new("no app state"))?;
    Ok((state, user))
}

#[cfg(feature = "ssr")]
fn parse_id(id: &str) -> Result<uuid::Uuid, ServerFnError> {
    uuid::Uuid::parse_str(id.trim())
        .map_err(|_| convert::server_error(crate::services::hosting::HostingError::NotFound))
}

#[server(endpoint = "hosting/accounts")]
pub async fn hosting_accounts(search: String, sort: String, page: i64) -> Result<AccountList, ServerFnError> {
    use crate::services::hosting::accounts;
    let (state, user) = context()?;
    let list = accounts::list(&state.pool, &user, &search, accounts::Sort::parse(&sort), page)
        .await
        .map_err(convert::server_error)?;
    Ok(AccountList {
        items: list
            .items
            .into_iter()
            .map(|a| AccountRow {
                id: a.id.to_string(),
                name: a.name,
                primary_domain: a.primary_domain,
                plan: a.plan_name,
                status: a.status,
                role: a.role,
                created: a.created_at.date().to_string(),
            })
            .collect(),
        page: list.page,
        has_next: list.has_next,
    })
}

#[server(endpoint = "hosting/plans")]
pub async fn plan_options() -> Result<Vec<PlanOption>, ServerFnError> {
    let (state, _user) = context()?;
    let plans = crate::services::hosting::plans::available(&state.pool)
        .await
        .map_err(|e| convert::server_error(e.into()))?;
    Ok(plans.iter().map(convert::plan_option).collect())
}

#[server(endpoint = "hosting/account")]
pub async fn hosting_account(id: String) -> Result<AccountView, ServerFnError> {
    use crate::domain::Permission;
    use crate::services::hosting::{accounts, feed, invitations, members, plans, usage};
    let (state, user) = context()?;
    let id = parse_id(&id)?;
    let pool = &state.pool;
    let now = state.settings.clock.now();
    let a = accounts::detail(pool, &user, id)
        .await
        .map_err(convert::server_error)?;
    let access = a.access;
    let usage = usage::summary(pool, &user, id, now)
        .await
        .map_err(convert::server_error)?;
    let members = members::list(pool, &user, id)
        .await
        .map_err(convert::server_error)?;
    let invitations = if access.can(Permission::ManageMembers) {
        invitations::pending(pool, &user, id, now)
            .await
            .map_err(convert::server_error)?
    } else {
        Vec::new()
    };
    let feed = feed::for_account(pool, &user, id, 1)
        .await
        .map_err(convert::server_error)?;
    let plans = if access.can(Permission::ChangePlan) {
        plans::available(pool)
            .await
            .map_err(|e| convert::server_error(e.into()))?
            .iter()
            .map(convert::plan_option)
            .collect()
    } else {
        Vec::new()
    };
    let open = !matches!(a.status, AccountStatus::Cancelled);
    Ok(AccountView {
        id: a.id.to_string(),
        name: a.name,
        primary_domain: a.primary_domain,
        region: a.region,
        region_label: a.region_label,
        status: a.status,
        suspended_reason: a.suspended_reason,
        plan_id: a.plan.id.to_string(),
        plan_price: plans::format_price(a.plan.price_minor, &a.plan.currency),
        plan_name: a.plan.name,
        max_sites: a.plan.max_sites,
        created: convert::when(a.created_at),
        storage: convert::meter(usage.storage_bytes, a.plan.storage_quota_bytes),
        bandwidth: convert::meter(usage.bandwidth_month_bytes, a.plan.bandwidth_quota_bytes),
        last_sample: usage.last_sample_at.map(convert::when),
        my_role: access.role,
        staff: access.staff,
        can_edit: open && access.can(Permission::Edit),
        can_change_plan: open && access.can(Permission::ChangePlan),
        can_manage_members: open && access.can(Permission::ManageMembers),
        can_cancel: open && access.can(Permission::Cancel),
        can_transfer: open && access.can(Permission::TransferOwnership),
        members: members
            .into_iter()
            .map(|m| MemberRow {
                me: m.user_id == user.user_id,
                user_id: m.user_id.to_string(),
                name: m.name,
                email: m.email,
                role: m.role,
            })
            .collect(),
        invitations: invitations
            .into_iter()
            .map(|i| InvitationRow {
                id: i.id.to_string(),
                email: i.email,
                role: i.role,
                expires: i.expires_at.date().to_string(),
            })
            .collect(),
        feed: convert::feed(feed),
        plans,
    })
}

/// A page of activity: one account's, or (no account) every account the
/// user can see.
#[server(endpoint = "hosting/activity")]
pub async fn hosting_activity(account: Option<String>, page: i64) -> Result<FeedPage, ServerFnError> {
    use crate::services::hosting::feed;
    let (state, user) = context()?;
    let page = match account {
        Some(id) => feed::for_account(&state.pool, &user, parse_id(&id)?, page).await,
        None => feed::for_user(&state.pool, &user, page).await,
    };
    Ok(convert::feed(page.map_err(convert::server_error)?))
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InvitationCard {
    pub id: String,
    pub account_name: String,
    pub inviter: String,
    pub email: String,
    pub role: MemberRole,
    /// "open", "expired" or "used".
    pub state: String,
}

#[cfg(feature = "ssr")]
fn card(v: crate::services::hosting::invitations::InvitationView) -> InvitationCard {
    use crate::services::hosting::invitations::InvitationState;
    InvitationCard {
        id: v.id.to_string(),
        account_name: v.account_name,
        inviter: v.inviter,
        email: v.email,
        role: v.role,
        state: match v.state {
            InvitationState::Open => "open",
            InvitationState::Expired => "expired",
            InvitationState::Used => "used",
        }
        .into(),
    }
}

/// Open invitations to the signed-in user's address.
#[server(endpoint = "hosting/my-invitations")]
pub async fn my_invitations() -> Result<Vec<InvitationCard>, ServerFnError> {
    let (state, user) = context()?;
    let list =
        crate::services::hosting::invitations::for_user(&state.pool, &user, state.settings.clock.now())
            .await
            .map_err(convert::server_error)?;
    Ok(list.into_iter().map(card).collect())
}

/// The invitation behind an emailed link (the link is the credential).
#[server(endpoint = "hosting/invitation")]
pub async fn invitation_by_token(token: String) -> Result<InvitationCard, ServerFnError> {
    let state = use_context::<super::AppState>().ok_or_else(|| ServerFnError::new("no app state"))?;
    let view =
        crate::services::hosting::invitations::by_token(&state.pool, &token, state.settings.clock.now())
            .await
            .map_err(convert::server_error)?;
    Ok(card(view))
}

#[cfg(feature = "ssr")]
pub use routes::routes;
#[cfg(feature = "ssr")]
pub(crate) use routes::show_error;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{
        extract::{Path, State},
        http::{request::Parts, StatusCode},
        response::Response,
        routing::post,
        Router,
    };
    use uuid::Uuid;

    use crate::api::accounts::{confirm_identity_path, get, keep, Fields};
    use crate::api::forms::{render_form, see_other, sign_in_first, signed_in};
    use crate::api::session::client_info;
    use crate::api::AppState;
    use crate::components::form::FormState;
    use crate::domain::CurrentUser;
    use crate::services::hosting::{accounts, invitations, members, HostingError};

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

    /// The account page again with the error (or the 404 page for someone
    /// who may not see it: the same answer as for a missing account).
    pub(crate) async fn show_error(
        state: &AppState,
        parts: &Parts,
        page: &str,
        mut form: FormState,
        error: HostingError,
    ) -> Response {
        let status = match &error {
            HostingError::StepUpRequired => return see_other(&confirm_identity_path(page), None),
            HostingError::Invalid(errors) => {
                form.errors = errors.iter().map(|(f, m)| (f.to_string(), m.clone())).collect();
                StatusCode::UNPROCESSABLE_ENTITY
            }
            HostingError::NotFound => StatusCode::NOT_FOUND,
            HostingError::Forbidden => StatusCode::FORBIDDEN,
            HostingError::Conflict(_) => StatusCode::CONFLICT,
            HostingError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            HostingError::Internal(detail) => {
                tracing::error!(%detail, "hosting request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        if !matches!(error, HostingError::Invalid(_)) {
            form.message = Some(error.to_string());
        }
        render_form(state, parts, Some(page), form, status).await
    }

    /// The signed-in user and the account of a post to `/hosting/{raw}/…`,
    /// or the answer that ends the request (sign in first; not found).
    async fn caller(
        state: &AppState,
        parts: &Parts,
        raw: &str,
        page: &str,
    ) -> Result<(CurrentUser, Uuid), Response> {
        let Some(user) = signed_in(parts) else {
            return Err(sign_in_first(page));
        };
        match Uuid::parse_str(raw) {
            Ok(id) => Ok((user, id)),
            Err(_) => Err(show_error(state, parts, page, FormState::default(), HostingError::NotFound).await),
        }
    }

    /// Back to the account page with a notice, or the error shown there.
    async fn finish<T>(
        state: &AppState,
        parts: &Parts,
        page: &str,
        result: Result<T, HostingError>,
        done: &str,
    ) -> Response {
        match result {
            Ok(_) => see_other(&format!("{page}?done={done}"), None),
            Err(e) => show_error(state, parts, page, FormState::default(), e).await,
        }
    }

    /// Runs an action on the account page of `$raw`: who and which account
    /// (or the early answer), then the action, then `finish`.
    macro_rules! on_account {
        ($state:ident, $parts:ident, $raw:ident, $done:expr, |$user:ident, $id:ident, $client:ident| $call:expr) => {{
            let page = format!("/hosting/{}", $raw);
            let ($user, $id) = match caller(&$state, &$parts, &$raw, &page).await {
                Ok(c) => c,
                Err(answer) => return answer,
            };
            let $client = client_info(&$parts);
            let result = $call.await;
            finish(&$state, &$parts, &page, result, $done).await
        }};
    }

    fn account_input(f: &std::collections::HashMap<String, String>) -> accounts::AccountInput {
        accounts::AccountInput {
            name: get(f, "name").into(),
            plan: get(f, "plan").into(),
            primary_domain: get(f, "primary_domain").into(),
            region: get(f, "region").into(),
        }
    }

    async fn create(State(state): State<AppState>, parts: Parts, axum::Form(f): Fields) -> Response {
        let Some(user) = signed_in(&parts) else {
            return sign_in_first("/hosting/new");
        };
        match accounts::create(&state.pool, &user, &account_input(&f), &client_info(&parts)).await {
            Ok(id) => see_other(&format!("/hosting/{id}?done=created"), None),
            Err(e) => {
                let form = keep(&f, &["name", "plan", "primary_domain", "region"]);
                show_error(&state, &parts, "/hosting/new", form, e).await
            }
        }
    }

    async fn edit(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        let page = format!("/hosting/{raw}/edit");
        let (user, id) = match caller(&state, &parts, &raw, &page).await {
            Ok(c) => c,
            Err(answer) => return answer,
        };
        match accounts::update(&state.pool, &user, id, &account_input(&f), &client_info(&parts)).await {
            Ok(()) => see_other(&format!("/hosting/{id}?done=saved"), None),
            Err(e) => {
                let form = keep(&f, &["name", "primary_domain", "region"]);
                show_error(&state, &parts, &page, form, e).await
            }
        }
    }

    async fn change_plan(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        on_account!(state, parts, raw, "plan", |user, id, client| {
            accounts::change_plan(&state.pool, &user, id, get(&f, "plan"), &client)
        })
    }

    async fn cancel(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        if get(&f, "confirm") != "yes" {
            let form = FormState {
                errors: vec![(
                    "confirm".into(),
                    "Tick the box to confirm the cancellation.".into(),
                )],
                ..FormState::default()
            };
            let page = format!("/hosting/{raw}");
            return render_form(
                &state,
                &parts,
                Some(&page),
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        let now = state.settings.clock.now();
        on_account!(state, parts, raw, "cancelled", |user, id, client| {
            accounts::cancel(&state.pool, &user, id, &client, now)
        })
    }

    async fn suspend(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        on_account!(state, parts, raw, "suspended", |user, id, client| {
            accounts::suspend(&state.pool, &user, id, get(&f, "reason"), &client)
        })
    }

    async fn resume(State(state): State<AppState>, Path(raw): Path<String>, parts: Parts) -> Response {
        on_account!(state, parts, raw, "resumed", |user, id, client| accounts::resume(
            &state.pool,
            &user,
            id,
            &client
        ))
    }

    async fn invite(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        let page = format!("/hosting/{raw}");
        let (user, id) = match caller(&state, &parts, &raw, &page).await {
            Ok(c) => c,
            Err(answer) => return answer,
        };
        let settings = &state.settings;
        let client = client_info(&parts);
        let (email, role) = (get(&f, "email"), get(&f, "role"));
        match invitations::invite(
            &state.pool,
            &settings.links(),
            &user,
            id,
            email,
            role,
            &client,
            settings.clock.now(),
        )
        .await
        {
            Ok(_) => see_other(&format!("{page}?done=invited"), None),
            Err(e) => show_error(&state, &parts, &page, keep(&f, &["email", "role"]), e).await,
        }
    }

    /// A uuid field of the form (a bad one matches nothing).
    fn uuid_field(f: &std::collections::HashMap<String, String>, name: &str) -> Uuid {
        Uuid::parse_str(get(f, name)).unwrap_or_default()
    }

    async fn revoke_invitation(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        let invitation = uuid_field(&f, "invitation_id");
        on_account!(state, parts, raw, "withdrawn", |user, id, client| {
            invitations::revoke(&state.pool, &user, id, invitation, &client)
        })
    }

    async fn change_role(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        let member = uuid_field(&f, "user_id");
        on_account!(
            state,
            parts,
            raw,
            "role",
            |user, id, client| members::change_role(&state.pool, &user, id, member, get(&f, "role"), &client)
        )
    }

    async fn remove_member(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        let member = uuid_field(&f, "user_id");
        on_account!(state, parts, raw, "removed", |user, id, client| members::remove(
            &state.pool,
            &user,
            id,
            member,
            &client
        ))
    }

    async fn leave(State(state): State<AppState>, Path(raw): Path<String>, parts: Parts) -> Response {
        let page = format!("/hosting/{raw}");
        let (user, id) = match caller(&state, &parts, &raw, &page).await {
            Ok(c) => c,
            Err(answer) => return answer,
        };
        match members::leave(&state.pool, &user, id, &client_info(&parts)).await {
            Ok(()) => see_other("/hosting?done=left", None),
            Err(e) => show_error(&state, &parts, &page, FormState::default(), e).await,
        }
    }

    async fn transfer(
        State(state): State<AppState>,
        Path(raw): Path<String>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        let new_owner = uuid_field(&f, "user_id");
        let now = state.settings.clock.now();
        on_account!(state, parts, raw, "transferred", |user, id, client| {
            members::transfer_ownership(&state.pool, &user, id, new_owner, &client, now)
        })
    }

    async fn accept(State(state): State<AppState>, parts: Parts, axum::Form(f): Fields) -> Response {
        let token = get(&f, "token").to_string();
        let back = if token.is_empty() {
            "/invitations".to_string()
        } else {
            format!("/invitations/accept?token={token}")
        };
        let Some(user) = signed_in(&parts) else {
            return sign_in_first(&back);
        };
        let by = match Uuid::parse_str(get(&f, "invitation_id")) {
            Ok(id) => invitations::InvitationRef::Id(id),
            Err(_) => invitations::InvitationRef::Token(token),
        };
        match invitations::accept(
            &state.pool,
            &user,
            &by,
            &client_info(&parts),
            state.settings.clock.now(),
        )
        .await
        {
            Ok(account) => see_other(&format!("/hosting/{account}?done=joined"), None),
            Err(e) => show_error(&state, &parts, &back, FormState::default(), e).await,
        }
    }
}
