//! Usage ingestion from hosting nodes: token authentication, idempotency,
//! bad rows refused with nothing stored, and the account page's meters.

use crate::helpers::*;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

async fn post(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = app.client.post(format!("{}/api/usage", app.base)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn samples_stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM usage_samples")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A hosting account owned by the signed-in customer.
async fn account(app: &TestApp, browser: &Browser) -> Uuid {
    services::hosting::plans::seed_catalogue(&app.pool).await.unwrap();
    // A free plan with Starter's quotas: these tests run without payments set up.
    let plan: Uuid = sqlx::query_scalar(
        "INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency)
         VALUES ('free-10', 'Free 10', 10000000000, 100000000000, 1, 0, 'EUR') RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let res = browser
        .post(
            "/hosting/new",
            &[
                ("name", "Shop"),
                ("plan", &plan.to_string()),
                ("primary_domain", "shop.example.com"),
                ("region", "eu-west"),
            ],
        )
        .await;
    let loc = location(&res);
    Uuid::parse_str(loc.trim_start_matches("/hosting/").split('?').next().unwrap()).unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn nodes_need_a_live_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    let id = account(&app, &browser).await;
    let batch = json!({ "samples": [{ "account_id": id, "time": "2026-11-01T10:00:00Z", "storage_bytes": 1, "bandwidth_bytes": 2 }] });
    assert_eq!(post(&app, None, batch.clone()).await.0, 401);
    assert_eq!(post(&app, Some("ksfnode_wrong"), batch.clone()).await.0, 401);
    let token = services::hosting::node_tokens::create_unchecked(
        &app.pool,
        None,
        "web-1",
        domain::hosting::Region::parse("eu-west").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(post(&app, Some(&token), batch.clone()).await.0, 200);
    let token_id: Uuid = sqlx::query_scalar("SELECT id FROM node_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE node_tokens SET revoked_at = now() WHERE id = $1")
        .bind(token_id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        post(&app, Some(&token), batch).await.0,
        401,
        "a revoked token stops working"
    );
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM node_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&stored).contains(&token),
        "stored hashed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_batch_is_stored_once_and_bad_rows_store_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    let id = account(&app, &browser).await;
    let token = services::hosting::node_tokens::create_unchecked(
        &app.pool,
        None,
        "web-1",
        domain::hosting::Region::parse("eu-west").unwrap(),
    )
    .await
    .unwrap();
    let rows: Vec<Value> = (0..48)
        .map(|h| json!({ "account_id": id, "time": format!("2026-11-{:02}T{:02}:00:00Z", 1 + h / 24, h % 24), "storage_bytes": 4_000_000_000i64, "bandwidth_bytes": 100_000_000 }))
        .collect();
    let (status, report) = post(&app, Some(&token), json!({ "samples": rows })).await;
    assert_eq!(status, 200);
    assert_eq!(report, json!({ "stored": 48, "duplicates": 0 }));
    let (status, report) = post(&app, Some(&token), json!({ "samples": rows })).await;
    assert_eq!(status, 200, "sending the same batch again is harmless");
    assert_eq!(report, json!({ "stored": 0, "duplicates": 48 }));
    assert_eq!(samples_stored(&app).await, 48);

    let bad = json!({ "samples": [
        { "account_id": id, "time": "2026-11-03T00:00:00Z", "storage_bytes": 1, "bandwidth_bytes": 1 },
        { "account_id": "not-a-uuid", "time": "2026-11-03T00:00:00Z", "storage_bytes": 1, "bandwidth_bytes": 1 },
        { "account_id": id, "time": "yesterday", "storage_bytes": -1, "bandwidth_bytes": 1 },
        { "account_id": Uuid::new_v4(), "time": "2026-11-03T00:00:00Z", "storage_bytes": 1, "bandwidth_bytes": 1 },
        { "account_id": id, "time": "2999-01-01T00:00:00Z", "storage_bytes": 1, "bandwidth_bytes": 1 },
    ]});
    let (status, answer) = post(&app, Some(&token), bad).await;
    assert_eq!(status, 422);
    let rows = answer["rows"].as_array().unwrap();
    let errors: Vec<(u64, &str)> = rows
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["error"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (1, "account_id is not a UUID"),
            (
                2,
                "time is not an RFC 3339 timestamp; storage_bytes must be from 0 to 1 PiB (1125899906842624)"
            ),
            (
                3,
                "no hosting account in this node's region (eu-west) has this account_id, or another node serves it"
            ),
            (4, "time is in the future"),
        ]
    );
    assert_eq!(
        samples_stored(&app).await,
        48,
        "the good row of a refused batch is not stored either"
    );

    let (status, _) = post(&app, Some(&token), json!({ "samples": [] })).await;
    assert_eq!(status, 413);
    let (status, answer) = post(&app, Some(&token), json!({ "rows": "nope" })).await;
    assert_eq!(status, 422);
    assert!(answer["error"].as_str().unwrap().contains("not a valid batch"));

    // The account page shows storage against the plan's 10 GB quota.
    let page = browser.get(&format!("/hosting/{id}")).await.text().await.unwrap();
    assert!(page.contains("4.0 GB of 10.0 GB (40%)"), "storage meter");
    assert!(page.contains("aria-valuenow=\"40\""));
}
