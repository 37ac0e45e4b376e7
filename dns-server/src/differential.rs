//! The fast path against the full path: the same datagrams, generated
//! over every record type, name shape (apex, CNAME chains in and out of
//! the zone, wildcards, delegations with glue, empty non-terminals,
//! missing names, other zones), case, flags and EDNS, must get the same
//! answer byte for byte whenever the fast path answers at all.

use std::net::SocketAddr;
use std::sync::Arc;

use domain::DomainName;
use proptest::prelude::*;
use services::dns::{import, serving::ServedZone};

use super::catalog::Catalog;
use super::fast;
use super::handler::Handler;
use super::stats::{QueryLog, RateLimiter, Stats, Verdict};
use super::udp;
use super::zone::Zone;

const SHOP: &str = r#"$ORIGIN shop.example.
@ 300 IN A 203.0.113.50
@ IN AAAA 2001:db8::50
www IN CNAME shop.example.
alias IN CNAME www.shop.example.
out IN CNAME elsewhere.example.org.
loop IN CNAME loop.shop.example.
@ IN MX 10 mail.shop.example.
@ IN MX 20 mx.other.example.
mail IN A 203.0.113.25
mail IN AAAA 2001:db8::25
@ IN TXT "v=spf1 mx -all"
_dmarc IN TXT "v=DMARC1; p=quarantine"
_sip._tcp IN SRV 10 60 5060 sip.shop.example.
sip IN A 203.0.113.60
@ IN CAA 0 issue "letsencrypt.org"
*.wild IN A 203.0.113.70
*.wild IN TXT "wild"
sub IN NS ns1.sub.shop.example.
sub IN NS ns.elsewhere.example.org.
ns1.sub IN A 203.0.113.80
deep.a.b IN A 203.0.113.90
"#;

/// The bench's shape, without wildcards or delegations: its missing
/// names are answered from the zone's one prepared NXDOMAIN.
const PLAIN: &str = r#"$ORIGIN plain.example.
@ IN A 203.0.113.10
@ IN AAAA 2001:db8::10
www IN CNAME plain.example.
mail IN A 203.0.113.25
@ IN MX 10 mail.plain.example.
@ IN TXT "v=spf1 mx -all"
_dmarc IN TXT "v=DMARC1; p=quarantine"
@ IN CAA 0 issue "letsencrypt.org"
host1 IN A 198.51.100.1
host2 IN A 198.51.100.2
host3 IN A 198.51.100.3
"#;

const NESTED: &str = r#"$ORIGIN nested.shop.example.
@ IN A 203.0.113.100
www IN CNAME nested.shop.example.
"#;

fn zone(name: &str, text: &str) -> Zone {
    let domain = DomainName::parse(name).expect("a zone name");
    let mut parsed = import::parse(&domain, text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    if name == "shop.example" {
        // Longer than 512 bytes: the fast path leaves it to the full
        // path, which truncates it without EDNS.
        for n in 0..4 {
            let more = import::parse(&domain, &format!("big IN TXT \"{}\"", "x".repeat(200 + n)));
            parsed.records.extend(more.records);
        }
    }
    Zone::build(&ServedZone {
        id: uuid::Uuid::nil(),
        name: domain,
        serial: 2026120501,
        nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
        records: parsed.records,
    })
    .expect("the zone builds")
}

fn handler() -> Handler {
    let catalog = Catalog::default();
    catalog.replace_all(vec![
        zone("shop.example", SHOP),
        zone("plain.example", PLAIN),
        zone("nested.shop.example", NESTED),
    ]);
    Handler {
        catalog: Arc::new(catalog),
        stats: Arc::new(Stats::default()),
        limiter: RateLimiter::new(0),
        log: QueryLog::new(0),
        secondaries: Vec::new(),
    }
}

const NAMES: &[&str] = &[
    "shop.example",
    "www.shop.example",
    "alias.shop.example",
    "out.shop.example",
    "loop.shop.example",
    "mail.shop.example",
    "big.shop.example",
    "_dmarc.shop.example",
    "_sip._tcp.shop.example",
    "_tcp.shop.example",
    "sip.shop.example",
    "wild.shop.example",
    "x.wild.shop.example",
    "y.z.wild.shop.example",
    "sub.shop.example",
    "host.sub.shop.example",
    "ns1.sub.shop.example",
    "deep.a.b.shop.example",
    "a.b.shop.example",
    "b.shop.example",
    "missing.shop.example",
    "plain.example",
    "www.plain.example",
    "mail.plain.example",
    "host2.plain.example",
    "_dmarc.plain.example",
    "nope.plain.example",
    "a.b.c.nope.plain.example",
    "nested.shop.example",
    "www.nested.shop.example",
    "gone.nested.shop.example",
    "elsewhere.example.org",
    "example",
    "",
];

/// Every type the zones hold, the SOA, and types no zone holds
/// (PTR, HINFO, DS, a private-use one).
const TYPES: &[u16] = &[1, 28, 5, 15, 16, 2, 33, 257, 6, 12, 13, 43, 65280, 4242];

/// A query datagram: `name` with the letters `case` picks in upper case.
fn datagram(id: u16, flags: u16, name: &str, case: u64, qtype: u16, edns: Option<(u16, bool)>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, u8::from(edns.is_some())]);
    let mut letter = 0;
    for label in name.split('.').filter(|l| !l.is_empty()) {
        out.push(label.len() as u8);
        for b in label.bytes() {
            let upper = b.is_ascii_alphabetic() && case >> (letter % 64) & 1 == 1;
            letter += 1;
            out.push(if upper { b.to_ascii_uppercase() } else { b });
        }
    }
    out.push(0);
    out.extend_from_slice(&qtype.to_be_bytes());
    out.extend_from_slice(&[0, 1]);
    if let Some((payload, dnssec_ok)) = edns {
        out.extend_from_slice(&[0, 0, 41]);
        out.extend_from_slice(&payload.to_be_bytes());
        out.extend_from_slice(&[0, 0, if dnssec_ok { 0x80 } else { 0 }, 0, 0, 0]);
    }
    out
}

