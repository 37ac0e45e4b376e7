//! One zone in memory, built from the portal's typed records (its SOA and
//! NS from the platform, then the customer's records), indexed by owner
//! name for answering and kept in zone order for transfers.

use rustc_hash::FxHashMap;

use hickory_proto::rr::{LowerName, Name, Record, RecordType};
use services::dns::serving::ServedZone;

use super::prepared::Answers;

/// The records at one owner name, by type. An empty node is an empty
/// non-terminal: `b.example.com` when only `a.b.example.com` has records,
/// which exists (NODATA, not NXDOMAIN).
#[derive(Debug, Default)]
pub struct Node {
    sets: Vec<(RecordType, Vec<Record>)>,
}

impl Node {
    pub fn get(&self, record_type: RecordType) -> Option<&[Record]> {
        self.sets
            .iter()
            .find(|(t, _)| *t == record_type)
            .map(|(_, records)| records.as_slice())
    }

    /// The types held here.
    pub fn types(&self) -> impl Iterator<Item = RecordType> + '_ {
        self.sets.iter().map(|(t, _)| *t)
    }

    pub fn all(&self) -> impl Iterator<Item = &Record> {
        self.sets.iter().flat_map(|(_, records)| records.iter())
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    fn push(&mut self, record: Record) {
        let record_type = record.record_type();
        match self.sets.iter_mut().find(|(t, _)| *t == record_type) {
            Some((_, records)) => records.push(record),
            None => self.sets.push((record_type, vec![record])),
        }
    }
}

#[derive(Debug)]
pub struct Zone {
    pub origin: LowerName,
    pub serial: u32,
    pub soa: Record,
    nodes: FxHashMap<LowerName, Node>,
    /// Whether any name below the apex has NS records (a delegation) or
    /// is a wildcard: most zones have neither, and their answers skip
    /// those walks.
    pub has_delegations: bool,
    pub has_wildcards: bool,
    /// Every record but the SOA, in zone-file order (for AXFR).
    records: Vec<Record>,
    /// The answers the UDP fast path sends, built with the zone.
    pub answers: Answers,
}

impl Zone {
    /// Builds the zone from the portal's records. A zone that cannot be
    /// built is an error to log and report; the server keeps answering
    /// the other zones. Building never panics on a customer's data, and a
    /// panic in it would be caught by the loader (`build_isolated`).
    pub fn build(served: &ServedZone) -> Result<Zone, String> {
        let records = served
            .wire()
            .map_err(|e| format!("zone {}: {e}", served.name.as_str()))?;
        let origin =
            LowerName::new(&services::dns::wire::name(served.name.as_str()).map_err(|e| e.to_string())?);
        let mut zone = Zone {
            origin: origin.clone(),
            serial: served.serial,
            soa: Record::update0(Name::root(), 0, RecordType::SOA),
            nodes: FxHashMap::default(),
            has_delegations: false,
            has_wildcards: false,
            records: Vec::with_capacity(records.len()),
            answers: Answers::default(),
        };
        let mut soa = None;
        for mut record in records {
            record.name = record.name.to_lowercase();
            if !origin.zone_of(&LowerName::new(&record.name)) {
                return Err(format!(
                    "zone {}: {} is outside the zone",
                    served.name.as_str(),
                    record.name
                ));
            }
            if record.record_type() == RecordType::SOA {
                soa = Some(record.clone());
            } else {
                zone.records.push(record.clone());
            }
            zone.insert(record);
        }
        zone.soa = soa.ok_or_else(|| format!("zone {}: no SOA record", served.name.as_str()))?;
        zone.answers = Answers::build(&zone);
        Ok(zone)
    }

    /// `build`, with any panic inside it turned into that zone's error:
    /// one zone never takes the loader (and every other zone) down.
    pub fn build_isolated(served: &ServedZone) -> Result<Zone, String> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Zone::build(served))).unwrap_or_else(|_| {
            Err(format!(
                "zone {}: building it failed unexpectedly",
                served.name.as_str()
            ))
        })
    }

    fn insert(&mut self, record: Record) {
        let owner = LowerName::new(&record.name);
        if owner != self.origin && record.record_type() == RecordType::NS {
            self.has_delegations = true;
        }
        if owner.is_wildcard() {
            self.has_wildcards = true;
        }
        // Every name between the owner and the apex exists.
        let mut parent = owner.base_name();
        while self.origin.zone_of(&parent) && parent != self.origin {
            self.nodes.entry(parent.clone()).or_default();
            parent = parent.base_name();
        }
        self.nodes.entry(owner).or_default().push(record);
    }

    pub fn node(&self, name: &LowerName) -> Option<&Node> {
        self.nodes.get(name)
    }

    /// Every name with its records (empty non-terminals too).
    pub fn nodes(&self) -> impl Iterator<Item = (&LowerName, &Node)> {
        self.nodes.iter()
    }

    /// The records a transfer sends between its two SOA records.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The SOA as negative answers carry it: its TTL capped by the
    /// minimum, so "no such name" is cached for the zone's minimum
    /// (RFC 2308 §5).
    pub fn negative_soa(&self) -> Record {
        let mut soa = self.soa.clone();
        if let hickory_proto::rr::RData::SOA(data) = &soa.data {
            soa.ttl = soa.ttl.min(data.minimum);
        }
        soa
    }
}
