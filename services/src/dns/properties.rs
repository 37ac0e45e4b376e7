//! Property tests of zones: any zone exported and imported again is the
//! same; edits the editor accepts keep the CNAME and apex rules; serials
//! only increase.

use proptest::prelude::*;

use super::import::parse;
use domain::dns::zone::{check, conflict, next_serial};
use domain::dns::zonefile::{export, Managed};
use domain::dns::RecordType;
use domain::dns::{Record, RecordInput};
use domain::DomainName;

fn zone() -> DomainName {
    DomainName::parse("example.com").unwrap()
}

/// Records as a person would type them, of every type.
fn record() -> impl Strategy<Value = Record> {
    let name = prop_oneof![
        Just("@".to_string()),
        "[a-z][a-z0-9-]{0,8}[a-z0-9]",
        "[a-z]{1,5}\\.[a-z]{1,5}",
        Just("*.dev".to_string()),
    ];
    let srv_name = "_[a-z]{1,6}\\._(tcp|udp)";
    let host = "[a-z]{1,10}\\.(example\\.net|example\\.com)";
    let kind = 0..8usize;
    (
        name,
        srv_name,
        host,
        kind,
        any::<u16>(),
        any::<u16>(),
        any::<u16>(),
        60u32..=604_800,
        // Hostile text too: backslashes, quotes, semicolons, parentheses,
        // non-ASCII, and the largest TXT records.
        prop_oneof!["[ -~]{1,600}", "[a-z\\\\\";() é€]{1,300}", "[ -~]{3900,4000}",],
        any::<[u8; 4]>(),
        any::<[u16; 8]>(),
        any::<bool>(),
    )
        .prop_filter_map(
            "valid records only",
            |(name, srv, host, kind, a, b, c, ttl, text, v4, v6, flag)| {
                let t = RecordType::ALL[kind];
                let mut input = RecordInput {
                    kind: t.as_str().into(),
                    name: if t == RecordType::Srv { srv } else { name },
                    ttl: ttl.to_string(),
                    priority: a.to_string(),
                    weight: b.to_string(),
                    port: c.to_string(),
                    critical: flag,
                    ..Default::default()
                };
                input.content = match t {
                    RecordType::A => std::net::Ipv4Addr::from(v4).to_string(),
                    RecordType::Aaaa => std::net::Ipv6Addr::from(v6).to_string(),
                    // A leading quote means quoted parts, as typed.
                    RecordType::Txt => text.trim().trim_start_matches('"').to_string(),
                    RecordType::Caa => {
                        input.tag = if flag { "issuewild".into() } else { "issue".into() };
                        let value: String = text
                            .chars()
                            .filter(|c| c.is_ascii_graphic() && *c != ';')
                            .take(40)
                            .collect();
                        format!("letsencrypt.org; account={value}x")
                    }
                    _ => host,
                };
                input.parse(&zone()).ok()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Export then import gives back the same records.
    #[test]
    fn export_then_import_is_the_same_zone(candidates in proptest::collection::vec(record(), 0..40)) {
        let mut zone_records: Vec<Record> = Vec::new();
        for r in candidates {
            if conflict(&zone_records, &r).is_none() {
                zone_records.push(r);
            }
        }
        let nameservers = vec!["ns1.example.net".to_string()];
        let text = export(&zone(), &Managed { nameservers: &nameservers, serial: 2026112700 }, &zone_records);
        let parsed = parse(&zone(), &text);
        prop_assert!(parsed.problems.is_empty(), "{:?}\n{}", parsed.problems, text);
        let mut got = parsed.records;
        got.sort();
        zone_records.sort();
        prop_assert_eq!(got, zone_records);
    }

    /// Edits the editor accepts keep the zone's rules.
    #[test]
    fn accepted_edits_keep_the_cname_and_apex_rules(candidates in proptest::collection::vec(record(), 0..60), deletions in proptest::collection::vec(any::<prop::sample::Index>(), 0..10)) {
        let mut zone_records: Vec<Record> = Vec::new();
        for (i, r) in candidates.into_iter().enumerate() {
            if conflict(&zone_records, &r).is_none() {
                zone_records.push(r);
            }
            if let Some(d) = deletions.get(i) {
                if !zone_records.is_empty() && i % 3 == 0 {
                    zone_records.remove(d.index(zone_records.len()));
                }
            }
            prop_assert!(check(&zone_records).is_ok());
            prop_assert!(!zone_records.iter().any(|r| r.name.is_apex() && r.record_type() == RecordType::Cname));
        }
    }

    /// Serials only increase, whatever the day says.
    #[test]
    fn serials_only_increase(start in 1u32..4_000_000_000, days in proptest::collection::vec(19_700_101u32..=21_001_231, 1..50)) {
        let mut serial = start;
        for day in days {
            let next = next_serial(serial, day);
            prop_assert!(next > serial);
            serial = next;
        }
    }
}
