//! The editor's changes to one record: add or change it from the form's
//! input, or delete it, each as one logged change of the zone.

use uuid::Uuid;

use super::domains::DomainAccess;
use super::zone::{self, Applied, Edit};
use super::ServiceError;
use crate::{Actor, Deps};
use domain::dns::{ChangeSource, RecordInput};

const NOT_IN_ZONE: &str = "That record is not in this zone.";

/// Adds the record (`id` empty) or replaces record `id` with it.
pub async fn save(
    deps: &Deps,
    actor: &Actor,
    domain: &DomainAccess,
    id: &str,
    input: &RecordInput,
) -> Result<Applied, ServiceError> {
    let record = input.parse(&domain.name).map_err(ServiceError::Invalid)?;
    let shown = record.line();
    let (edit, summary) = if id.trim().is_empty() {
        (Edit::Add { id: None, record }, format!("Added {shown}"))
    } else {
        let id = Uuid::parse_str(id.trim()).map_err(|_| ServiceError::Conflict(NOT_IN_ZONE.into()))?;
        (Edit::Update(id, record), format!("Changed {shown}"))
    };
    zone::apply(
        deps,
        actor,
        domain,
        ChangeSource::Editor,
        &summary,
        vec![edit],
        None,
    )
    .await
}

/// Deletes record `id`, named in the change log as it was.
pub async fn delete(
    deps: &Deps,
    actor: &Actor,
    domain: &DomainAccess,
    id: &str,
) -> Result<Applied, ServiceError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| ServiceError::Conflict(NOT_IN_ZONE.into()))?;
    let records = zone::list(deps, domain).await?;
    let shown = records
        .iter()
        .find(|(r, _)| *r == id)
        .map(|(_, r)| r.line())
        .ok_or_else(|| {
            ServiceError::Conflict("That record was changed or removed meanwhile: reload the page.".into())
        })?;
    zone::apply(
        deps,
        actor,
        domain,
        ChangeSource::Editor,
        &format!("Deleted {shown}"),
        vec![Edit::Delete(id)],
        None,
    )
    .await
}
