//! One-click record sets: mail providers, SPF, DMARC and "point at my
//! hosting account". A template is previewed against the zone first; what
//! it would conflict with is listed and nothing is applied.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::input::RecordInput;
use super::records::{Record, RecordData, RecordType};
use super::zone;
use crate::DomainName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Template {
    GoogleWorkspace,
    Microsoft365,
    Fastmail,
    ZohoMail,
    Spf,
    Dmarc,
    Hosting,
}

impl Template {
    pub const ALL: [Template; 7] = [
        Template::Hosting,
        Template::GoogleWorkspace,
        Template::Microsoft365,
        Template::Fastmail,
        Template::ZohoMail,
        Template::Spf,
        Template::Dmarc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Template::GoogleWorkspace => "google-workspace",
            Template::Microsoft365 => "microsoft-365",
            Template::Fastmail => "fastmail",
            Template::ZohoMail => "zoho-mail",
            Template::Spf => "spf",
            Template::Dmarc => "dmarc",
            Template::Hosting => "hosting",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Template::GoogleWorkspace => "Google Workspace mail",
            Template::Microsoft365 => "Microsoft 365 mail",
            Template::Fastmail => "Fastmail",
            Template::ZohoMail => "Zoho Mail",
            Template::Spf => "SPF (mail from this domain's servers)",
            Template::Dmarc => "DMARC policy",
            Template::Hosting => "Point at my hosting account",
        }
    }
}

/// What DMARC asks receivers to do with mail that fails its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DmarcPolicy {
    None,
    Quarantine,
    Reject,
}

impl DmarcPolicy {
    pub const ALL: [DmarcPolicy; 3] = [DmarcPolicy::None, DmarcPolicy::Quarantine, DmarcPolicy::Reject];

    pub fn as_str(self) -> &'static str {
        match self {
            DmarcPolicy::None => "none",
            DmarcPolicy::Quarantine => "quarantine",
            DmarcPolicy::Reject => "reject",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            DmarcPolicy::None => "none — only report",
            DmarcPolicy::Quarantine => "quarantine — to spam",
            DmarcPolicy::Reject => "reject — refuse it",
        }
    }
}

/// What some templates need to know.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    pub dmarc_policy: Option<DmarcPolicy>,
    /// The hosting account's server, for "point at my hosting account".
    pub server: Option<(Ipv4Addr, Option<Ipv6Addr>)>,
}

fn record(zone: &DomainName, kind: &str, name: &str, content: &str, priority: u16) -> Option<Record> {
    RecordInput {
        kind: kind.into(),
        name: name.into(),
        content: content.into(),
        priority: priority.to_string(),
        ..Default::default()
    }
    .parse(zone)
    .ok()
}

/// The records `template` adds to `zone`.
pub fn records(template: Template, zone: &DomainName, options: &Options) -> Result<Vec<Record>, String> {
    let z = zone;
    let list = match template {
        Template::GoogleWorkspace => vec![
            record(z, "MX", "@", "smtp.google.com", 1),
            record(z, "TXT", "@", "v=spf1 include:_spf.google.com ~all", 0),
        ],
        Template::Microsoft365 => {
            let host = format!("{}.mail.protection.outlook.com", z.as_str().replace('.', "-"));
            vec![
                record(z, "MX", "@", &host, 0),
                record(z, "TXT", "@", "v=spf1 include:spf.protection.outlook.com -all", 0),
                record(z, "CNAME", "autodiscover", "autodiscover.outlook.com", 0),
            ]
        }
        Template::Fastmail => {
            let mut list = vec![
                record(z, "MX", "@", "in1-smtp.messagingengine.com", 10),
                record(z, "MX", "@", "in2-smtp.messagingengine.com", 20),
                record(z, "TXT", "@", "v=spf1 include:spf.messagingengine.com ?all", 0),
            ];
            for key in ["fm1", "fm2", "fm3"] {
                let target = format!("{key}.{}.dkim.fmhosts.com", z.as_str());
                list.push(record(z, "CNAME", &format!("{key}._domainkey"), &target, 0));
            }
            list
        }
        Template::ZohoMail => vec![
            record(z, "MX", "@", "mx.zoho.com", 10),
            record(z, "MX", "@", "mx2.zoho.com", 20),
            record(z, "MX", "@", "mx3.zoho.com", 50),
            record(z, "TXT", "@", "v=spf1 include:zoho.com ~all", 0),
        ],
        Template::Spf => vec![record(z, "TXT", "@", "v=spf1 mx a ~all", 0)],
        Template::Dmarc => {
            let policy = options
                .dmarc_policy
                .ok_or_else(|| "Choose what receivers should do with mail that fails.".to_string())?;
            let text = format!("v=DMARC1; p={}; rua=mailto:dmarc@{}", policy.as_str(), z.as_str());
            vec![record(z, "TXT", "_dmarc", &text, 0)]
        }
        Template::Hosting => {
            let (v4, v6) = options
                .server
                .ok_or_else(|| "This domain's hosting account has no server address yet.".to_string())?;
            let mut list = vec![
                record(z, "A", "@", &v4.to_string(), 0),
                record(z, "A", "www", &v4.to_string(), 0),
            ];
            if let Some(v6) = v6 {
                list.push(record(z, "AAAA", "@", &v6.to_string(), 0));
                list.push(record(z, "AAAA", "www", &v6.to_string(), 0));
            }
            list
        }
    };
    list.into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| "This template does not fit this domain.".to_string())
}

