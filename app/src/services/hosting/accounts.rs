//! Hosting accounts: create, list, show, edit, change plan, cancel, and
//! staff-only suspend/resume. Every change is logged with the account.

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{authorize, authorize_staff, require_step_up, Access};
use super::{invalid, HostingError, Page};
use crate::domain::hosting::{region_label, REGIONS};
use crate::domain::{AccountName, AccountStatus, CurrentUser, DomainName, MemberRole, Permission, Role};
use crate::services::activity::{record_for_account, Action};
use crate::services::sessions::ClientInfo;

pub const PAGE_SIZE: i64 = 20;

/// The create and edit forms, as typed.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub name: String,
    pub plan: String,
    pub primary_domain: String,
    pub region: String,
}

struct Valid {
    name: AccountName,
    domain: DomainName,
    region: String,
}

fn validate(input: &AccountInput) -> Result<Valid, HostingError> {
    let mut errors = Vec::new();
    let name = AccountName::parse(&input.name).map_err(|e| errors.push(("name", e.to_string())));
    let domain =
        DomainName::parse(&input.primary_domain).map_err(|e| errors.push(("primary_domain", e.to_string())));
    let region = input.region.trim();
    if !REGIONS.iter().any(|(code, _)| *code == region) {
        errors.push(("region", "Choose one of our regions.".to_string()));
    }
    match (name, domain) {
        (Ok(name), Ok(domain)) if errors.is_empty() => Ok(Valid {
            name,
            domain,
            region: region.to_string(),
        }),
        _ => Err(HostingError::Invalid(errors)),
    }
}

/// An available plan by id, or a field error.
async fn available_plan(conn: &mut sqlx::PgConnection, plan: &str) -> Result<(Uuid, String), HostingError> {
    let id = Uuid::parse_str(plan.trim()).map_err(|_| invalid("plan", "Choose a plan."))?;
    let row = sqlx::query!("SELECT id, name FROM plans WHERE id = $1 AND available", id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| invalid("plan", "Choose one of the plans offered."))?;
    Ok((row.id, row.name))
}

