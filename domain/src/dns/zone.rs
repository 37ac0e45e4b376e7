//! Rules over a whole zone, the SOA serial, and the difference between two
//! versions of a zone (what an import would add, change and remove).

use std::collections::{BTreeMap, HashMap};

use super::records::{Record, RecordType};

/// At most this many records in one zone.
pub const MAX_RECORDS: usize = 5000;

/// Why a record cannot join the zone, given the zone's other records (the
/// record being edited left out): a CNAME is alone at its name, and a
/// record is never there twice.
pub fn conflict<'a>(others: impl IntoIterator<Item = &'a Record>, candidate: &Record) -> Option<String> {
    let shown = candidate.name.display();
    for other in others {
        if other.name != candidate.name {
            continue;
        }
        if other.record_type() == candidate.record_type() && other.data == candidate.data {
            return Some("That record already exists.".into());
        }
        if candidate.record_type() == RecordType::Cname {
            return Some(format!(
                "{shown} already has {} records; a CNAME must be the only record at its name.",
                other.record_type().as_str()
            ));
        }
        if other.record_type() == RecordType::Cname {
            return Some(format!(
                "{shown} has a CNAME record; no other record can be at that name."
            ));
        }
    }
    None
}

/// The zone's rules over all its records: the first problem found.
pub fn check(records: &[Record]) -> Result<(), String> {
    if records.len() > MAX_RECORDS {
        return Err(format!(
            "A zone can have at most {MAX_RECORDS} records (this would make {}).",
            records.len()
        ));
    }
    let mut by_name: HashMap<&str, Vec<&Record>> = HashMap::new();
    for r in records {
        by_name.entry(r.name.as_str()).or_default().push(r);
    }
    let mut names: Vec<_> = by_name.into_iter().collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    for (_, at_name) in names {
        for (i, r) in at_name.iter().enumerate() {
            if let Some(problem) = conflict(at_name[..i].iter().copied(), r) {
                return Err(format!(
                    "{} {}: {problem}",
                    r.name.display(),
                    r.record_type().as_str()
                ));
            }
        }
    }
    Ok(())
}

/// The next SOA serial (YYYYMMDDnn) after `current` on the day `today`
/// (YYYYMMDD): today's first number, or one more; never backwards.
pub fn next_serial(current: u32, today: u32) -> u32 {
    let first_of_today = today.saturating_mul(100);
    if current < first_of_today {
        first_of_today
    } else {
        current.saturating_add(1)
    }
}

/// What turning one zone into another takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneDiff<Id> {
    pub added: Vec<Record>,
    pub changed: Vec<(Id, Record, Record)>,
    pub removed: Vec<(Id, Record)>,
    pub unchanged: usize,
}

