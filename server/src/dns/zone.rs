//! One zone in memory, built from the zone file the portal exports (its
//! SOA and NS from the platform, then the customer's records), indexed by
//! owner name for answering and kept in file order for transfers.

use rustc_hash::FxHashMap;

use app::services::dns::serving::ServedZone;
use hickory_proto::rr::{LowerName, Name, Record, RecordType};
use hickory_proto::serialize::txt::Parser;

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
}

impl Zone {
    /// Reads the portal's zone file. A zone the parser refuses is an error
    /// to log; the server keeps answering the other zones.
    pub fn parse(served: &ServedZone) -> Result<Zone, String> {
        let (origin, sets) = Parser::new(served.zone_file.as_str(), None, Some(Name::root()))
            .parse()
            .map_err(|e| format!("zone {}: {e}", served.name.as_str()))?;
        let origin = LowerName::new(&origin);
        let mut zone = Zone {
            origin: origin.clone(),
            serial: served.serial,
            soa: Record::update0(Name::root(), 0, RecordType::SOA),
            nodes: FxHashMap::default(),
            has_delegations: false,
            has_wildcards: false,
            records: Vec::new(),
        };
        let mut soa = None;
        for set in sets.values() {
            for record in set.records_without_rrsigs() {
                let mut record = record.clone();
                record.name = record.name.to_lowercase();
                if record.record_type() == RecordType::SOA {
                    soa = Some(record.clone());
                } else {
                    zone.records.push(record.clone());
                }
                zone.insert(record);
            }
        }
        zone.soa = soa.ok_or_else(|| format!("zone {}: no SOA record", served.name.as_str()))?;
        Ok(zone)
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
