//! The zones being served, found by the longest suffix of a question's
//! name. Readers take the lock only to clone one zone's `Arc`; a change
//! swaps a whole zone, so an answer never mixes two versions.

use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};

use hickory_proto::rr::LowerName;

use super::zone::Zone;

#[derive(Debug, Default)]
pub struct Catalog {
    zones: RwLock<FxHashMap<LowerName, Arc<Zone>>>,
}

impl Catalog {
    /// The zone that contains `name`: the one with the longest matching
    /// suffix, so a customer's `shop.example.com` wins over `example.com`.
    pub fn find(&self, name: &LowerName) -> Option<Arc<Zone>> {
        let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
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

    pub fn get(&self, origin: &LowerName) -> Option<Arc<Zone>> {
        self.zones
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(origin)
            .cloned()
    }

    /// Puts `zone` in place of its older version; returns whether its
    /// serial changed (secondaries are then told).
    pub fn put(&self, zone: Zone) -> bool {
        let mut zones = self.zones.write().unwrap_or_else(|e| e.into_inner());
        let serial = zone.serial;
        let before = zones.insert(zone.origin.clone(), Arc::new(zone));
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
        let next: FxHashMap<LowerName, Arc<Zone>> = fresh
            .into_iter()
            .map(|z| (z.origin.clone(), Arc::new(z)))
            .collect();
        let mut zones = self.zones.write().unwrap_or_else(|e| e.into_inner());
        let changed = next
            .iter()
            .filter(|(origin, z)| zones.get(*origin).is_none_or(|old| old.serial != z.serial))
            .map(|(origin, _)| origin.clone())
            .collect();
        *zones = next;
        changed
    }

    pub fn len(&self) -> usize {
        self.zones.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
