//! Benchmark harness for Stripe's webhooks: prints figures, asserts nothing.
//!
//!   DATABASE_URL=postgres://… cargo run --release -p server --example bench_webhooks [EVENTS SENDERS SUBSCRIPTIONS]
//!
//! A month's end: SUBSCRIPTIONS (default 10,000) paying customers renew at
//! once. Starts the Stripe stand-in and the real server in this process on
//! a scratch database and makes one real purchase on the stand-in; its
//! subscription and invoice are copied to SUBSCRIPTIONS subscriptions (each
//! its own hosting account, in the database and at the stand-in). Then:
//! - accepted: EVENTS (default 30,000) renewal events (subscription updated,
//!   invoice finalized, invoice paid: Stripe's own events of the purchase
//!   with the copies' ids), each with its own id and a fresh signature,
//!   POSTed to /webhooks/stripe by SENDERS (default 64) concurrent senders:
//!   events per second and the endpoint's latency (signature check + store);
//! - processed: the stored events applied by the worker a server runs
//!   (`webhook_queue::run`, each event refetching its object from the
//!   stand-in over HTTP as it would from Stripe), with 1 and with
//!   `KSF_BILLING_WORKERS` (default 8) events at once: events per second,
//!   and how long the oldest event waited before the backlog was empty.

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
        None => 30_000,
    };
    let senders: usize = match args.next() {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (1..=512).contains(n))
            .ok_or("SENDERS: 1 to 512")?,
        None => 64,
    };
    let subscriptions: usize = match args.next() {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or("SUBSCRIPTIONS: 1 to 100,000")?,
        None => 10_000,
    };
    let workers: usize = match std::env::var("KSF_BILLING_WORKERS") {
        Ok(n) => n
            .parse()
            .ok()
            .filter(|n| (1..=256).contains(n))
            .ok_or("KSF_BILLING_WORKERS: 1 to 256")?,
        Err(_) => 8,
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
        ("KSF_DB_MAX_CONNECTIONS", "40".to_string()),
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
            staff_role: None,
            viewed_by: None,
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
    let renewals = [
        "customer.subscription.updated",
        "invoice.finalized",
        "invoice.paid",
    ];
    let templates: Vec<serde_json::Value> = standin.read(|s| {
        renewals
            .iter()
            .filter_map(|kind| s.events.iter().find(|e| e["type"] == *kind).cloned())
            .collect()
    });
    if templates.len() != renewals.len() {
        return Err(format!(
            "the purchase made {} of the {} renewal events",
            templates.len(),
            renewals.len()
        )
        .into());
    }
    copy_subscriptions(&pool, &standin, account, subscriptions).await?;
    println!(
        "{subscriptions} subscriptions renew at once: {total} events ({}) from {senders} senders",
        renewals.join(", ")
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
                let k = (i / templates.len()) % subscriptions;
                let object = &mut event["data"]["object"];
                if object["object"] == "invoice" {
                    object["id"] = serde_json::json!(invoice_id(k));
                    object["parent"]["subscription_details"]["subscription"] =
                        serde_json::json!(subscription_id(k));
                } else {
                    object["id"] = serde_json::json!(subscription_id(k));
                }
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

    // Processed: the worker a server runs applies them (refetching each
    // object from the stand-in). One at a time for 20 s, then as many at
    // once as a server runs until the backlog is empty.
    for (at_once, budget) in [
        (1usize, Duration::from_secs(20)),
        (workers, Duration::from_secs(600)),
    ] {
        sqlx::query("UPDATE stripe_events SET processed_at = NULL, attempts = 0, last_error = NULL, next_attempt_at = now()")
            .execute(&pool)
            .await?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let started = Instant::now();
        let worker = tokio::spawn(webhook_queue::run(
            pool.clone(),
            billing.clone(),
            services::clock::Clock::system(),
            at_once,
            stopped,
        ));
        let mut left = total as i64;
        while left > 0 && started.elapsed() < budget {
            tokio::time::sleep(Duration::from_millis(100)).await;
            left = sqlx::query_scalar("SELECT count(*) FROM stripe_events WHERE processed_at IS NULL")
                .fetch_one(&pool)
                .await?;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let _ = stop.send(true);
        worker.abort();
        let failed: i64 =
            sqlx::query_scalar("SELECT count(*) FROM stripe_events WHERE last_error IS NOT NULL")
                .fetch_one(&pool)
                .await?;
        let done = total as i64 - left;
        println!(
            "processed, {at_once} at once: {done} events in {elapsed:.1} s = {:.0} events/s ({failed} failed){}",
            done as f64 / elapsed,
            if left == 0 {
                format!("; backlog empty after {elapsed:.1} s: the oldest event waited that long")
            } else {
                format!("; {left} still waiting when stopped")
            }
        );
    }
    let renewed: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT stripe_subscription_id) FROM invoices WHERE status = 'paid' AND stripe_invoice_id LIKE 'in_bench_%'",
    )
    .fetch_one(&pool)
    .await?;
    println!("{renewed} of {subscriptions} subscriptions have their renewal invoice recorded as paid");
    db.close(false).await?;
    Ok(())
}

