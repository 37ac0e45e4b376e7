//! The authoritative answer to one question, from the zones in memory
//! (RFC 1034 §4.3.2): referrals below a delegation, exact matches, CNAME
//! chains inside the zone, wildcards, and the negative answers with the
//! SOA that lets resolvers cache them.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{LowerName, RData, Record, RecordType};

use super::zone::Zone;

/// How many CNAMEs a chain inside one zone may follow.
const MAX_CHAIN: usize = 8;

#[derive(Debug, Default)]
pub struct Answer {
    pub code: ResponseCode,
    pub authoritative: bool,
    pub answers: Vec<Record>,
    pub authority: Vec<Record>,
    pub additional: Vec<Record>,
}

impl Answer {
    /// Not ours: REFUSED, so resolvers try elsewhere (RFC 8906 §3.1.4).
    pub fn refused() -> Answer {
        Answer {
            code: ResponseCode::Refused,
            ..Answer::default()
        }
    }
}

/// Answers `qname`/`qtype` from `zone`, which contains `qname`.
pub fn resolve(zone: &Zone, qname: &LowerName, qtype: RecordType) -> Answer {
    let mut answer = Answer {
        authoritative: true,
        ..Answer::default()
    };
    let mut name = qname.clone();
    for _ in 0..MAX_CHAIN {
        if let Some(cut) = delegation(zone, &name) {
            // Below a cut the child's servers answer: refer to them. Only a
            // referral as the first step; a CNAME into a delegated name
            // stops at the CNAME.
            if answer.answers.is_empty() {
                answer.authoritative = false;
                answer.authority = cut.to_vec();
                answer.additional = glue(zone, cut);
            }
            return answer;
        }
        let (records, synthesized) = match zone.node(&name) {
            Some(node) => (Some(node), false),
            None => (wildcard(zone, &name), true),
        };
        let Some(node) = records else {
            // After the CNAMEs followed so far, if any.
            let missing = nxdomain(zone);
            answer.code = missing.code;
            answer.authority.extend(missing.authority);
            return answer;
        };
        let owned = |records: &[Record]| -> Vec<Record> {
            records
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    if synthesized {
                        r.name = (*name).clone();
                    }
                    r
                })
                .collect()
        };
        if qtype == RecordType::ANY && !node.is_empty() {
            let all: Vec<Record> = node.all().cloned().collect();
            answer.answers.extend(owned(&all));
            return answer;
        }
        if let Some(records) = node.get(qtype) {
            answer.answers.extend(owned(records));
            answer.additional = addresses_for(zone, records);
            return answer;
        }
        if let Some(cname) = node.get(RecordType::CNAME) {
            answer.answers.extend(owned(cname));
            let Some(RData::CNAME(target)) = cname.first().map(|r| &r.data) else {
                return answer;
            };
            let target = LowerName::new(&target.0);
            if !zone.origin.zone_of(&target) {
                // The resolver follows it out of the zone.
                return answer;
            }
            name = target;
            continue;
        }
        // The name exists without this type: NODATA.
        answer.authority.push(zone.negative_soa());
        return answer;
    }
    answer
}

/// A name the zone does not hold (and no wildcard covers): NXDOMAIN with
/// the SOA.
pub fn nxdomain(zone: &Zone) -> Answer {
    Answer {
        code: ResponseCode::NXDomain,
        authoritative: true,
        authority: vec![zone.negative_soa()],
        ..Answer::default()
    }
}

/// The NS records of the closest delegation at or above `name` and below
/// the apex.
fn delegation<'z>(zone: &'z Zone, name: &LowerName) -> Option<&'z [Record]> {
    if !zone.has_delegations {
        return None;
    }
    let apex = zone.origin.num_labels();
    let labels = name.num_labels();
    (apex + 1..=labels).find_map(|n| {
        let ancestor = LowerName::new(&name.trim_to(usize::from(n)));
        zone.node(&ancestor).and_then(|node| node.get(RecordType::NS))
    })
}

/// The addresses of a delegation's servers that live inside the zone
/// (glue), without which the child could not be reached.
fn glue(zone: &Zone, ns: &[Record]) -> Vec<Record> {
    let targets = ns.iter().filter_map(|r| match &r.data {
        RData::NS(host) => Some(&host.0),
        _ => None,
    });
    addresses(zone, targets)
}

/// Addresses of MX, SRV and NS targets inside the zone, which save the
/// resolver a question.
fn addresses_for(zone: &Zone, records: &[Record]) -> Vec<Record> {
    let targets = records.iter().filter_map(|r| match &r.data {
        RData::MX(mx) => Some(&mx.exchange),
        RData::SRV(srv) => Some(&srv.target),
        RData::NS(host) => Some(&host.0),
        _ => None,
    });
    addresses(zone, targets)
}

fn addresses<'a>(zone: &Zone, targets: impl Iterator<Item = &'a hickory_proto::rr::Name>) -> Vec<Record> {
    let mut out = Vec::new();
    for target in targets {
        let target = LowerName::new(target);
        if !zone.origin.zone_of(&target) {
            continue;
        }
        if let Some(node) = zone.node(&target) {
            for t in [RecordType::A, RecordType::AAAA] {
                out.extend(node.get(t).unwrap_or_default().iter().cloned());
            }
        }
    }
    out
}

/// The wildcard node `*.closest-encloser` for a name that does not exist
/// (RFC 4592): the closest existing ancestor, then its `*` child.
fn wildcard<'z>(zone: &'z Zone, name: &LowerName) -> Option<&'z super::zone::Node> {
    if !zone.has_wildcards {
        return None;
    }
    let mut ancestor = name.base_name();
    loop {
        if zone.node(&ancestor).is_some() || ancestor == zone.origin {
            let star = LowerName::new(&ancestor.prepend_label("*").ok()?);
            return zone.node(&star);
        }
        if !zone.origin.zone_of(&ancestor) {
            return None;
        }
        ancestor = ancestor.base_name();
    }
}
