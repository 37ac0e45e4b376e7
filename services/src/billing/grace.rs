//! Unpaid accounts: past due for longer than the grace period, an account
//! is suspended (marked as a billing hold, so paying lifts it, unlike a
//! suspension by staff).

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::mail;
use crate::activity::{record_for_account, Action, NewEntry};
use crate::mail::outbox::EnqueueError;
use crate::notifications::{self, Kind};
use crate::ClientInfo;

/// Suspends accounts past due since before `now - grace_days`; answers how many.
pub async fn suspend_overdue(
    pool: &PgPool,
    now: OffsetDateTime,
    grace_days: i64,
) -> Result<u64, EnqueueError> {
    let cutoff = now - time::Duration::days(grace_days);
    let mut tx = pool.begin().await?;
    let due = sqlx::query!(
        r#"SELECT a.id, a.name,
                  (SELECT i.hosted_invoice_url FROM invoices i
                   WHERE i.stripe_subscription_id = s.stripe_subscription_id AND i.status = 'open'
                   ORDER BY i.created DESC LIMIT 1) AS pay_url
           FROM subscriptions s JOIN hosting_accounts a ON a.id = s.account_id
           WHERE s.status IN ('past_due', 'unpaid') AND s.past_due_since <= $1 AND a.status = 'active'
           FOR UPDATE OF a SKIP LOCKED"#,
        cutoff
    )
    .fetch_all(&mut *tx)
    .await?;
    let system = ClientInfo::default();
    for account in &due {
        sqlx::query!(
            "UPDATE hosting_accounts SET status = 'suspended', billing_hold = true, suspended_reason = 'Unpaid invoice', updated_at = now() WHERE id = $1",
            account.id
        )
        .execute(&mut *tx)
        .await?;
        record_for_account(
            &mut tx,
            account.id,
            NewEntry::without_actor(
                &system,
                Action::BillingSuspendedUnpaid,
                json!({ "grace_days": grace_days }),
            ),
        )
        .await?;
        notifications::notify_members(
            &mut tx,
            account.id,
            Kind::AccountSuspended,
            &format!("{} is suspended: an invoice is unpaid", account.name),
            &format!("/hosting/{}", account.id),
        )
        .await?;
        for payer in super::sync::contacts(&mut tx, account.id).await? {
            mail::suspended_unpaid(&mut tx, &payer, account.pay_url.as_deref()).await?;
        }
    }
    tx.commit().await?;
    if !due.is_empty() {
        tracing::info!(
            suspended = due.len(),
            "suspended accounts unpaid past their grace period"
        );
    }
    Ok(due.len() as u64)
}
