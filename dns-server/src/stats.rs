//! Counters for the metrics endpoint, response rate limiting, and sampled
//! query logging: what an operator of a public name server needs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;

const TYPES: [&str; 13] = [
    "A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA", "SOA", "ANY", "AXFR", "IXFR", "other",
];
const CODES: [&str; 7] = [
    "NOERROR", "NXDOMAIN", "REFUSED", "NOTIMP", "FORMERR", "SERVFAIL", "other",
];

fn type_index(t: RecordType) -> usize {
    match t {
        RecordType::A => 0,
        RecordType::AAAA => 1,
        RecordType::CNAME => 2,
        RecordType::MX => 3,
        RecordType::TXT => 4,
        RecordType::NS => 5,
        RecordType::SRV => 6,
        RecordType::CAA => 7,
        RecordType::SOA => 8,
        RecordType::ANY => 9,
        RecordType::AXFR => 10,
        RecordType::IXFR => 11,
        _ => 12,
    }
}

fn code_index(c: ResponseCode) -> usize {
    match c {
        ResponseCode::NoError => 0,
        ResponseCode::NXDomain => 1,
        ResponseCode::Refused => 2,
        ResponseCode::NotImp => 3,
        ResponseCode::FormErr => 4,
        ResponseCode::ServFail => 5,
        _ => 6,
    }
}

/// Queries by type and answer code, and the other events worth a graph.
#[derive(Debug, Default)]
pub struct Stats {
    answers: [[AtomicU64; CODES.len()]; TYPES.len()],
    pub rate_limited: AtomicU64,
    pub notifies_sent: AtomicU64,
    pub transfers: AtomicU64,
    pub zones: AtomicU64,
    pub reloads: AtomicU64,
}

impl Stats {
    pub fn count(&self, record_type: RecordType, code: ResponseCode) {
        self.answers[type_index(record_type)][code_index(code)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn answered(&self, record_type: &str, code: &str) -> u64 {
        let t = TYPES.iter().position(|x| *x == record_type);
        let c = CODES.iter().position(|x| *x == code);
        match (t, c) {
            (Some(t), Some(c)) => self.answers[t][c].load(Ordering::Relaxed),
            _ => 0,
        }
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP ksf_dns_queries_total Queries answered, by type and response code.\n");
        out.push_str("# TYPE ksf_dns_queries_total counter\n");
        for (t, name) in TYPES.iter().enumerate() {
            for (c, code) in CODES.iter().enumerate() {
                let n = self.answers[t][c].load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "ksf_dns_queries_total{{type=\"{name}\",rcode=\"{code}\"}} {n}"
                    );
                }
            }
        }
        for (name, help, kind, value) in [
            (
                "ksf_dns_rate_limited_total",
                "Responses dropped or truncated by response rate limiting.",
                "counter",
                &self.rate_limited,
            ),
            (
                "ksf_dns_notify_sent_total",
                "NOTIFY messages sent to secondaries.",
                "counter",
                &self.notifies_sent,
            ),
            (
                "ksf_dns_transfers_total",
                "Zone transfers (AXFR) served.",
                "counter",
                &self.transfers,
            ),
            (
                "ksf_dns_reloads_total",
                "Full reloads of every zone.",
                "counter",
                &self.reloads,
            ),
            ("ksf_dns_zones", "Zones being served.", "gauge", &self.zones),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        out
    }
}

/// What rate limiting decided for one response.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Send,
    /// Send an empty truncated answer: a real client retries over TCP,
    /// which a spoofed victim's address cannot do (RFC "slip").
    Slip,
    Drop,
}

/// Response rate limiting per source network (a /24 for IPv4, a /56 for
/// IPv6), so the server cannot be used to flood a victim whose address is
/// spoofed. Applies to UDP only; TCP proves the source.
///
/// The networks are spread over shards, each with its own lock, so the
/// sockets' loops rarely wait for one another; a shard forgets past
/// seconds at most once a second, and never holds more than
/// `SHARD_CAPACITY` networks (a flood from more new networks than that in
/// one second is answered as first packets are: sent).
#[derive(Debug)]
pub struct RateLimiter {
    per_second: u32,
    shards: Box<[Mutex<Shard>]>,
    start: Instant,
}

const SHARDS: usize = 64;
const SHARD_CAPACITY: usize = 2_048;

#[derive(Debug, Default)]
struct Shard {
    /// Network → (second, answers in it).
    buckets: HashMap<u128, (u64, u32)>,
    swept: u64,
}

impl RateLimiter {
    /// `per_second` 0 turns it off.
    pub fn new(per_second: u32) -> Self {
        RateLimiter {
            per_second,
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            start: Instant::now(),
        }
    }

