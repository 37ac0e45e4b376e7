//! Errors reach a Sentry-compatible collector: a local sink stands in for
//! it (its DSN in `SENTRY_DSN`) and the `ksf` binary runs as in production.
//! A server error arrives with the reference the user was shown and its
//! cause; a browser's error arrives without the page's query string.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::{body::Bytes, extract::State, http::StatusCode, Router};
use sqlx::PgPool;

use crate::builders::UserBuilder;
use crate::helpers::*;

/// Every envelope the collector received, as text.
#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Vec<String>>>);

impl Collector {
    fn received(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }
}

async fn ingest(State(collector): State<Collector>, body: Bytes) -> StatusCode {
    collector
        .0
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&body).into_owned());
    StatusCode::OK
}

async fn start_collector() -> (Collector, String) {
    let collector = Collector::default();
    let app = Router::new().fallback(ingest).with_state(collector.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dsn = format!("http://publickey@{}/42", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (collector, dsn)
}

async fn collected(collector: &Collector, what: &str, text: &str) -> String {
    let (collector, text) = (collector.clone(), text.to_string());
    eventually(what, Duration::from_secs(10), move || {
        let received = collector.received();
        let found = received.contains(&text);
        async move { found.then_some(received) }
    })
    .await
}

/// A page fails while the activity log's table is gone; answers the
/// reference the error page showed (the table is back afterwards).
async fn a_server_error(pool: &PgPool, browser: &Browser) -> String {
    sqlx::query("ALTER TABLE activity_log RENAME TO activity_log_gone")
        .execute(pool)
        .await
        .unwrap();
    let res = browser.get("/settings/activity").await;
    assert_eq!(res.status(), 500);
    let page = res.text().await.unwrap();
    let reference = page
        .split("reference ")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_hexdigit)
                .collect::<String>()
        })
        .filter(|r| r.len() == 8)
        .unwrap_or_else(|| panic!("the page shows a reference: {page}"));
    sqlx::query("ALTER TABLE activity_log_gone RENAME TO activity_log")
        .execute(pool)
        .await
        .unwrap();
    reference
}

#[sqlx::test(migrations = "../migrations")]
async fn server_and_browser_errors_reach_the_collector(pool: PgPool) {
    let (collector, dsn) = start_collector().await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_binary(pool.clone(), &[("SENTRY_DSN", &dsn)], &dir.path().join("ksf.log")).await;
    UserBuilder::customer("erring@example.com").create(&pool).await;
    let browser = app.browser();
    assert_eq!(
        browser
            .sign_in("erring@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );

    let reference = a_server_error(&pool, &browser).await;
    let received = collected(&collector, "the server error is reported", &reference).await;
    assert!(received.contains("does not exist"), "with its cause: {received}");
    assert!(!received.contains("ksf_session"), "never the session cookie");

    // A panic in an island, as public/error-report.js sends it.
    let res = browser
        .client
        .post(format!("{}/api/client-errors", app.base))
        .header("origin", &app.base)
        .header("content-type", "text/plain;charset=UTF-8")
        .body(r#"{"kind":"panic","message":"panicked at app/src/islands/bell.rs:9:5: index out of bounds","page":"/reset-password?token=s3cr3t-t0k3n"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let received = collected(&collector, "the browser error is reported", "index out of bounds").await;
    assert!(received.contains("/reset-password"), "{received}");
    assert!(!received.contains("s3cr3t-t0k3n"), "never the query string");

    // Not a report: refused, nothing logged.
    let res = browser
        .client
        .post(format!("{}/api/client-errors", app.base))
        .header("origin", &app.base)
        .body(r#"{"kind":"virus","message":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

/// Staff see the same on the System page: the error with its reference,
/// the database and its migrations, the housekeeping jobs' runs.
#[sqlx::test(migrations = "../migrations")]
async fn the_system_page_shows_staff_the_latest_errors_and_the_database(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_binary(pool.clone(), &[], &dir.path().join("ksf.log")).await;
    UserBuilder::customer("curious@example.com").create(&pool).await;
    UserBuilder::staff("operator@example.com").create(&pool).await;
    let customer = app.browser();
    assert_eq!(
        customer
            .sign_in("curious@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(customer.get("/staff/system").await.status(), 404, "staff only");

    let reference = a_server_error(&pool, &customer).await;

    let staff = app.browser();
    assert_eq!(
        staff
            .sign_in("operator@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    let system = staff.page("/staff/system").await;
    let migrations = services::MIGRATOR.iter().count();
    for expected in [
        env!("CARGO_PKG_VERSION").to_string(),
        format!("all {migrations} applied"),
        reference.clone(),
        "activity_log".to_string(),
        "retention".to_string(),
    ] {
        assert!(
            system.contains(&expected),
            "the System page shows {expected:?}: {system}"
        );
    }
}
