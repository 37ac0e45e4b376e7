//! A zone's history: every change with who made it and the records before
//! and after; reverting one is a new change that puts the records back,
//! refused when a later change touched the same records.

use time::OffsetDateTime;

use super::domains::DomainAccess;
use super::zone::{self, Applied, Edit, Entry, Reverting};
use super::ServiceError;
use crate::{Actor, Deps};
use domain::dns::ChangeSource;
use domain::{ChangeId, Permission};

/// Changes shown on the domain page.
pub const SHOWN: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    pub source: ChangeSource,
    pub summary: String,
    pub actor: Option<String>,
    pub at: OffsetDateTime,
    pub serial: u32,
    pub entries: Vec<Entry>,
    pub reverted: bool,
}

/// The latest changes, newest first.
pub async fn recent(deps: &Deps, domain: &DomainAccess) -> Result<Vec<Change>, ServiceError> {
    domain.account.require(Permission::View)?;
    let rows = sqlx::query!(
        r#"SELECT c.id, c.source AS "source: ChangeSource", c.summary, u.display_name AS "actor?", c.created_at,
                  c.serial, c.entries,
                  EXISTS (SELECT 1 FROM dns_changes r WHERE r.reverts = c.id) AS "reverted!"
           FROM dns_changes c LEFT JOIN users u ON u.id = c.actor_id
           WHERE c.domain_id = $1 ORDER BY c.id DESC LIMIT $2"#,
        domain.id.uuid(),
        SHOWN
    )
    .fetch_all(&deps.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Change {
                id: r.id,
                source: r.source,
                summary: r.summary,
                actor: r.actor,
                at: r.created_at,
                serial: u32::try_from(r.serial).unwrap_or(u32::MAX),
                entries: serde_json::from_value(r.entries)?,
                reverted: r.reverted,
            })
        })
        .collect()
}

/// A change that is not this domain's (or no change at all).
pub fn not_in_history() -> ServiceError {
    ServiceError::Conflict("That change is not in this domain's history.".into())
}

/// Puts back what change `id` replaced, as a new change.
pub async fn revert(
    deps: &Deps,
    actor: &Actor,
    domain: &DomainAccess,
    id: ChangeId,
) -> Result<Applied, ServiceError> {
    domain.account.require(Permission::Dns)?;
    let row = sqlx::query!(
        "SELECT summary, entries FROM dns_changes WHERE id = $1 AND domain_id = $2",
        id.get(),
        domain.id.uuid()
    )
    .fetch_optional(&deps.pool)
    .await?
    .ok_or_else(not_in_history)?;
    let entries: Vec<Entry> = serde_json::from_value(row.entries)?;
    let edits = entries
        .iter()
        .filter_map(|e| match (&e.before, &e.after) {
            (Some(before), None) => Some(Edit::Add {
                id: Some(e.id),
                record: before.clone(),
            }),
            (Some(before), Some(_)) => Some(Edit::Update(e.id, before.clone())),
            (None, Some(_)) => Some(Edit::Delete(e.id)),
            (None, None) => None,
        })
        .collect();
    let summary = format!("Reverted: {}", row.summary);
    let summary: String = summary.chars().take(480).collect();
    // `apply` checks, under the domain's lock, that the change's records
    // are still as it left them.
    let reverting = Reverting {
        change: id.get(),
        left: entries,
    };
    zone::apply(
        deps,
        actor,
        domain,
        ChangeSource::Revert,
        &summary,
        edits,
        Some(&reverting),
    )
    .await
}
