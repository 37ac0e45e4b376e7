//! Platform lists for staff at the HTTP edge: every hosting account and
//! every DNS zone, filtered and paged, and the open sessions count.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct AccountsQuery {
    pub q: String,
    pub status: String,
    pub plan: String,
    pub region: String,
    pub node: String,
    pub page: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountRow {
    pub href: String,
    pub name: String,
    pub domain: String,
    pub status: String,
    pub badge: String,
    pub plan: String,
    pub place: String,
    pub owner: Option<(String, String)>,
    pub storage: String,
    pub created: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountsView {
    pub rows: Vec<AccountRow>,
    pub page: i64,
    pub has_next: bool,
    /// (code, name) of every plan, for the filter.
    pub plans: Vec<(String, String)>,
    /// Open sessions now: customers', staff's.
    pub sessions: (i64, i64),
}

#[server(endpoint = "staff/accounts")]
pub async fn staff_accounts(query: AccountsQuery) -> Result<AccountsView, ApiError> {
    use super::edge::error::api_error;
    use domain::hosting::format_bytes;
    use services::platform::{accounts, open_sessions, AccountFilter};
    let (deps, actor) = super::edge::auth::actor()?;
    let filter = AccountFilter {
        text: query.q,
        status: domain::AccountStatus::parse(query.status.trim()),
        plan: query.plan,
        region: query.region,
        node: query.node,
        page: query.page.max(1),
    };
    let (found, plans, sessions) = futures::try_join!(
        accounts(&deps.pool, &actor, &filter),
        services::hosting::plans::all(&deps.pool, &actor),
        open_sessions(&deps.pool, &actor)
    )
    .map_err(api_error)?;
    Ok(AccountsView {
        page: found.page,
        has_next: found.has_next,
        sessions,
        plans: plans.into_iter().map(|p| (p.code, p.name)).collect(),
        rows: found
            .rows
            .into_iter()
            .map(|a| AccountRow {
                href: format!("/hosting/{}", a.id),
                name: a.name,
                domain: a.primary_domain,
                status: a.status.label().into(),
                badge: a.status.badge().into(),
                plan: a.plan,
                place: format!(
                    "{} · {}",
                    a.region,
                    a.node.unwrap_or_else(|| "no node yet".into())
                ),
                owner: a
                    .owner_id
                    .zip(a.owner_email)
                    .map(|(id, email)| (format!("/staff/customers/{id}"), email)),
                storage: format_bytes(a.storage_bytes),
                created: super::when(a.created_at),
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ZonesQuery {
    pub q: String,
    pub status: String,
    pub page: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ZoneRow {
    pub href: String,
    pub name: String,
    pub status: String,
    pub account_href: String,
    pub account: String,
    pub records: i64,
    pub problem: Option<String>,
    pub created: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ZonesView {
    pub rows: Vec<ZoneRow>,
    pub page: i64,
    pub has_next: bool,
}

#[server(endpoint = "staff/zones")]
pub async fn staff_zones(query: ZonesQuery) -> Result<ZonesView, ApiError> {
    use super::edge::error::api_error;
    use services::platform::{zones, ZoneFilter};
    let (deps, actor) = super::edge::auth::actor()?;
    let filter = ZoneFilter {
        text: query.q,
        status: query.status,
        page: query.page.max(1),
    };
    let found = zones(&deps.pool, &actor, &filter).await.map_err(api_error)?;
    Ok(ZonesView {
        page: found.page,
        has_next: found.has_next,
        rows: found
            .rows
            .into_iter()
            .map(|z| ZoneRow {
                href: format!("/domains/{}", z.name),
                name: domain::dns::names::unicode(&z.name),
                status: z.status,
                account_href: format!("/hosting/{}", z.account_id),
                account: z.account,
                records: z.records,
                problem: z.problem,
                created: super::when(z.created_at),
            })
            .collect(),
    })
}
