//! The zones being served, found by the longest suffix of a question's
//! name. Readers take the lock only to clone one zone's `Arc`; a change
//! swaps a whole zone, so an answer never mixes two versions.

use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};

use hickory_proto::rr::LowerName;

use super::prepared::wire;
use super::zone::Zone;

#[derive(Debug, Default)]
pub struct Catalog {
    zones: RwLock<Zones>,
}

/// The zones by origin, and again by the origin's wire format, which the
/// fast path looks up without building a name.
#[derive(Debug, Default)]
struct Zones {
    by_name: FxHashMap<LowerName, Arc<Zone>>,
    by_wire: FxHashMap<Box<[u8]>, Arc<Zone>>,
}

impl Zones {
    fn insert(&mut self, zone: Arc<Zone>) -> Option<Arc<Zone>> {
        self.by_wire.insert(wire(&zone.origin), zone.clone());
        self.by_name.insert(zone.origin.clone(), zone)
    }

    fn remove(&mut self, origin: &LowerName) -> Option<Arc<Zone>> {
        self.by_wire.remove(&wire(origin));
        self.by_name.remove(origin)
    }
}

impl Catalog {
    /// The zone that contains `name`: the one with the longest matching
    /// suffix, so a customer's `shop.example.com` wins over `example.com`.
    pub fn find(&self, name: &LowerName) -> Option<Arc<Zone>> {
        let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
        let zones = &zones.by_name;
        if zones.is_empty() {
            return None;
        }
        let labels = usize::from(name.num_labels());
        (1..=labels).rev().find_map(|n| {
            let suffix = if n == labels {
                name.clone()
            } else {
                LowerName::new(&name.trim_to(n))
            };
            zones.get(&suffix).cloned()
        })
    }

    /// `find` for a name in lower-case wire format (labels, then 0),
    /// trusted to be well formed (the fast path parsed it).
    pub fn find_wire(&self, name: &[u8]) -> Option<Arc<Zone>> {
        let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
        let mut at = 0;
        while let Some(&len) = name.get(at).filter(|len| **len != 0) {
            if let Some(zone) = name.get(at..).and_then(|suffix| zones.by_wire.get(suffix)) {
                return Some(zone.clone());
            }
            at += 1 + usize::from(len);
        }
        None
    }

    pub fn get(&self, origin: &LowerName) -> Option<Arc<Zone>> {
        self.zones
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_name
            .get(origin)
            .cloned()
    }

    /// Puts `zone` in place of its older version; returns whether its
    /// serial changed (secondaries are then told).
    pub fn put(&self, zone: Zone) -> bool {
        let mut zones = self.zones.write().unwrap_or_else(|e| e.into_inner());
        let serial = zone.serial;
        let before = zones.insert(Arc::new(zone));
        before.is_none_or(|z| z.serial != serial)
    }

    /// Stops serving the zone; returns whether it was served.
    pub fn remove(&self, origin: &LowerName) -> bool {
        self.zones
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(origin)
            .is_some()
    }

    /// Replaces every zone at once (start, reload after a lost connection
    /// or SIGHUP); returns the origins that are new or whose serial changed.
    pub fn replace_all(&self, fresh: Vec<Zone>) -> Vec<LowerName> {
        let mut next = Zones::default();
        for zone in fresh {
            next.insert(Arc::new(zone));
        }
        let mut zones = self.zones.write().unwrap_or_else(|e| e.into_inner());
        let changed = next
            .by_name
            .iter()
            .filter(|(origin, z)| {
                zones
                    .by_name
                    .get(*origin)
                    .is_none_or(|old| old.serial != z.serial)
            })
            .map(|(origin, _)| origin.clone())
            .collect();
        *zones = next;
        changed
    }

    pub fn len(&self) -> usize {
        self.zones.read().unwrap_or_else(|e| e.into_inner()).by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
