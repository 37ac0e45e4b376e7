//! The editor's changes to one record: add or change it from the form's
//! input, or delete it, each as one logged change of the zone.

use super::domains::DomainAccess;
use super::zone::{self, Applied, Edit};
use super::ServiceError;
use crate::{Actor, Deps};
use domain::dns::{ChangeSource, RecordInput};
use domain::RecordId;

/// What the editor is told when the record it names is not the zone's.
pub const NOT_IN_ZONE: &str = "That record is not in this zone.";

/// Adds the record (`id` None) or replaces record `id` with it.
pub async fn save(
    deps: &Deps,
    actor: &Actor,
    domain: &DomainAccess,
    id: Option<RecordId>,
    input: &RecordInput,
) -> Result<Applied, ServiceError> {
    let record = input.parse(&domain.name).map_err(ServiceError::Invalid)?;
    let shown = record.line();
    let (edit, summary) = match id {
        None => (Edit::Add { id: None, record }, format!("Added {shown}")),
        Some(id) => (Edit::Update(id.uuid(), record), format!("Changed {shown}")),
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
    id: RecordId,
) -> Result<Applied, ServiceError> {
    // Refused before anything is looked up: the answer reveals nothing.
    domain.account.require(domain::Permission::Dns)?;
    let id = id.uuid();
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
