//! Names inside a zone (record owners, relative to the zone) and host names
//! records point at (absolute). Both are lower-case ASCII; international
//! labels are stored in punycode.

use serde::{Deserialize, Serialize};

use crate::DomainName;

/// A label of a DNS name: letters, digits, hyphens and underscores (service
/// labels like `_dmarc`), 1–63 characters, no hyphen at either end.
fn label_ok(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("A name cannot have empty parts (two dots in a row).".into());
    }
    if label.len() > 63 {
        return Err("Each part of a name can have at most 63 characters.".into());
    }
    if !label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err("Use only letters, digits, hyphens, underscores and dots in a name.".into());
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err("A part of a name cannot start or end with a hyphen.".into());
    }
    // What zone-file readers (and so our import) take: an underscore only
    // opens a service label (`_dmarc`), and `xn--` is real punycode.
    if label.chars().skip(1).any(|c| c == '_') {
        return Err("An underscore can only start a part of a name, like _dmarc.".into());
    }
    if label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
        && crate::idn::to_unicode(label).1.is_err()
    {
        return Err("That international name is not valid (its xn-- part does not decode).".into());
    }
    Ok(())
}

/// Lower-case ASCII form; international labels to punycode.
fn to_ascii(input: &str) -> Result<String, String> {
    if input.is_ascii() {
        return Ok(input.to_ascii_lowercase());
    }
    crate::idn::to_ascii(input).map_err(|_| "That international name cannot be written in DNS.".to_string())
}

/// A record's name relative to its zone: `@` for the zone itself, `www`,
/// `_dmarc`, `*.dev` (a wildcard as the first part only).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordName(String);

impl RecordName {
    pub fn apex() -> Self {
        Self("@".into())
    }

    /// `www`, `www.example.com`, `www.example.com.` and `@` within
    /// `example.com`. A name ending in a dot must be inside the zone; any
    /// other name not ending in the zone's name is taken as relative.
    pub fn parse(input: &str, zone: &DomainName) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed == "@" {
            return Ok(Self::apex());
        }
        // Checked again below in its DNS form; this bounds the work first.
        if trimmed.len() > 1024 {
            return Err("That name is too long (at most 253 characters with the domain).".into());
        }
        if trimmed.contains(char::is_whitespace) {
            return Err("A name cannot contain spaces.".into());
        }
        let (name, absolute) = match trimmed.strip_suffix('.') {
            Some(n) => (n, true),
            None => (trimmed, false),
        };
        let name = to_ascii(name)?;
        let zone = zone.as_str();
        let relative = if name == zone {
            return Ok(Self::apex());
        } else if let Some(r) = name.strip_suffix(zone).and_then(|r| r.strip_suffix('.')) {
            r.to_string()
        } else if absolute {
            return Err(format!("Use a name inside {zone} (like www or www.{zone})."));
        } else {
            name
        };
        for (i, label) in relative.split('.').enumerate() {
            if label == "*" && i == 0 {
                continue;
            }
            if label.contains('*') {
                return Err("A wildcard (*) can only be the first part of a name, like *.dev.".into());
            }
            label_ok(label)?;
        }
        if relative.len() + zone.len() + 1 > 253 {
            return Err("That name is too long (at most 253 characters with the domain).".into());
        }
        Ok(Self(relative))
    }

    /// Stored names (already in this form) back into the type.
    pub fn from_stored(s: &str) -> Self {
        Self(s.to_string())
    }

    pub fn is_apex(&self) -> bool {
        self.0 == "@"
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full name within `zone`, without the final dot.
    pub fn fqdn(&self, zone: &DomainName) -> String {
        if self.is_apex() {
            zone.as_str().to_string()
        } else {
            format!("{}.{}", self.0, zone.as_str())
        }
    }

    /// The name as a person reads it (international labels in Unicode).
    pub fn display(&self) -> String {
        if self.is_apex() {
            "@".into()
        } else {
            unicode(&self.0)
        }
    }

    /// Whether the name starts with `_service._proto`, as SRV names do.
    pub fn is_service(&self) -> bool {
        let mut labels = self.0.split('.');
        matches!(
            (labels.next(), labels.next()),
            (Some(s), Some(p)) if s.len() > 1 && s.starts_with('_') && p.len() > 1 && p.starts_with('_')
        )
    }
}

/// The Unicode form of an ASCII name, for showing.
pub fn unicode(name: &str) -> String {
    if name.split('.').any(|l| l.starts_with("xn--")) {
        crate::idn::to_unicode(name).0
    } else {
        name.to_string()
    }
}

