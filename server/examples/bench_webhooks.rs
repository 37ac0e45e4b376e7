//! Benchmark harness for Stripe's webhooks: prints figures, asserts nothing.
//!
//!   DATABASE_URL=postgres://… cargo run --release -p server --example bench_webhooks [EVENTS SENDERS]
//!
//! Starts the Stripe stand-in and the real server in this process on a
//! scratch database, makes one real purchase on the stand-in to get the
//! events Stripe sends for it (session completed, subscription created and
//! updated, invoice finalized and paid, card attached, customer updated),
//! then:
//! - accepted: EVENTS (default 20,000) copies of those events, each with
//!   its own id and a fresh signature, POSTed to /webhooks/stripe by
//!   SENDERS (default 64) concurrent senders: events per second and the
//!   latency percentiles of the endpoint (signature check + store);
//! - processed: the stored events applied by the worker (each refetches
//!   its object from the stand-in over HTTP, as it would from Stripe), with
//!   1 and with 4 workers side by side: events per second.

#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::{CurrentUser, Role};
use scratch::Scratch;
use server::{config::Config, startup::Application};
use services::billing::{stripe::Gateway, webhook_queue, BillingSettings};
use services::Actor;
use standin::{Card, Standin, StandinConfig};

const SECRET: &str = "whsec_bench";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let total: usize = match args.next() {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (100..=1_000_000).contains(n))
            .ok_or("EVENTS: 100 to 1,000,000")?,
        None => 20_000,
    };
    let senders: usize = match args.next() {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (1..=512).contains(n))
            .ok_or("SENDERS: 1 to 512")?,
        None => 64,
    };
    let db = Scratch::open("ksf_bench_webhooks", false).await?;

    // Stripe: the stand-in, sending no webhooks of its own (the senders here do).
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let stripe_url = format!("http://{}", listener.local_addr()?);
    let standin = Standin::start(StandinConfig {
        listen: listener.local_addr()?,
        public_url: stripe_url.clone(),
        webhook_url: None,
        webhook_secret: SECRET.into(),
        state_file: None,
    });
    let listener = tokio::net::TcpListener::from_std(listener)?;
    tokio::spawn(standin::serve(listener, standin.clone(), std::future::pending()));

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let vars = [
        ("DATABASE_URL", db.url.clone()),
        ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")),
        ("LEPTOS_HASH_FILES", "false".to_string()),
        ("LEPTOS_ENV", "DEV".to_string()),
        ("KSF_MAIL_WORKER", "false".to_string()),
        ("KSF_DB_MAX_CONNECTIONS", "20".to_string()),
        ("STRIPE_SECRET_KEY", "sk_test_bench".to_string()),
        ("STRIPE_API_BASE", stripe_url.clone()),
        ("STRIPE_WEBHOOK_SECRET", SECRET.to_string()),
    ];
    let config = Config::from_lookup(move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))?;
    let server_pool = server::startup::connection_pool(&config)?;
    let application = Application::build(&config, server_pool).await?;
    let base = format!("http://{}", application.local_addr()?);
    tokio::spawn(application.run_until(std::future::pending()));

    // One real purchase through the services and the stand-in.
    let pool = db.pool.clone();
    services::hosting::plans::seed_catalogue(&pool).await?;
    let billing = BillingSettings {
        stripe: Some(Gateway::new("sk_test_bench", Some(&stripe_url))?),
        webhook_secret: Some(SECRET.into()),
        grace_days: 14,
        ..BillingSettings::default()
    };
    services::billing::plans::sync(&pool, &billing).await?;
    let user: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, password_hash, email_verified_at) VALUES ('bench@example.com', 'Bench', 'x', now()) RETURNING id",
    )
    .fetch_one(&pool)
    .await?;
    let account: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, status)
         SELECT 'Bench Shop', id, 'bench.example.com', 'eu-west', 'pending' FROM plans WHERE code = 'pro' RETURNING id",
    )
    .fetch_one(&pool)
    .await?;
    sqlx::query("INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, 'owner')")
        .bind(account)
        .bind(user)
        .execute(&pool)
        .await?;
    let order: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO orders (account_id, user_id, plan_id, kind) SELECT $1, $2, plan_id, 'new_account' FROM hosting_accounts WHERE id = $1 RETURNING id",
    )
    .bind(account)
    .bind(user)
    .fetch_one(&pool)
    .await?;
    let deps = server::startup::deps(&config, pool.clone(), services::clock::Clock::system());
    let actor = Actor {
        user: CurrentUser {
            user_id: user,
            session_id: uuid::Uuid::nil(),
            email: "bench@example.com".into(),
            display_name: "Bench".into(),
            role: Role::Customer,
            authenticated_at: 0,
            two_factor: false,
        },
        client: Default::default(),
        now: time::OffsetDateTime::now_utc(),
    };
    services::billing::checkout::open_checkout(&deps, &billing, &actor, order.into()).await?;
    let session: String = sqlx::query_scalar("SELECT stripe_session_id FROM orders WHERE id = $1")
        .bind(order)
        .fetch_one(&pool)
        .await?;
    standin.change(|s| s.pay_session(&session, Card::Pays, "4242", 0))?;
    let templates: Vec<serde_json::Value> = standin.read(|s| s.events.clone());
    println!(
        "one purchase made {} events ({}); sending {total} copies from {senders} senders",
        templates.len(),
        templates
            .iter()
            .filter_map(|e| e["type"].as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let bytes: usize = templates.iter().map(|e| e.to_string().len()).sum::<usize>() / templates.len();
    println!("mean event size: {bytes} bytes");

    // Accepted: signature check + store, 64 senders at once.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(senders)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let templates = Arc::new(templates);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..senders {
        let (client, next, templates, url) = (
            client.clone(),
            next.clone(),
            templates.clone(),
            format!("{base}/webhooks/stripe"),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut refused = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let mut event = templates[i % templates.len()].clone();
                event["id"] = serde_json::json!(format!("evt_bench_{i:08}"));
                let payload = event.to_string();
                let signature = stripe_webhook::Webhook::generate_test_header(&payload, SECRET, None);
                let sent = Instant::now();
                let ok = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("stripe-signature", signature)
                    .body(payload)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                if !ok {
                    refused += 1;
                }
            }
            (latencies, refused)
        }));
    }
    let mut latencies = Vec::new();
    let mut refused = 0;
    for task in tasks {
        let (l, r) = task.await?;
        latencies.extend(l);
        refused += r;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM stripe_events")
        .fetch_one(&pool)
        .await?;
    println!(
        "accepted: {total} events in {elapsed:.2} s = {:.0} events/s ({stored} stored, {refused} refused); latency ms p50 {:.1}, p95 {:.1}, p99 {:.1}, max {:.1}",
        total as f64 / elapsed,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );

    // Processed: the worker applies them (refetching each object from the stand-in).
    let budget = Duration::from_secs(20);
    for workers in [1usize, 4] {
        sqlx::query("UPDATE stripe_events SET processed_at = NULL, attempts = 0, next_attempt_at = now()")
            .execute(&pool)
            .await?;
        let started = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..workers {
            let (pool, billing) = (pool.clone(), billing.clone());
            handles.push(tokio::spawn(async move {
                let mut n = 0usize;
                while started.elapsed() < budget
                    && webhook_queue::process_next(&pool, &billing, time::OffsetDateTime::now_utc())
                        .await
                        .unwrap_or(false)
                {
                    n += 1;
                }
                n
            }));
        }
        let mut done = 0;
        for h in handles {
            done += h.await?;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let failed: i64 =
            sqlx::query_scalar("SELECT count(*) FROM stripe_events WHERE last_error IS NOT NULL")
                .fetch_one(&pool)
                .await?;
        println!(
            "processed with {workers} worker(s): {done} events in {elapsed:.2} s = {:.0} events/s ({failed} failed)",
            done as f64 / elapsed
        );
    }
    let status: String = sqlx::query_scalar("SELECT status FROM hosting_accounts WHERE id = $1")
        .bind(account)
        .fetch_one(&pool)
        .await?;
    println!("the account is {status}");
    db.close(false).await?;
    Ok(())
}
