//! Benchmark harness for the accounts area: prints figures, asserts nothing.
//!
//!   DATABASE_URL=postgres://… cargo run -p server --example bench_accounts
//!
//! Measures Argon2id hashing (one at a time, and a burst of sign-ins through
//! the concurrency cap) and how many emails per second the outbox worker
//! delivers to a local HTTP sink standing in for Resend. Uses a scratch
//! database that it creates and drops.

// Shared by the benchmarks; not each reads every field.
#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use axum::{http::HeaderMap, routing::post, Json, Router};
use domain::Password;
use scratch::Scratch;
use services::{
    mail::{self, templates, worker::Mailer, worker::MailerSettings},
    passwords,
};
use sqlx::PgPool;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Scratch::open("ksf_bench_accounts", false).await?;
    let pool = db.pool.clone();

    hashing().await?;
    // resend-rs paces requests itself (a burst of 9, then about one per 1.1 s)
    // unless RESEND_RATE_LIMIT raises it; measure both.
    outbox(&pool, "resend-rs default client limiter", None, 30).await?;
    outbox(&pool, "client limiter raised to 10000/s", Some("10000"), 1000).await?;

    db.close(false).await?;
    Ok(())
}

async fn hashing() -> Result<(), Box<dyn std::error::Error>> {
    let password = Password::parse("a long enough secret")?;
    let hash = passwords::hash_password(&password, passwords::HashCost::OWASP).await?;
    let n = 20;
    let started = Instant::now();
    for _ in 0..n {
        passwords::verify_password("a long enough secret".into(), hash.clone()).await?;
    }
    let each = started.elapsed() / n;
    println!(
        "argon2id (m=19456 KiB, t=2, p=1): {:.1} ms per sign-in check, one at a time",
        each.as_secs_f64() * 1000.0
    );

    let burst = 32;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..burst {
        let hash = hash.clone();
        tasks.push(tokio::spawn(async move {
            passwords::verify_password("a long enough secret".into(), hash).await
        }));
    }
    for t in tasks {
        t.await??;
    }
    let elapsed = started.elapsed();
    println!(
        "burst of {burst} sign-ins: {:.2} s, {:.1} checks/s, at most {} hashing at once",
        elapsed.as_secs_f64(),
        burst as f64 / elapsed.as_secs_f64(),
        passwords::max_concurrent_hashes()
    );
    Ok(())
}

async fn outbox(
    pool: &PgPool,
    label: &str,
    rate: Option<&str>,
    n: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    // resend-rs reads its client-side limiter from the environment when the client is built.
    match rate {
        Some(r) => std::env::set_var("RESEND_RATE_LIMIT", r),
        None => std::env::remove_var("RESEND_RATE_LIMIT"),
    }
    let delivered = Arc::new(AtomicUsize::new(0));
    let counter = delivered.clone();
    let sink = Router::new().route(
        "/emails/batch",
        post(move |headers: HeaderMap| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                let key = headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                Json(serde_json::json!({ "data": [{ "id": key }] }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, sink).await });

    sqlx::query("DELETE FROM email_outbox").execute(pool).await?;
    let message = templates::welcome("Bench", "http://127.0.0.1/");
    let mut tx = pool.begin().await?;
    for i in 0..n {
        mail::enqueue(&mut tx, &format!("bench{i}@example.com"), &message).await?;
    }
    tx.commit().await?;

    let settings = MailerSettings {
        resend_api_key: Some("re_bench".into()),
        resend_base_url: Some(base),
        poll_interval: Duration::from_millis(10),
        batch_size: 50,
        ..MailerSettings::default()
    };
    let mailer = Mailer::new(pool.clone(), settings)?;
    let started = Instant::now();
    while delivered.load(Ordering::Relaxed) < n && started.elapsed() < Duration::from_secs(120) {
        mailer.tick().await?;
    }
    let elapsed = started.elapsed();
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE status = 'sent'")
        .fetch_one(pool)
        .await?;
    println!(
        "outbox → local sink ({label}): {sent} of {n} emails in {:.2} s = {:.1} emails/s (one worker)",
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64()
    );
    server.abort();
    Ok(())
}
