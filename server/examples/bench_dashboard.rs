//! Benchmark harness for the dashboards: prints figures, asserts nothing.
//!
//!   DATABASE_URL=postgres://… cargo run --release -p server --example bench_dashboard [CUSTOMERS ACCOUNTS]
//!
//! Seeds a scratch database (created and dropped here) with CUSTOMERS
//! customers (default 5,000) and ACCOUNTS hosting accounts (default 20,000;
//! one customer has 10 of them), daily usage rollups for 90 days and hourly
//! rollups and raw samples for the last 7 days, then starts the real server
//! and loads it with `wrk` (64 connections, 2 threads, `Accept-Encoding: br,
//! gzip` as a browser sends): the customer dashboard, the staff platform
//! dashboard, and a static page of the same size served from memory (and
//! compressed) by an axum server in this same process. Nothing is cached:
//! every dashboard request is a render with all its queries. Meanwhile a
//! hosting node reports usage through the real API at 10,000 samples/s
//! (`KSF_BENCH_INGEST`, 0 for none). Prints requests/s, p50/p99 latency,
//! the ratios, the ingestion rate reached, per big table the sequential and
//! index scans the dashboards caused, and then each dashboard's statements
//! with the plan PostgreSQL chose for each at this data size (auto_explain:
//! how every table is read, and any sequential scan of a big table named).
//!
//! Why not 43 M raw samples: the dashboards never read raw samples (they
//! read the rollups) nor hourly rows older than the 7-day chart, and writing
//! 43 M rows twice (samples and hourly rollups, ~9 GB with indexes) takes
//! this 2-core machine longer than the rest of the run. The rows the
//! dashboards do read are all there, at full size.

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/dashboard_seed.rs"]
mod dashboard_seed;
#[path = "support/plans.rs"]
mod plans;
// Shared by the benchmarks; not each reads every field.
#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;
#[allow(dead_code)]
#[path = "support/serve.rs"]
mod serve;

use std::process::Command;
use std::time::Instant;

use scratch::Scratch;
use server::{config::Config, startup::Application};
use sqlx::PgPool;
use uuid::Uuid;

