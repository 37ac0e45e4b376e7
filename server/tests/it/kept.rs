//! What server processes keep in memory (sessions, rendered dashboards)
//! never outlives a change: one made through another process, straight in
//! the database, or by the user themselves shows on the next load.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::builders::AccountBuilder;
use crate::helpers::*;

/// Loads `/` until `shown` holds for its HTML, for at most three seconds
/// (what is kept lives 30 s: passing means the change was heard).
async fn dashboard_soon(browser: &Browser, shown: impl Fn(&str) -> bool) -> bool {
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(3) {
        let html = browser.get("/").await.text().await.unwrap();
        if shown(&html) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn load_twice(browser: &Browser) -> String {
    browser.get("/").await.text().await.unwrap();
    browser.get("/").await.text().await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_revoked_elsewhere_ends_at_once_on_every_server(pool: PgPool) {
    let first = spawn_app(pool.clone()).await;
    let second = spawn_app(pool).await;
    let (ana, _) = first.customer("ana@example.com", "Ana").await;
    let on_second = second.browser();
    assert_eq!(
        on_second
            .sign_in("ana@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    assert!(load_twice(&on_second).await.contains("Signed in as"));

    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1")
        .bind(ana)
        .execute(&first.pool)
        .await
        .unwrap();
    assert!(
        dashboard_soon(&on_second, |html| !html.contains("Signed in as")).await,
        "the revoked session still works on the other server"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_member_removed_elsewhere_loses_the_account_from_the_kept_dashboard(pool: PgPool) {
    let first = spawn_app(pool.clone()).await;
    let second = spawn_app(pool).await;
    let (ana, _) = first.customer("ana@example.com", "Ana").await;
    let (bob, _) = first.customer("bob@example.com", "Bob").await;
    let shop = AccountBuilder::named("Shop")
        .owner(ana)
        .member(bob, app::domain::MemberRole::Viewer)
        .create(&first.pool)
        .await;
    let bob_on_second = second.browser();
    assert_eq!(
        bob_on_second
            .sign_in("bob@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    assert!(!load_twice(&bob_on_second)
        .await
        .contains("No hosting accounts yet"));

    sqlx::query("DELETE FROM hosting_members WHERE account_id = $1 AND user_id = $2")
        .bind(shop)
        .bind(bob)
        .execute(&first.pool)
        .await
        .unwrap();
    assert!(
        dashboard_soon(&bob_on_second, |html| html.contains("No hosting accounts yet")).await,
        "the other server still shows Bob the account he left"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_users_own_change_shows_on_their_next_load(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let shop = AccountBuilder::named("Shop").owner(ana).create(&app.pool).await;
    assert!(!load_twice(&browser).await.contains("Renamed Shop"));

    let res = browser
        .post(
            &format!("/hosting/{shop}/edit"),
            &[
                ("name", "Renamed Shop"),
                ("primary_domain", "shop.example.com"),
                ("region", "eu-central"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = browser.get("/").await.text().await.unwrap();
    assert!(html.contains("Renamed Shop"), "the feed shows the rename at once");
}

#[sqlx::test(migrations = "../migrations")]
async fn every_load_of_a_kept_page_has_its_own_nonce(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_, browser) = app.customer("ana@example.com", "Ana").await;
    let mut nonces = Vec::new();
    for _ in 0..3 {
        let res = browser.get("/").await;
        let policy = res
            .headers()
            .get("content-security-policy")
            .expect("a policy")
            .to_str()
            .unwrap()
            .to_string();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the policy")
            .to_string();
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the page's scripts carry the header's nonce"
        );
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce each time");
}
