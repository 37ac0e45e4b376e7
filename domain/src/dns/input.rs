//! The editor's form as typed, and the one function that turns it into a
//! record. The browser's editor and the server run this same code, so an
//! error reads the same on both sides.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::names::{HostName, RecordName};
use super::records::{CaaTag, Record, RecordData, RecordType, Ttl};
use super::txt;
use crate::DomainName;

/// A record as typed into the editor's form (every field text).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordInput {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub ttl: String,
    pub content: String,
    pub priority: String,
    pub weight: String,
    pub port: String,
    pub tag: String,
    #[serde(deserialize_with = "checkbox")]
    pub critical: bool,
}

/// An HTML checkbox sends "on" (or its value) when ticked, nothing when not.
fn checkbox<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Bool(bool),
        Text(String),
    }
    Ok(match Either::deserialize(d)? {
        Either::Bool(b) => b,
        Either::Text(s) => !s.is_empty() && s != "false" && s != "0",
    })
}

/// Field errors: (field, message).
pub type FieldErrors = Vec<(&'static str, String)>;

fn number(input: &str, field: &'static str, what: &str, errors: &mut FieldErrors) -> Option<u16> {
    let s = input.trim();
    if s.is_empty() {
        errors.push((field, format!("Enter the {what} (0 to 65535).")));
        return None;
    }
    match s.parse::<u32>() {
        Ok(n) if n <= 65_535 => Some(n as u16),
        Ok(_) => {
            errors.push((field, format!("The {what} must be between 0 and 65535.")));
            None
        }
        Err(_) => {
            errors.push((
                field,
                format!("The {what} must be a whole number from 0 to 65535."),
            ));
            None
        }
    }
}

/// A CAA value as RFC 8659 writes it: `issue`/`issuewild` take an issuer
/// and `; name=value` parameters, `iodef` a `mailto:` or `https://` URL.
/// Only printable ASCII: anything else no CA reads.
fn caa_value(tag: CaaTag, value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.len() > 255 {
        return Err("A CAA value can have at most 255 characters.".into());
    }
    if !v.chars().all(|c| c == ' ' || c.is_ascii_graphic()) {
        return Err(
            "A CAA value can only hold printable ASCII characters (no line breaks or control characters)."
                .into(),
        );
    }
    match tag {
        CaaTag::Issue | CaaTag::Issuewild => {
            // "letsencrypt.org", "letsencrypt.org; validationmethods=dns-01", or ";" (nobody).
            let mut parts = v.split(';');
            let issuer = parts.next().unwrap_or_default().trim();
            if !issuer.is_empty() && DomainName::parse(issuer).is_err() {
                return Err(
                    "Enter the certificate authority's domain, like letsencrypt.org (or ; to allow none)."
                        .into(),
                );
            }
            if issuer.is_empty() && !v.starts_with(';') {
                return Err(
                    "Enter the certificate authority's domain, like letsencrypt.org (or ; to allow none)."
                        .into(),
                );
            }
            for parameter in parts.map(str::trim).filter(|p| !p.is_empty()) {
                let well_formed = parameter.split_once('=').is_some_and(|(key, value)| {
                    !key.is_empty()
                        && key.chars().all(|c| c.is_ascii_alphanumeric())
                        && !value.is_empty()
                        && value.chars().all(|c| c.is_ascii_graphic())
                });
                if !well_formed {
                    return Err(format!(
                        "After the authority, each part must be name=value (like validationmethods=dns-01); \"{parameter}\" is not."
                    ));
                }
            }
            Ok(v.to_string())
        }
        CaaTag::Iodef => {
            let url_like = !v.contains([' ', '"', '\\']);
            if url_like
                && (v.starts_with("mailto:") && v.len() > 7 || v.starts_with("https://") && v.len() > 8)
            {
                Ok(v.to_string())
            } else {
                Err("Enter where to report, like mailto:security@example.com or an https:// address.".into())
            }
        }
    }
}

impl RecordInput {
    /// A blank form for `kind`.
    pub fn blank(kind: RecordType) -> Self {
        Self {
            kind: kind.as_str().to_string(),
            ttl: Ttl::DEFAULT.seconds().to_string(),
            tag: if kind == RecordType::Caa {
                "issue".into()
            } else {
                String::new()
            },
            ..Default::default()
        }
    }

    /// The record this form describes in `zone`, or every field's error.
    pub fn parse(&self, zone: &DomainName) -> Result<Record, FieldErrors> {
        let mut errors = FieldErrors::new();
        let Some(kind) = RecordType::parse(&self.kind) else {
            return Err(vec![("type", "Choose a record type.".into())]);
        };
        let name = match RecordName::parse(&self.name, zone) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(("name", e));
                None
            }
        };
        let ttl = match Ttl::parse(&self.ttl) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(("ttl", e));
                None
            }
        };
        if let Some(n) = &name {
            match kind {
                RecordType::Cname if n.is_apex() => errors.push((
                    "name",
                    format!("A CNAME record cannot be at {} itself; use A/AAAA records there.", zone),
                )),
                RecordType::Ns if n.is_apex() => errors.push((
                    "name",
                    "The domain's own name servers are set for you; NS records can only delegate a subdomain.".into(),
                )),
                RecordType::Srv if !n.is_service() => errors.push((
                    "name",
                    "An SRV name starts with the service and protocol, like _sip._tcp.".into(),
                )),
                _ => {}
            }
        }
        let content = self.content.trim();
        let host = |errors: &mut FieldErrors| match HostName::parse(content, zone) {
            Ok(h) => Some(h),
            Err(e) => {
                errors.push(("content", e));
                None
            }
        };
        let data = match kind {
            RecordType::A => match content.parse::<Ipv4Addr>() {
                Ok(address) => Some(RecordData::A { address }),
                Err(_) => {
                    let msg = if content.parse::<Ipv6Addr>().is_ok() {
                        "That is an IPv6 address: use an AAAA record for it."
                    } else {
                        "Enter an IPv4 address like 203.0.113.10."
                    };
                    errors.push(("content", msg.into()));
                    None
                }
            },
            RecordType::Aaaa => match content.parse::<Ipv6Addr>() {
                Ok(address) => Some(RecordData::Aaaa { address }),
                Err(_) => {
                    let msg = if content.parse::<Ipv4Addr>().is_ok() {
                        "That is an IPv4 address: use an A record for it."
                    } else {
                        "Enter an IPv6 address like 2001:db8::10."
                    };
                    errors.push(("content", msg.into()));
                    None
                }
            },
            RecordType::Cname => host(&mut errors).map(|target| RecordData::Cname { target }),
            RecordType::Ns => host(&mut errors).map(|host| RecordData::Ns { host }),
            RecordType::Mx => {
                let priority = number(&self.priority, "priority", "priority", &mut errors);
                let exchange = host(&mut errors);
                priority
                    .zip(exchange)
                    .map(|(priority, exchange)| RecordData::Mx { priority, exchange })
            }
            RecordType::Srv => {
                let priority = number(&self.priority, "priority", "priority", &mut errors);
                let weight = number(&self.weight, "weight", "weight", &mut errors);
                let port = number(&self.port, "port", "port", &mut errors);
                let target = if content == "." {
                    errors.push(("content", "Enter the host that offers the service.".into()));
                    None
                } else {
                    host(&mut errors)
                };
                match (priority, weight, port, target) {
                    (Some(priority), Some(weight), Some(port), Some(target)) => Some(RecordData::Srv {
                        priority,
                        weight,
                        port,
                        target,
                    }),
                    _ => None,
                }
            }
            RecordType::Txt => match txt::parse_input(&self.content) {
                Ok(text) => Some(RecordData::Txt { text }),
                Err(e) => {
                    errors.push(("content", e));
                    None
                }
            },
            RecordType::Caa => match CaaTag::parse(&self.tag) {
                None => {
                    errors.push(("tag", "Choose issue, issuewild or iodef.".into()));
                    None
                }
                Some(tag) => match caa_value(tag, content) {
                    Ok(value) => Some(RecordData::Caa {
                        critical: self.critical,
                        tag,
                        value,
                    }),
                    Err(e) => {
                        errors.push(("content", e));
                        None
                    }
                },
            },
        };
        match (name, ttl, data) {
            (Some(name), Some(ttl), Some(data)) if errors.is_empty() => Ok(Record { name, ttl, data }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> DomainName {
        DomainName::parse("example.com").unwrap()
    }

    fn input(kind: &str, name: &str, content: &str) -> RecordInput {
        RecordInput {
            kind: kind.into(),
            name: name.into(),
            content: content.into(),
            ttl: "3600".into(),
            ..Default::default()
        }
    }

    fn error(i: &RecordInput, field: &str) -> String {
        let errors = i.parse(&zone()).unwrap_err();
        errors
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m)
            .unwrap_or_else(|| panic!("no error on {field}"))
    }

    #[test]
    fn addresses() {
        let ok = input("A", "www", "203.0.113.10").parse(&zone()).unwrap();
        assert_eq!(ok.data.display(), "203.0.113.10");
        assert_eq!(
            error(&input("A", "www", "2001:db8::1"), "content"),
            "That is an IPv6 address: use an AAAA record for it."
        );
        assert_eq!(
            error(&input("A", "www", "203.0.113"), "content"),
            "Enter an IPv4 address like 203.0.113.10."
        );
        assert!(input("AAAA", "@", "2001:db8::1").parse(&zone()).is_ok());
        assert_eq!(
            error(&input("AAAA", "@", "10.0.0.1"), "content"),
            "That is an IPv4 address: use an A record for it."
        );
    }

    #[test]
    fn mx_priorities_are_in_range() {
        let mut mx = input("MX", "@", "mail.example.com");
        mx.priority = "10".into();
        assert_eq!(mx.parse(&zone()).unwrap().data.display(), "10 mail.example.com");
        mx.priority = "70000".into();
        assert_eq!(
            error(&mx, "priority"),
            "The priority must be between 0 and 65535."
        );
        mx.priority = "-1".into();
        assert_eq!(
            error(&mx, "priority"),
            "The priority must be a whole number from 0 to 65535."
        );
        mx.priority = "".into();
        assert_eq!(error(&mx, "priority"), "Enter the priority (0 to 65535).");
    }

    #[test]
    fn srv_needs_a_service_name_and_port() {
        let mut srv = input("SRV", "_sip._tcp", "sip.example.com");
        srv.priority = "10".into();
        srv.weight = "5".into();
        srv.port = "5060".into();
        assert_eq!(
            srv.parse(&zone()).unwrap().data.display(),
            "10 5 5060 sip.example.com"
        );
        srv.port = "65536".into();
        assert_eq!(error(&srv, "port"), "The port must be between 0 and 65535.");
        srv.port = "5060".into();
        srv.name = "sip".into();
        assert_eq!(
            error(&srv, "name"),
            "An SRV name starts with the service and protocol, like _sip._tcp."
        );
    }

    #[test]
    fn cname_and_ns_are_not_at_the_apex() {
        assert_eq!(
            error(&input("CNAME", "@", "shop.example.net"), "name"),
            "A CNAME record cannot be at example.com itself; use A/AAAA records there."
        );
        assert!(input("CNAME", "shop", "shop.example.net").parse(&zone()).is_ok());
        assert!(error(&input("NS", "@", "ns1.example.net"), "name").contains("delegate a subdomain"));
        assert!(input("NS", "lab", "ns1.example.net").parse(&zone()).is_ok());
    }

    #[test]
    fn caa_tags_are_known() {
        let mut caa = input("CAA", "@", "letsencrypt.org");
        caa.tag = "issue".into();
        assert!(caa.parse(&zone()).is_ok());
        caa.tag = "issuer".into();
        assert_eq!(error(&caa, "tag"), "Choose issue, issuewild or iodef.");
        caa.tag = "iodef".into();
        assert!(error(&caa, "content").contains("mailto:"));
        caa.content = "mailto:security@example.com".into();
        assert!(caa.parse(&zone()).is_ok());
        caa.tag = "issue".into();
        caa.content = ";".into();
        assert!(caa.parse(&zone()).is_ok());
        caa.content = "letsencrypt.org; validationmethods=dns-01; account=a\\b".into();
        assert!(caa.parse(&zone()).is_ok());
        // A value that once swallowed the rest of the zone as served.
        caa.content = "letsencrypt.org;\\".into();
        assert!(error(&caa, "content").contains("name=value"));
        caa.content = "letsencrypt.org\"".into();
        assert!(error(&caa, "content").contains("certificate authority"));
        caa.content = "letsencrypt.org; a=é".into();
        assert!(error(&caa, "content").contains("printable ASCII"));
        caa.content = "letsencrypt.org; a=b\u{7}".into();
        assert!(error(&caa, "content").contains("printable ASCII"));
    }

    #[test]
    fn ttl_bounds_and_units() {
        assert_eq!(Ttl::parse("1h").unwrap().seconds(), 3600);
        assert_eq!(Ttl::parse("").unwrap(), Ttl::DEFAULT);
        assert_eq!(Ttl::parse("1w").unwrap().seconds(), 604_800);
        let mut a = input("A", "www", "203.0.113.10");
        a.ttl = "59".into();
        assert_eq!(
            error(&a, "ttl"),
            "The TTL must be between 60 seconds and 1 week (604800 seconds)."
        );
        a.ttl = "2w".into();
        assert!(error(&a, "ttl").contains("between 60 seconds"));
        a.ttl = "99999999999".into();
        assert!(error(&a, "ttl").contains("in seconds"));
        a.ttl = "1y".into();
        assert!(error(&a, "ttl").contains("with a unit"));
    }

    #[test]
    fn unknown_type_is_refused() {
        assert_eq!(error(&input("PTR", "x", "y"), "type"), "Choose a record type.");
    }

    #[test]
    fn a_record_round_trips_through_its_form() {
        let mut srv = input("SRV", "_sip._tcp", "sip.example.com");
        srv.priority = "10".into();
        srv.weight = "5".into();
        srv.port = "5060".into();
        let record = srv.parse(&zone()).unwrap();
        assert_eq!(record.to_input().parse(&zone()).unwrap(), record);
        let json = serde_json::to_string(&record.data).unwrap();
        assert!(json.contains("\"type\":\"SRV\""), "{json}");
        assert_eq!(serde_json::from_str::<RecordData>(&json).unwrap(), record.data);
    }
}
