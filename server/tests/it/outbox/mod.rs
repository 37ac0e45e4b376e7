//! The email outbox against a local HTTP sink standing in for Resend, and
//! what Resend's webhooks then report (`delivery`).

mod delivery;
pub(crate) mod sink;

use std::time::Duration;

use services::mail::{
    self, templates,
    worker::{Mailer, MailerSettings},
};
use sqlx::PgPool;

use sink::{start_sink, Answer};

fn settings(base_url: &str) -> MailerSettings {
    MailerSettings {
        resend_api_key: Some("re_test_key".into()),
        resend_base_url: Some(base_url.into()),
        retry_base: Duration::from_millis(20),
        lease: Duration::from_secs(60),
        max_attempts: 5,
        ..MailerSettings::default()
    }
}

/// Queues `n` welcome emails to user0@…, user1@…; their ids in order.
pub(crate) async fn queue(pool: &PgPool, n: usize) -> Vec<uuid::Uuid> {
    let mut ids = Vec::new();
    for i in 0..n {
        let mut conn = pool.acquire().await.unwrap();
        let message = templates::welcome(&format!("User {i}"), "http://127.0.0.1/");
        ids.push(
            mail::enqueue(&mut conn, &format!("user{i}@example.com"), &message)
                .await
                .unwrap(),
        );
    }
    ids
}

