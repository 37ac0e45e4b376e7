//! "Check propagation": one server function per server asked, so the
//! island fills each row as its answer comes in; the page asks them all
//! at once when JavaScript is off (`?check=www&check_type=A`).

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

#[cfg(feature = "ssr")]
fn parse(zone: &domains::DomainAccess, name: &str, kind: &str) -> Result<(RecordName, RecordType), ApiError> {
    // Through the one error path, which also answers 422.
    let invalid =
        |field: &'static str, message: String| api_error(ServiceError::Invalid(vec![(field, message)]));
    let name = RecordName::parse(if name.trim().is_empty() { "@" } else { name }, &zone.name)
        .map_err(|e| invalid("check", e))?;
    let kind =
        RecordType::parse(kind).ok_or_else(|| invalid("check_type", "Choose a record type.".into()))?;
    Ok((name, kind))
}

/// Asks server number `target` (see `servers`) for `name`/`kind`.
#[server(endpoint = "dns/propagation")]
pub async fn check_propagation(
    zone: String,
    name: String,
    kind: String,
    target: usize,
) -> Result<ProbeAnswer, ApiError> {
    let (deps, actor) = actor()?;
    let domain = domains::authorize(&deps.pool, &actor, &zone)
        .await
        .map_err(api_error)?;
    let (name, kind) = parse(&domain, &name, &kind)?;
    let label = propagation::targets(&deps.dns)
        .into_iter()
        .nth(target)
        .map(|t| t.label)
        .unwrap_or_default();
    let (expected, seen) = propagation::check(&deps, &domain, &name, kind, target)
        .await
        .map_err(api_error)?;
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
    let (deps, _) = actor()?;
    let count = propagation::targets(&deps.dns).len();
    let checks = (0..count).map(|i| check_propagation(zone.clone(), name.clone(), kind.clone(), i));
    futures::future::join_all(checks).await.into_iter().collect()
}
