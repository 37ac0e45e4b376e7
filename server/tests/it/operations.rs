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
