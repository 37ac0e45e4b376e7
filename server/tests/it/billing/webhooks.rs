//! Stripe's webhook endpoint: only signed, fresh events are stored, each
//! once; applying them in any order ends in Stripe's state.

use super::*;

async fn post_event(app: &TestApp, payload: &str, signature: Option<String>) -> u16 {
    let mut request = app
        .client
        .post(format!("{}/webhooks/stripe", app.base))
        .header("content-type", "application/json")
        .body(payload.to_string());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    request
        .send()
        .await
        .expect("the endpoint answers")
        .status()
        .as_u16()
}

fn sign(payload: &str, secret: &str, at: i64) -> String {
    stripe_webhook::Webhook::generate_test_header(payload, secret, Some(at))
}

async fn stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM stripe_events")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn forged_stale_and_unsigned_webhooks_are_refused_and_nothing_is_stored(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let app = &shop.app;
    let now = app.clock.now().unix_timestamp();
    let payload = serde_json::json!({
        "id": "evt_test_1", "object": "event", "api_version": "2026-09-30.endive", "created": now,
        "livemode": false, "pending_webhooks": 1, "request": { "id": null, "idempotency_key": null },
        "type": "customer.updated", "data": { "object": { "id": "cus_test", "object": "customer" } }
    })
    .to_string();
    assert_eq!(post_event(app, &payload, None).await, 400, "unsigned");
    assert_eq!(
        post_event(app, &payload, Some(sign(&payload, "whsec_forged", now))).await,
        400,
        "another secret"
    );
    assert_eq!(
        post_event(app, &payload, Some(sign(&payload, SECRET, now - 301))).await,
        400,
        "older than 300 s"
    );
    let tampered = payload.replace("customer.updated", "invoice.paid");
    assert_eq!(
        post_event(app, &tampered, Some(sign(&payload, SECRET, now))).await,
        400,
        "body changed after signing"
    );
    assert_eq!(
        post_event(app, &payload, Some("t=abc,v1=00".into())).await,
        400,
        "garbage header"
    );
    assert_eq!(stored(app).await, 0, "nothing refused was stored");

    assert_eq!(
        post_event(app, &payload, Some(sign(&payload, SECRET, now - 30))).await,
        200
    );
    assert_eq!(
        post_event(app, &payload, Some(sign(&payload, SECRET, now))).await,
        200,
        "a retry is acknowledged"
    );
    assert_eq!(stored(app).await, 1, "stored once");
}

#[sqlx::test(migrations = "../migrations")]
async fn every_event_is_applied_once_when_stripe_sends_each_twice(pool: PgPool) {
    let shop = Shop::new(pool).await;
    shop.switches(Switches {
        duplicate: true,
        ..Switches::default()
    });
    let (_, _, account) = shop.subscribed("dana@example.com", "pro").await;
    let kinds: Vec<String> = shop
        .sent_events()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    for kind in [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
        "invoice.finalized",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} was sent");
    }
    let unapplied: i64 = sqlx::query_scalar("SELECT count(*) FROM stripe_events WHERE processed_at IS NULL")
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    assert_eq!(unapplied, 0);
    assert_eq!(
        shop.emails_of_kind("dana@example.com", "billing_payment_confirmed")
            .await,
        1
    );
    assert_eq!(
        shop.emails_of_kind("dana@example.com", "billing_invoice_available")
            .await,
        0,
        "paid at once"
    );
    let activity: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM activity_log WHERE account_id = $1 AND action LIKE 'billing_%' ORDER BY created_at",
    )
    .bind(account)
    .fetch_all(&shop.app.pool)
    .await
    .unwrap();
    assert_eq!(
        activity,
        ["billing_account_activated", "billing_payment_received"]
    );
    // Applying everything again (a replay) changes no state.
    let before = shop.subscription(account).await;
    sqlx::query("UPDATE stripe_events SET processed_at = NULL")
        .execute(&shop.app.pool)
        .await
        .unwrap();
    shop.drain().await;
    assert_eq!(shop.subscription(account).await, before);
    assert_eq!(shop.account_status(account).await, "active");
}

/// What the portal holds about an account's billing (not when or by which
/// event it was written).
async fn state(shop: &Shop, account: Uuid) -> String {
    let sub: Vec<(String, String, i64, bool, Option<time::OffsetDateTime>)> = sqlx::query_as(
        "SELECT stripe_subscription_id, status, amount_minor, cancel_at_period_end, current_period_end
         FROM subscriptions WHERE account_id = $1 ORDER BY 1",
    )
    .bind(account)
    .fetch_all(&shop.app.pool)
    .await
    .unwrap();
    let invoices: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT stripe_invoice_id, status, amount_due_minor, amount_paid_minor FROM invoices WHERE account_id = $1 ORDER BY 1",
    )
    .bind(account)
    .fetch_all(&shop.app.pool)
    .await
    .unwrap();
    let status = shop.account_status(account).await;
    format!("{status} {sub:?} {invoices:?}")
}

/// A small deterministic generator (the seed is printed on failure).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_subscription_s_events_in_any_order_end_in_the_same_state(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (_, _, account) = shop.subscribed("ola@example.com", "starter").await;
    let sub: String =
        sqlx::query_scalar("SELECT stripe_subscription_id FROM subscriptions WHERE account_id = $1")
            .bind(account)
            .fetch_one(&shop.app.pool)
            .await
            .unwrap();
    // A lifecycle: a renewal that fails, the invoice paid, cancellation at period end.
    shop.standin.change(|s| s.renew(&sub, false)).unwrap();
    let open: String = shop.standin.read(|s| {
        s.invoices.values().find(|i| i["status"] == "open").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    });
    shop.standin
        .change(|s| s.pay_invoice(&open, standin::Card::Pays))
        .unwrap();
    shop.standin
        .change(|s| {
            s.update_subscription(
                &sub,
                &[("cancel_at_period_end".to_string(), "true".to_string())].into(),
            )
        })
        .unwrap();
    shop.settle().await;
    let ordered = state(&shop, account).await;
    assert!(
        ordered.contains("active") && ordered.contains("true"),
        "{ordered}"
    );

    let events = shop.sent_events();
    let seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rng = XorShift(seed);
    for round in 0..10 {
        // Forget everything billing knows of the account, then hear the
        // events again one by one in a shuffled order, applying each as it comes.
        for table in [
            "DELETE FROM stripe_events",
            "DELETE FROM invoices",
            "DELETE FROM subscriptions",
        ] {
            sqlx::query(table).execute(&shop.app.pool).await.unwrap();
        }
        sqlx::query("UPDATE hosting_accounts SET status = 'pending' WHERE id = $1")
            .bind(account)
            .execute(&shop.app.pool)
            .await
            .unwrap();
        let mut order: Vec<usize> = (0..events.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.next(i + 1));
        }
        for &i in &order {
            let payload = events[i].to_string();
            let now = shop.app.clock.now().unix_timestamp();
            assert_eq!(
                post_event(&shop.app, &payload, Some(sign(&payload, SECRET, now))).await,
                200
            );
            shop.drain().await;
        }
        assert_eq!(
            state(&shop, account).await,
            ordered,
            "round {round} (seed {seed:#x}), order {order:?}"
        );
    }
}

/// Production refuses the secret the scripts give the stand-in: the two
/// must be the same published value.
#[test]
fn production_refuses_the_secret_the_stand_in_signs_with() {
    assert_eq!(
        server::config::DEV_STRIPE_WEBHOOK_SECRET,
        standin::DEV_WEBHOOK_SECRET
    );
}
