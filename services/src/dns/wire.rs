//! Our records as hickory-proto's records, built field by field. What
//! `ksf dns` serves and what "Check propagation" expects come from here:
//! a customer's value is never written as zone-file text and read back by
//! a parser, so no value can change how the rest of the zone is read.

use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::rdata::{CAA, CNAME, MX, NS, SOA, SRV, TXT};
use hickory_proto::rr::{Name, RData, Record as WireRecord};

use domain::dns::zonefile::{Managed, MANAGED_TTL, SOA_EXPIRE, SOA_MINIMUM, SOA_REFRESH, SOA_RETRY};
use domain::dns::{txt, Record, RecordData};
use domain::DomainName;

/// A record that cannot be put on the wire, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct WireError {
    pub name: String,
    pub reason: String,
}

/// `www.example.com` as an absolute name.
pub fn name(fqdn: &str) -> Result<Name, WireError> {
    Name::from_ascii(format!("{}.", fqdn.trim_end_matches('.'))).map_err(|e| WireError {
        name: fqdn.to_string(),
        reason: e.to_string(),
    })
}

/// One record's data.
pub fn rdata(data: &RecordData) -> Result<RData, WireError> {
    Ok(match data {
        RecordData::A { address } => RData::A(A(*address)),
        RecordData::Aaaa { address } => RData::AAAA(AAAA(*address)),
        RecordData::Cname { target } => RData::CNAME(CNAME(name(target.as_str())?)),
        RecordData::Ns { host } => RData::NS(NS(name(host.as_str())?)),
        RecordData::Mx { priority, exchange } => RData::MX(MX::new(*priority, name(exchange.as_str())?)),
        RecordData::Srv {
            priority,
            weight,
            port,
            target,
        } => RData::SRV(SRV::new(*priority, *weight, *port, name(target.as_str())?)),
        RecordData::Txt { text } => RData::TXT(TXT::new(
            txt::split(text).into_iter().map(str::to_string).collect(),
        )),
        RecordData::Caa { critical, tag, value } => {
            // The value's bytes as stored: a CAA value is one string on
            // the wire, so nothing in it is interpreted here.
            let mut caa = CAA::new_issue(*critical, None, Vec::new());
            caa.tag = tag.as_str().to_string();
            caa.value = value.as_bytes().to_vec();
            RData::CAA(caa)
        }
    })
}

/// One of the zone's records.
pub fn record(zone: &DomainName, record: &Record) -> Result<WireRecord, WireError> {
    let owner = name(&record.name.fqdn(zone))?;
    Ok(WireRecord::from_rdata(
        owner,
        record.ttl.seconds(),
        rdata(&record.data)?,
    ))
}

/// The records the platform keeps: the SOA first, then the zone's NS.
pub fn managed(zone: &DomainName, managed: &Managed<'_>) -> Result<Vec<WireRecord>, WireError> {
    let apex = name(zone.as_str())?;
    let primary = managed
        .nameservers
        .first()
        .map(String::as_str)
        .unwrap_or("localhost");
    let soa = SOA::new(
        name(primary)?,
        name(&format!("hostmaster.{}", zone.as_str()))?,
        managed.serial,
        SOA_REFRESH as i32,
        SOA_RETRY as i32,
        SOA_EXPIRE as i32,
        SOA_MINIMUM,
    );
    let mut out = vec![WireRecord::from_rdata(apex.clone(), MANAGED_TTL, RData::SOA(soa))];
    for ns in managed.nameservers {
        out.push(WireRecord::from_rdata(
            apex.clone(),
            MANAGED_TTL,
            RData::NS(NS(name(ns)?)),
        ));
    }
    Ok(out)
}

