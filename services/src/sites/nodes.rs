//! Hosting nodes as staff see and run them (`/staff/nodes`): each node's
//! agent, sites, storage and problems, and the settings staff give it —
//! the public addresses visitors reach it at, and its room. Tokens are
//! made and revoked in `hosting::node_tokens`.

use domain::StaffPermission;
use std::net::{Ipv4Addr, Ipv6Addr};

use time::OffsetDateTime;
use uuid::Uuid;

use crate::dns::web;
use crate::hosting::access::require_staff;
use crate::hosting::{invalid, ServiceError};
use crate::{Actor, Deps};

/// One node, with what staff need to run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSummary {
    pub id: Uuid,
    pub name: String,
    /// None for tokens made before tokens had regions: they are refused.
    pub region: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked: bool,
    pub agent_version: Option<String>,
    pub agent_seen_at: Option<OffsetDateTime>,
    pub public_ipv4: Option<String>,
    pub public_ipv6: Option<String>,
    /// Sites placed on it (cancelled ones not counted), and its room.
    pub sites: i64,
    pub capacity_sites: i32,
    /// The plans' storage of its sites, what they use, and its room.
    pub storage_committed: i64,
    pub storage_used: i64,
    pub capacity_storage_bytes: i64,
    /// Its sites not answering, the node's own errors serving them, and
    /// host names whose certificate needs a look.
    pub sites_down: i64,
    pub site_errors: i64,
    pub certificates_attention: i64,
    pub deploys_pending: i64,
}

/// Every node, live ones first.
pub async fn list(deps: &Deps, actor: &Actor) -> Result<Vec<NodeSummary>, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    Ok(sqlx::query_as!(
        NodeSummary,
        r#"SELECT n.id, n.name, n.region, n.created_at, n.last_used_at, n.revoked_at IS NOT NULL AS "revoked!",
                  n.agent_version, n.agent_seen_at, n.public_ipv4, n.public_ipv6,
                  n.capacity_sites, n.capacity_storage_bytes,
                  held.used AS "sites!", held.committed AS "storage_committed!", s.used AS "storage_used!",
                  s.down AS "sites_down!", s.errors AS "site_errors!", s.certificates AS "certificates_attention!",
                  s.pending AS "deploys_pending!"
           -- What it holds counts as placement counts it (`node_load`).
           FROM node_tokens n, LATERAL node_load(n.id) held, LATERAL (
               SELECT coalesce(sum(l.storage_bytes), 0)::bigint AS used,
                      count(*) FILTER (WHERE NOT h.answering) AS down,
                      count(*) FILTER (WHERE h.site_error IS NOT NULL) AS errors,
                      (SELECT count(*) FROM site_certificates c JOIN hosting_accounts x ON x.id = c.account_id
                       WHERE x.node_id = n.id AND x.status = 'active'
                         AND certificate_needs_look(c.issued_at, c.expires_at, $1)) AS certificates,
                      (SELECT count(*) FROM site_deploys d JOIN hosting_accounts x ON x.id = d.account_id
                       WHERE x.node_id = n.id AND d.status = 'pending') AS pending
               FROM hosting_accounts a
               LEFT JOIN usage_latest l ON l.account_id = a.id
               LEFT JOIN site_health h ON h.account_id = a.id
               WHERE a.node_id = n.id AND a.status <> 'cancelled') s
           ORDER BY n.revoked_at IS NOT NULL, n.region, n.name"#,
        deps.clock.now()
    )
    .fetch_all(&deps.pool)
    .await?)
}

/// What staff set on a node, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSettings {
    pub public_ipv4: Option<Ipv4Addr>,
    pub public_ipv6: Option<Ipv6Addr>,
    pub capacity_sites: i32,
    pub capacity_storage_bytes: i64,
}

/// Storage is counted in decimal units, as plans are.
const GB: i64 = 1_000_000_000;