const SRC: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)), 5353);

/// Whether the fast path answered, after checking it answered exactly
/// as the full path does.
fn same(handler: &Handler, packet: &[u8]) -> bool {
    let full = udp::full(handler, packet, SRC, Verdict::Send).expect("the full path answers");
    let mut fast = Vec::new();
    if !fast::answer(handler, packet, &mut fast) {
        return false;
    }
    assert_eq!(fast, full, "fast (left) and full (right) differ");
    true
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn the_fast_path_answers_exactly_as_the_full_path(
        name in 0..NAMES.len(),
        case in any::<u64>(),
        qtype in 0..TYPES.len(),
        edns in prop::option::of((0u16..5000, any::<bool>())),
        id in any::<u16>(),
        rd in any::<bool>(),
        cd in any::<bool>(),
    ) {
        let handler = handler();
        let flags = if rd { 0x0100 } else { 0 } | if cd { 0x0010 } else { 0 };
        same(&handler, &datagram(id, flags, NAMES[name], case, TYPES[qtype], edns));
    }
}

#[test]
fn the_common_questions_take_the_fast_path() {
    let handler = handler();
    let fast = |name: &str, qtype: u16, edns: Option<(u16, bool)>| {
        same(&handler, &datagram(7, 0x0100, name, 0, qtype, edns))
    };
    // The bench's mix: names that exist, missing names, types a name lacks.
    for (name, qtype) in [
        ("plain.example", 1),
        ("www.plain.example", 1),
        ("plain.example", 15),
        ("plain.example", 16),
        ("host3.plain.example", 1),
        ("missing9.plain.example", 1),
        ("mail.plain.example", 28),
        ("WwW.PlAiN.ExAmPlE", 1),
        ("shop.example", 257),
        ("sub.shop.example", 1),
        ("ns1.sub.shop.example", 1),
        ("somewhere.else", 1),
    ] {
        assert!(fast(name, qtype, None), "{name} {qtype} without EDNS");
        assert!(fast(name, qtype, Some((1232, false))), "{name} {qtype} with EDNS");
    }
    // Left to the full path: ANY, a wildcard's name, a missing name in a
    // zone with wildcards, an answer over 512 bytes without EDNS, a
    // transfer, an EDNS option, two questions.
    assert!(!fast("shop.example", 255, None));
    assert!(!fast("x.wild.shop.example", 1, None));
    assert!(!fast("missing.shop.example", 1, None));
    assert!(!fast("big.shop.example", 16, None));
    assert!(fast("big.shop.example", 16, Some((1232, false))));
    // A client that takes 512 bytes with EDNS gets no more (RFC 6891
    // §6.2.5): truncated, for it to ask again over TCP.
    assert!(!fast("big.shop.example", 16, Some((512, false))));
    let small = udp::full(
        &handler,
        &datagram(7, 0, "big.shop.example", 0, 16, Some((512, false))),
        SRC,
        Verdict::Send,
    )
    .expect("an answer");
    assert!(
        small.len() <= 512 && small[2] & 0x02 != 0,
        "{} bytes, TC unset",
        small.len()
    );
    assert!(!fast("shop.example", 252, None));
    let mut cookie = datagram(7, 0, "shop.example", 0, 1, Some((1232, false)));
    let at = cookie.len() - 2;
    cookie.splice(at.., [0, 12, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(!same(&handler, &cookie));
    let mut two = datagram(7, 0, "shop.example", 0, 1, None);
    two[5] = 2;
    two.extend_from_slice(&[0, 0, 1, 0, 1]);
    assert!(!same(&handler, &two));
}

#[test]
fn malformed_datagrams_get_what_the_full_path_gives() {
    let handler = handler();
    let good = datagram(9, 0, "www.shop.example", 0, 1, None);
    // Cut anywhere, or with a pointer for a name: never answered fast,
    // never a panic.
    for end in 0..good.len() {
        let mut out = Vec::new();
        assert!(!fast::answer(&handler, &good[..end], &mut out));
    }
    let mut pointer = good.clone();
    pointer.truncate(12);
    pointer.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
    assert!(!same(&handler, &pointer));
    // Over the rate limit, one that cannot be decoded is counted and not
    // answered.
    let limited = || {
        handler
            .stats
            .rate_limited
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let before = limited();
    assert_eq!(udp::full(&handler, &pointer, SRC, Verdict::Slip), None);
    assert_eq!(limited(), before + 1);
    // A response is never answered.
    let mut response = good.clone();
    response[2] |= 0x80;
    assert_eq!(udp::full(&handler, &response, SRC, Verdict::Send), None);
}
