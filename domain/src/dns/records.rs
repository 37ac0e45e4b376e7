//! DNS records: their types, TTLs and per-type data.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::input::RecordInput;
use super::names::{HostName, RecordName};

/// The record types the editor offers. SOA and the zone's own NS records
/// are kept by the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecordType {
    A,
    Aaaa,
    Cname,
    Mx,
    Txt,
    Ns,
    Srv,
    Caa,
}

impl RecordType {
    pub const ALL: [RecordType; 8] = [
        RecordType::A,
        RecordType::Aaaa,
        RecordType::Cname,
        RecordType::Mx,
        RecordType::Txt,
        RecordType::Ns,
        RecordType::Srv,
        RecordType::Caa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Ns => "NS",
            RecordType::Srv => "SRV",
            RecordType::Caa => "CAA",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// What the main value field holds for this type.
    pub fn content_label(self) -> &'static str {
        match self {
            RecordType::A => "IPv4 address",
            RecordType::Aaaa => "IPv6 address",
            RecordType::Cname => "Points to (host name)",
            RecordType::Mx => "Mail server",
            RecordType::Txt => "Text",
            RecordType::Ns => "Name server",
            RecordType::Srv => "Target host",
            RecordType::Caa => "Value",
        }
    }

    pub fn content_placeholder(self) -> &'static str {
        match self {
            RecordType::A => "203.0.113.10",
            RecordType::Aaaa => "2001:db8::10",
            RecordType::Cname => "shop.example.net",
            RecordType::Mx => "mail.example.com",
            RecordType::Txt => "v=spf1 mx ~all",
            RecordType::Ns => "ns1.example.net",
            RecordType::Srv => "sip.example.com",
            RecordType::Caa => "letsencrypt.org",
        }
    }

    pub fn has_priority(self) -> bool {
        matches!(self, RecordType::Mx | RecordType::Srv)
    }

    pub fn has_weight_and_port(self) -> bool {
        self == RecordType::Srv
    }

    pub fn has_tag(self) -> bool {
        self == RecordType::Caa
    }
}

crate::stored_as_text!(RecordType);

/// Seconds a resolver may keep an answer: one minute to one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Ttl(u32);

impl Ttl {
    pub const MIN: u32 = 60;
    pub const MAX: u32 = 604_800;
    pub const DEFAULT: Ttl = Ttl(3600);
    pub const PRESETS: [(u32, &'static str); 7] = [
        (60, "1 minute"),
        (300, "5 minutes"),
        (1800, "30 minutes"),
        (3600, "1 hour"),
        (14_400, "4 hours"),
        (86_400, "1 day"),
        (604_800, "1 week"),
    ];

    pub fn new(seconds: u32) -> Result<Self, String> {
        if (Self::MIN..=Self::MAX).contains(&seconds) {
            Ok(Self(seconds))
        } else {
            Err("The TTL must be between 60 seconds and 1 week (604800 seconds).".into())
        }
    }

    /// Seconds, or a number with a unit: `300`, `5m`, `1h`, `1d`, `1w`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Ok(Self::DEFAULT);
        }
        let (digits, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, _)) => s.split_at(i),
            None => (s.as_str(), ""),
        };
        let factor = match unit {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return Err("Enter the TTL in seconds (like 3600) or with a unit: 5m, 1h, 1d.".into()),
        };
        let n: u32 = digits
            .parse()
            .map_err(|_| "Enter the TTL in seconds (like 3600) or with a unit: 5m, 1h, 1d.".to_string())?;
        Self::new(n.saturating_mul(factor))
    }

    pub fn seconds(self) -> u32 {
        self.0
    }

    /// "1 hour", or the seconds when no preset matches.
    pub fn label(self) -> String {
        Self::PRESETS
            .iter()
            .find(|(s, _)| *s == self.0)
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| format!("{} s", self.0))
    }
}

impl TryFrom<u32> for Ttl {
    type Error = String;
    fn try_from(v: u32) -> Result<Self, String> {
        Self::new(v)
    }
}

impl From<Ttl> for u32 {
    fn from(t: Ttl) -> u32 {
        t.0
    }
}

/// What a CAA record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaaTag {
    Issue,
    Issuewild,
    Iodef,
}

