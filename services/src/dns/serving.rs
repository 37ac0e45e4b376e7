//! What the authoritative server (`ksf dns`) serves: each active zone whose
//! hosting account is in good standing, as typed records (see `wire`). A
//! zone that cannot be served is reported on its domain, and the others
//! are served all the same.

use std::collections::HashMap;

use hickory_proto::rr::Record as WireRecord;
use sqlx::PgPool;
use uuid::Uuid;

use super::nameservers;
use super::wire::{self, WireError};
use super::zone::decode;
use super::{DnsSettings, ServiceError};
use domain::dns::zonefile::Managed;
use domain::dns::{Record, RecordData, RecordName, Ttl};
use domain::DomainName;

/// `NOTIFY` channel on which a zone's name is sent when it changes (its
/// records, status or account; see the dns_server migration).
pub const CHANNEL: &str = "ksf_dns";

/// The longest problem kept on a domain (the column's bound).
const MAX_PROBLEM: usize = 500;

/// One zone as served.
#[derive(Debug, Clone)]
pub struct ServedZone {
    pub id: Uuid,
    pub name: DomainName,
    pub serial: u32,
    pub nameservers: Vec<String>,
    pub records: Vec<Record>,
}

impl ServedZone {
    /// The zone's records on the wire: the SOA first, then the platform's
    /// NS records, then the customer's.
    pub fn wire(&self) -> Result<Vec<WireRecord>, WireError> {
        let managed = Managed {
            nameservers: &self.nameservers,
            serial: self.serial,
        };
        wire::zone(&self.name, &managed, &self.records)
    }
}

/// A zone that should be served but cannot be: its stored rows do not
/// read back (or do not build), and why.
#[derive(Debug, Clone)]
pub struct Unservable {
    pub id: Uuid,
    pub name: String,
    pub problem: String,
}

fn name_of(stored: &str) -> Result<DomainName, String> {
    DomainName::parse(stored).map_err(|e| format!("stored domain {stored}: {e}"))
}

fn serial_of(stored: i64) -> Result<u32, String> {
    u32::try_from(stored).map_err(|_| format!("stored serial {stored} out of range"))
}

fn served(
    nameservers: Vec<String>,
    id: Uuid,
    name: &str,
    serial: i64,
    records: Result<Vec<Record>, ServiceError>,
) -> Result<ServedZone, Unservable> {
    let built = (|| {
        Ok(ServedZone {
            id,
            name: name_of(name)?,
            serial: serial_of(serial)?,
            nameservers,
            records: records.map_err(|e| format!("a stored record cannot be read: {e:#}"))?,
        })
    })();
    built.map_err(|problem: String| Unservable {
        id,
        name: name.to_string(),
        problem,
    })
}

/// The zone called `name` if it is served; `None` if it is not (missing,
/// pending, or its account suspended or cancelled).
pub async fn zone(
    pool: &PgPool,
    settings: &DnsSettings,
    name: &str,
) -> Result<Option<Result<ServedZone, Unservable>>, ServiceError> {
    if name == settings.nameserver_domain {
        return Ok(platform(settings).map(Ok));
    }
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
    // Rows are read here and decoded one by one: a row that does not read
    // back makes this zone unservable, not the whole reload fail.
    let rows: Vec<(String, i32, serde_json::Value)> =
        sqlx::query_as("SELECT name, ttl, data FROM dns_records WHERE domain_id = $1")
            .bind(domain.id)
            .fetch_all(pool)
            .await?;
    let records = rows
        .into_iter()
        .map(|(name, ttl, data)| decode(name, ttl, data))
        .collect();
    let assigned = nameservers::of(pool, &[domain.id])
        .await?
        .remove(&domain.id)
        .unwrap_or_default();
    let nameservers = nameservers::or_shared(assigned, settings);
    Ok(Some(served(
        nameservers,
        domain.id,
        &domain.name,
        domain.serial,
        records,
    )))
}

/// Every zone to serve, in two queries (the server's start and full
/// reload); each either ready or with the reason it cannot be served.
pub async fn all(
    pool: &PgPool,
    settings: &DnsSettings,
) -> Result<Vec<Result<ServedZone, Unservable>>, ServiceError> {
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
    let mut assigned = nameservers::of(pool, &ids).await?;
    let mut by_domain: HashMap<Uuid, Vec<_>> = HashMap::with_capacity(domains.len());
    for row in rows {
        by_domain
            .entry(row.domain_id)
            .or_default()
            .push(decode(row.name, row.ttl, row.data));
    }
    let mut zones: Vec<_> = domains
        .into_iter()
        .map(|d| {
            let records = by_domain
                .remove(&d.id)
                .unwrap_or_default()
                .into_iter()
                .collect::<Result<Vec<_>, _>>();
            let nameservers = nameservers::or_shared(assigned.remove(&d.id).unwrap_or_default(), settings);
            served(nameservers, d.id, &d.name, d.serial, records)
        })
        .collect();
    zones.extend(platform(settings).map(Ok));
    Ok(zones)
}

/// The platform's name server domain (`KSF_NAMESERVER_DOMAIN`): every name
/// in it (each zone's own name server names) answers with the addresses of
/// the platform's name servers. Served only when those addresses are
/// configured (`KSF_NAMESERVERS` with `host@address`).
pub fn platform(settings: &DnsSettings) -> Option<ServedZone> {
    let name = DomainName::parse(&settings.nameserver_domain).ok()?;
    let mut ips: Vec<std::net::IpAddr> = settings.nameserver_addrs.iter().map(|(_, a)| a.ip()).collect();
    ips.sort();
    ips.dedup();
    let ttl = Ttl::new(3600).ok()?;
    let mut records = Vec::new();
    for label in ["*", "@"] {
        for ip in &ips {
            let data = match ip {
                std::net::IpAddr::V4(address) => RecordData::A { address: *address },
                std::net::IpAddr::V6(address) => RecordData::Aaaa { address: *address },
            };
            records.push(Record {
                name: RecordName::from_stored(label),
                ttl,
                data,
            });
        }
    }
    (!records.is_empty()).then(|| ServedZone {
        id: Uuid::nil(),
        name,
        serial: 1,
        nameservers: settings.nameservers.clone(),
        records,
    })
}

/// Records on each domain whether it is served: `problems` are shown on
/// their domain pages; `fine` domains lose any problem they had.
pub async fn report(pool: &PgPool, fine: &[Uuid], problems: &[Unservable]) -> Result<(), sqlx::Error> {
    if !fine.is_empty() {
        sqlx::query(
            "UPDATE domains SET serving_problem = NULL WHERE id = ANY($1) AND serving_problem IS NOT NULL",
        )
        .bind(fine)
        .execute(pool)
        .await?;
    }
    for p in problems {
        let problem: String = p.problem.chars().take(MAX_PROBLEM).collect();
        sqlx::query("UPDATE domains SET serving_problem = $2 WHERE id = $1")
            .bind(p.id)
            .bind(problem)
            .execute(pool)
            .await?;
    }
    Ok(())
}
