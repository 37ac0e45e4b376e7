//! Server functions of the hosting pages. Each authorises once and reads
//! through the services with the capability it got.

use leptos::prelude::*;

use super::{AccountList, AccountView, FeedPage, InvitationCard, PlanOption};
use crate::api::ApiError;
#[cfg(feature = "ssr")]
use {
    super::{convert, AccountRow, InvitationRow, MemberRow},
    crate::api::edge::{auth::actor, error::api_error},
    domain::{AccountId, Permission},
    services::hosting::{access, ServiceError},
};

/// An account id from a URL: one that names nothing is "not found".
#[cfg(feature = "ssr")]
fn account_id(raw: &str) -> Result<AccountId, ApiError> {
    AccountId::parse(raw).ok_or_else(|| api_error(services::hosting::not_found()))
}

#[server(endpoint = "hosting/accounts")]
pub async fn hosting_accounts(search: String, sort: String, page: i64) -> Result<AccountList, ApiError> {
    use services::hosting::accounts::{self, Search, Sort};
    let (deps, actor) = actor()?;
    let search = Search {
        text: &search,
        sort: Sort::from_query(&sort),
        page,
    };
    let list = accounts::list(&deps.pool, &actor, search)
        .await
        .map_err(api_error)?;
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
pub async fn plan_options() -> Result<Vec<PlanOption>, ApiError> {
    let (deps, _actor) = actor()?;
    let plans = services::hosting::plans::available(&deps.pool)
        .await
        .map_err(|e| api_error(ServiceError::from(e)))?;
    Ok(plans.iter().map(convert::plan_option).collect())
}

/// Everything the account page shows, after one access check.
#[server(endpoint = "hosting/account")]
pub async fn hosting_account(id: String) -> Result<AccountView, ApiError> {
    use services::hosting::{accounts, feed, invitations, members, plans, usage};
    let (deps, actor) = actor()?;
    let pool = &deps.pool;
    let access = access::authorize(pool, &actor, account_id(&id)?)
        .await
        .map_err(api_error)?;
    let a = accounts::detail(pool, &access).await.map_err(api_error)?;
    let usage = usage::summary(pool, &access, actor.now)
        .await
        .map_err(api_error)?;
    let members = members::list(pool, &access).await.map_err(api_error)?;
    let invitations = if access.can(Permission::ManageMembers) {
        invitations::pending(pool, &access, actor.now)
            .await
            .map_err(api_error)?
    } else {
        Vec::new()
    };
    let feed = feed::for_account(pool, &access, 1).await.map_err(api_error)?;
    let node = services::sites::placement::node_of(pool, &access)
        .await
        .map_err(|e| api_error(ServiceError::from(e)))?;
    let plans = if access.can(Permission::ChangePlan) {
        plans::available(pool)
            .await
            .map_err(|e| api_error(ServiceError::from(e)))?
            .iter()
            .map(convert::plan_option)
            .collect()
    } else {
        Vec::new()
    };
    Ok(AccountView {
        node,
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
        created: crate::api::when(a.created_at),
        storage: convert::meter(usage.storage_bytes, a.plan.storage_quota_bytes),
        bandwidth: convert::meter(usage.bandwidth_month_bytes, a.plan.bandwidth_quota_bytes),
        last_sample: usage.last_sample_at.map(crate::api::when),
        my_role: access.role(),
        staff: access.staff(),
        can_edit: access.can(Permission::Edit),
        can_change_plan: access.can(Permission::ChangePlan),
        can_manage_members: access.can(Permission::ManageMembers),
        can_cancel: access.can(Permission::Cancel),
        can_transfer: access.can(Permission::TransferOwnership),
        members: members
            .into_iter()
            .map(|m| MemberRow {
                me: m.user_id == actor.id(),
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
pub async fn hosting_activity(account: Option<String>, page: i64) -> Result<FeedPage, ApiError> {
    use services::hosting::feed;
    let (deps, actor) = actor()?;
    let page = match account {
        Some(id) => {
            let access = access::authorize(&deps.pool, &actor, account_id(&id)?)
                .await
                .map_err(api_error)?;
            feed::for_account(&deps.pool, &access, page).await
        }
        None => feed::for_user(&deps.pool, &actor, page).await,
    };
    Ok(convert::feed(page.map_err(api_error)?))
}

/// Open invitations to the signed-in user's address.
#[server(endpoint = "hosting/my-invitations")]
pub async fn my_invitations() -> Result<Vec<InvitationCard>, ApiError> {
    let (deps, actor) = actor()?;
    let list = services::hosting::invitations::for_user(&deps.pool, &actor)
        .await
        .map_err(api_error)?;
    Ok(list.into_iter().map(convert::invitation).collect())
}

/// The invitation behind an emailed link (the link is the credential).
#[server(endpoint = "hosting/invitation")]
pub async fn invitation_by_token(token: String) -> Result<InvitationCard, ApiError> {
    let deps = crate::api::edge::auth::deps()?;
    let view = services::hosting::invitations::by_token(&deps.pool, &token, deps.clock.now())
        .await
        .map_err(api_error)?;
    Ok(convert::invitation(view))
}
