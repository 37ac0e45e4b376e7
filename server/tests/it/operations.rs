//! What an operator relies on: a readiness check that means ready, and a
//! stop that finishes instead of waiting on browsers' open live streams.

use std::time::Duration;

use sqlx::PgPool;

use crate::helpers::*;
use crate::live::Stream;

async fn readiness(app: &TestApp) -> (u16, String) {
    let res = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

#[sqlx::test(migrations = "../migrations")]
async fn readiness_waits_for_every_migration_of_the_release(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    assert_eq!(readiness(&app).await, (200, "ready".to_string()));
    // As if this release's newest migration had not been applied yet.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(readiness(&app).await, (503, "migrations pending".to_string()));
    // The liveness check is not about the schema.
    let live = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_stop_ends_open_live_streams_and_the_process_exits(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let mut app = spawn_binary(pool, &[], &dir.path().join("ksf.log")).await;
    let browser = signed_in(&app).await;
    let mut stream = Stream::open(&browser, None).await;
    let Running::Process(ChildProcess(child)) = &mut app._server else {
        panic!("spawn_binary runs the ksf binary");
    };
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    // Without the stop reaching the stream, it would stay open (a comment
    // every 15 s keeps it alive) and the process would never exit.
    assert!(
        stream.ends_within(Duration::from_secs(10)).await,
        "the stream ends"
    );
    let exited = eventually("the process exits", Duration::from_secs(10), || {
        let status = child.try_wait().ok().flatten();
        async move { status }
    })
    .await;
    assert!(exited.success(), "a clean exit: {exited}");
}

async fn scrape(app: &TestApp, headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = app.client.get(format!("{}/metrics", app.base));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let res = request.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

/// The line of `metric` whose labels include each of `labels`, as a number.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")) || l.starts_with(&format!("{metric} ")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_count_requests_by_route_and_show_the_queues(pool: PgPool) {
    let app = spawn_app_with(pool.clone(), &[("KSF_METRICS_TOKEN", "a-token-for-prometheus")]).await;
    let browser = app.browser();
    assert_eq!(browser.get("/login").await.status(), 200);
    // Two accounts' pages: one route template, not one series per id.
    for id in [
        "6f1c1a34-0000-4000-8000-000000000001",
        "6f1c1a34-0000-4000-8000-000000000002",
    ] {
        browser.get(&format!("/hosting/{id}")).await;
    }
    // A built asset's name holds its hash: assets are one series too.
    browser.get("/pkg/ksf.0123456789abcdef.css").await;
    sqlx::query(
        "INSERT INTO email_outbox (kind, to_address, subject, html_body, text_body, created_at)
         VALUES ('test', 'a@example.com', 's', 'h', 't', now() - interval '90 seconds')",
    )
    .execute(&pool)
    .await
    .unwrap();

    let (status, text) = scrape(&app, &[]).await;
    assert_eq!(status, 200, "{text}");
    let sign_in = sample(
        &text,
        "ksf_http_requests_total",
        &[r#"route="/login""#, r#"method="GET""#, r#"status="200""#],
    );
    assert!(sign_in.is_some_and(|n| n >= 1.0), "{text}");
    assert!(text.contains(r#"route="/hosting/{id}""#), "{text}");
    assert!(
        !text.contains("6f1c1a34") && !text.contains("0123456789abcdef"),
        "no raw paths"
    );
    assert!(text.contains(r#"route="static""#), "{text}");
    assert!(text.contains("ksf_http_request_duration_seconds_bucket"));
    assert!(
        sample(&text, "ksf_outbox_pending", &[]).is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        sample(&text, "ksf_outbox_oldest_pending_seconds", &[]).is_some_and(|s| s >= 60.0),
        "{text}"
    );
    assert!(sample(&text, "ksf_db_pool_max_connections", &[]).is_some_and(|n| n >= 1.0));
    assert!(
        sample(&text, "ksf_db_pool_acquire_seconds", &[]).is_some_and(|s| (0.0..5.0).contains(&s)),
        "{text}"
    );
    assert!(text.contains("ksf_live_streams") && text.contains("ksf_stripe_webhooks_pending"));

    // Through a proxy the peer is not trusted: the token is needed.
    let proxied = [("x-forwarded-for", "203.0.113.9")];
    assert_eq!(scrape(&app, &proxied).await.0, 403);
    let with_token = [
        ("x-forwarded-for", "203.0.113.9"),
        ("authorization", "Bearer a-token-for-prometheus"),
    ];
    assert_eq!(scrape(&app, &with_token).await.0, 200);
    let wrong = [("authorization", "Bearer a-token-for-prometheuz")];
    assert_eq!(scrape(&app, &wrong).await.0, 403);
}

/// Rolling back is running the previous release on the newer schema: its
/// `ksf migrate` must not refuse a database with migrations it never knew.
#[sqlx::test(migrations = "../migrations")]
async fn the_previous_release_migrates_and_serves_on_a_newer_schema(pool: PgPool) {
    // A migration of a release newer than this binary.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (29991231000001, 'from a newer release', true, '\\x00', 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    services::migrator()
        .run(&pool)
        .await
        .expect("migrate leaves it as it is");
    let app = spawn_app(pool).await;
    assert_eq!(readiness(&app).await, (200, "ready".to_string()));
}

/// A statement stuck behind a lock fails after KSF_DB_STATEMENT_TIMEOUT_SECONDS
/// with the usual error page and reference, instead of holding the
/// request; once the lock is gone the page works again.
#[sqlx::test(migrations = "../migrations")]
async fn a_stuck_statement_fails_with_a_reference_instead_of_holding_the_request(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_binary(
        pool.clone(),
        &[("KSF_DB_STATEMENT_TIMEOUT_SECONDS", "1")],
        &dir.path().join("ksf.log"),
    )
    .await;
    let browser = signed_in(&app).await;
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE activity_log IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *holder)
        .await
        .unwrap();
    // Without the limit the page would wait for the lock for ever.
    let res = tokio::time::timeout(Duration::from_secs(20), browser.get("/settings/activity"))
        .await
        .expect("the request is answered, not held by the lock");
    assert_eq!(res.status(), 500);
    assert!(
        res.text().await.unwrap().contains("reference"),
        "the usual error page"
    );
    holder.rollback().await.unwrap();
    assert_eq!(browser.get("/settings/activity").await.status(), 200);
}
