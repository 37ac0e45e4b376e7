//! Faults an operator will meet, each ending with a check that nothing was
//! lost or done twice: the portal killed with `kill -9` in the middle of
//! sending email and taking Resend's reports, and two portal processes on
//! one database (their live events reach each other's browsers: see
//! `live`).

use std::time::Duration;

use sqlx::PgPool;

use crate::helpers::*;
use crate::outbox::queue;
use crate::outbox::sink::{start_sink_reporting, Sink, Webhooks};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A portal process sending through the sink, reporting back to it.
async fn portal(pool: &PgPool, sink: &Sink, sink_url: &str, log: &std::path::Path) -> TestApp {
    let app = spawn_binary(
        pool.clone(),
        &[
            ("RESEND_API_KEY", "re_test_key"),
            ("RESEND_BASE_URL", sink_url),
            ("RESEND_WEBHOOK_SECRET", SECRET),
            ("KSF_MAIL_LEASE_SECONDS", "3"),
            // resend-rs paces requests to about one a second after a burst
            // of this many; the test's sink takes them all at once.
            ("RESEND_RATE_LIMIT", "1000"),
        ],
        log,
    )
    .await;
    sink.report_to(Webhooks {
        url: format!("{}/webhooks/resend", app.base),
        secret: SECRET.into(),
    });
    app
}

/// Waits until every email is sent and its delivery reported and applied.
async fn all_delivered(pool: &PgPool, n: i64, limit: Duration) {
    let pool = pool.clone();
    eventually("every email sent and its delivery applied", limit, move || {
        let pool = pool.clone();
        async move {
            let done: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM email_outbox WHERE status = 'sent' AND delivery = 'delivered'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            (done == n).then_some(())
        }
    })
    .await;
}

/// Each email reached the provider once (by its idempotency key) and each
/// report was stored once.
async fn nothing_lost_or_doubled(pool: &PgPool, sink: &Sink, ids: &[uuid::Uuid]) {
    let delivered = sink.delivered();
    assert_eq!(delivered.len(), ids.len(), "every email reached the provider");
    for id in ids {
        assert_eq!(delivered.get(&id.to_string()), Some(&1), "{id} was sent once");
    }
    let reports: i64 = sqlx::query_scalar("SELECT count(*) FROM email_events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        reports,
        2 * ids.len() as i64,
        "one sent and one delivered report per email, each stored once"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn kill_9_while_sending_and_taking_reports_loses_nothing_and_sends_nothing_twice(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let (sink, sink_url) = start_sink_reporting(vec![], None).await;
    sink.take_time(Duration::from_millis(40));
    let mut first = portal(&pool, &sink, &sink_url, &dir.path().join("first.log")).await;
    let ids = queue(&pool, 60).await;
    let (s, limit) = (sink.clone(), Duration::from_secs(20));
    eventually("the first process is sending", limit, move || {
        let sending = s.requests() >= 12;
        async move { sending.then_some(()) }
    })
    .await;
    let Running::Process(ChildProcess(child)) = &mut first._server else {
        panic!("spawn_binary runs the ksf binary");
    };
    child.kill().unwrap(); // SIGKILL: no shutdown, leases held, reports in flight
    child.wait().unwrap();
    let sent_before: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE status = 'sent'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        sent_before < 60,
        "killed in the middle ({sent_before} of 60 sent)"
    );

    let _second = portal(&pool, &sink, &sink_url, &dir.path().join("second.log")).await;
    all_delivered(&pool, 60, Duration::from_secs(60)).await;
    nothing_lost_or_doubled(&pool, &sink, &ids).await;
    println!(
        "kill -9 after {sent_before} of 60 sent: {} requests, {} repeated an email already sent (answered by the key, not sent again)",
        sink.requests(),
        sink.repeats()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn two_processes_on_one_database_send_each_email_once(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let (sink, sink_url) = start_sink_reporting(vec![], None).await;
    sink.take_time(Duration::from_millis(10));
    let a = portal(&pool, &sink, &sink_url, &dir.path().join("a.log")).await;
    let b = portal(&pool, &sink, &sink_url, &dir.path().join("b.log")).await;
    let ids = queue(&pool, 40).await;
    all_delivered(&pool, 40, Duration::from_secs(60)).await;
    nothing_lost_or_doubled(&pool, &sink, &ids).await;
    assert_eq!(sink.requests(), 40, "no email was taken by both processes");
    // Live events across processes: live::an_event_caused_through_one_server_reaches_a_browser_on_another.
    drop((a, b));
}