impl NodeSettings {
    /// From the form's text, with an error next to the field that is wrong.
    pub fn parse(ipv4: &str, ipv6: &str, sites: &str, storage_gb: &str) -> Result<Self, ServiceError> {
        let public_ipv4 = match ipv4.trim() {
            "" => None,
            text => Some(text.parse::<Ipv4Addr>().ok().filter(public_v4).ok_or_else(|| {
                invalid(
                    "public_ipv4",
                    "Enter the node's public IPv4 address, e.g. 203.0.113.10.",
                )
            })?),
        };
        let public_ipv6 = match ipv6.trim() {
            "" => None,
            text => Some(text.parse::<Ipv6Addr>().ok().filter(public_v6).ok_or_else(|| {
                invalid(
                    "public_ipv6",
                    "Enter the node's public IPv6 address, e.g. 2001:db8::10, or leave it empty.",
                )
            })?),
        };
        let capacity_sites = sites
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=100_000).contains(n))
            .ok_or_else(|| invalid("capacity_sites", "Enter a number of sites from 0 to 100,000."))?;
        let capacity_storage_bytes = storage_gb
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .map(|n| n * GB)
            .ok_or_else(|| {
                invalid(
                    "capacity_storage",
                    "Enter the storage for sites in GB, from 1 to 1,000,000.",
                )
            })?;
        Ok(Self {
            public_ipv4,
            public_ipv6,
            capacity_sites,
            capacity_storage_bytes,
        })
    }
}

/// Addresses visitors can reach (the development node's loopback too: it
/// is what `./scripts/run` serves on); never unspecified or multicast.
fn public_v4(a: &Ipv4Addr) -> bool {
    !(a.is_unspecified() || a.is_multicast() || a.is_broadcast())
}

fn public_v6(a: &Ipv6Addr) -> bool {
    !(a.is_unspecified() || a.is_multicast())
}

/// Staff: changes a node's addresses and room. When its addresses change,
/// the web records of its sites' domains that named the old ones (or the
/// region's server, before it had any) follow.
/// Answers how many records changed.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), %node))]
pub async fn update(
    deps: &Deps,
    actor: &Actor,
    node: Uuid,
    settings: &NodeSettings,
) -> Result<usize, ServiceError> {
    require_staff(actor, StaffPermission::Platform)?;
    let mut tx = deps.pool.begin().await?;
    let live = sqlx::query_scalar!(
        "SELECT id FROM node_tokens WHERE id = $1 AND revoked_at IS NULL FOR UPDATE",
        node
    )
    .fetch_optional(&mut *tx)
    .await?;
    if live.is_none() {
        return Err(ServiceError::NotFound(
            "That node does not exist or its token was revoked.",
        ));
    }
    // Where each of its sites answers now: the node's old addresses, or
    // the region's server while it had none.
    let accounts = sqlx::query_scalar!(
        "SELECT id FROM hosting_accounts WHERE node_id = $1 AND status <> 'cancelled' ORDER BY id",
        node
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut before = Vec::with_capacity(accounts.len());
    for account in &accounts {
        before.push(web::addresses_in(&mut tx, &deps.dns, *account).await?);
    }
    let v4 = settings.public_ipv4.map(|a| a.to_string());
    let v6 = settings.public_ipv6.map(|a| a.to_string());
    sqlx::query!(
        "UPDATE node_tokens SET public_ipv4 = $2, public_ipv6 = $3, capacity_sites = $4, capacity_storage_bytes = $5
         WHERE id = $1",
        node,
        v4,
        v6,
        settings.capacity_sites,
        settings.capacity_storage_bytes
    )
    .execute(&mut *tx)
    .await?;
    let mut changed = 0;
    for (account, from) in accounts.into_iter().zip(before) {
        let to = web::addresses_in(&mut tx, &deps.dns, account).await?;
        changed += web::follow(&mut tx, deps, actor, account, from, to).await?;
    }
    tx.commit().await?;
    tracing::info!(records = changed, "node settings changed");
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: ServiceError) -> String {
        match e {
            ServiceError::Invalid(errors) => errors[0].0.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let ok = NodeSettings::parse(" 203.0.113.10 ", "", "500", "1024").unwrap();
        assert_eq!(ok.public_ipv4, Some(Ipv4Addr::new(203, 0, 113, 10)));
        assert_eq!(ok.public_ipv6, None);
        assert_eq!(ok.capacity_storage_bytes, 1024 * GB);
        assert_eq!(
            field(NodeSettings::parse("203.0.113", "", "5", "1").unwrap_err()),
            "public_ipv4"
        );
        assert_eq!(
            field(NodeSettings::parse("0.0.0.0", "", "5", "1").unwrap_err()),
            "public_ipv4"
        );
        assert_eq!(
            field(NodeSettings::parse("", "2001:db8::zz", "5", "1").unwrap_err()),
            "public_ipv6"
        );
        assert_eq!(
            field(NodeSettings::parse("", "", "-1", "1").unwrap_err()),
            "capacity_sites"
        );
        assert_eq!(
            field(NodeSettings::parse("", "", "5", "0").unwrap_err()),
            "capacity_storage"
        );
        assert_eq!(
            field(NodeSettings::parse("", "", "5", "99999999999999").unwrap_err()),
            "capacity_storage"
        );
    }
}