/// A host name a record points at (CNAME, MX, NS, SRV targets): always a
/// full name; `@` means the zone itself. Stored without the final dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostName(String);

impl HostName {
    pub fn parse(input: &str, zone: &DomainName) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed == "@" {
            return Ok(Self(zone.as_str().to_string()));
        }
        Self::parse_absolute(trimmed)
    }

    fn parse_absolute(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("Enter a host name.".into());
        }
        if trimmed.len() > 1024 {
            return Err("That host name is too long (at most 253 characters).".into());
        }
        if trimmed.contains(char::is_whitespace) || trimmed.contains('/') || trimmed.contains(':') {
            return Err("Enter a host name like mail.example.com (no spaces, ports or paths).".into());
        }
        let name = to_ascii(trimmed.strip_suffix('.').unwrap_or(trimmed))?;
        let labels: Vec<&str> = name.split('.').collect();
        for label in &labels {
            label_ok(label)?;
        }
        if labels.len() < 2
            || labels
                .last()
                .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit()))
        {
            return Err("Enter a full host name like mail.example.com (or @ for the domain itself).".into());
        }
        if name.len() > 253 {
            return Err("That host name is too long (at most 253 characters).".into());
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for HostName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse_absolute(&s)
    }
}

impl From<HostName> for String {
    fn from(h: HostName) -> Self {
        h.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> DomainName {
        DomainName::parse("example.com").unwrap()
    }

    #[test]
    fn record_names_are_relative_to_the_zone() {
        let z = zone();
        for (input, stored) in [
            ("", "@"),
            ("@", "@"),
            ("example.com", "@"),
            ("example.com.", "@"),
            ("WWW", "www"),
            ("www.example.com", "www"),
            ("www.example.com.", "www"),
            ("_dmarc", "_dmarc"),
            ("*.dev", "*.dev"),
            ("shop.example.org", "shop.example.org"),
            ("bücher", "xn--bcher-kva"),
        ] {
            assert_eq!(RecordName::parse(input, &z).unwrap().as_str(), stored, "{input}");
        }
        assert_eq!(RecordName::parse("www", &z).unwrap().fqdn(&z), "www.example.com");
        assert_eq!(RecordName::parse("bücher", &z).unwrap().display(), "bücher");
    }

    #[test]
    fn bad_record_names_say_why() {
        let z = zone();
        assert_eq!(
            RecordName::parse("www.example.org.", &z).unwrap_err(),
            "Use a name inside example.com (like www or www.example.com)."
        );
        assert!(RecordName::parse("a..b", &z).unwrap_err().contains("empty parts"));
        assert!(RecordName::parse("dev.*", &z).unwrap_err().contains("wildcard"));
        assert!(RecordName::parse("my site", &z).unwrap_err().contains("spaces"));
        assert!(RecordName::parse("-x", &z).unwrap_err().contains("hyphen"));
        assert!(RecordName::parse(&"a".repeat(64), &z).unwrap_err().contains("63"));
        assert!(RecordName::parse("a$b", &z).unwrap_err().contains("only letters"));
        // Names a zone file could not carry back in (the import would refuse them).
        assert!(RecordName::parse("xn--a", &z)
            .unwrap_err()
            .contains("does not decode"));
        assert!(RecordName::parse("my_host", &z)
            .unwrap_err()
            .contains("underscore"));
        assert!(HostName::parse("mail.xn--a.example", &z)
            .unwrap_err()
            .contains("does not decode"));
        assert!(RecordName::parse("_dmarc", &z).is_ok());
    }

    #[test]
    fn host_names_are_absolute() {
        let z = zone();
        assert_eq!(HostName::parse("@", &z).unwrap().as_str(), "example.com");
        assert_eq!(
            HostName::parse("Mail.Example.net.", &z).unwrap().as_str(),
            "mail.example.net"
        );
        assert!(HostName::parse("mail", &z)
            .unwrap_err()
            .contains("full host name"));
        assert!(HostName::parse("", &z).unwrap_err().contains("Enter a host name"));
        assert!(HostName::parse("mail.example.com:25", &z)
            .unwrap_err()
            .contains("no spaces"));
        assert!(HostName::parse("10.0.0.1", &z)
            .unwrap_err()
            .contains("full host name"));
    }

    #[test]
    fn service_names() {
        let z = zone();
        assert!(RecordName::parse("_sip._tcp", &z).unwrap().is_service());
        assert!(!RecordName::parse("sip._tcp", &z).unwrap().is_service());
    }
}
