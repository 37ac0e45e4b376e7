//! Benchmark harness for `ksf dns`: prints figures, asserts nothing.
//!
//!   DATABASE_URL=postgres://… cargo run --release -p server --example bench_dns [ZONES RECORDS]
//!
//! Seeds a scratch database (created and dropped here) with ZONES active
//! zones (default 1,000) of RECORDS records each (default 50), starts the
//! real server on a free port, and writes the same zones, exported by the
//! portal, for NSD (Debian's `nsd`), which it starts on another port. Then
//! `dnsperf` sends both the same query mix (names that exist, names that do
//! not, types a name lacks) for 15 s each, one after the other. NSD runs
//! as many servers (`server-count`) as `ksf dns` has UDP sockets, so both
//! have the same cores. Then each gets the mix at a fixed rate below its
//! limit, with every answer's latency recorded, for p50/p99. Prints
//! queries/s, latency, both ratios, and how long a change takes to be
//! answered. Needs `dnsperf` and `nsd` (apt-get install dnsperf nsd).

#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use domain::dns::zonefile;
use hickory_proto::rr::{Name, RecordType};
use scratch::Scratch;
use server::config::DnsServerSettings;
use services::dns::{probe, serving, DnsSettings};
use sqlx::PgPool;

const SECONDS: u32 = 15;
/// The fixed-rate run that measures each answer's latency.
const LATENCY_SECONDS: u32 = 5;
const LATENCY_RATE: u32 = 20_000;

fn free_port() -> Result<u16, std::io::Error> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// ZONES zones of RECORDS records: web, mail, SPF/DMARC, then hosts.
async fn seed(pool: &PgPool, zones: i64, records: i64) -> Result<(), Box<dyn std::error::Error>> {
    services::hosting::plans::seed_catalogue(pool).await?;
    let account: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region)
         VALUES ('Bench', (SELECT id FROM plans ORDER BY sort_order LIMIT 1), 'bench.example', 'eu-central') RETURNING id",
    )
    .fetch_one(pool)
    .await?;
    sqlx::query(
        "INSERT INTO domains (account_id, name, status, serial)
         SELECT $1, 'zone' || n || '.bench.example', 'active', 2026112701 FROM generate_series(1, $2) n",
    )
    .bind(account)
    .bind(zones)
    .execute(pool)
    .await?;
    sqlx::query(
        r#"INSERT INTO dns_records (domain_id, name, type, ttl, data)
           SELECT d.id, r.name, r.type, 3600, r.data::jsonb
           FROM domains d, LATERAL (
             VALUES ('@', 'A', '{"type":"A","address":"203.0.113.10"}'),
                    ('@', 'AAAA', '{"type":"AAAA","address":"2001:db8::10"}'),
                    ('www', 'CNAME', '{"type":"CNAME","target":"' || d.name || '"}'),
                    ('mail', 'A', '{"type":"A","address":"203.0.113.25"}'),
                    ('@', 'MX', '{"type":"MX","priority":10,"exchange":"mail.' || d.name || '"}'),
                    ('@', 'TXT', '{"type":"TXT","text":"v=spf1 mx -all"}'),
                    ('_dmarc', 'TXT', '{"type":"TXT","text":"v=DMARC1; p=quarantine"}'),
                    ('@', 'CAA', '{"type":"CAA","critical":false,"tag":"issue","value":"letsencrypt.org"}')
             UNION ALL
             SELECT 'host' || h, 'A', '{"type":"A","address":"198.51.100.' || (h % 250) || '"}'
             FROM generate_series(1, greatest($1 - 8, 0)) h
           ) AS r(name, type, data)"#,
    )
    .bind(records)
    .execute(pool)
    .await?;
    Ok(())
}

/// The query mix: about two thirds names that exist, the rest missing
/// names (NXDOMAIN) and types a name lacks (NODATA).
fn queries(zones: i64, records: i64) -> String {
    let mut out = String::new();
    let hosts = (records - 8).max(1);
    for i in 0..(zones * 20) {
        let z = 1 + (i * 7919) % zones;
        let h = 1 + (i * 104_729) % hosts;
        let line = match i % 10 {
            0 | 1 => format!("zone{z}.bench.example A"),
            2 => format!("www.zone{z}.bench.example A"),
            3 => format!("zone{z}.bench.example MX"),
            4 => format!("zone{z}.bench.example TXT"),
            5 | 6 => format!("host{h}.zone{z}.bench.example A"),
            7 | 8 => format!("missing{h}.zone{z}.bench.example A"),
            _ => format!("mail.zone{z}.bench.example AAAA"),
        };
        let _ = writeln!(out, "{line}");
    }
    out
}

#[derive(Debug, Default)]
struct Figures {
    qps: f64,
    avg_ms: f64,
    max_ms: f64,
    lost: String,
    codes: String,
}

