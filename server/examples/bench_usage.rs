//! Benchmark harness for usage ingestion: prints figures, asserts nothing.
//!
//!   DATABASE_URL=postgres://… cargo run --release -p server --example bench_usage [SAMPLES]
//!
//! Starts the real server on a scratch database (created and dropped here),
//! makes a node token and 100 hosting accounts, then sends SAMPLES (default
//! 1,000,000) hourly usage samples through `POST /api/usage` in batches of
//! 5,000 over 4 connections, and reports the time and the table's size.

// Shared by the benchmarks; not each reads every field.
#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;

use std::time::Instant;

use scratch::Scratch;
use server::{config::Config, startup::Application};
use time::{format_description::well_known::Rfc3339, macros::datetime, Duration};
use uuid::Uuid;

const ACCOUNTS: usize = 100;
const BATCH: usize = services::hosting::usage::MAX_BATCH;
const CONNECTIONS: usize = 4;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let total: usize = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|_| "SAMPLES must be a number")?,
        None => 1_000_000,
    };
    let db = Scratch::open("ksf_bench_usage", false).await?;
    let (pool, scratch_url) = (db.pool.clone(), db.url.clone());
    services::hosting::plans::seed_catalogue(&pool).await?;

    // Setup (not measured): accounts and a node token.
    let plan: Uuid = sqlx::query_scalar("SELECT id FROM plans WHERE code = 'pro'")
        .fetch_one(&pool)
        .await?;
    let mut accounts = Vec::with_capacity(ACCOUNTS);
    for i in 0..ACCOUNTS {
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region) VALUES ($1, $2, $3, 'eu-central') RETURNING id",
        )
        .bind(format!("Bench {i}"))
        .bind(plan)
        .bind(format!("site{i}.example.com"))
        .fetch_one(&pool)
        .await?;
        accounts.push(id);
    }
    let region = domain::hosting::Region::parse("eu-central").ok_or("no such region")?;
    let token = services::hosting::node_tokens::create_unchecked(&pool, None, "bench-node", region).await?;

    let vars = [
        ("DATABASE_URL", scratch_url.clone()),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_string()),
        ("LEPTOS_HASH_FILES", "false".to_string()),
        ("KSF_MAIL_WORKER", "false".to_string()),
    ];
    let config = Config::from_lookup(move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))?;
    let server_pool = server::startup::connection_pool(&config)?;
    let app = Application::build(&config, server_pool).await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until(std::future::pending()));

    // The request bodies, built before the clock starts.
    let per_account = total.div_ceil(ACCOUNTS);
    let start = datetime!(2025-01-01 00:00 UTC);
    let mut rows = Vec::with_capacity(total);
    'outer: for hour in 0..per_account {
        for account in &accounts {
            if rows.len() == total {
                break 'outer;
            }
            let at = (start + Duration::hours(hour as i64)).format(&Rfc3339)?;
            rows.push(serde_json::json!({
                "account_id": account,
                "time": at,
                "storage_bytes": 5_000_000_000i64 + hour as i64 * 1_000,
                "bandwidth_bytes": 40_000_000 + (hour % 24) as i64 * 1_000_000,
            }));
        }
    }
    let bodies: Vec<Vec<u8>> = rows
        .chunks(BATCH)
        .map(|chunk| serde_json::to_vec(&serde_json::json!({ "samples": chunk })))
        .collect::<Result<_, _>>()?;
    drop(rows);
    let body_bytes: usize = bodies.iter().map(Vec::len).sum();

    let client = reqwest::Client::new();
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(bodies.into_iter().enumerate()));
    let began = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONNECTIONS {
        let (client, queue, base, token) = (client.clone(), queue.clone(), base.clone(), token.clone());
        workers.push(tokio::spawn(async move {
            let mut stored = 0u64;
            loop {
                let next = queue.lock().await.next();
                let Some((i, body)) = next else { break };
                let res = client
                    .post(format!("{base}/api/usage"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !res.status().is_success() {
                    return Err(format!("batch {i}: HTTP {}", res.status()));
                }
                let report: serde_json::Value = res.json().await.map_err(|e| e.to_string())?;
                stored += report["stored"].as_u64().unwrap_or(0);
            }
            Ok::<u64, String>(stored)
        }));
    }
    let mut stored = 0;
    for w in workers {
        stored += w.await??;
    }
    let elapsed = began.elapsed();

    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM usage_samples")
        .fetch_one(&pool)
        .await?;
    let (table, indexes, total_size): (i64, i64, i64) = sqlx::query_as(
        "SELECT pg_table_size('usage_samples'), pg_indexes_size('usage_samples'), pg_total_relation_size('usage_samples')",
    )
    .fetch_one(&pool)
    .await?;
    let mb = |b: i64| b as f64 / 1_048_576.0;
    println!(
        "ingested {stored} samples ({count} rows in usage_samples) in {:.2} s = {:.0} samples/s \
         ({} batches of up to {BATCH}, {CONNECTIONS} connections, {:.1} MB of JSON)",
        elapsed.as_secs_f64(),
        stored as f64 / elapsed.as_secs_f64(),
        total.div_ceil(BATCH),
        body_bytes as f64 / 1_048_576.0
    );
    println!(
        "usage_samples on disk: {:.1} MB total = {:.1} MB table + {:.1} MB primary-key index ({:.0} bytes per sample)",
        mb(total_size),
        mb(table),
        mb(indexes),
        total_size as f64 / count.max(1) as f64
    );

    db.close(false).await?;
    Ok(())
}
