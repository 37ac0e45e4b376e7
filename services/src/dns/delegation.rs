//! The delegation check: what the parent zone's servers say a domain's
//! name servers are. A pending domain whose parent points at ours becomes
//! active; an active one whose parent points elsewhere is flagged (and
//! keeps being served: the customer may be moving back).

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};

use futures::StreamExt;
use hickory_proto::rr::{Name, RData, RecordType};
use hickory_resolver::TokioResolver;
use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use super::{probe, DnsSettings, ServiceError};
use crate::activity::{self, Action, NewEntry};
use crate::ClientInfo;

/// What the parent's servers said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The NS set is exactly ours.
    Delegated,
    /// The parent has no NS records for it.
    NotDelegated,
    /// The parent points at other name servers (listed).
    Elsewhere(Vec<String>),
    /// The parent could not be asked; nothing is concluded.
    Unknown(String),
}

impl Finding {
    /// The words shown on the domain page and in the feed.
    pub fn problem(&self, ours: &[String]) -> Option<String> {
        match self {
            Finding::Delegated | Finding::Unknown(_) => None,
            Finding::NotDelegated => Some(format!(
                "The registry has no name servers for this domain yet. Set them to {} at your registrar.",
                ours.join(", ")
            )),
            Finding::Elsewhere(theirs) => Some(format!(
                "The registry points at {} instead of {}.",
                theirs.join(", "),
                ours.join(", ")
            )),
        }
    }
}

/// Asks the parent zone's servers; `resolver` finds them, `port` is
/// where they answer (53 outside tests).
pub struct Checker {
    pub resolver: TokioResolver,
    pub port: u16,
    /// Only public addresses are asked (a customer's parent zone could
    /// name anything), except those in `allowed`; never `own`.
    pub public_only: bool,
    pub allowed: Vec<ipnet::IpNet>,
    pub own: Vec<SocketAddr>,
}

/// How many domains are checked at once: a slow parent delays only its own.
const AT_ONCE: usize = 16;

/// An address anyone on the internet could reach: not loopback, private,
/// link-local, shared, documentation, multicast or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0))
        }
        IpAddr::V6(v6) => {
            let [first, second, ..] = v6.segments();
            let embedded = |at: usize| {
                let o = v6.octets();
                IpAddr::V4(std::net::Ipv4Addr::new(o[at], o[at + 1], o[at + 2], o[at + 3]))
            };
            match v6.to_ipv4_mapped() {
                Some(v4) => is_public(IpAddr::V4(v4)),
                // NAT64 and 6to4 carry an IPv4 address: judged by it.
                None if first == 0x64 && second == 0xff9b => is_public(embedded(12)),
                None if first == 0x2002 => is_public(embedded(2)),
                None => {
                    !(v6.is_loopback()
                        || v6.is_unspecified()
                        || v6.is_multicast()
                        || (first & 0xfe00) == 0xfc00
                        || (first & 0xffc0) == 0xfe80
                        || v6.segments()[..6].iter().all(|s| *s == 0)
                        || first == 0x2001 && second == 0xdb8)
                }
            }
        }
    }
}

impl Checker {
    /// With this machine's resolver configuration (`/etc/resolv.conf`).
    pub fn system() -> Result<Checker, String> {
        let resolver = TokioResolver::builder_tokio()
            .map_err(|e| e.to_string())?
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Checker::asking(resolver))
    }

    fn asking(resolver: TokioResolver) -> Checker {
        Checker {
            resolver,
            port: 53,
            public_only: false,
            allowed: Vec::new(),
            own: Vec::new(),
        }
    }

    /// Asks only public addresses (and those in `allowed`), never `own`
    /// (where `ksf dns` itself answers): production's checker.
    pub fn only_public(mut self, allowed: Vec<ipnet::IpNet>, own: Vec<SocketAddr>) -> Checker {
        self.public_only = true;
        self.allowed = allowed;
        self.own = own;
        self
    }

    /// Whether a parent's server at `at` may be asked.
    pub fn may_ask(&self, at: SocketAddr) -> bool {
        let own = self.own.iter().any(|o| {
            o.port() == at.port() && (o.ip() == at.ip() || (o.ip().is_unspecified() && !is_public(at.ip())))
        });
        !own && (!self.public_only || is_public(at.ip()) || self.allowed.iter().any(|n| n.contains(&at.ip())))
    }

    /// With the resolver at `resolver` (`DNS_DELEGATION_RESOLVER`), for a
    /// machine whose own resolver configuration should not be used.
    pub fn using(resolver: SocketAddr) -> Result<Checker, String> {
        use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
        use hickory_resolver::net::runtime::TokioRuntimeProvider;
        let mut udp = ConnectionConfig::udp();
        udp.port = resolver.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = resolver.port();
        let server = NameServerConfig::new(resolver.ip(), true, vec![udp, tcp]);
        let config = ResolverConfig::from_parts(None, Vec::new(), vec![server]);
        let mut builder = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
        // Each round asks afresh: a cached answer would hide a change.
        builder.options_mut().cache_size = 0;
        let resolver = builder.build().map_err(|e| e.to_string())?;
        Ok(Checker::asking(resolver))
    }

    /// The parent zone's servers: the NS records of the closest ancestor
    /// that has them, with their addresses.
    async fn parent_servers(&self, domain: &Name) -> Result<Vec<SocketAddr>, String> {
        let mut ancestor = domain.base_name();
        while !ancestor.is_root() {
            if let Ok(lookup) = self.resolver.lookup(ancestor.clone(), RecordType::NS).await {
                let hosts: Vec<Name> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::NS(ns) => Some(ns.0.clone()),
                        _ => None,
                    })
                    .collect();
                let mut servers = Vec::new();
                for host in hosts.iter().take(4) {
                    if let Ok(ips) = self.resolver.lookup_ip(host.clone()).await {
                        servers.extend(
                            ips.iter()
                                .map(|ip| SocketAddr::new(ip, self.port))
                                .filter(|at| self.may_ask(*at))
                                .take(2),
                        );
                    }
                }
                if !servers.is_empty() {
                    return Ok(servers);
                }
            }
            ancestor = ancestor.base_name();
        }
        Err(format!("no name servers found for the parent of {domain}"))
    }

    /// What the parent zone says about `domain`, compared with `ours`.
    pub async fn check(&self, domain: &str, ours: &[String]) -> Finding {
        let Ok(name) = Name::from_ascii(format!("{domain}.")) else {
            return Finding::Unknown("not a DNS name".into());
        };
        let servers = match self.parent_servers(&name).await {
            Ok(servers) => servers,
            Err(e) => return Finding::Unknown(e),
        };
        let mut last_error = String::new();
        for server in servers {
            let reply = match probe::ask(server, &name, RecordType::NS, false).await {
                Ok(reply) => reply,
                Err(e) => {
                    last_error = format!("{server}: {e}");
                    continue;
                }
            };
            // A referral carries the NS set in the authority section; a
            // parent that is also the child's server answers it.
            let theirs: BTreeSet<String> = reply
                .answers
                .iter()
                .chain(reply.authorities.iter())
                .filter(|r| r.name == name)
                .filter_map(|r| match &r.data {
                    RData::NS(ns) => Some(ns.0.to_ascii().trim_end_matches('.').to_ascii_lowercase()),
                    _ => None,
                })
                .collect();
            if theirs.is_empty() {
                return Finding::NotDelegated;
            }
            let ours_set: BTreeSet<String> = ours.iter().map(|n| n.to_ascii_lowercase()).collect();
            return if theirs == ours_set {
                Finding::Delegated
            } else {
                Finding::Elsewhere(theirs.into_iter().collect())
            };
        }
        Finding::Unknown(last_error)
    }
}