/// Creates an account with the user as its owner.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id))]
pub async fn create(
    pool: &PgPool,
    user: &CurrentUser,
    input: &AccountInput,
    client: &ClientInfo,
) -> Result<Uuid, HostingError> {
    let plan = Uuid::parse_str(input.plan.trim()).ok();
    let valid = validate(input);
    let mut tx = pool.begin().await?;
    let plan = match plan {
        Some(_) => available_plan(&mut tx, &input.plan).await,
        None => Err(invalid("plan", "Choose a plan.")),
    };
    // Report every field at once.
    let (valid, (plan_id, plan_name)) = match (valid, plan) {
        (Ok(v), Ok(p)) => (v, p),
        (v, p) => {
            let mut errors = Vec::new();
            for e in [v.err(), p.err()].into_iter().flatten() {
                match e {
                    HostingError::Invalid(mut list) => errors.append(&mut list),
                    other => return Err(other),
                }
            }
            return Err(HostingError::Invalid(errors));
        }
    };
    let id = sqlx::query_scalar!(
        r#"INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING id"#,
        valid.name.as_str(),
        plan_id,
        valid.domain.as_str(),
        valid.region,
        user.user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, 'owner')",
        id,
        user.user_id
    )
    .execute(&mut *tx)
    .await?;
    let details = json!({ "name": valid.name.as_str(), "plan": plan_name });
    record_for_account(
        &mut tx,
        id,
        Some(user.user_id),
        Action::HostingAccountCreated,
        client,
        details,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(account_id = %id, "hosting account created");
    Ok(id)
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
    pub fn parse(s: &str) -> Self {
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

/// The accounts the user can see (members: theirs; staff: all), filtered by
/// name or domain, sorted and paged.
pub async fn list(
    pool: &PgPool,
    user: &CurrentUser,
    search: &str,
    sort: Sort,
    page: i64,
) -> Result<Page<AccountSummary>, HostingError> {
    let page = page.clamp(1, 100_000);
    let pattern = format!(
        "%{}%",
        search
            .trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let staff = user.role == Role::Staff;
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.primary_domain, a.status, a.created_at, p.name AS plan_name, m.role AS "role?"
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
        user.user_id,
        staff,
        pattern,
        sort.as_str(),
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
            status: AccountStatus::parse(&r.status).unwrap_or(AccountStatus::Pending),
            role: r.role.as_deref().and_then(MemberRole::parse),
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
    pub access: Access,
}

/// One account, if the user may see it.
pub async fn detail(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
) -> Result<AccountDetail, HostingError> {
    let mut conn = pool.acquire().await?;
    let access = authorize(&mut conn, user, account_id, Permission::View).await?;
    let r = sqlx::query!(
        r#"SELECT a.id, a.name, a.primary_domain, a.region, a.status, a.suspended_reason, a.created_at,
                  p.id AS plan_id, p.code, p.name AS plan_name, p.storage_quota_bytes, p.bandwidth_quota_bytes,
                  p.max_sites, p.price_minor, p.currency, p.available
           FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1"#,
        access.account_id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(AccountDetail {
        id: r.id,
        name: r.name,
        primary_domain: r.primary_domain,
        region_label: region_label(&r.region).to_string(),
        region: r.region,
        status: AccountStatus::parse(&r.status).unwrap_or(AccountStatus::Pending),
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
        },
        created_at: r.created_at,
        access,
    })
}

/// Refuses changes to a cancelled account.
fn ensure_open(status: &str) -> Result<(), HostingError> {
    if status == AccountStatus::Cancelled.as_str() {
        Err(HostingError::Conflict(
            "A cancelled account cannot be changed.".into(),
        ))
    } else {
        Ok(())
    }
}

/// Renames, moves the primary domain or region (owner, admin).
#[tracing::instrument(skip_all, fields(user_id = %user.user_id, %account_id))]
pub async fn update(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    input: &AccountInput,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize(&mut tx, user, account_id, Permission::Edit).await?;
    let valid = validate(input)?;
    let before = sqlx::query!(
        "SELECT name, primary_domain, region, status FROM hosting_accounts WHERE id = $1 FOR UPDATE",
        account_id
    )
    .fetch_one(&mut *tx)
    .await?;
    ensure_open(&before.status)?;
    sqlx::query!(
        "UPDATE hosting_accounts SET name = $2, primary_domain = $3, region = $4, updated_at = now() WHERE id = $1",
        account_id,
        valid.name.as_str(),
        valid.domain.as_str(),
        valid.region
    )
    .execute(&mut *tx)
    .await?;
    let mut changes = serde_json::Map::new();
    for (key, old, new) in [
        ("name", before.name.as_str(), valid.name.as_str()),
        (
            "primary_domain",
            before.primary_domain.as_str(),
            valid.domain.as_str(),
        ),
        ("region", before.region.as_str(), valid.region.as_str()),
    ] {
        if old != new {
            changes.insert(key.into(), json!({ "from": old, "to": new }));
        }
    }
    if !changes.is_empty() {
        let details = serde_json::Value::Object(changes);
        record_for_account(
            &mut tx,
            account_id,
            Some(user.user_id),
            Action::HostingAccountUpdated,
            client,
            details,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Moves the account to another available plan (owner, admin, billing).
#[tracing::instrument(skip_all, fields(user_id = %user.user_id, %account_id))]
pub async fn change_plan(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    plan: &str,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize(&mut tx, user, account_id, Permission::ChangePlan).await?;
    let (plan_id, plan_name) = available_plan(&mut tx, plan).await?;
    let before = sqlx::query!(
        r#"SELECT p.id, p.name, a.status FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id
           WHERE a.id = $1 FOR UPDATE OF a"#,
        account_id
    )
    .fetch_one(&mut *tx)
    .await?;
    ensure_open(&before.status)?;
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
        Some(user.user_id),
        Action::PlanChanged,
        client,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels the account (owner; step-up when two-factor is on).
#[tracing::instrument(skip_all, fields(user_id = %user.user_id, %account_id))]
pub async fn cancel(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize(&mut tx, user, account_id, Permission::Cancel).await?;
    require_step_up(user, now, false)?;
    let cancel = Transition {
        to: AccountStatus::Cancelled,
        from: &[
            AccountStatus::Pending,
            AccountStatus::Active,
            AccountStatus::Suspended,
        ],
        reason: None,
        action: Action::HostingAccountCancelled,
        refused: "This account is already cancelled.",
    };
    change_status(&mut tx, user, account_id, cancel, client).await?;
    tx.commit().await?;
    Ok(())
}

/// A change of an account's status: allowed from some states only.
struct Transition<'a> {
    to: AccountStatus,
    from: &'static [AccountStatus],
    /// The suspension reason the customer sees (cleared otherwise).
    reason: Option<&'a str>,
    action: Action,
    /// What the user is told when the account is in none of `from`.
    refused: &'static str,
}

async fn change_status(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    account_id: Uuid,
    t: Transition<'_>,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let from: Vec<String> = t.from.iter().map(|s| s.as_str().to_string()).collect();
    let done = sqlx::query!(
        r#"UPDATE hosting_accounts SET status = $2, suspended_reason = $3, updated_at = now(),
               cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE cancelled_at END
           WHERE id = $1 AND status = ANY($4)"#,
        account_id,
        t.to.as_str(),
        t.reason,
        &from
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(HostingError::Conflict(t.refused.into()));
    }
    let details = match t.reason {
        Some(reason) => json!({ "reason": reason }),
        None => json!({}),
    };
    record_for_account(conn, account_id, Some(user.user_id), t.action, client, details).await?;
    Ok(())
}

/// Staff: suspends an active account, with a reason the customer sees.
pub async fn suspend(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    reason: &str,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize_staff(&mut tx, user, account_id).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(invalid(
            "reason",
            "Say why, in at most 500 characters (the customer sees it).",
        ));
    }
    let suspend = Transition {
        to: AccountStatus::Suspended,
        from: &[AccountStatus::Pending, AccountStatus::Active],
        reason: Some(reason),
        action: Action::HostingAccountSuspended,
        refused: "Only an active or pending account can be suspended.",
    };
    change_status(&mut tx, user, account_id, suspend, client).await?;
    tx.commit().await?;
    Ok(())
}

/// Staff: makes a suspended account active again.
pub async fn resume(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize_staff(&mut tx, user, account_id).await?;
    let resume = Transition {
        to: AccountStatus::Active,
        from: &[AccountStatus::Suspended],
        reason: None,
        action: Action::HostingAccountResumed,
        refused: "Only a suspended account can be resumed.",
    };
    change_status(&mut tx, user, account_id, resume, client).await?;
    tx.commit().await?;
    Ok(())
}
