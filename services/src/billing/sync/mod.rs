//! Applying Stripe's state to the portal: a subscription (and with it the
//! account's status and plan) or an invoice, fetched fresh from Stripe by
//! the event worker. Runs in the worker's transaction, which also marks the
//! event processed: each effect (status change, email, activity) happens
//! once, and only if it all commits.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

mod invoice;
mod subscription;

pub use invoice::{apply_invoice, InvoiceNews};
pub use subscription::apply_subscription;

use super::mail::Payer;
use crate::activity::{record_for_account, Action, NewEntry};
use crate::ClientInfo;
use domain::live::EventKind;
use domain::{MemberRole, Permission};

pub(super) fn at(ts: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(ts).ok()
}

/// Who hears about an account's billing: its members who may pay (owner,
/// billing) as they are now. Whoever's card pays, a member who was removed
/// or lost the role hears no more.
pub(crate) async fn contacts(conn: &mut PgConnection, account: Uuid) -> Result<Vec<Payer>, sqlx::Error> {
    let roles = MemberRole::names_with(Permission::Pay);
    let rows = sqlx::query!(
        r#"SELECT u.email, u.display_name, a.name AS account_name
           FROM hosting_members m JOIN users u ON u.id = m.user_id
           JOIN hosting_accounts a ON a.id = m.account_id
           WHERE m.account_id = $1 AND m.role = ANY($2)
           ORDER BY u.email"#,
        account,
        &roles
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Payer {
            email: r.email,
            name: r.display_name,
            account_name: r.account_name,
        })
        .collect())
}

pub(super) async fn log(
    conn: &mut PgConnection,
    account: Uuid,
    action: Action,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let system = ClientInfo::default();
    record_for_account(conn, account, NewEntry::without_actor(&system, action, details)).await
}

/// Tells the account's open pages that its billing changed.
pub async fn announce(conn: &mut PgConnection, account: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO events (kind, account_id) VALUES ($1, $2)",
        EventKind::Billing.as_str(),
        account
    )
    .execute(conn)
    .await?;
    Ok(())
}