    pub fn check(&self, source: IpAddr) -> Verdict {
        if self.per_second == 0 {
            return Verdict::Send;
        }
        self.check_at(source, self.start.elapsed().as_secs())
    }

    /// As `check`, at `second` since the start.
    fn check_at(&self, source: IpAddr, second: u64) -> Verdict {
        if self.per_second == 0 {
            return Verdict::Send;
        }
        let key = match source {
            IpAddr::V4(v4) => u128::from(u32::from(v4) & 0xffff_ff00),
            IpAddr::V6(v6) => u128::from(v6) & !((1u128 << 72) - 1),
        };
        // Fold the network's bits so neighbouring networks land apart.
        let folded = (key ^ (key >> 64)) as u64;
        let shard = (folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize % SHARDS;
        let mut shard = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
        if shard.buckets.len() >= SHARD_CAPACITY && shard.swept != second {
            shard.buckets.retain(|_, (s, _)| *s == second);
            shard.swept = second;
        }
        if shard.buckets.len() >= SHARD_CAPACITY && !shard.buckets.contains_key(&key) {
            return Verdict::Send;
        }
        let entry = shard.buckets.entry(key).or_insert((second, 0));
        if entry.0 != second {
            *entry = (second, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        let over = entry.1.saturating_sub(self.per_second);
        match over {
            0 => Verdict::Send,
            n if n % 2 == 1 => Verdict::Slip,
            _ => Verdict::Drop,
        }
    }
}

/// Logs one query in `every` (0: none).
#[derive(Debug)]
pub struct QueryLog {
    every: u64,
    seen: AtomicU64,
}

impl QueryLog {
    pub fn new(every: u64) -> Self {
        QueryLog {
            every,
            seen: AtomicU64::new(0),
        }
    }

    pub fn sample(&self) -> bool {
        self.every != 0
            && self
                .seen
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(self.every)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_limit_every_other_answer_slips_and_the_rest_are_dropped() {
        let limiter = RateLimiter::new(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let verdicts: Vec<Verdict> = (0..6).map(|_| limiter.check(a)).collect();
        use Verdict::*;
        assert_eq!(verdicts, [Send, Send, Slip, Drop, Slip, Drop]);
        // The same /24 shares the budget; another network has its own.
        assert_eq!(limiter.check("192.0.2.200".parse().unwrap()), Slip);
        assert_eq!(limiter.check("198.51.100.1".parse().unwrap()), Send);
        assert_eq!(RateLimiter::new(0).check(a), Send, "0 is off");
    }

    #[test]
    fn a_flood_from_new_networks_stays_bounded_and_known_sources_stay_limited() {
        use Verdict::*;
        let limiter = RateLimiter::new(2);
        let heavy: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(limiter.check_at(heavy, 7), Send);
        // More new networks in one second than the table holds.
        for n in 0..(SHARDS * SHARD_CAPACITY * 2) as u32 {
            let spoofed = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + (n << 8)));
            assert_eq!(limiter.check_at(spoofed, 7), Send);
        }
        let held: usize = limiter
            .shards
            .iter()
            .map(|s| s.lock().unwrap().buckets.len())
            .sum();
        assert!(held <= SHARDS * SHARD_CAPACITY, "{held} networks held");
        assert_eq!(limiter.check_at(heavy, 7), Send);
        assert_eq!(
            limiter.check_at(heavy, 7),
            Slip,
            "the known source is still counted"
        );
        // The next second starts afresh.
        assert_eq!(limiter.check_at(heavy, 8), Send);
    }

    #[test]
    fn the_query_log_samples_one_in_n() {
        let log = QueryLog::new(3);
        let logged = (0..9).filter(|_| log.sample()).count();
        assert_eq!(logged, 3);
        assert!(!QueryLog::new(0).sample());
    }

    #[test]
    fn counters_render_as_prometheus_text() {
        let stats = Stats::default();
        stats.count(RecordType::A, ResponseCode::NXDomain);
        stats.count(RecordType::A, ResponseCode::NXDomain);
        stats.count(RecordType::MX, ResponseCode::NoError);
        let text = stats.render();
        assert!(
            text.contains("ksf_dns_queries_total{type=\"A\",rcode=\"NXDOMAIN\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("ksf_dns_queries_total{type=\"MX\",rcode=\"NOERROR\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE ksf_dns_zones gauge\nksf_dns_zones 0"),
            "{text}"
        );
        assert_eq!(stats.answered("A", "NXDOMAIN"), 2);
    }
}