async fn row(pool: &PgPool, id: uuid::Uuid) -> (String, i32, Option<String>) {
    sqlx::query_as("SELECT status, attempts, last_error FROM email_outbox WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Runs the worker until nothing is pending or `limit` passes.
async fn drain(mailer: &Mailer, pool: &PgPool, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        mailer.tick().await.unwrap();
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE status = 'pending'")
            .fetch_one(pool)
            .await
            .unwrap();
        if pending == 0 || tokio::time::Instant::now() > deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_server_error_is_retried_and_the_email_is_delivered_once(pool: PgPool) {
    let (sink, url) = start_sink(vec![Answer::ServerError]).await;
    let id = queue(&pool, 1).await[0];
    let mailer = Mailer::new(pool.clone(), settings(&url)).unwrap();

    mailer.tick().await.unwrap();
    let (status, attempts, error) = row(&pool, id).await;
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.unwrap().contains("500"));

    drain(&mailer, &pool, Duration::from_secs(10)).await;
    assert_eq!(row(&pool, id).await.0, "sent");
    assert_eq!(sink.delivered().get(&id.to_string()), Some(&1));
    assert_eq!(sink.requests(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rate_limit_waits_for_the_reset_then_delivers_once(pool: PgPool) {
    let (sink, url) = start_sink(vec![Answer::TooManyRequests { reset_secs: 1 }]).await;
    let id = queue(&pool, 1).await[0];
    let mailer = Mailer::new(pool.clone(), settings(&url)).unwrap();

    let started = std::time::Instant::now();
    mailer.tick().await.unwrap();
    let wait: f64 = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM next_attempt_at - now())::float8 FROM email_outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(wait > 0.5, "the next attempt waits for the reset ({wait}s)");
    mailer.tick().await.unwrap();
    assert_eq!(sink.requests(), 1, "nothing is sent before the reset");

    drain(&mailer, &pool, Duration::from_secs(10)).await;
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(row(&pool, id).await.0, "sent");
    assert_eq!(sink.delivered().get(&id.to_string()), Some(&1));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refused_email_is_marked_failed_and_not_retried(pool: PgPool) {
    let (sink, url) = start_sink(vec![Answer::BadRequest]).await;
    let id = queue(&pool, 1).await[0];
    let mailer = Mailer::new(pool.clone(), settings(&url)).unwrap();
    drain(&mailer, &pool, Duration::from_secs(5)).await;
    let (status, attempts, error) = row(&pool, id).await;
    assert_eq!((status.as_str(), attempts), ("failed", 1));
    assert!(error.unwrap().contains("invalid to address"));
    mailer.tick().await.unwrap();
    assert_eq!(sink.requests(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn retries_stop_after_the_last_attempt(pool: PgPool) {
    let (sink, url) = start_sink(vec![Answer::ServerError; 10]).await;
    let id = queue(&pool, 1).await[0];
    let mailer = Mailer::new(
        pool.clone(),
        MailerSettings {
            max_attempts: 3,
            ..settings(&url)
        },
    )
    .unwrap();
    drain(&mailer, &pool, Duration::from_secs(10)).await;
    let (status, attempts, error) = row(&pool, id).await;
    assert_eq!((status.as_str(), attempts), ("failed", 3));
    assert!(error.unwrap().contains("500"), "the last error is kept");
    assert_eq!(sink.requests(), 3);
}

#[sqlx::test(migrations = "../migrations")]
async fn two_workers_on_one_queue_deliver_each_email_exactly_once(pool: PgPool) {
    let (sink, url) = start_sink(vec![]).await;
    let ids = queue(&pool, 40).await;
    let small_batches = MailerSettings {
        batch_size: 3,
        ..settings(&url)
    };
    let a = Mailer::new(pool.clone(), small_batches.clone()).unwrap();
    let b = Mailer::new(pool.clone(), small_batches).unwrap();
    let (pa, pb) = (pool.clone(), pool.clone());
    let ta = tokio::spawn(async move { drain(&a, &pa, Duration::from_secs(20)).await });
    let tb = tokio::spawn(async move { drain(&b, &pb, Duration::from_secs(20)).await });
    ta.await.unwrap();
    tb.await.unwrap();

    let delivered = sink.delivered();
    assert_eq!(delivered.len(), 40);
    for id in ids {
        assert_eq!(delivered.get(&id.to_string()), Some(&1), "{id}");
    }
    assert_eq!(sink.requests(), 40, "no email was sent twice");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_worker_stopped_after_claiming_leaves_the_email_to_be_sent_later_once(pool: PgPool) {
    let (sink, url) = start_sink(vec![]).await;
    let id = queue(&pool, 1).await[0];
    let lease = MailerSettings {
        lease: Duration::from_secs(60),
        ..settings(&url)
    };
    // Both workers decide time by one clock, which the test moves on.
    let clock = services::clock::Clock::system();

    // This worker claims the row and then "dies" before sending.
    let crashed = Mailer::new(pool.clone(), lease.clone())
        .unwrap()
        .with_clock(clock.clone());
    assert_eq!(crashed.claim().await.unwrap().len(), 1);
    drop(crashed);

    let survivor = Mailer::new(pool.clone(), lease)
        .unwrap()
        .with_clock(clock.clone());
    survivor.tick().await.unwrap();
    assert_eq!(sink.requests(), 0, "the claim is respected while its lease runs");
    clock.advance(time::Duration::seconds(61));
    drain(&survivor, &pool, Duration::from_secs(5)).await;
    assert_eq!(row(&pool, id).await.0, "sent");
    assert_eq!(sink.delivered().get(&id.to_string()), Some(&1));
}

#[sqlx::test(migrations = "../migrations")]
async fn without_an_api_key_mail_is_captured_for_the_dev_mailbox(pool: PgPool) {
    let id = queue(&pool, 1).await[0];
    let mailer = Mailer::new(pool.clone(), MailerSettings::default()).unwrap();
    mailer.tick().await.unwrap();
    assert_eq!(row(&pool, id).await.0, "captured");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sent_email_keeps_no_live_link(pool: PgPool) {
    let (sink, url) = start_sink(vec![]).await;
    let link = "http://127.0.0.1/reset-password?token=0123456789abcdef";
    let mut conn = pool.acquire().await.unwrap();
    let reset = mail::enqueue(
        &mut conn,
        "ana@example.com",
        &templates::password_reset("Ana", link),
    )
    .await
    .unwrap();
    let welcome = mail::enqueue(
        &mut conn,
        "ana@example.com",
        &templates::welcome("Ana", "http://127.0.0.1/"),
    )
    .await
    .unwrap();
    drop(conn);
    let body = |id: uuid::Uuid| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (String, String)>(
                "SELECT text_body, html_body FROM email_outbox WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert!(
        body(reset).await.0.contains("0123456789abcdef"),
        "queued: the link waits to be sent"
    );

    let mailer = Mailer::new(pool.clone(), settings(&url)).unwrap();
    drain(&mailer, &pool, Duration::from_secs(5)).await;
    assert_eq!(sink.delivered().len(), 2);
    let (text, html) = body(reset).await;
    assert!(
        !text.contains("0123456789abcdef") && !html.contains("0123456789abcdef"),
        "{text}"
    );
    assert!(text.contains("removed from our records"), "{text}");
    assert!(
        body(welcome).await.0.contains("http://127.0.0.1/"),
        "emails without a single-use link are kept whole"
    );
}