/// The whole zone as served: the platform's SOA and NS, then `records`.
pub fn zone(
    zone: &DomainName,
    managed: &Managed<'_>,
    records: &[Record],
) -> Result<Vec<WireRecord>, WireError> {
    let mut out = self::managed(zone, managed)?;
    out.reserve(records.len());
    for r in records {
        out.push(record(zone, r)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::dns::RecordInput;
    use hickory_proto::rr::RecordType as WireType;
    use hickory_proto::serialize::binary::{BinDecodable, BinEncodable};

    fn zone_name() -> DomainName {
        DomainName::parse("example.com").unwrap()
    }

    fn parsed(kind: &str, name: &str, content: &str, extra: &[(&str, &str)]) -> Record {
        let mut input = RecordInput::blank(domain::dns::RecordType::parse(kind).unwrap());
        input.name = name.into();
        input.content = content.into();
        for (field, value) in extra {
            match *field {
                "priority" => input.priority = value.to_string(),
                "weight" => input.weight = value.to_string(),
                "port" => input.port = value.to_string(),
                "tag" => input.tag = value.to_string(),
                _ => unreachable!(),
            }
        }
        input.parse(&zone_name()).expect("a valid record")
    }

    /// Encoded and decoded again: what a resolver reads off the wire.
    fn on_the_wire(r: &WireRecord) -> WireRecord {
        let bytes = r.to_bytes().expect("encodes");
        WireRecord::from_bytes(&bytes).expect("decodes")
    }

    #[test]
    fn every_record_type_is_built_from_its_fields() {
        let cases = [
            (parsed("A", "@", "203.0.113.10", &[]), WireType::A, "203.0.113.10"),
            (
                parsed("AAAA", "www", "2001:db8::10", &[]),
                WireType::AAAA,
                "2001:db8::10",
            ),
            (
                parsed("CNAME", "shop", "shops.example.net", &[]),
                WireType::CNAME,
                "shops.example.net.",
            ),
            (
                parsed("MX", "@", "mail.example.com", &[("priority", "10")]),
                WireType::MX,
                "10 mail.example.com.",
            ),
            (
                parsed("NS", "sub", "ns1.example.net", &[]),
                WireType::NS,
                "ns1.example.net.",
            ),
            (
                parsed(
                    "SRV",
                    "_sip._tcp",
                    "sip.example.com",
                    &[("priority", "10"), ("weight", "60"), ("port", "5060")],
                ),
                WireType::SRV,
                "10 60 5060 sip.example.com.",
            ),
            (
                parsed("TXT", "@", "v=spf1 mx -all", &[]),
                WireType::TXT,
                "v=spf1 mx -all",
            ),
            (
                parsed("CAA", "@", "letsencrypt.org", &[("tag", "issue")]),
                WireType::CAA,
                "0 issue \"letsencrypt.org\"",
            ),
        ];
        for (ours, kind, shown) in cases {
            let wire = record(&zone_name(), &ours).expect("builds");
            assert_eq!(wire.record_type(), kind);
            assert_eq!(wire.ttl, 3600);
            assert_eq!(wire.name, name(&ours.name.fqdn(&zone_name())).unwrap());
            let back = on_the_wire(&wire);
            assert_eq!(back.data.to_string(), shown, "{kind}");
        }
        let wildcard = parsed("A", "*.dev", "203.0.113.99", &[]);
        assert_eq!(
            record(&zone_name(), &wildcard).unwrap().name.to_ascii(),
            "*.dev.example.com."
        );
    }

    #[test]
    fn hostile_text_is_carried_byte_for_byte() {
        let text = format!("a\\\"b;c(d)é {}", "k".repeat(4000 - 14));
        let ours = Record {
            name: domain::dns::RecordName::apex(),
            ttl: domain::dns::Ttl::DEFAULT,
            data: RecordData::Txt { text: text.clone() },
        };
        let back = on_the_wire(&record(&zone_name(), &ours).unwrap());
        let RData::TXT(t) = &back.data else {
            panic!("a TXT record")
        };
        assert!(t.txt_data.iter().all(|s| s.len() <= 255));
        let joined: Vec<u8> = t.txt_data.iter().flat_map(|s| s.iter().copied()).collect();
        assert_eq!(String::from_utf8(joined).unwrap(), text);

        let caa = Record {
            name: domain::dns::RecordName::apex(),
            ttl: domain::dns::Ttl::DEFAULT,
            data: RecordData::Caa {
                critical: true,
                tag: domain::dns::CaaTag::Issue,
                value: "letsencrypt.org; a=\\".into(),
            },
        };
        let back = on_the_wire(&record(&zone_name(), &caa).unwrap());
        let RData::CAA(c) = &back.data else {
            panic!("a CAA record")
        };
        assert_eq!(c.value, b"letsencrypt.org; a=\\");
        assert!(c.issuer_critical);
    }

    #[test]
    fn the_platform_keeps_soa_and_ns() {
        let servers = ["ns1.example.net".to_string(), "ns2.example.net".to_string()];
        let kept = managed(
            &zone_name(),
            &Managed {
                nameservers: &servers,
                serial: 7,
            },
        )
        .unwrap();
        assert_eq!(kept.len(), 3);
        let RData::SOA(soa) = &kept[0].data else {
            panic!("SOA first")
        };
        assert_eq!(soa.serial, 7);
        assert_eq!(soa.mname.to_ascii(), "ns1.example.net.");
        assert_eq!(soa.rname.to_ascii(), "hostmaster.example.com.");
        assert_eq!(kept[2].data.to_string(), "ns2.example.net.");
    }
}
