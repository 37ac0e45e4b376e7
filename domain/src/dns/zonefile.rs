//! A zone written as a BIND zone file (RFC 1035 master file format): the
//! export. (The authoritative server builds its records typed: `services::dns::wire`.)

use super::records::{Record, RecordData};
use super::txt;
use crate::DomainName;

/// The timers of the zone's SOA record, in seconds.
pub const SOA_REFRESH: u32 = 10_800;
pub const SOA_RETRY: u32 = 3_600;
pub const SOA_EXPIRE: u32 = 1_209_600;
/// How long resolvers may cache "no such name".
pub const SOA_MINIMUM: u32 = 300;
/// The TTL of the records the platform keeps (SOA, the zone's own NS).
pub const MANAGED_TTL: u32 = 86_400;

/// What the platform adds to every zone: its name servers and serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Managed<'a> {
    pub nameservers: &'a [String],
    pub serial: u32,
}

impl Managed<'_> {
    /// `hostmaster.example.com.`: the zone's contact, as SOA writes it.
    pub fn hostmaster(zone: &DomainName) -> String {
        format!("hostmaster.{}.", zone.as_str())
    }

    pub fn soa_data(&self, zone: &DomainName) -> String {
        let primary = self
            .nameservers
            .first()
            .map(String::as_str)
            .unwrap_or("localhost");
        format!(
            "{primary}. {} {} {SOA_REFRESH} {SOA_RETRY} {SOA_EXPIRE} {SOA_MINIMUM}",
            Self::hostmaster(zone),
            self.serial
        )
    }
}

/// A `<character-string>` as zone files write it: quoted, with `\` and
/// `"` escaped. Every writer of customer text into a zone file uses this
/// (TXT parts, CAA values), so no value can end its quotes early.
pub fn character_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn absolute(name: &str) -> String {
    format!("{name}.")
}

/// The data of a record as a zone file writes it.
pub fn rdata(data: &RecordData) -> String {
    match data {
        RecordData::A { address } => address.to_string(),
        RecordData::Aaaa { address } => address.to_string(),
        RecordData::Cname { target } => absolute(target.as_str()),
        RecordData::Ns { host } => absolute(host.as_str()),
        RecordData::Mx { priority, exchange } => format!("{priority} {}", absolute(exchange.as_str())),
        RecordData::Txt { text } => txt::quoted(text),
        RecordData::Srv {
            priority,
            weight,
            port,
            target,
        } => format!("{priority} {weight} {port} {}", absolute(target.as_str())),
        RecordData::Caa { critical, tag, value } => format!(
            "{} {} {}",
            if *critical { 128 } else { 0 },
            tag.as_str(),
            character_string(value)
        ),
    }
}

/// The whole zone as a BIND zone file.
pub fn export(zone: &DomainName, managed: &Managed<'_>, records: &[Record]) -> String {
    let mut out = String::with_capacity(64 * (records.len() + 8));
    out.push_str(&format!(
        "; Zone file of {} (serial {})\n",
        zone.as_str(),
        managed.serial
    ));
    out.push_str(&format!("$ORIGIN {}.\n$TTL 3600\n", zone.as_str()));
    out.push_str(&format!(
        "@\t{MANAGED_TTL}\tIN\tSOA\t{}\n",
        managed.soa_data(zone)
    ));
    for ns in managed.nameservers {
        out.push_str(&format!("@\t{MANAGED_TTL}\tIN\tNS\t{ns}.\n"));
    }
    let mut sorted: Vec<&Record> = records.iter().collect();
    sorted.sort_by(|a, b| {
        (a.name.as_str() != "@", a.name.as_str(), a.record_type()).cmp(&(
            b.name.as_str() != "@",
            b.name.as_str(),
            b.record_type(),
        ))
    });
    for r in sorted {
        out.push_str(&format!(
            "{}\t{}\tIN\t{}\t{}\n",
            r.name.as_str(),
            r.ttl.seconds(),
            r.record_type().as_str(),
            rdata(&r.data)
        ));
    }
    out
}
