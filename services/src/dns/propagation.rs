//! "Check propagation": each of the zone's name servers (and the
//! resolvers in `KSF_PROPAGATION_RESOLVERS`) asked directly for one
//! record, compared with the portal's data and the zone's serial.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, RecordType as WireType};
use hickory_resolver::TokioResolver;

use super::domains::DomainAccess;
use super::{probe, wire, zone, DnsSettings, ServiceError};
use crate::Deps;
use domain::dns::zonefile::Managed;
use domain::dns::{RecordName, RecordType};
use domain::Permission;

/// One server the check asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The name server's host name, or "Resolver 192.0.2.1".
    pub label: String,
    /// Where it answers; `None`: look the host name up first.
    pub addr: Option<SocketAddr>,
    /// A resolver is asked to recurse; a name server is not.
    pub resolver: bool,
}

/// The name servers first, then the resolvers.
pub fn targets(settings: &DnsSettings) -> Vec<Target> {
    let servers = settings.nameservers.iter().map(|host| Target {
        label: host.clone(),
        addr: settings
            .nameserver_addrs
            .iter()
            .find(|(h, _)| h == host)
            .map(|(_, a)| *a),
        resolver: false,
    });
    let resolvers = settings.resolvers.iter().map(|a| Target {
        label: format!("Resolver {}", a.ip()),
        addr: Some(*a),
        resolver: true,
    });
    servers.chain(resolvers).collect()
}

/// What one server said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub address: Option<SocketAddr>,
    /// The values it answered (empty: no such record there).
    pub values: Vec<String>,
    pub matches: bool,
    /// The zone's serial it has, and whether that is the portal's.
    pub serial: Option<u32>,
    pub serial_current: bool,
    /// Why it could not be asked, or what it refused.
    pub problem: Option<String>,
}

/// The record the check asks about, as the portal has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub qname: String,
    pub values: Vec<String>,
    pub serial: u32,
}

/// The portal's values for `name`/`kind`, built as the server builds its
/// answers (`wire`), so both sides compare as wire data.
async fn expected(
    deps: &Deps,
    domain: &DomainAccess,
    name: &RecordName,
    kind: WireType,
) -> Result<(Name, BTreeSet<String>), ServiceError> {
    let records: Vec<_> = zone::list(deps, domain)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let nameservers = domain.nameservers(&deps.dns);
    let managed = Managed {
        nameservers: &nameservers,
        serial: domain.serial,
    };
    let qname = wire::name(&name.fqdn(&domain.name)).map_err(|e| ServiceError::Internal(e.into()))?;
    let values = wire::zone(&domain.name, &managed, &records)
        .map_err(|e| ServiceError::Internal(e.into()))?
        .into_iter()
        .filter(|r| r.record_type() == kind && r.name == qname)
        .map(|r| r.data.to_string())
        .collect();
    Ok((qname, values))
}

fn wire_type(kind: RecordType) -> WireType {
    match kind {
        RecordType::A => WireType::A,
        RecordType::Aaaa => WireType::AAAA,
        RecordType::Cname => WireType::CNAME,
        RecordType::Mx => WireType::MX,
        RecordType::Txt => WireType::TXT,
        RecordType::Ns => WireType::NS,
        RecordType::Srv => WireType::SRV,
        RecordType::Caa => WireType::CAA,
    }
}

/// Where `target` answers: its configured address, or its host name
/// looked up with this machine's resolver.
async fn address(target: &Target) -> Result<SocketAddr, String> {
    if let Some(a) = target.addr {
        return Ok(a);
    }
    let resolver = TokioResolver::builder_tokio()
        .and_then(|b| b.build())
        .map_err(|e| format!("no resolver: {e}"))?;
    let ips = resolver
        .lookup_ip(format!("{}.", target.label))
        .await
        .map_err(|_| format!("{} could not be looked up", target.label))?;
    ips.iter()
        .next()
        .map(|ip| SocketAddr::new(ip, 53))
        .ok_or_else(|| format!("{} has no address", target.label))
}

/// Asks target number `index` for `name`/`kind` of the domain's zone.
pub async fn check(
    deps: &Deps,
    domain: &DomainAccess,
    name: &RecordName,
    kind: RecordType,
    index: usize,
) -> Result<(Expected, Observation), ServiceError> {
    domain.account.require(Permission::View)?;
    let target = targets(&deps.dns)
        .into_iter()
        .nth(index)
        .ok_or(crate::dns::not_found())?;
    let kind = wire_type(kind);
    let (qname, want) = expected(deps, domain, name, kind).await?;
    let expected = Expected {
        qname: qname.to_ascii(),
        values: want.iter().cloned().collect(),
        serial: domain.serial,
    };
    let mut seen = Observation {
        address: None,
        values: Vec::new(),
        matches: false,
        serial: None,
        serial_current: false,
        problem: None,
    };
    let at = match address(&target).await {
        Ok(at) => at,
        Err(problem) => {
            seen.problem = Some(problem);
            return Ok((expected, seen));
        }
    };
    seen.address = Some(at);
    let reply = match probe::ask(at, &qname, kind, target.resolver).await {
        Ok(reply) => reply,
        Err(e) => {
            seen.problem = Some(e.to_string());
            return Ok((expected, seen));
        }
    };
    match reply.metadata.response_code {
        ResponseCode::NoError | ResponseCode::NXDomain => {}
        ResponseCode::Refused => {
            seen.problem = Some("It refused: it does not serve this zone (yet).".into());
            return Ok((expected, seen));
        }
        code => {
            seen.problem = Some(format!("It answered {code}."));
            return Ok((expected, seen));
        }
    }
    // Compared as the wire data's text: both sides went through hickory.
    let got: BTreeSet<String> = reply
        .answers
        .iter()
        .filter(|r| r.record_type() == kind)
        .map(|r| r.data.to_string())
        .collect();
    seen.values = got.iter().cloned().collect();
    seen.matches = got == want;
    let apex = Name::from_ascii(format!("{}.", domain.name.as_str()))
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("zone name: {e}")))?;
    if let Ok(soa) = probe::ask(at, &apex, WireType::SOA, target.resolver).await {
        seen.serial = soa.answers.iter().find_map(|r| match &r.data {
            RData::SOA(soa) => Some(soa.serial),
            _ => None,
        });
        seen.serial_current = seen.serial == Some(domain.serial);
    }
    Ok((expected, seen))
}
