//! DNS: record names and data, the zone's rules, TXT handling, templates
//! and the zone file format. Shared by the server and the browser's editor,
//! so both refuse the same input with the same words.

pub mod input;
pub mod names;
pub mod records;
pub mod templates;
pub mod txt;
pub mod zone;
pub mod zonefile;

pub use input::{FieldErrors, RecordInput};
pub use names::{HostName, RecordName};
pub use records::{CaaTag, Record, RecordData, RecordType, Ttl};

use serde::{Deserialize, Serialize};

/// A domain's state on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DomainStatus {
    /// Added; its registrar does not point at our name servers yet.
    Pending,
    Active,
    /// Its hosting account is suspended or cancelled: not served.
    Suspended,
}

impl DomainStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Pending => "pending",
            DomainStatus::Active => "active",
            DomainStatus::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Active, Self::Suspended]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DomainStatus::Pending => "Pending delegation",
            DomainStatus::Active => "Active",
            DomainStatus::Suspended => "Suspended",
        }
    }

    pub fn badge(self) -> &'static str {
        match self {
            DomainStatus::Pending => "badge badge-info",
            DomainStatus::Active => "badge badge-success",
            DomainStatus::Suspended => "badge badge-warning",
        }
    }
}

crate::stored_as_text!(DomainStatus);

/// Where a change to a zone came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeSource {
    Created,
    Editor,
    Template,
    Import,
    Revert,
    /// The hosting account's site moved: its web records followed it.
    Hosting,
}

impl ChangeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeSource::Created => "created",
            ChangeSource::Editor => "editor",
            ChangeSource::Template => "template",
            ChangeSource::Import => "import",
            ChangeSource::Revert => "revert",
            ChangeSource::Hosting => "hosting",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Created,
            Self::Editor,
            Self::Template,
            Self::Import,
            Self::Revert,
            Self::Hosting,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

crate::stored_as_text!(ChangeSource);
