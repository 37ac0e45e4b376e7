use serde::{Deserialize, Serialize};

/// Why a domain name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainNameError {
    #[error("Enter a domain name.")]
    Empty,
    #[error("Enter a domain name like example.com (without http:// or a path).")]
    Malformed,
    #[error("That domain name is too long (at most 253 characters).")]
    TooLong,
    #[error("Each part of a domain name can have at most 63 characters.")]
    LabelTooLong,
    #[error("Enter a full domain name with an extension, like example.com.")]
    NoExtension,
}

/// A domain name in its lower-case ASCII form (international names in
/// punycode), as DNS and the database store it. Shared by hosting accounts
/// and, later, domains and DNS.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(input: &str) -> Result<Self, DomainNameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(DomainNameError::Empty);
        }
        if trimmed.contains("://") || trimmed.contains('/') || trimmed.contains(char::is_whitespace) {
            return Err(DomainNameError::Malformed);
        }
        // A trailing dot (fully qualified) names the same domain.
        let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
        let ascii = crate::idn::to_ascii(trimmed).map_err(|_| DomainNameError::Malformed)?;
        if ascii.is_empty() {
            return Err(DomainNameError::Malformed);
        }
        if ascii.len() > 253 {
            return Err(DomainNameError::TooLong);
        }
        let labels: Vec<&str> = ascii.split('.').collect();
        for label in &labels {
            if label.is_empty()
                || label.starts_with('-')
                || label.ends_with('-')
                || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(DomainNameError::Malformed);
            }
            if label.len() > 63 {
                return Err(DomainNameError::LabelTooLong);
            }
        }
        let tld = labels.last().copied().unwrap_or_default();
        if labels.len() < 2 || tld.chars().all(|c| c.is_ascii_digit()) {
            return Err(DomainNameError::NoExtension);
        }
        Ok(Self(ascii))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DomainName {
    type Error = DomainNameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DomainName> for String {
    fn from(d: DomainName) -> Self {
        d.0
    }
}

impl std::fmt::Display for DomainName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stored_lower_case_ascii() {
        assert_eq!(
            DomainName::parse(" Example.COM. ").unwrap().as_str(),
            "example.com"
        );
        assert_eq!(
            DomainName::parse("shop.example.co.uk").unwrap().as_str(),
            "shop.example.co.uk"
        );
        assert_eq!(
            DomainName::parse("bücher.de").unwrap().as_str(),
            "xn--bcher-kva.de"
        );
        assert_eq!(
            DomainName::parse("xn--bcher-kva.de").unwrap().as_str(),
            "xn--bcher-kva.de"
        );
    }

    #[test]
    fn bad_names_say_what_is_wrong() {
        assert_eq!(DomainName::parse("  ").unwrap_err(), DomainNameError::Empty);
        assert_eq!(
            DomainName::parse("https://example.com").unwrap_err(),
            DomainNameError::Malformed
        );
        assert_eq!(
            DomainName::parse("example.com/about").unwrap_err(),
            DomainNameError::Malformed
        );
        assert_eq!(
            DomainName::parse("exa mple.com").unwrap_err(),
            DomainNameError::Malformed
        );
        assert_eq!(
            DomainName::parse("-bad.com").unwrap_err(),
            DomainNameError::Malformed
        );
        assert_eq!(
            DomainName::parse("a..com").unwrap_err(),
            DomainNameError::Malformed
        );
        assert_eq!(
            DomainName::parse("under_score.com").unwrap_err(),
            DomainNameError::Malformed
        );
        assert_eq!(
            DomainName::parse("localhost").unwrap_err(),
            DomainNameError::NoExtension
        );
        assert_eq!(
            DomainName::parse("10.0.0.1").unwrap_err(),
            DomainNameError::NoExtension
        );
        let long_label = format!("{}.com", "a".repeat(64));
        assert_eq!(
            DomainName::parse(&long_label).unwrap_err(),
            DomainNameError::LabelTooLong
        );
        let long = format!("{}com", "abcdefghi.".repeat(26));
        assert_eq!(DomainName::parse(&long).unwrap_err(), DomainNameError::TooLong);
    }
}