/// A template checked against a zone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// Records to add.
    pub add: Vec<Record>,
    /// Records the zone already has.
    pub present: Vec<Record>,
    /// What stops the template, in words.
    pub conflicts: Vec<String>,
}

fn txt_kind(r: &Record) -> Option<&'static str> {
    match &r.data {
        RecordData::Txt { text } if text.starts_with("v=spf1") => Some("an SPF record"),
        RecordData::Txt { text } if text.starts_with("v=DMARC1") => Some("a DMARC record"),
        _ => None,
    }
}

/// What applying `wanted` to a zone holding `existing` would do.
pub fn plan(wanted: Vec<Record>, existing: &[Record]) -> Plan {
    let mut out = Plan::default();
    for w in wanted {
        if existing.iter().any(|e| e.name == w.name && e.data == w.data) {
            out.present.push(w);
            continue;
        }
        let shown = w.name.display();
        let at_name = || existing.iter().filter(|e| e.name == w.name);
        let problem = match w.record_type() {
            RecordType::Txt => txt_kind(&w).and_then(|kind| {
                at_name().find(|e| txt_kind(e) == Some(kind)).map(|e| {
                    format!(
                        "{shown} already has {kind} ({}); a name can have only one.",
                        e.data.display()
                    )
                })
            }),
            RecordType::Mx => at_name().find(|e| e.record_type() == RecordType::Mx).map(|e| {
                format!(
                    "{shown} already receives mail at {}: remove its MX records first.",
                    e.data.display()
                )
            }),
            RecordType::A | RecordType::Aaaa => {
                at_name().find(|e| e.record_type() == w.record_type()).map(|e| {
                    format!(
                        "{shown} already points at {}: remove that {} record first.",
                        e.data.display(),
                        e.record_type().as_str()
                    )
                })
            }
            _ => None,
        }
        .or_else(|| zone::conflict(existing, &w).map(|p| format!("{shown}: {p}")));
        match problem {
            Some(p) => out.conflicts.push(p),
            None => out.add.push(w),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> DomainName {
        DomainName::parse("example.com").unwrap()
    }

    #[test]
    fn every_template_fits_a_domain() {
        let options = Options {
            dmarc_policy: Some(DmarcPolicy::Reject),
            server: Some((
                "203.0.113.10".parse().unwrap(),
                Some("2001:db8::10".parse().unwrap()),
            )),
        };
        for t in Template::ALL {
            let list = records(t, &zone(), &options).unwrap();
            assert!(!list.is_empty(), "{t:?}");
            assert!(zone::check(&list).is_ok(), "{t:?}");
        }
        let ms = records(Template::Microsoft365, &zone(), &options).unwrap();
        assert_eq!(ms[0].data.display(), "0 example-com.mail.protection.outlook.com");
        assert!(records(Template::Dmarc, &zone(), &Options::default()).is_err());
        assert!(records(Template::Hosting, &zone(), &Options::default()).is_err());
    }

    #[test]
    fn conflicts_are_listed_and_present_records_skipped() {
        let options = Options::default();
        let google = records(Template::GoogleWorkspace, &zone(), &options).unwrap();
        let zoho = records(Template::ZohoMail, &zone(), &options).unwrap();
        let p = plan(google.clone(), &zoho);
        assert!(p.add.is_empty());
        assert_eq!(p.conflicts.len(), 2);
        assert!(
            p.conflicts[0].contains("already receives mail at 10 mx.zoho.com"),
            "{:?}",
            p.conflicts
        );
        assert!(
            p.conflicts[1].contains("already has an SPF record"),
            "{:?}",
            p.conflicts
        );
        let again = plan(google.clone(), &google);
        assert_eq!(again.present.len(), 2);
        assert!(again.add.is_empty() && again.conflicts.is_empty());
        assert_eq!(plan(google.clone(), &[]).add, google);
    }
}