impl CaaTag {
    pub const ALL: [CaaTag; 3] = [CaaTag::Issue, CaaTag::Issuewild, CaaTag::Iodef];

    pub fn as_str(self) -> &'static str {
        match self {
            CaaTag::Issue => "issue",
            CaaTag::Issuewild => "issuewild",
            CaaTag::Iodef => "iodef",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaaTag::Issue => "issue — who may issue certificates",
            CaaTag::Issuewild => "issuewild — who may issue wildcard certificates",
            CaaTag::Iodef => "iodef — where to report refused requests",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// A record's data, by type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "UPPERCASE")]
pub enum RecordData {
    A {
        address: Ipv4Addr,
    },
    Aaaa {
        address: Ipv6Addr,
    },
    Cname {
        target: HostName,
    },
    Mx {
        priority: u16,
        exchange: HostName,
    },
    /// The text joined; split into strings of 255 bytes when served.
    Txt {
        text: String,
    },
    Ns {
        host: HostName,
    },
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: HostName,
    },
    Caa {
        critical: bool,
        tag: CaaTag,
        value: String,
    },
}

impl RecordData {
    pub fn record_type(&self) -> RecordType {
        match self {
            RecordData::A { .. } => RecordType::A,
            RecordData::Aaaa { .. } => RecordType::Aaaa,
            RecordData::Cname { .. } => RecordType::Cname,
            RecordData::Mx { .. } => RecordType::Mx,
            RecordData::Txt { .. } => RecordType::Txt,
            RecordData::Ns { .. } => RecordType::Ns,
            RecordData::Srv { .. } => RecordType::Srv,
            RecordData::Caa { .. } => RecordType::Caa,
        }
    }

    /// The data as a person reads it in the editor ("10 mail.example.com").
    pub fn display(&self) -> String {
        match self {
            RecordData::A { address } => address.to_string(),
            RecordData::Aaaa { address } => address.to_string(),
            RecordData::Cname { target } => target.as_str().to_string(),
            RecordData::Mx { priority, exchange } => format!("{priority} {}", exchange.as_str()),
            RecordData::Txt { text } => text.clone(),
            RecordData::Ns { host } => host.as_str().to_string(),
            RecordData::Srv {
                priority,
                weight,
                port,
                target,
            } => format!("{priority} {weight} {port} {}", target.as_str()),
            RecordData::Caa { critical, tag, value } => {
                format!(
                    "{} {} {}",
                    if *critical { 128 } else { 0 },
                    tag.as_str(),
                    super::zonefile::character_string(value)
                )
            }
        }
    }
}

/// One record of a zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Record {
    pub name: RecordName,
    pub ttl: Ttl,
    pub data: RecordData,
}

impl Record {
    /// One line for logs and previews: "www CNAME shop.example.com. (3600 s)".
    pub fn line(&self) -> String {
        format!(
            "{} {} {} ({} s)",
            self.name.display(),
            self.record_type().as_str(),
            self.data.display(),
            self.ttl.seconds()
        )
    }

    pub fn record_type(&self) -> RecordType {
        self.data.record_type()
    }

    /// The form that edits this record, filled in.
    pub fn to_input(&self) -> RecordInput {
        let mut input = RecordInput {
            name: self.name.as_str().to_string(),
            kind: self.record_type().as_str().to_string(),
            ttl: self.ttl.seconds().to_string(),
            ..Default::default()
        };
        match &self.data {
            RecordData::A { address } => input.content = address.to_string(),
            RecordData::Aaaa { address } => input.content = address.to_string(),
            RecordData::Cname { target } => input.content = target.as_str().to_string(),
            RecordData::Ns { host } => input.content = host.as_str().to_string(),
            RecordData::Txt { text } => input.content = text.clone(),
            RecordData::Mx { priority, exchange } => {
                input.priority = priority.to_string();
                input.content = exchange.as_str().to_string();
            }
            RecordData::Srv {
                priority,
                weight,
                port,
                target,
            } => {
                input.priority = priority.to_string();
                input.weight = weight.to_string();
                input.port = port.to_string();
                input.content = target.as_str().to_string();
            }
            RecordData::Caa { critical, tag, value } => {
                input.critical = *critical;
                input.tag = tag.as_str().to_string();
                input.content = value.clone();
            }
        }
        input
    }
}
