//! The daily reconciliation: the registrar's list of our domains against
//! ours. Differences (held there but not here, here but not there, expiry
//! dates that differ by more than a day) replace the last run's, for staff.

use domain::StaffPermission;
use std::collections::HashMap;

use sqlx::PgPool;
use time::OffsetDateTime;

use super::registrar::{Registrar, RegistrarError};
use super::ServiceError;
use crate::hosting::access::require_staff;
use crate::Actor;

/// One thing that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub name: String,
    /// `only_at_registrar`, `only_here`, `expiry_differs`.
    pub kind: String,
    pub ours: Option<OffsetDateTime>,
    pub theirs: Option<OffsetDateTime>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Registrar(#[from] RegistrarError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Compares and stores the differences; answers how many there are.
#[tracing::instrument(skip_all)]
pub async fn run(
    pool: &PgPool,
    registrar: &dyn Registrar,
    now: OffsetDateTime,
) -> Result<usize, ReconcileError> {
    let theirs: HashMap<String, Option<OffsetDateTime>> = registrar
        .list()
        .await?
        .into_iter()
        .map(|l| (l.name, l.expires.map(|d| d.midnight().assume_utc())))
        .collect();
    let ours: Vec<(String, OffsetDateTime)> =
        sqlx::query_as("SELECT name, expires_at FROM registered_domains")
            .fetch_all(pool)
            .await?;
    let mut found = Vec::new();
    for (name, expires) in &ours {
        match theirs.get(name) {
            None => found.push(difference(name, "only_here", Some(*expires), None)),
            Some(Some(t)) if (*t - *expires).abs() > time::Duration::days(1) => {
                found.push(difference(name, "expiry_differs", Some(*expires), Some(*t)))
            }
            Some(_) => {}
        }
    }
    for (name, expires) in &theirs {
        if !ours.iter().any(|(n, _)| n == name) {
            found.push(difference(name, "only_at_registrar", None, *expires));
        }
    }
    let mut tx = pool.begin().await?;
    sqlx::query!("DELETE FROM registrar_differences")
        .execute(&mut *tx)
        .await?;
    for d in &found {
        sqlx::query!(
            "INSERT INTO registrar_differences (name, kind, ours, theirs, found_at) VALUES ($1, $2, $3, $4, $5)",
            d.name,
            d.kind,
            d.ours,
            d.theirs,
            now
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if !found.is_empty() {
        tracing::warn!(
            differences = found.len(),
            "the registrar's list differs from ours"
        );
    }
    Ok(found.len())
}

fn difference(
    name: &str,
    kind: &str,
    ours: Option<OffsetDateTime>,
    theirs: Option<OffsetDateTime>,
) -> Difference {
    Difference {
        name: name.to_string(),
        kind: kind.to_string(),
        ours,
        theirs,
    }
}

/// Staff: what the last run found.
pub async fn differences(pool: &PgPool, actor: &Actor) -> Result<Vec<Difference>, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    Ok(sqlx::query_as!(
        Difference,
        "SELECT name, kind, ours, theirs FROM registrar_differences ORDER BY kind, name LIMIT 500"
    )
    .fetch_all(pool)
    .await?)
}