/// Checks the domains that are due: pending ones every `every`, active
/// ones every twelve times that. Returns how many were checked.
pub async fn check_due(
    pool: &PgPool,
    settings: &DnsSettings,
    checker: &Checker,
    every: Duration,
) -> Result<usize, ServiceError> {
    let due = sqlx::query!(
        r#"SELECT id, name, account_id, status FROM domains
           WHERE status IN ('pending', 'active')
             AND (delegation_checked_at IS NULL
                  OR delegation_checked_at < now() - make_interval(secs => $1::float8 * CASE status WHEN 'pending' THEN 1 ELSE 12 END))
           ORDER BY delegation_checked_at NULLS FIRST
           LIMIT 200"#,
        every.as_seconds_f64()
    )
    .fetch_all(pool)
    .await?;
    let checked = due.len();
    let ids: Vec<Uuid> = due.iter().map(|d| d.id).collect();
    let mut assigned = super::nameservers::of(pool, &ids).await?;
    let work: Vec<_> = due
        .into_iter()
        .map(|domain| {
            // Exactly the zone's own names: pointing there is the proof of control.
            let ours =
                super::nameservers::or_shared(assigned.remove(&domain.id).unwrap_or_default(), settings);
            (domain, ours)
        })
        .collect();
    let findings: Vec<_> = futures::stream::iter(work)
        .map(|(domain, ours)| async move {
            let finding = checker.check(&domain.name, &ours).await;
            (domain, ours, finding)
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    for (domain, ours, finding) in findings {
        record(
            pool,
            domain.id,
            domain.account_id,
            &domain.name,
            domain.status == "active",
            &finding,
            &ours,
        )
        .await?;
    }
    Ok(checked)
}

/// Stores a finding; a change of state goes to the account's feed (and
/// so to the live stream) in the same transaction.
async fn record(
    pool: &PgPool,
    id: Uuid,
    account_id: Uuid,
    name: &str,
    was_active: bool,
    finding: &Finding,
    ours: &[String],
) -> Result<(), ServiceError> {
    let mut tx = pool.begin().await?;
    if let Finding::Unknown(reason) = finding {
        tracing::info!(domain = name, reason, "delegation could not be checked");
        sqlx::query!(
            "UPDATE domains SET delegation_checked_at = now() WHERE id = $1",
            id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(());
    }
    let problem = finding.problem(ours);
    // Removed while it was being checked: nothing to record.
    let Some(before) = sqlx::query_scalar!(
        "SELECT delegation_problem FROM domains WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    let activate = *finding == Finding::Delegated && !was_active;
    sqlx::query!(
        r#"UPDATE domains SET delegation_checked_at = now(), delegation_problem = $2,
               status = CASE WHEN $3 THEN 'active' ELSE status END
           WHERE id = $1"#,
        id,
        problem,
        activate
    )
    .execute(&mut *tx)
    .await?;
    let action = if activate {
        Some(Action::DomainDelegated)
    } else if was_active && problem.is_some() && before.is_none() {
        Some(Action::DomainDelegationLost)
    } else {
        None
    };
    if let Some(action) = action {
        activity::record_for_account(
            &mut tx,
            account_id,
            NewEntry::without_actor(
                &ClientInfo::default(),
                action,
                serde_json::json!({ "domain": name, "problem": problem }),
            ),
        )
        .await?;
        tracing::info!(domain = name, ?finding, "delegation changed");
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_count_as_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "192.0.2.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "198.18.0.1",
            "240.0.0.1",
            "192.0.0.8",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "::127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "1.1.1.1",
            "9.9.9.9",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
