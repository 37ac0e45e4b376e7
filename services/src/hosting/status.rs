//! A hosting account's status: cancelled by its owner, suspended and
//! resumed by staff. Every change is logged with the account and told to
//! its members where they would expect it.

use serde_json::json;
use sqlx::PgPool;

use super::access::{require_step_up, Access};
use super::{invalid, ServiceError};
use crate::activity::{record_for_account, Action, NewEntry};
use crate::notifications;
use crate::Actor;
use domain::{AccountStatus, Permission};

/// Cancels the account (owner; step-up when two-factor is on).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id()))]
pub async fn cancel(pool: &PgPool, actor: &Actor, access: &Access) -> Result<(), ServiceError> {
    let mut tx = pool.begin().await?;
    cancel_in(&mut tx, actor, access).await?;
    tx.commit().await?;
    Ok(())
}

/// As `cancel`, in the caller's transaction (billing ends the subscription
/// at Stripe while it holds the account).
pub(crate) async fn cancel_in(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    access: &Access,
) -> Result<(), ServiceError> {
    access.require(Permission::Cancel)?;
    require_step_up(actor, false)?;
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
        notify: None,
    };
    change_status_in(tx, actor, access, cancel).await
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
    /// What the members are told, if anything.
    notify: Option<notifications::Kind>,
}

async fn change_status(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    t: Transition<'_>,
) -> Result<(), ServiceError> {
    let mut tx = pool.begin().await?;
    change_status_in(&mut tx, actor, access, t).await?;
    tx.commit().await?;
    Ok(())
}

async fn change_status_in(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    access: &Access,
    t: Transition<'_>,
) -> Result<(), ServiceError> {
    let account_id = access.account_id();
    let name = sqlx::query_scalar!(
        r#"UPDATE hosting_accounts SET status = $2, updated_at = now(),
               -- Cancelling keeps why a suspended account was suspended (and
               -- whether billing did it): reactivation checks it.
               suspended_reason = CASE WHEN $2 = 'cancelled' THEN suspended_reason ELSE $3 END,
               billing_hold = CASE WHEN $2 = 'cancelled' THEN billing_hold ELSE false END,
               cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE cancelled_at END
           WHERE id = $1 AND status = ANY($4) RETURNING name"#,
        account_id,
        t.to as AccountStatus,
        t.reason,
        t.from as &[AccountStatus]
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ServiceError::Conflict(t.refused.into()))?;
    if let Some(kind) = t.notify {
        let title = match (kind, t.reason) {
            (notifications::Kind::AccountSuspended, Some(reason)) => {
                format!("{name} was suspended: {reason}")
            }
            (notifications::Kind::AccountResumed, _) => format!("{name} was resumed"),
            _ => format!("{name} changed"),
        };
        let link = format!("/hosting/{account_id}");
        notifications::notify_members(&mut *tx, account_id, kind, &title, &link).await?;
    }
    let details = match t.reason {
        Some(reason) => json!({ "reason": reason }),
        None => json!({}),
    };
    record_for_account(&mut *tx, account_id, NewEntry::by(actor, t.action, details)).await?;
    Ok(())
}

/// Staff: suspends an active account, with a reason the customer sees.
pub async fn suspend(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    reason: &str,
) -> Result<(), ServiceError> {
    access.require_staff(domain::StaffPermission::Support)?;
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
        notify: Some(notifications::Kind::AccountSuspended),
    };
    change_status(pool, actor, access, suspend).await
}

/// Staff: makes a suspended account active again.
pub async fn resume(pool: &PgPool, actor: &Actor, access: &Access) -> Result<(), ServiceError> {
    access.require_staff(domain::StaffPermission::Support)?;
    let resume = Transition {
        to: AccountStatus::Active,
        from: &[AccountStatus::Suspended],
        reason: None,
        action: Action::HostingAccountResumed,
        refused: "Only a suspended account can be resumed.",
        notify: Some(notifications::Kind::AccountResumed),
    };
    change_status(pool, actor, access, resume).await
}
