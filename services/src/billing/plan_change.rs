//! How a hosting account moves to another plan depends on billing: a live
//! subscription changes at the payment provider after its cost is shown; a
//! move onto a paid plan without one goes through checkout; anything else
//! (free plans, staff) changes at once.

use uuid::Uuid;

use super::{checkout, subscriptions, ServiceError};
use crate::hosting::access::Access;
use crate::hosting::accounts;
use crate::{Actor, Deps};

/// What happened, and so where the customer goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanChange {
    /// The subscription changes at the provider: show the cost first.
    ShowCost,
    /// An order to pay was made (its checkout opened if the provider answered).
    Checkout { order: domain::OrderId },
    /// The account is on the new plan.
    Changed,
}

pub async fn request(
    deps: &Deps,
    actor: &Actor,
    access: &Access,
    plan: Uuid,
) -> Result<PlanChange, ServiceError> {
    if !actor.staff_can(domain::StaffPermission::Billing)
        && subscriptions::live(&deps.pool, access.account_id())
            .await?
            .is_some()
    {
        return Ok(PlanChange::ShowCost);
    }
    if checkout::plan_needs_checkout(deps, actor, access, plan).await? {
        let order = checkout::upgrade(deps, &deps.billing, actor, access, plan).await?;
        // The order page offers to open checkout again.
        if let Err(error) = checkout::open_checkout(deps, &deps.billing, actor, order).await {
            tracing::warn!(%error, %order, "checkout not opened");
        }
        return Ok(PlanChange::Checkout { order });
    }
    accounts::change_plan(&deps.pool, actor, access, plan).await?;
    Ok(PlanChange::Changed)
}
