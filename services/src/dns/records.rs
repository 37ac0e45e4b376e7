//! The editor's changes to one record: add or change it from the form's
//! input, or delete it, each as one logged change of the zone.

use super::domains::DomainAccess;
use super::zone::{self, Applied, Edit};
use super::ServiceError;
use crate::failure::FieldError;
use crate::{Actor, Deps};
use domain::dns::{zone as rules, ChangeSource, RecordInput};
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

/// What saving `input` as record `id` (None: a new one) would be refused
/// for, by field: the parse and the conflict with the zone's other records
/// that `save` applies, without writing anything. For the editor's checks
/// as the user types.
pub async fn check(
    deps: &Deps,
    domain: &DomainAccess,
    id: Option<RecordId>,
    input: &RecordInput,
) -> Result<Vec<FieldError>, ServiceError> {
    domain.account.require(domain::Permission::View)?;
    let record = match input.parse(&domain.name) {
        Ok(record) => record,
        Err(errors) => return Ok(errors),
    };
    let except = id.map(RecordId::uuid);
    let zone = zone::list(deps, domain).await?;
    let others = zone.iter().filter(|(i, _)| Some(*i) != except).map(|(_, r)| r);
    Ok(rules::conflict(others, &record)
        .map(|problem| vec![("name", problem)])
        .unwrap_or_default())
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
