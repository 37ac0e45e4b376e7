//! Hosting accounts: create, list, show, edit, change plan (their status
//! changes are in `status`). Every change is logged with the account.

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{writable, Access};
use super::{invalid, page_number, Page, ServiceError};
use crate::activity::{record_for_account, Action, NewEntry};
use crate::rate_limit::{self, Limits};
use crate::Actor;
use domain::hosting::Region;
use domain::{AccountId, AccountName, AccountStatus, DomainName, MemberRole, Permission};

pub const PAGE_SIZE: i64 = 20;

/// What the create and edit forms set, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails {
    pub name: AccountName,
    pub primary_domain: DomainName,
    pub region: Region,
}

/// A new account: its details and the plan chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub details: AccountDetails,
    pub plan: Uuid,
}

/// An available plan by id, or a field error.
async fn available_plan(conn: &mut sqlx::PgConnection, plan: Uuid) -> Result<(Uuid, String), ServiceError> {
    let row = sqlx::query!("SELECT id, name FROM plans WHERE id = $1 AND available", plan)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| invalid("plan", "Choose one of the plans offered."))?;
    Ok((row.id, row.name))
}

/// Creates an account with the user as its owner. Customers may own at
/// most `Limits::hosting_accounts_per_user` open accounts (each can invite
/// people by email); staff are not limited.
///
/// The account starts active: this is for free plans and for staff and the
/// demo seed. A customer choosing a paid plan goes through
/// `billing::checkout::create_account`, which starts it pending.
pub async fn create(
    pool: &PgPool,
    limits: &Limits,
    actor: &Actor,
    input: &NewAccount,
) -> Result<AccountId, ServiceError> {
    let mut tx = pool.begin().await?;
    let id = create_in(&mut tx, limits, actor, input, AccountStatus::Active).await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates the account in the caller's transaction, in `status`.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub(crate) async fn create_in(
    tx: &mut sqlx::PgConnection,
    limits: &Limits,
    actor: &Actor,
    input: &NewAccount,
    status: AccountStatus,
) -> Result<AccountId, ServiceError> {
    if !actor.staff_can(domain::StaffPermission::Billing) {
        rate_limit::lock(&mut *tx, "hosting_accounts", &actor.id().to_string()).await?;
        let owned = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM hosting_members m JOIN hosting_accounts a ON a.id = m.account_id
               WHERE m.user_id = $1 AND m.role = 'owner' AND a.status <> 'cancelled'"#,
            actor.id()
        )
        .fetch_one(&mut *tx)
        .await?;
        let most = limits.hosting_accounts_per_user;
        if owned >= most {
            return Err(ServiceError::Conflict(format!(
                "You can own at most {most} open hosting accounts. Cancel one you no longer need, or ask support for more."
            )));
        }
    }
    let (plan_id, plan_name) = available_plan(&mut *tx, input.plan).await?;
    let details = &input.details;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, created_by, status)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"#,
        details.name.as_str(),
        plan_id,
        details.primary_domain.as_str(),
        details.region.code(),
        actor.id(),
        status.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, 'owner')",
        id,
        actor.id()
    )
    .execute(&mut *tx)
    .await?;
    // Its site goes on a node of its region now (or when one has room).
    crate::sites::placement::place(&mut *tx, id).await?;
    let details = json!({ "name": details.name.as_str(), "plan": plan_name });
    record_for_account(
        &mut *tx,
        id,
        NewEntry::by(actor, Action::HostingAccountCreated, details),
    )
    .await?;
    tracing::info!(account_id = %id, "hosting account created");
    Ok(id.into())
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Newest,
    Status,
}

