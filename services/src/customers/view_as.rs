//! "View as customer": a staff session shows the portal as one customer
//! sees it, for 15 minutes, read-only. The session resolves to the
//! customer with `viewed_by` set (`identity::sessions::resolve`); every
//! change is refused (`Actor::require_writable`, the hosting and ticket
//! access checks, step-up, and the edge before any form or server
//! function runs). Starting it is audited and shown in the customer's log.

use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use super::actions::{audit, customer, reason, staff_entry, StaffAction};
use crate::activity::{self, Action};
use crate::failure::ServiceError;
use crate::Actor;
use domain::{CurrentUser, StaffPermission};

/// How long one view lasts.
pub const VIEW_LENGTH: Duration = Duration::minutes(15);

/// Turns the acting staff session into a view of customer `id`.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn start(pool: &PgPool, actor: &Actor, id: Uuid, why: &str) -> Result<(), ServiceError> {
    actor.require_staff(StaffPermission::ViewAs)?;
    let why = reason(why)?;
    let mut tx = pool.begin().await?;
    customer(&mut tx, id).await?;
    sqlx::query!(
        "UPDATE sessions SET view_as_user_id = $2, view_as_until = $3 WHERE id = $1",
        actor.user.session_id,
        id,
        actor.now + VIEW_LENGTH
    )
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, actor, id, StaffAction::ViewAs, &why).await?;
    activity::record(
        &mut tx,
        id,
        staff_entry(actor, Action::SupportViewed, serde_json::json!({})),
    )
    .await?;
    tx.commit().await?;
    tracing::info!("viewing as the customer");
    Ok(())
}

/// Ends any view of the session `user` is seen through (one that lapsed
/// with a role change too, so it cannot come back); answers whose it was
/// when it was live (staff go back to that customer's page).
pub async fn end(pool: &PgPool, user: &CurrentUser) -> Result<Option<Uuid>, ServiceError> {
    sqlx::query!(
        "UPDATE sessions SET view_as_user_id = NULL, view_as_until = NULL WHERE id = $1",
        user.session_id
    )
    .execute(pool)
    .await?;
    Ok(user.viewed_by.as_ref().map(|_| user.user_id))
}
