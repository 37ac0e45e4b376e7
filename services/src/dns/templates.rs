//! Templates against a zone: the preview lists what would be added, what
//! is there already and what conflicts; applying refuses any conflict.

use super::domains::DomainAccess;
use super::zone::{self, Applied, Edit};
use super::{DnsSettings, ServiceError};
use crate::{Actor, Deps};
use domain::dns::templates::{self, Options, Plan, Template};
use domain::dns::ChangeSource;
use domain::Permission;

/// What `template` would do to the zone now.
pub async fn preview(
    deps: &Deps,
    settings: &DnsSettings,
    domain: &DomainAccess,
    template: Template,
    options: &Options,
) -> Result<Plan, ServiceError> {
    domain.account.require(Permission::View)?;
    let at = super::web::addresses(&deps.pool, settings, domain.account.account_id()).await?;
    let options = Options {
        server: at.v4.map(|v4| (v4, at.v6)),
        ..options.clone()
    };
    let wanted =
        templates::records(template, &domain.name, &options).map_err(|e| super::invalid("template", e))?;
    let existing: Vec<_> = zone::list(deps, domain)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    Ok(templates::plan(wanted, &existing))
}

/// Adds the template's records, unless anything conflicts.
pub async fn apply(
    deps: &Deps,
    settings: &DnsSettings,
    actor: &Actor,
    domain: &DomainAccess,
    template: Template,
    options: &Options,
) -> Result<Applied, ServiceError> {
    domain.account.require(Permission::Dns)?;
    let plan = preview(deps, settings, domain, template, options).await?;
    if let Some(first) = plan.conflicts.first() {
        return Err(ServiceError::Conflict(format!("Nothing was added: {first}")));
    }
    if plan.add.is_empty() {
        return Err(ServiceError::Conflict(
            "The zone already has every record of this template.".into(),
        ));
    }
    let edits = plan
        .add
        .into_iter()
        .map(|record| Edit::Add { id: None, record })
        .collect();
    let summary = format!("Applied the template {}", template.label());
    zone::apply(deps, actor, domain, ChangeSource::Template, &summary, edits, None).await
}