impl Sort {
    /// Unknown values sort by name (a URL's choice, not stored data).
    pub fn from_query(s: &str) -> Self {
        match s {
            "newest" => Sort::Newest,
            "status" => Sort::Status,
            _ => Sort::Name,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Newest => "newest",
            Sort::Status => "status",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub id: Uuid,
    pub name: String,
    pub primary_domain: String,
    pub plan_name: String,
    pub status: AccountStatus,
    /// The user's role; None for staff looking at someone else's account.
    pub role: Option<MemberRole>,
    pub created_at: OffsetDateTime,
}

/// A name or domain search, as typed.
pub struct Search<'a> {
    pub text: &'a str,
    pub sort: Sort,
    pub page: i64,
}

/// The accounts the user can see (members: theirs; staff: all), filtered by
/// name or domain, sorted and paged.
pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    search: Search<'_>,
) -> Result<Page<AccountSummary>, ServiceError> {
    let page = page_number(search.page);
    let text: String = search.text.trim().chars().take(200).collect();
    let pattern = crate::search::contains(&text);
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.primary_domain, a.status AS "status: AccountStatus", a.created_at,
                  p.name AS plan_name, m.role AS "role?: MemberRole"
           FROM hosting_accounts a
           JOIN plans p ON p.id = a.plan_id
           LEFT JOIN hosting_members m ON m.account_id = a.id AND m.user_id = $1
           WHERE (m.user_id IS NOT NULL OR $2)
             AND (a.name ILIKE $3 OR a.primary_domain ILIKE $3)
           ORDER BY
             CASE WHEN $4 = 'name' THEN lower(a.name) END ASC,
             CASE WHEN $4 = 'newest' THEN a.created_at END DESC,
             CASE WHEN $4 = 'status' THEN a.status END ASC,
             lower(a.name), a.id
           LIMIT $5 OFFSET $6"#,
        actor.id(),
        actor.is_staff(),
        pattern,
        search.sort.as_str(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    let items = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| AccountSummary {
            id: r.id,
            name: r.name,
            primary_domain: r.primary_domain,
            plan_name: r.plan_name,
            status: r.status,
            role: r.role,
            created_at: r.created_at,
        })
        .collect();
    Ok(Page {
        items,
        page,
        has_next,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetail {
    pub id: Uuid,
    pub name: String,
    pub primary_domain: String,
    pub region: String,
    pub region_label: String,
    pub status: AccountStatus,
    pub suspended_reason: Option<String>,
    pub plan: super::plans::Plan,
    pub created_at: OffsetDateTime,
}

/// One account, as its page shows it.
pub async fn detail(pool: &PgPool, access: &Access) -> Result<AccountDetail, ServiceError> {
    access.require(Permission::View)?;
    let r = sqlx::query!(
        r#"SELECT a.id, a.name, a.primary_domain, a.region, a.status AS "status: AccountStatus",
                  a.suspended_reason, a.created_at,
                  p.id AS plan_id, p.code, p.name AS plan_name, p.storage_quota_bytes, p.bandwidth_quota_bytes,
                  p.max_sites, p.price_minor, p.currency, p.available,
                  p.over_bandwidth = 'pause' AS "pauses_over_bandwidth!"
           FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1"#,
        access.account_id()
    )
    .fetch_one(pool)
    .await?;
    Ok(AccountDetail {
        id: r.id,
        name: r.name,
        primary_domain: r.primary_domain,
        region_label: domain::hosting::region_label(&r.region).to_string(),
        region: r.region,
        status: r.status,
        suspended_reason: r.suspended_reason,
        plan: super::plans::Plan {
            id: r.plan_id,
            code: r.code,
            name: r.plan_name,
            storage_quota_bytes: r.storage_quota_bytes,
            bandwidth_quota_bytes: r.bandwidth_quota_bytes,
            max_sites: r.max_sites,
            price_minor: r.price_minor,
            currency: r.currency,
            available: r.available,
            pauses_over_bandwidth: r.pauses_over_bandwidth,
        },
        created_at: r.created_at,
    })
}

/// Renames, moves the primary domain or region (owner, admin).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id()))]
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    details: &AccountDetails,
) -> Result<(), ServiceError> {
    access.require(Permission::Edit)?;
    let account_id = access.account_id();
    let mut tx = pool.begin().await?;
    let before = sqlx::query!(
        r#"SELECT name, primary_domain, region, status AS "status: AccountStatus"
           FROM hosting_accounts WHERE id = $1 FOR UPDATE"#,
        account_id
    )
    .fetch_one(&mut *tx)
    .await?;
    writable(before.status, Permission::Edit)?;
    sqlx::query!(
        "UPDATE hosting_accounts SET name = $2, primary_domain = $3, region = $4, updated_at = now() WHERE id = $1",
        account_id,
        details.name.as_str(),
        details.primary_domain.as_str(),
        details.region.code()
    )
    .execute(&mut *tx)
    .await?;
    let mut changes = serde_json::Map::new();
    for (key, old, new) in [
        ("name", before.name.as_str(), details.name.as_str()),
        (
            "primary_domain",
            before.primary_domain.as_str(),
            details.primary_domain.as_str(),
        ),
        ("region", before.region.as_str(), details.region.code()),
    ] {
        if old != new {
            changes.insert(key.into(), json!({ "from": old, "to": new }));
        }
    }
    if !changes.is_empty() {
        let details = serde_json::Value::Object(changes);
        let action = Action::HostingAccountUpdated;
        record_for_account(&mut tx, account_id, NewEntry::by(actor, action, details)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Moves the account to another available plan (owner, admin, billing).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id()))]
pub async fn change_plan(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    plan: Uuid,
) -> Result<(), ServiceError> {
    access.require(Permission::ChangePlan)?;
    let account_id = access.account_id();
    let mut tx = pool.begin().await?;
    let (plan_id, plan_name) = available_plan(&mut tx, plan).await?;
    let before = sqlx::query!(
        r#"SELECT p.id, p.name, a.status AS "status: AccountStatus"
           FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id
           WHERE a.id = $1 FOR UPDATE OF a"#,
        account_id
    )
    .fetch_one(&mut *tx)
    .await?;
    writable(before.status, Permission::ChangePlan)?;
    if before.id == plan_id {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE hosting_accounts SET plan_id = $2, updated_at = now() WHERE id = $1",
        account_id,
        plan_id
    )
    .execute(&mut *tx)
    .await?;
    let details = json!({ "from": before.name, "to": plan_name });
    record_for_account(
        &mut tx,
        account_id,
        NewEntry::by(actor, Action::PlanChanged, details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