/// dnsperf sending the query file to `at` for `seconds`, from 8 clients.
fn dnsperf_command(at: SocketAddr, file: &std::path::Path, seconds: u32) -> Command {
    let mut command = Command::new("dnsperf");
    command
        .args(["-s", &at.ip().to_string(), "-p", &at.port().to_string()])
        .args(["-d", &file.to_string_lossy(), "-l", &seconds.to_string()])
        .args(["-c", "8", "-T", "1"]);
    command
}

fn dnsperf(at: SocketAddr, file: &std::path::Path) -> Result<Figures, String> {
    let out = dnsperf_command(at, file, SECONDS)
        .args(["-q", "200"])
        .output()
        .map_err(|e| format!("dnsperf: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |label: &str| -> Option<String> {
        text.lines().find(|l| l.trim_start().starts_with(label)).map(|l| {
            l.split_once(':')
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        })
    };
    let number = |s: &str| s.split_whitespace().next().and_then(|n| n.parse::<f64>().ok());
    let latency = field("Average Latency (s)").unwrap_or_default();
    let max = latency
        .split("max ")
        .nth(1)
        .and_then(|m| m.trim_end_matches(')').parse::<f64>().ok())
        .unwrap_or(0.0);
    Ok(Figures {
        qps: field("Queries per second")
            .as_deref()
            .and_then(number)
            .ok_or_else(|| format!("dnsperf said:\n{text}"))?,
        avg_ms: number(&latency).unwrap_or(0.0) * 1000.0,
        max_ms: max * 1000.0,
        lost: field("Queries lost").unwrap_or_default(),
        codes: field("Response codes").unwrap_or_default(),
    })
}

/// p50 and p99 latency in ms at a fixed rate: dnsperf's verbose mode
/// prints each answer's latency as its last field.
fn latencies(at: SocketAddr, file: &std::path::Path) -> Result<(f64, f64, usize), String> {
    let out = dnsperf_command(at, file, LATENCY_SECONDS)
        .args(["-Q", &LATENCY_RATE.to_string(), "-v"])
        .output()
        .map_err(|e| format!("dnsperf: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut samples: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with("> "))
        .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
        .collect();
    if samples.is_empty() {
        return Err(format!(
            "dnsperf -v printed no latencies:\n{}",
            &text[..text.len().min(2000)]
        ));
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)] * 1000.0;
    Ok((at(0.50), at(0.99), samples.len()))
}

fn nsd_conf(dir: &std::path::Path, port: u16, servers: usize, zones: &[serving::ServedZone]) -> String {
    let mut conf = format!(
        "server:\n  ip-address: 127.0.0.1@{port}\n  server-count: {servers}\n  reuseport: yes\n  username: \"\"\n  chroot: \"\"\n  zonesdir: \"{d}\"\n  database: \"\"\n  zonelistfile: \"{d}/zone.list\"\n  xfrdfile: \"{d}/xfrd.state\"\n  pidfile: \"{d}/nsd.pid\"\n  logfile: \"{d}/nsd.log\"\n  verbosity: 0\nremote-control:\n  control-enable: no\n",
        d = dir.display()
    );
    for z in zones {
        let _ = write!(
            conf,
            "zone:\n  name: \"{}\"\n  zonefile: \"{}.zone\"\n",
            z.name.as_str(),
            z.name.as_str()
        );
    }
    conf
}

async fn wait_for(at: SocketAddr, name: &Name) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if probe::ask(at, name, RecordType::SOA, false)
            .await
            .is_ok_and(|m| !m.answers.is_empty())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{at} did not answer within 60 s"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let number = |a: Option<String>, default: i64, max: i64| -> Result<i64, String> {
        match a {
            Some(n) => n
                .parse::<i64>()
                .ok()
                .filter(|n| (10..=max).contains(n))
                .ok_or_else(|| format!("{n}: expected a number from 10 to {max}")),
            None => Ok(default),
        }
    };
    let zones = number(args.next(), 1_000, 100_000)?;
    let records = number(args.next(), 50, 5_000)?;
    for tool in ["dnsperf", "nsd"] {
        if !installed(tool) {
            return Err(format!("{tool} is not installed (apt-get install dnsperf nsd)").into());
        }
    }
    let db = Scratch::open("ksf_bench_dns", false).await?;
    let pool = db.pool.clone();
    let started = Instant::now();
    seed(&pool, zones, records).await?;
    println!(
        "seeded {zones} zones of {records} records in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let settings = DnsSettings::development();
    let mut config = DnsServerSettings::config_from_lookup(|_| None, false)?;
    config.listen = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    config.rate_limit = 0;
    config.metrics_listen = None;
    let started = Instant::now();
    let running = dns_server::start(&config, settings.clone(), pool.clone()).await?;
    println!(
        "ksf dns: loaded {} zones in {:.2} s, answering on {}",
        running.catalog.len(),
        started.elapsed().as_secs_f64(),
        running.addr
    );

    // NSD serving the portal's own export of the same zones.
    let dir = tempfile::tempdir()?;
    let served: Vec<serving::ServedZone> = serving::all(&pool, &settings)
        .await?
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    for z in &served {
        let managed = zonefile::Managed {
            nameservers: &z.nameservers,
            serial: z.serial,
        };
        let text = zonefile::export(&z.name, &managed, &z.records);
        std::fs::write(dir.path().join(format!("{}.zone", z.name.as_str())), text)?;
    }
    let nsd_at = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    std::fs::write(
        dir.path().join("nsd.conf"),
        nsd_conf(dir.path(), nsd_at.port(), running.udp_sockets, &served),
    )?;
    let mut nsd = Command::new("nsd")
        .args(["-d", "-c"])
        .arg(dir.path().join("nsd.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let probe_name = Name::from_ascii(format!("{}.", served[0].name.as_str()))?;
    let started = Instant::now();
    wait_for(nsd_at, &probe_name).await?;
    println!(
        "nsd: loaded {} zones in {:.2} s, answering on {nsd_at} with server-count {} (ksf dns: {} UDP sockets)",
        served.len(),
        started.elapsed().as_secs_f64(),
        running.udp_sockets,
        running.udp_sockets
    );

    let file = dir.path().join("queries.txt");
    std::fs::write(&file, queries(zones, records))?;
    // Each server alone on the machine's second core while dnsperf has the
    // first; the same file, the same settings.
    let ours = dnsperf(running.addr, &file)?;
    let theirs = dnsperf(nsd_at, &file)?;
    let our_latency = latencies(running.addr, &file)?;
    let their_latency = latencies(nsd_at, &file)?;
    let _ = nsd.kill();
    let _ = nsd.wait();

    // A change committed to PostgreSQL, until ksf dns answers it.
    let mut delays = Vec::new();
    let name = Name::from_ascii("host1.zone1.bench.example.")?;
    for i in 0..20u32 {
        let address = format!("192.0.2.{}", i + 1);
        let committed = Instant::now();
        sqlx::query(
            "WITH r AS (UPDATE dns_records SET data = jsonb_build_object('type', 'A', 'address', $1::text)
                        WHERE name = 'host1' AND domain_id = (SELECT id FROM domains WHERE name = 'zone1.bench.example')
                        RETURNING domain_id)
             UPDATE domains SET serial = serial + 1 WHERE id IN (SELECT domain_id FROM r)",
        )
        .bind(&address)
        .execute(&pool)
        .await?;
        loop {
            let m = probe::ask(running.addr, &name, RecordType::A, false).await?;
            if m.answers.iter().any(|r| r.data.to_string() == address) {
                break;
            }
            if committed.elapsed() > Duration::from_secs(10) {
                return Err("a change was not answered within 10 s".into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        delays.push(committed.elapsed().as_secs_f64() * 1000.0);
    }
    delays.sort_by(f64::total_cmp);
    let running_sockets = running.udp_sockets;
    running.stop().await;
    db.close(false).await?;

    println!();
    println!(
        "dnsperf, {SECONDS} s each, 8 clients, 200 queries in flight, {} queries in the mix:",
        zones * 20
    );
    println!("  server     queries/s   avg latency   max latency   lost");
    for (who, f) in [("ksf dns", &ours), ("nsd", &theirs)] {
        println!(
            "  {who:<9} {:>10.0} {:>10.2} ms {:>10.2} ms   {}",
            f.qps, f.avg_ms, f.max_ms, f.lost
        );
    }
    for (who, f) in [("ksf dns", &ours), ("nsd", &theirs)] {
        println!("  {who:<9} answers: {}", f.codes);
    }
    println!(
        "  ksf dns / nsd throughput, {} UDP sockets each: {:.0} %",
        running_sockets,
        100.0 * ours.qps / theirs.qps.max(1.0)
    );
    println!();
    println!("latency at {LATENCY_RATE} queries/s for {LATENCY_SECONDS} s, every answer timed:");
    println!("  server          p50          p99   answers");
    for (who, (p50, p99, n)) in [("ksf dns", our_latency), ("nsd", their_latency)] {
        println!("  {who:<9} {p50:>8.3} ms {p99:>8.3} ms {n:>9}");
    }
    println!(
        "  ksf dns / nsd p99 latency: {:.0} % (lower is better)",
        100.0 * our_latency.1 / their_latency.1.max(1e-9)
    );
    println!(
        "change committed → answered: p50 {:.1} ms, max {:.1} ms (20 changes)",
        delays[delays.len() / 2],
        delays[delays.len() - 1]
    );
    Ok(())
}
