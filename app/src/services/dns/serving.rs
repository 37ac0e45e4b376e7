//! What the authoritative server (`ksf dns`) serves: each active zone whose
//! hosting account is in good standing, as the same zone file customers
//! export, so what is answered and what is downloaded never differ.

use std::collections::HashMap;

use sqlx::PgPool;
use uuid::Uuid;

use super::zone::decode;
use super::{DnsError, DnsSettings};
use crate::domain::dns::zonefile::{self, Managed};
use crate::domain::dns::Record;
use crate::domain::DomainName;

/// `NOTIFY` channel on which a zone's name is sent when it changes (its
/// records, status or account; see the dns_server migration).
pub const CHANNEL: &str = "ksf_dns";

/// One zone as served.
#[derive(Debug, Clone)]
pub struct ServedZone {
    pub name: DomainName,
    pub serial: u32,
    pub zone_file: String,
}

fn name_of(stored: &str) -> Result<DomainName, DnsError> {
    DomainName::parse(stored).map_err(|e| DnsError::Internal(anyhow::anyhow!("stored domain {stored}: {e}")))
}

fn serial_of(stored: i64) -> Result<u32, DnsError> {
    u32::try_from(stored)
        .map_err(|_| DnsError::Internal(anyhow::anyhow!("stored serial {stored} out of range")))
}

/// The zone called `name` if it is served; `None` if it is not (missing,
/// pending, or its account suspended or cancelled).
pub async fn zone(pool: &PgPool, settings: &DnsSettings, name: &str) -> Result<Option<ServedZone>, DnsError> {
    let Some(domain) = sqlx::query!(
        r#"SELECT d.id, d.name, d.serial FROM domains d
           JOIN hosting_accounts a ON a.id = d.account_id
           WHERE d.name = $1 AND d.status = 'active' AND a.status NOT IN ('suspended', 'cancelled')"#,
        name
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await?;
    let records: Vec<_> = super::zone::records(&mut conn, domain.id)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    served(settings, &domain.name, domain.serial, &records).map(Some)
}

/// The zone as served: the platform's SOA and NS, then `records`.
fn served(
    settings: &DnsSettings,
    name: &str,
    serial: i64,
    records: &[Record],
) -> Result<ServedZone, DnsError> {
    let name = name_of(name)?;
    let serial = serial_of(serial)?;
    let managed = Managed {
        nameservers: &settings.nameservers,
        serial,
    };
    let zone_file = zonefile::export(&name, &managed, records);
    Ok(ServedZone {
        name,
        serial,
        zone_file,
    })
}

/// Every served zone, in two queries (the server's start and full reload).
pub async fn all(pool: &PgPool, settings: &DnsSettings) -> Result<Vec<ServedZone>, DnsError> {
    let domains = sqlx::query!(
        r#"SELECT d.id, d.name, d.serial FROM domains d
           JOIN hosting_accounts a ON a.id = d.account_id
           WHERE d.status = 'active' AND a.status NOT IN ('suspended', 'cancelled')"#
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = domains.iter().map(|d| d.id).collect();
    let rows = sqlx::query!(
        r#"SELECT domain_id, name, ttl, data FROM dns_records WHERE domain_id = ANY($1)"#,
        &ids
    )
    .fetch_all(pool)
    .await?;
    let mut by_domain: HashMap<Uuid, Vec<_>> = HashMap::with_capacity(domains.len());
    for row in rows {
        by_domain
            .entry(row.domain_id)
            .or_default()
            .push(decode(row.name, row.ttl, row.data));
    }
    // One zone that cannot be read is left out (and logged); the others
    // are still served.
    let zones = domains
        .into_iter()
        .filter_map(|d| {
            let built = by_domain
                .remove(&d.id)
                .unwrap_or_default()
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
                .and_then(|records| served(settings, &d.name, d.serial, &records));
            built
                .inspect_err(|error| tracing::error!(%error, zone = d.name, "zone not served"))
                .ok()
        })
        .collect();
    Ok(zones)
}