const PASSWORD: &str = "bench passphrase 1";
const CONNECTIONS: usize = 64;
const SECONDS: usize = 15;
/// The tables big enough that a sequential scan of one is a defect.
const BIG_TABLES: &[&str] = &[
    "usage_samples",
    "usage_hourly",
    "usage_daily",
    "usage_monthly",
    "usage_windows",
    "hosting_accounts",
    "hosting_members",
    "users",
    "activity_log",
    "events",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let number = |a: Option<String>, default: i64| -> Result<i64, String> {
        match a {
            Some(n) => n
                .parse::<i64>()
                .ok()
                .filter(|n| (20..=1_000_000).contains(n))
                .ok_or_else(|| format!("{n}: expected a number from 20 to 1,000,000")),
            None => Ok(default),
        }
    };
    let customers = number(args.next(), 5_000)?;
    let accounts = number(args.next(), 20_000)?.max(customers + 10);
    which("wrk").ok_or("wrk is not installed (apt-get install wrk)")?;

    // KSF_BENCH_KEEP=1 keeps the seeded database afterwards (to EXPLAIN a
    // query), and a later run with it set measures that database again.
    let keep = std::env::var("KSF_BENCH_KEEP").is_ok_and(|v| v == "1");
    let db = Scratch::open("ksf_bench_dashboard", keep).await?;
    let (pool, scratch_url, reuse) = (db.pool.clone(), db.url.clone(), db.reused);

    let began = Instant::now();
    if !reuse {
        services::hosting::plans::seed_catalogue(&pool).await?;
        dashboard_seed::seed(&pool, customers, accounts, PASSWORD).await?;
    }
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM usage_daily), (SELECT count(*) FROM usage_hourly),
                (SELECT count(*) FROM usage_samples), (SELECT count(*) FROM hosting_accounts)",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "{} {customers} customers, {} hosting accounts, {} daily + {} hourly rollup rows, {} raw samples in {:.0} s",
        if reuse { "reused (not seeded)" } else { "seeded" },
        counts.3,
        counts.0,
        counts.1,
        counts.2,
        began.elapsed().as_secs_f64()
    );

    // A known port: forms are checked against the site's own origin.
    let plans = plans::Plans::install();
    let base = start_server(&scratch_url).await?;

    // Without redirects: signing in answers 303 with the session's cookie.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let customer = serve::sign_in(&client, &base, "bench-customer@example.com", PASSWORD).await?;
    let staff = serve::sign_in(&client, &base, "bench-staff@example.com", PASSWORD).await?;

    // The static page: the customer dashboard's own bytes, from memory.
    let page = reqwest::Client::new()
        .get(format!("{base}/"))
        .header("cookie", &customer)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    if !String::from_utf8_lossy(&page).contains("data-tile=\"storage\"") {
        return Err("the customer dashboard did not render its tiles".into());
    }
    let static_page = page.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let static_base = format!("http://{}", listener.local_addr()?);
    let router = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || {
                let body = static_page.clone();
                async move { ([(http::header::CONTENT_TYPE, "text/html; charset=utf-8")], body) }
            }),
        )
        .layer(tower_http::compression::CompressionLayer::new());
    tokio::spawn(async move { axum::serve(listener, router).await });

    println!(
        "wrk: {CONNECTIONS} connections, 2 threads, {SECONDS} s each, Accept-Encoding: br, gzip; page size {:.1} KB",
        page.len() as f64 / 1024.0
    );
    let rate: u64 = match std::env::var("KSF_BENCH_INGEST") {
        Ok(v) => v
            .parse()
            .ok()
            .filter(|r| *r <= 1_000_000)
            .ok_or("KSF_BENCH_INGEST: samples per second, at most 1,000,000")?,
        Err(_) => 10_000,
    };
    let ingest = Ingest::start(&pool, &base, rate).await?;
    let runs = [
        (
            "customer dashboard (10 accounts)",
            format!("{base}/"),
            Some(customer.clone()),
        ),
        (
            "staff platform dashboard",
            format!("{base}/"),
            Some(staff.clone()),
        ),
        ("static page from memory", format!("{static_base}/"), None),
    ];
    let mut results = Vec::new();
    for (name, url, cookie) in runs {
        let before = scans(&pool).await?;
        let cpu = cpu::Cpu::now();
        let r = tokio::task::spawn_blocking(move || wrk(&url, cookie.as_deref())).await??;
        println!(
            "{name:34} {:>8.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   non-2xx {}",
            r.rps, r.p50_ms, r.p99_ms, r.errors
        );
        println!(
            "    {} (2 cores × {SECONDS} s = {} s)",
            cpu::Cpu::now().since(cpu),
            2 * SECONDS
        );
        // Statistics reach the views within a second of each statement.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let after = scans(&pool).await?;
        for ((table, seq, rows, idx), (_, seq0, rows0, idx0)) in after.iter().zip(&before) {
            if seq > seq0 || idx > idx0 {
                println!(
                    "    {table:18} sequential scans {:>6} ({:>10} rows read)   index scans {:>8}",
                    seq - seq0,
                    rows - rows0,
                    idx - idx0
                );
            }
        }
        results.push(r);
    }
    let (stored, seconds, failed) = ingest.stop().await;
    println!(
        "usage ingestion meanwhile: {stored} samples in {seconds:.0} s = {:.0} samples/s (asked for {rate}/s), failed requests {failed}",
        stored as f64 / seconds.max(0.001)
    );
    println!(
        "customer dashboard at {:.1} % of the static page's throughput; staff at {:.1} %",
        100.0 * results[0].rps / results[2].rps,
        100.0 * results[1].rps / results[2].rps,
    );

    // Every statement each dashboard runs, and how it reads its tables.
    let explaining = start_server(&plans::Plans::explaining(&scratch_url)).await?;
    for (name, cookie) in [
        ("customer dashboard", &customer),
        ("staff platform dashboard", &staff),
    ] {
        let found = plans.of(&format!("{explaining}/"), cookie, BIG_TABLES).await?;
        if found.is_empty() {
            println!("{name}: no query plans (auto_explain needs a superuser connection)");
            continue;
        }
        let sequential: Vec<&str> = found
            .iter()
            .flat_map(|p| p.sequential.iter().map(String::as_str))
            .collect();
        println!(
            "{name}: {} statements, sequential scans of big tables: {}",
            found.len(),
            if sequential.is_empty() {
                "none".to_string()
            } else {
                sequential.join(", ")
            }
        );
        let total: f64 = found.iter().map(|p| p.ms).sum();
        println!("    {total:.2} ms in PostgreSQL for one render, statement by statement:");
        for plan in &found {
            let query: String = plan.query.chars().take(90).collect();
            println!("    {:>7.3} ms  {query}", plan.ms);
            println!(
                "        {}",
                if plan.reads.is_empty() {
                    "(no table)".to_string()
                } else {
                    plan.reads.join("; ")
                }
            );
        }
    }

    db.close(keep).await?;
    Ok(())
}

/// The real server on `url`, listening on a free port; its base URL.
async fn start_server(url: &str) -> Result<String, Box<dyn std::error::Error>> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let vars = [
        ("DATABASE_URL", url.to_string()),
        ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")),
        ("LEPTOS_HASH_FILES", "false".to_string()),
        ("LEPTOS_ENV", "DEV".to_string()),
        ("KSF_MAIL_WORKER", "false".to_string()),
        ("KSF_AUTH_BURST_PER_IP", "1000".to_string()),
    ];
    let config = Config::from_lookup(move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))?;
    let server_pool = server::startup::connection_pool(&config)?;
    let application = Application::build(&config, server_pool).await?;
    let base = format!("http://{}", application.local_addr()?);
    tokio::spawn(application.run_until(std::future::pending()));
    Ok(base)
}

struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

/// Per big table: (name, sequential scans, rows they read, index scans).
async fn scans(pool: &PgPool) -> Result<Vec<(String, i64, i64, i64)>, sqlx::Error> {
    let tables: Vec<String> = BIG_TABLES.iter().map(|t| t.to_string()).collect();
    sqlx::query_as(
        "SELECT relname::text, seq_scan, seq_tup_read, coalesce(idx_scan, 0) FROM pg_stat_user_tables
         WHERE relname = ANY($1) ORDER BY relname",
    )
    .bind(&tables)
    .fetch_all(pool)
    .await
}

/// A hosting node reporting usage through the real API at a steady rate,
/// for random open accounts, stamped now.
struct Ingest {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<(u64, f64, u64)>,
}

impl Ingest {
    async fn start(pool: &PgPool, base: &str, rate: u64) -> Result<Ingest, Box<dyn std::error::Error>> {
        let accounts: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM hosting_accounts WHERE status <> 'cancelled'")
                .fetch_all(pool)
                .await?;
        let region = domain::hosting::Region::parse("eu-central").ok_or("no such region")?;
        let token =
            services::hosting::node_tokens::create_unchecked(pool, None, "bench-node", region).await?;
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let base = base.to_string();
        let task = tokio::spawn(async move {
            let client = reqwest::Client::new();
            let began = Instant::now();
            let (mut sent, mut stored, mut failed) = (0u64, 0u64, 0u64);
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
            let mut next = 0usize;
            while rate > 0 && !*stopped.borrow() {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => break,
                }
                // Catch up to the rate: whatever is due since the start.
                let due = (began.elapsed().as_secs_f64() * rate as f64) as u64;
                while sent < due {
                    let n = ((due - sent) as usize).min(services::hosting::usage::MAX_BATCH);
                    let now = time::OffsetDateTime::now_utc()
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default();
                    let samples: Vec<serde_json::Value> = (0..n)
                        .map(|i| {
                            let account = accounts[(next + i) % accounts.len()];
                            serde_json::json!({
                                "account_id": account,
                                "time": now,
                                "storage_bytes": 5_000_000_000i64,
                                "bandwidth_bytes": 1_000_000,
                            })
                        })
                        .collect();
                    next = (next + n) % accounts.len().max(1);
                    sent += n as u64;
                    let res = client
                        .post(format!("{base}/api/usage"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({ "samples": samples }))
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().is_success() => {
                            let report: serde_json::Value = r.json().await.unwrap_or_default();
                            stored += report["stored"].as_u64().unwrap_or(0);
                        }
                        _ => failed += 1,
                    }
                }
            }
            (stored, began.elapsed().as_secs_f64(), failed)
        });
        Ok(Ingest { stop, task })
    }

    /// Stops reporting; what was stored, over how many seconds, and how
    /// many requests failed.
    async fn stop(self) -> (u64, f64, u64) {
        let _ = self.stop.send(true);
        self.task.await.unwrap_or((0, 0.0, 0))
    }
}

/// Runs wrk and reads its summary.
fn wrk(url: &str, cookie: Option<&str>) -> Result<Figures, String> {
    let mut command = Command::new("wrk");
    command.args([
        "-t2",
        &format!("-c{CONNECTIONS}"),
        &format!("-d{SECONDS}s"),
        "--latency",
        "--timeout",
        "10s",
        "-H",
        "Accept-Encoding: br, gzip",
    ]);
    if let Some(cookie) = cookie {
        command.args(["-H", &format!("Cookie: {cookie}")]);
    }
    let out = command.arg(url).output().map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |prefix: &str| -> Option<String> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(str::to_string)
    };
    let ms = |v: String| -> Option<f64> {
        let (n, scale) = if let Some(n) = v.strip_suffix("ms") {
            (n, 1.0)
        } else if let Some(n) = v.strip_suffix("us") {
            (n, 0.001)
        } else if let Some(n) = v.strip_suffix('s') {
            (n, 1000.0)
        } else {
            (v.as_str(), 1.0)
        };
        n.parse::<f64>().ok().map(|n| n * scale)
    };
    let errors = text
        .lines()
        .find(|l| l.contains("Non-2xx"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    Ok(Figures {
        rps: field("Requests/sec:")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("wrk printed no rate:\n{text}"))?,
        p50_ms: field("50%").and_then(ms).ok_or("no p50")?,
        p99_ms: field("99%").and_then(ms).ok_or("no p99")?,
        errors,
    })
}

fn which(program: &str) -> Option<()> {
    Command::new(program).arg("--version").output().ok().map(|_| ())
}
