//! The staff dashboard's "platform storage" and "accounts near quota"
//! tiles read figures kept by triggers. After every kind of change (usage,
//! cancellation and resumption, a plan's quotas, a change of plan, a
//! rename, a deletion, last month's bandwidth) they equal what joining every account
//! with its usage gives.

use serde_json::json;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::builders::AccountBuilder;
use crate::dashboard::{dashboard, node_token, tile_of};
use crate::helpers::*;

const GB: i64 = 1_000_000_000;

async fn report(app: &TestApp, token: &str, account: Uuid, at: OffsetDateTime, storage: i64, bandwidth: i64) {
    let time = at
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let res = app
        .client
        .post(format!("{}/api/usage", app.base))
        .bearer_auth(token)
        .json(&json!({ "samples": [{
            "account_id": account, "time": time,
            "storage_bytes": storage, "bandwidth_bytes": bandwidth,
        }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// The two tiles' figures as staff see them: (storage, near count, detail).
async fn tiles(staff: &Browser) -> (i64, i64, String) {
    let view = dashboard(staff, "30d", None).await;
    let near = tile_of(&view, "near-quota");
    (
        tile_of(&view, "platform-storage")["raw"].as_i64().unwrap(),
        near["raw"].as_i64().unwrap(),
        near["detail"].as_str().unwrap_or("").to_string(),
    )
}

/// The same figures by joining every account with its usage, as the
/// dashboard did before they were kept: (storage, names near quota in
/// the tile's order).
async fn truth(pool: &PgPool) -> (i64, Vec<String>) {
    let storage: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(l.storage_bytes), 0)::int8 FROM usage_latest l
         JOIN hosting_accounts a ON a.id = l.account_id WHERE a.status <> 'cancelled'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let names = sqlx::query_scalar(
        "SELECT a.name FROM hosting_accounts a
         JOIN plans p ON p.id = a.plan_id
         LEFT JOIN usage_latest l ON l.account_id = a.id
         LEFT JOIN usage_monthly m ON m.account_id = a.id
              AND m.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date
         WHERE a.status <> 'cancelled'
           AND (coalesce(l.storage_bytes, 0) >= 0.9 * p.storage_quota_bytes
                OR coalesce(m.bandwidth_bytes, 0) >= 0.9 * p.bandwidth_quota_bytes)
         ORDER BY greatest(coalesce(l.storage_bytes, 0)::float8 / p.storage_quota_bytes,
                           coalesce(m.bandwidth_bytes, 0)::float8 / p.bandwidth_quota_bytes) DESC, lower(a.name)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (storage, names)
}

async fn assert_tiles_match(app: &TestApp, staff: &Browser, after: &str, near: &[&str]) {
    let (storage, count, detail) = tiles(staff).await;
    let (truth_storage, truth_near) = truth(&app.pool).await;
    assert_eq!(truth_near, near, "after {after}: the truth itself");
    assert_eq!(storage, truth_storage, "after {after}: platform storage");
    assert_eq!(count, near.len() as i64, "after {after}: accounts near quota");
    let shown: Vec<&str> = detail
        .split(", ")
        .filter(|s| !s.is_empty())
        .map(|s| s.split(" (").next().unwrap())
        .collect();
    assert_eq!(shown, near, "after {after}: the names shown, closest first");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_storage_and_near_quota_tiles_follow_every_change(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_, staff) = app.staff("staff@example.com").await;
    let (ana, _) = app.customer("ana@example.com", "Ana").await;
    // Starter: 10 GB of storage, 100 GB of bandwidth a month.
    let shop = AccountBuilder::named("Shop").owner(ana).create(&app.pool).await;
    let blog = AccountBuilder::named("Blog").owner(ana).create(&app.pool).await;
    let old = AccountBuilder::named("Old").owner(ana).create(&app.pool).await;
    let store = AccountBuilder::named("Store")
        .plan("business")
        .owner(ana)
        .create(&app.pool)
        .await;
    assert_tiles_match(&app, &staff, "no usage yet", &[]).await;

    let token = node_token(&app, "eu-central").await;
    let now = OffsetDateTime::now_utc() - Duration::minutes(5);
    report(&app, &token, shop, now, 9_500_000_000, 0).await;
    report(&app, &token, blog, now, GB, 96 * GB).await;
    report(&app, &token, store, now, 10 * GB, GB).await;
    // Old used all of last month's bandwidth, none of this month's.
    report(&app, &token, old, now - Duration::days(40), GB, 99 * GB).await;
    assert_tiles_match(&app, &staff, "usage", &["Blog", "Shop"]).await;

    // A newer sample replaces the storage figure.
    report(&app, &token, shop, now + Duration::minutes(1), 9_800_000_000, 0).await;
    assert_tiles_match(&app, &staff, "newer storage", &["Shop", "Blog"]).await;

    for (change, near) in [
        ("UPDATE hosting_accounts SET status = 'cancelled' WHERE name = 'Shop'", vec!["Blog"]),
        (
            "UPDATE plans SET bandwidth_quota_bytes = 200000000000 WHERE code = 'starter'",
            vec![],
        ),
        (
            "UPDATE hosting_accounts SET plan_id = (SELECT id FROM plans WHERE code = 'hobby') WHERE name = 'Store'",
            vec!["Store"],
        ),
        ("UPDATE hosting_accounts SET status = 'active' WHERE name = 'Shop'", vec!["Store", "Shop"]),
        ("UPDATE hosting_accounts SET name = 'Boutique' WHERE name = 'Shop'", vec!["Store", "Boutique"]),
        ("DELETE FROM hosting_accounts WHERE name = 'Store'", vec!["Boutique"]),
    ] {
        sqlx::query(change).execute(&app.pool).await.unwrap();
        assert_tiles_match(&app, &staff, change, &near).await;
    }
}
