//! "Check propagation": one server's row at a time (`probe`, which the
//! island asks for through `parts`, filling each row as its answer comes),
//! or every server at once for the page without JavaScript
//! (`?check=www&check_type=A`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
#[cfg(feature = "ssr")]
use {
    crate::api::edge::{auth::actor, error::api_error},
    domain::dns::{RecordName, RecordType},
    services::dns::{domains, propagation, ServiceError},
};

/// What one server said, as a row of the table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProbeRow {
    pub server: String,
    pub address: Option<String>,
    pub values: Vec<String>,
    pub matches: bool,
    pub serial: Option<u32>,
    pub serial_current: bool,
    pub problem: Option<String>,
}

/// One server's row with what the portal has, to compare against.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProbeAnswer {
    pub qname: String,
    pub expected: Vec<String>,
    pub serial: u32,
    pub row: ProbeRow,
}

/// What server number `target` (see `propagation::targets`) answers for
/// `name`/`kind`, beside what the portal holds: one row of the check.
#[cfg(feature = "ssr")]
pub async fn probe(
    deps: &services::Deps,
    domain: &domains::DomainAccess,
    name: &str,
    kind: &str,
    target: usize,
) -> Result<ProbeAnswer, ServiceError> {
    let invalid = |field: &'static str, message: String| ServiceError::Invalid(vec![(field, message)]);
    let name = RecordName::parse(if name.trim().is_empty() { "@" } else { name }, &domain.name)
        .map_err(|e| invalid("check", e))?;
    let kind =
        RecordType::parse(kind).ok_or_else(|| invalid("check_type", "Choose a record type.".into()))?;
    let label = propagation::targets(&deps.dns)
        .into_iter()
        .nth(target)
        .map(|t| t.label)
        .unwrap_or_default();
    let (expected, seen) = propagation::check(deps, domain, &name, kind, target).await?;
    Ok(ProbeAnswer {
        qname: expected.qname,
        expected: expected.values,
        serial: expected.serial,
        row: ProbeRow {
            server: label,
            address: seen.address.map(|a| a.to_string()),
            values: seen.values,
            matches: seen.matches,
            serial: seen.serial,
            serial_current: seen.serial_current,
            problem: seen.problem,
        },
    })
}

/// Every server at once (the page without JavaScript).
#[server(endpoint = "dns/propagation_all")]
pub async fn check_all(zone: String, name: String, kind: String) -> Result<Vec<ProbeAnswer>, ApiError> {
    let (deps, actor) = actor()?;
    let domain = domains::authorize(&deps.pool, &actor, &zone)
        .await
        .map_err(api_error)?;
    let count = propagation::targets(&deps.dns).len();
    let checks = (0..count).map(|i| probe(&deps, &domain, &name, &kind, i));
    futures::future::join_all(checks)
        .await
        .into_iter()
        .map(|answer| answer.map_err(api_error))
        .collect()
}