impl<Id> ZoneDiff<Id> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// The difference from `current` (records with their ids) to `desired`.
/// Records equal in everything are unchanged; the same data with another
/// TTL, or leftovers of one name and type paired in order, are changes.
pub fn diff<Id: Clone>(current: &[(Id, Record)], desired: &[Record]) -> ZoneDiff<Id> {
    type Key<'a> = (&'a str, RecordType);
    let mut have: BTreeMap<Key, Vec<&(Id, Record)>> = BTreeMap::new();
    for entry in current {
        have.entry((entry.1.name.as_str(), entry.1.record_type()))
            .or_default()
            .push(entry);
    }
    let mut want: BTreeMap<Key, Vec<&Record>> = BTreeMap::new();
    for r in desired {
        want.entry((r.name.as_str(), r.record_type()))
            .or_default()
            .push(r);
    }
    let mut out = ZoneDiff {
        added: Vec::new(),
        changed: Vec::new(),
        removed: Vec::new(),
        unchanged: 0,
    };
    for (key, mut wanted) in want {
        let mut had = have.remove(&key).unwrap_or_default();
        // Equal records first, then the same data with a new TTL.
        wanted.retain(|w| match had.iter().position(|(_, h)| h == *w) {
            Some(i) => {
                had.remove(i);
                out.unchanged += 1;
                false
            }
            None => true,
        });
        wanted.retain(|w| match had.iter().position(|(_, h)| h.data == w.data) {
            Some(i) => {
                let (id, before) = had.remove(i);
                out.changed.push((id.clone(), before.clone(), (*w).clone()));
                false
            }
            None => true,
        });
        let mut had = had.into_iter();
        for w in wanted {
            match had.next() {
                Some((id, before)) => out.changed.push((id.clone(), before.clone(), w.clone())),
                None => out.added.push(w.clone()),
            }
        }
        out.removed.extend(had.map(|(id, r)| (id.clone(), r.clone())));
    }
    for (_, left) in have {
        out.removed
            .extend(left.into_iter().map(|(id, r)| (id.clone(), r.clone())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::RecordInput;
    use crate::DomainName;

    fn rec(kind: &str, name: &str, content: &str) -> Record {
        let zone = DomainName::parse("example.com").unwrap();
        RecordInput {
            kind: kind.into(),
            name: name.into(),
            content: content.into(),
            priority: "10".into(),
            ..Default::default()
        }
        .parse(&zone)
        .unwrap()
    }

    #[test]
    fn a_cname_is_alone_at_its_name() {
        let a = rec("A", "www", "203.0.113.1");
        let cname = rec("CNAME", "www", "shop.example.net");
        assert_eq!(
            conflict([&a], &cname).unwrap(),
            "www already has A records; a CNAME must be the only record at its name."
        );
        assert_eq!(
            conflict([&cname], &a).unwrap(),
            "www has a CNAME record; no other record can be at that name."
        );
        assert_eq!(conflict([&a], &a).unwrap(), "That record already exists.");
        assert_eq!(conflict([&a], &rec("A", "www", "203.0.113.2")), None);
        assert!(check(&[a.clone(), cname]).is_err());
        assert!(check(&[a.clone(), rec("TXT", "www", "hello")]).is_ok());
    }

    #[test]
    fn serials_never_go_backwards() {
        assert_eq!(next_serial(1, 20261127), 2026112700);
        assert_eq!(next_serial(2026112700, 20261127), 2026112701);
        assert_eq!(next_serial(2026112799, 20261127), 2026112800);
        assert_eq!(next_serial(2026120105, 20261127), 2026120106);
    }

    #[test]
    fn a_zone_has_at_most_5000_records() {
        let many: Vec<Record> = (0..5001)
            .map(|i| rec("A", &format!("h{i}"), "203.0.113.1"))
            .collect();
        assert!(check(&many).unwrap_err().contains("at most 5000"));
        assert!(check(&many[..5000]).is_ok());
    }

    #[test]
    fn diff_pairs_changes() {
        let current = vec![
            (1, rec("A", "www", "203.0.113.1")),
            (2, rec("A", "old", "203.0.113.2")),
            (3, rec("MX", "@", "mx1.example.net")),
        ];
        let mut ttl_changed = rec("MX", "@", "mx1.example.net");
        ttl_changed.ttl = crate::dns::Ttl::new(300).unwrap();
        let desired = vec![
            rec("A", "www", "203.0.113.9"),
            ttl_changed.clone(),
            rec("TXT", "@", "hi"),
        ];
        let d = diff(&current, &desired);
        assert_eq!(d.added, vec![rec("TXT", "@", "hi")]);
        assert_eq!(d.removed, vec![(2, rec("A", "old", "203.0.113.2"))]);
        assert_eq!(d.changed.len(), 2);
        assert!(d
            .changed
            .contains(&(3, rec("MX", "@", "mx1.example.net"), ttl_changed)));
        assert_eq!(d.unchanged, 0);
        let same = diff(
            &current,
            &current.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>(),
        );
        assert!(same.is_empty());
        assert_eq!(same.unchanged, 3);
    }
}
