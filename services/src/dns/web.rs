//! The web records of a hosting account's domains: where its site is
//! served. That is its node's public addresses once staff have given them,
//! else its region's web server (`KSF_REGION_SERVERS`). When the site
//! moves, or its node's addresses change, the records that pointed at the
//! old addresses are pointed at the new ones; records the customer aimed
//! elsewhere are theirs and stay.

use std::net::{Ipv4Addr, Ipv6Addr};

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::zone::{self, Edit};
use super::{DnsSettings, ServiceError};
use crate::{Actor, Deps};
use domain::dns::{ChangeSource, RecordData, RecordInput};
use domain::DomainName;

/// Where an account's site answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WebAddresses {
    pub v4: Option<Ipv4Addr>,
    pub v6: Option<Ipv6Addr>,
}

impl WebAddresses {
    /// A node's addresses as stored (checked by the database).
    pub fn of_node(v4: Option<&str>, v6: Option<&str>) -> Self {
        Self {
            v4: v4.and_then(|a| a.parse().ok()),
            v6: v6.and_then(|a| a.parse().ok()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_none() && self.v6.is_none()
    }
}

/// The addresses `account`'s site answers at.
pub async fn addresses(
    pool: &PgPool,
    settings: &DnsSettings,
    account: Uuid,
) -> Result<WebAddresses, ServiceError> {
    let mut conn = pool.acquire().await?;
    addresses_in(&mut conn, settings, account).await
}

pub(crate) async fn addresses_in(
    conn: &mut PgConnection,
    settings: &DnsSettings,
    account: Uuid,
) -> Result<WebAddresses, ServiceError> {
    let row = sqlx::query!(
        "SELECT a.region, n.public_ipv4, n.public_ipv6
         FROM hosting_accounts a LEFT JOIN node_tokens n ON n.id = a.node_id
         WHERE a.id = $1",
        account
    )
    .fetch_one(conn)
    .await?;
    let node = WebAddresses::of_node(row.public_ipv4.as_deref(), row.public_ipv6.as_deref());
    if !node.is_empty() {
        return Ok(node);
    }
    Ok(settings
        .server_of(&row.region)
        .map(|(v4, v6)| WebAddresses { v4: Some(v4), v6 })
        .unwrap_or_default())
}

/// The web records of a new zone for the account's primary domain.
pub(crate) fn records(at: WebAddresses, name: &DomainName) -> Vec<Edit> {
    let mut list = Vec::new();
    for host in ["@", "www"] {
        let inputs = [
            at.v4.map(|a| ("A", a.to_string())),
            at.v6.map(|a| ("AAAA", a.to_string())),
        ];
        for (kind, address) in inputs.into_iter().flatten() {
            let input = RecordInput {
                kind: kind.into(),
                name: host.into(),
                content: address,
                ..Default::default()
            };
            if let Ok(record) = input.parse(name) {
                list.push(Edit::Add { id: None, record });
            }
        }
    }
    list
}

/// Points the records of `account`'s domains that named `from` at `to`,
/// one zone change per domain it touches. Answers how many records changed.
pub(crate) async fn follow(
    tx: &mut PgConnection,
    deps: &Deps,
    actor: &Actor,
    account: Uuid,
    from: WebAddresses,
    to: WebAddresses,
) -> Result<usize, ServiceError> {
    if from == to || to.is_empty() {
        return Ok(0);
    }
    let names = sqlx::query_scalar!(
        "SELECT name FROM domains WHERE account_id = $1 ORDER BY name",
        account
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut changed = 0;
    for name in names {
        let domain = super::domains::authorize(&deps.pool, actor, &name).await?;
        // Held from the read to the write: an edit in between is not lost.
        sqlx::query!(
            "SELECT id FROM domains WHERE id = $1 FOR UPDATE",
            domain.id.uuid()
        )
        .fetch_one(&mut *tx)
        .await?;
        let zone = zone::records(tx, domain.id).await?;
        let edits = repointed(&zone, from, to);
        if edits.is_empty() {
            continue;
        }
        changed += edits.len();
        let summary = format!(
            "Web records followed the site to {}",
            [to.v4.map(|a| a.to_string()), to.v6.map(|a| a.to_string())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and ")
        );
        zone::apply_in(
            tx,
            deps,
            Some(actor),
            &domain,
            ChangeSource::Hosting,
            &summary,
            edits,
            None,
        )
        .await?;
    }
    Ok(changed)
}

/// The edits that move `zone`'s records from `from` to `to`: an address
/// record naming an old address gets the new one, or goes when the new
/// place has no address of its kind; a name that only had the old IPv4
/// gets the new IPv6 too.
fn repointed(zone: &[(Uuid, domain::dns::Record)], from: WebAddresses, to: WebAddresses) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut followed = Vec::new();
    for (id, record) in zone {
        let new = match record.data {
            RecordData::A { address } if Some(address) == from.v4 => {
                followed.push(record.name.clone());
                to.v4.map(|address| RecordData::A { address })
            }
            RecordData::Aaaa { address } if Some(address) == from.v6 => {
                to.v6.map(|address| RecordData::Aaaa { address })
            }
            _ => continue,
        };
        edits.push(match new {
            Some(data) => Edit::Update(
                *id,
                domain::dns::Record {
                    data,
                    ..record.clone()
                },
            ),
            None => Edit::Delete(*id),
        });
    }
    if let (None, Some(v6)) = (from.v6, to.v6) {
        for name in followed {
            let has_v6 = zone
                .iter()
                .any(|(_, r)| r.name == name && matches!(r.data, RecordData::Aaaa { .. }));
            let ttl = zone.iter().find(|(_, r)| r.name == name).map(|(_, r)| r.ttl);
            if let (false, Some(ttl)) = (has_v6, ttl) {
                edits.push(Edit::Add {
                    id: None,
                    record: domain::dns::Record {
                        name,
                        ttl,
                        data: RecordData::Aaaa { address: v6 },
                    },
                });
            }
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(lines: &[(&str, &str, &str)]) -> Vec<(Uuid, domain::dns::Record)> {
        let apex = DomainName::parse("shop.example").unwrap();
        lines
            .iter()
            .map(|(name, kind, content)| {
                let input = RecordInput {
                    kind: (*kind).into(),
                    name: (*name).into(),
                    content: (*content).into(),
                    ..Default::default()
                };
                (Uuid::new_v4(), input.parse(&apex).unwrap())
            })
            .collect()
    }

    fn at(v4: &str, v6: Option<&str>) -> WebAddresses {
        WebAddresses::of_node(Some(v4), v6)
    }

    #[test]
    fn only_records_naming_the_old_addresses_follow() {
        let zone = zone(&[
            ("@", "A", "192.0.2.1"),
            ("www", "A", "192.0.2.1"),
            ("@", "AAAA", "2001:db8::1"),
            ("shop", "A", "198.51.100.7"),
            ("@", "TXT", "v=spf1 a -all"),
        ]);
        let edits = repointed(
            &zone,
            at("192.0.2.1", Some("2001:db8::1")),
            at("192.0.2.2", Some("2001:db8::2")),
        );
        assert_eq!(edits.len(), 3, "{edits:?}");
        assert!(edits.iter().all(|e| matches!(e, Edit::Update(..))));
        let untouched = zone[3].0;
        assert!(!edits
            .iter()
            .any(|e| matches!(e, Edit::Update(id, _) if *id == untouched)));
    }

    #[test]
    fn a_new_place_without_ipv6_drops_the_old_ipv6_and_one_with_it_adds_it() {
        let zone1 = zone(&[("@", "A", "192.0.2.1"), ("@", "AAAA", "2001:db8::1")]);
        let edits = repointed(
            &zone1,
            at("192.0.2.1", Some("2001:db8::1")),
            at("192.0.2.2", None),
        );
        assert!(matches!(edits[1], Edit::Delete(_)), "{edits:?}");
        let zone2 = zone(&[("@", "A", "192.0.2.1"), ("www", "A", "192.0.2.1")]);
        let edits = repointed(
            &zone2,
            at("192.0.2.1", None),
            at("192.0.2.2", Some("2001:db8::2")),
        );
        assert_eq!(
            edits.iter().filter(|e| matches!(e, Edit::Add { .. })).count(),
            2,
            "{edits:?}"
        );
    }
}
