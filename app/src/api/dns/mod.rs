//! Domains and DNS at the HTTP edge: what the pages and the editor island
//! receive (here), the server functions the island calls (`queries`), and
//! the form endpoints that work without JavaScript (`forms`).

#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod parts;
pub mod propagation;
pub mod queries;

use serde::{Deserialize, Serialize};

use domain::dns::{DomainStatus, Record};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DomainRow {
    /// ASCII (punycode) name, as in URLs.
    pub name: String,
    /// As people read it.
    pub display: String,
    pub account_id: String,
    pub account_name: String,
    pub status: DomainStatus,
    pub records: i64,
    pub last_change: String,
    /// Active, but the registry no longer points at our name servers.
    pub delegation_lost: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DomainsView {
    pub items: Vec<DomainRow>,
    /// Accounts where the user may add a domain: (id, "name — primary domain").
    pub accounts: Vec<(String, String)>,
}

/// A record with its id, as the editor shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordRow {
    pub id: String,
    pub record: Record,
}

/// One touched record of a change: "added www A 203.0.113.10".
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChangeLine {
    pub what: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChangeRow {
    pub id: i64,
    pub source: String,
    pub summary: String,
    pub who: String,
    pub when: String,
    pub serial: u32,
    pub lines: Vec<ChangeLine>,
    /// More lines than shown.
    pub more: usize,
    pub reverted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ZoneView {
    pub name: String,
    pub display: String,
    pub account_id: String,
    pub account_name: String,
    pub status: DomainStatus,
    pub serial: u32,
    pub nameservers: Vec<String>,
    /// The delegation check's finding when something is wrong, and when
    /// it last asked the registry ("3 minutes ago").
    pub delegation_problem: Option<String>,
    pub delegation_checked: Option<String>,
    /// Our name servers cannot serve the zone's latest version.
    pub serving_problem: bool,
    /// The servers "Check propagation" asks, by label.
    pub probes: Vec<String>,
    pub can_edit: bool,
    pub records: Vec<RecordRow>,
    pub history: Vec<ChangeRow>,
    /// The platform's SOA data line, for the read-only row.
    pub soa: String,
    /// When we registered the name for the customer.
    pub registration: Option<RegistrationBox>,
}

/// A registered name's box on its zone's page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistrationBox {
    /// "4 December 2027".
    pub expires: String,
    pub registrar: String,
    pub auto_renew: bool,
    pub whois_privacy: bool,
    pub expired: bool,
    /// "13.98 USD" a year, when it can be renewed online and the user may pay.
    pub renew_price: Option<String>,
    /// The user may turn automatic renewal and WHOIS privacy on or off.
    pub may_pay: bool,
    /// Where the registration stands: "Active", "Expires in 12 days",
    /// "Expired: grace period until …", "Expired: redemption until …".
    pub state: String,
    /// An automatic renewal whose charge failed: (order id, why).
    pub unpaid_renewal: Option<(String, Option<String>)>,
}

/// What a change did, for the editor to apply to its table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChangeResult {
    pub change_id: i64,
    pub serial: u32,
    pub upserted: Vec<RecordRow>,
    pub removed: Vec<String>,
}

/// The ids an editor request names, from the text of a form or a server
/// function's argument: one that does not parse names nothing of the zone.
#[cfg(feature = "ssr")]
pub(crate) mod ids {
    use domain::{ChangeId, RecordId};
    use services::dns::{history, records::NOT_IN_ZONE};
    use services::failure::ServiceError;

    /// A record of the zone.
    pub fn record(raw: &str) -> Result<RecordId, ServiceError> {
        RecordId::parse(raw).ok_or_else(|| ServiceError::Conflict(NOT_IN_ZONE.into()))
    }

    /// None (empty: a new record) or a record of the zone.
    pub fn optional_record(raw: &str) -> Result<Option<RecordId>, ServiceError> {
        match raw.trim() {
            "" => Ok(None),
            id => record(id).map(Some),
        }
    }

    /// An entry of the zone's history.
    pub fn change(raw: &str) -> Result<ChangeId, ServiceError> {
        ChangeId::parse(raw).ok_or_else(history::not_in_history)
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod convert {
    use super::*;
    use domain::dns::names::unicode;
    use services::dns::history::Change;
    use services::dns::zone::{Applied, Entry};

    pub fn line(e: &Entry) -> ChangeLine {
        let show = super::record_line;
        let what = match (&e.before, &e.after) {
            (None, Some(_)) => "Added",
            (Some(_), None) => "Removed",
            _ => "Changed",
        };
        ChangeLine {
            what: what.into(),
            before: e.before.as_ref().map(show),
            after: e.after.as_ref().map(show),
        }
    }

    pub fn change(c: Change) -> ChangeRow {
        const SHOWN_LINES: usize = 20;
        ChangeRow {
            id: c.id,
            source: c.source.as_str().into(),
            summary: c.summary,
            who: c.actor.unwrap_or_else(|| "The platform".into()),
            when: crate::api::when(c.at),
            serial: c.serial,
            more: c.entries.len().saturating_sub(SHOWN_LINES),
            lines: c.entries.iter().take(SHOWN_LINES).map(line).collect(),
            reverted: c.reverted,
        }
    }

    pub fn applied(a: Applied) -> ChangeResult {
        ChangeResult {
            change_id: a.change_id,
            serial: a.serial,
            upserted: a
                .entries
                .iter()
                .filter_map(|e| {
                    e.after.clone().map(|record| RecordRow {
                        id: e.id.to_string(),
                        record,
                    })
                })
                .collect(),
            removed: a
                .entries
                .iter()
                .filter(|e| e.after.is_none())
                .map(|e| e.id.to_string())
                .collect(),
        }
    }

    pub fn display(name: &str) -> String {
        unicode(name)
    }
}

/// A template checked against the zone, shown before it is applied.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TemplatePreview {
    pub template: String,
    pub label: String,
    pub policy: String,
    pub add: Vec<String>,
    pub present: Vec<String>,
    pub conflicts: Vec<String>,
}

/// A zone file checked against the zone, shown before it is applied.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ImportPreview {
    /// The file's text, sent again when applying.
    pub text: String,
    pub problems: Vec<(usize, String)>,
    pub ignored: usize,
    pub added: Vec<String>,
    pub changed: Vec<(String, String)>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

/// A record in one line: "www A 203.0.113.10 (3600 s)".
pub fn record_line(r: &Record) -> String {
    r.line()
}