fn subscription_id(k: usize) -> String {
    format!("sub_bench_{k:06}")
}

fn invoice_id(k: usize) -> String {
    format!("in_bench_{k:06}")
}

/// `n` paying customers: a hosting account and its subscription each, in
/// the database (as if bought long ago) and at the stand-in (copies of the
/// purchase's subscription and invoice with their own ids and account).
async fn copy_subscriptions(
    pool: &sqlx::PgPool,
    standin: &Standin,
    bought: uuid::Uuid,
    n: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let accounts: Vec<uuid::Uuid> = sqlx::query_scalar(
        "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, status)
         SELECT 'Renewal ' || lpad(k::text, 6, '0'), a.plan_id, 'renewal' || k || '.example.com', a.region, 'active'
         FROM hosting_accounts a, generate_series(0, $2 - 1) k WHERE a.id = $1
         ORDER BY k RETURNING id",
    )
    .bind(bought)
    .bind(n as i64)
    .fetch_all(pool)
    .await?;
    let (subscription, invoice) = standin.read(|s| {
        (
            s.subscriptions.values().next().cloned(),
            s.invoices
                .values()
                .find(|i| i["parent"]["subscription_details"]["subscription"].is_string())
                .cloned(),
        )
    });
    let (subscription, invoice) = subscription
        .zip(invoice)
        .ok_or("the purchase left no subscription and invoice at the stand-in")?;
    standin.change(|s| {
        for (k, account) in accounts.iter().enumerate() {
            let mut sub = subscription.clone();
            sub["id"] = serde_json::json!(subscription_id(k));
            sub["metadata"]["account_id"] = serde_json::json!(account.to_string());
            s.subscriptions.insert(subscription_id(k), sub);
            let mut inv = invoice.clone();
            inv["id"] = serde_json::json!(invoice_id(k));
            let details = &mut inv["parent"]["subscription_details"];
            details["subscription"] = serde_json::json!(subscription_id(k));
            details["metadata"]["account_id"] = serde_json::json!(account.to_string());
            s.invoices.insert(invoice_id(k), inv);
        }
    });
    let ids: Vec<String> = (0..n).map(subscription_id).collect();
    sqlx::query(
        "INSERT INTO subscriptions (stripe_subscription_id, account_id, stripe_customer_id, status, stripe_price_id,
                                    plan_id, amount_minor, currency, applied_at, applied_event)
         SELECT s.id, s.account, $3, 'active', p.stripe_price_id, p.id, p.price_minor, p.currency,
                now() - interval '30 days', 'evt_seeded'
         FROM unnest($1::text[], $2::uuid[]) AS s(id, account)
         JOIN hosting_accounts a ON a.id = s.account JOIN plans p ON p.id = a.plan_id",
    )
    .bind(&ids)
    .bind(&accounts)
    .bind(subscription["customer"].as_str().unwrap_or("cus_bench"))
    .execute(pool)
    .await?;
    Ok(())
}
