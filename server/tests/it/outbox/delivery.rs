//! What Resend reports after sending: deliveries, bounces and complaints
//! arrive as signed webhooks from the sink, are stored once, set each
//! email's delivery, suppress addresses that must not be mailed, and give
//! the delivery rate.

use std::time::Duration;

use services::mail::{self, templates, worker::Mailer};
use sqlx::PgPool;

use super::settings;
use super::sink::{event, post_event, start_sink_reporting, Webhooks};
use crate::builders::UserBuilder;
use crate::helpers::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn portal(pool: PgPool) -> (TestApp, Webhooks) {
    let app = spawn_app_with(
        pool,
        &[
            ("RESEND_WEBHOOK_SECRET", SECRET),
            ("KSF_METRICS_TOKEN", "a-token-for-prometheus"),
        ],
    )
    .await;
    let webhooks = Webhooks {
        url: format!("{}/webhooks/resend", app.base),
        secret: SECRET.into(),
    };
    (app, webhooks)
}

async fn send(pool: &PgPool, to: &str, message: &mail::Message) -> uuid::Uuid {
    let mut conn = pool.acquire().await.unwrap();
    mail::enqueue(&mut conn, to, message).await.unwrap()
}

async fn status_of(pool: &PgPool, id: uuid::Uuid) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, delivery FROM email_outbox WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Sends everything pending, then waits until the sink's reports about
/// `ids` have all been applied.
async fn send_and_hear_back(app: &TestApp, mailer: &Mailer, ids: &[uuid::Uuid]) {
    super::drain(mailer, &app.pool, Duration::from_secs(10)).await;
    let pool = app.pool.clone();
    let ids = ids.to_vec();
    eventually("every email's fate is reported", Duration::from_secs(10), || {
        let (pool, ids) = (pool.clone(), ids.clone());
        async move {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM email_outbox WHERE id = ANY($1)
                 AND (delivery IS NULL OR (to_address LIKE 'complain%' AND delivery <> 'complained'))",
            )
            .bind(&ids)
            .fetch_one(&pool)
            .await
            .unwrap();
            (waiting == 0).then_some(())
        }
    })
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn deliveries_bounces_and_complaints_are_recorded_and_give_the_delivery_rate(pool: PgPool) {
    let (app, webhooks) = portal(pool.clone()).await;
    let (_sink, url) = start_sink_reporting(vec![], Some(webhooks)).await;
    let mailer = Mailer::new(pool.clone(), settings(&url)).unwrap();
    let mut ids = Vec::new();
    for to in [
        "ana@example.com",
        "bo@example.com",
        "cy@example.com",
        "bounce@example.com",
        "complain@example.com",
    ] {
        ids.push(send(&pool, to, &templates::welcome("You", "http://127.0.0.1/")).await);
    }
    send_and_hear_back(&app, &mailer, &ids).await;

    let deliveries: Vec<Option<String>> = {
        let mut out = Vec::new();
        for id in &ids {
            out.push(status_of(&pool, *id).await.1);
        }
        out
    };
    assert_eq!(
        deliveries,
        ["delivered", "delivered", "delivered", "bounced", "complained"].map(|d| Some(d.to_string()))
    );
    // The dev mailbox shows each email with what the provider reported.
    let res = app.get("/dev/mailbox").await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    for shown in ["sent · delivered", "sent · bounced", "sent · complained"] {
        assert!(page.contains(shown), "the dev mailbox lacks {shown:?}");
    }
    let suppressed: Vec<(String, String)> =
        sqlx::query_as("SELECT address, reason FROM email_suppressions ORDER BY address")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        suppressed,
        [
            ("bounce@example.com", "bounced"),
            ("complain@example.com", "complained")
        ]
        .map(|(a, r)| (a.to_string(), r.to_string()))
    );
    // Four of five arrived (a complaint was delivered, then reported).
    let queues = services::operations::queues(&pool).await.unwrap();
    assert_eq!(queues.delivery_rate_24h, Some(0.8));
    assert_eq!(queues.delivery_rate_30d, Some(0.8));
    assert_eq!(queues.suppressed_addresses, 2);
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth("a-token-for-prometheus")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("ksf_email_delivery_rate{window=\"24h\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("ksf_email_suppressed_addresses"), "{metrics}");
    // Staff see it on their dashboard, flagged below the 98 % goal.
    UserBuilder::staff("desk@example.com").create(&pool).await;
    let staff = app.browser();
    assert_eq!(
        staff
            .sign_in("desk@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    let dashboard = staff.page("/").await;
    let tile = dashboard
        .split("data-tile=\"email-delivery\"")
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .unwrap_or_else(|| panic!("the delivery tile: {dashboard}"));
    assert!(
        tile.contains("80.0 %") && tile.contains("2 addresses no longer mailed"),
        "{tile}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bounced_address_gets_only_security_mail_until_its_owner_asks_again(pool: PgPool) {
    let (app, webhooks) = portal(pool.clone()).await;
    let (_sink, url) = start_sink_reporting(vec![], Some(webhooks)).await;
    let mailer = Mailer::new(pool.clone(), settings(&url)).unwrap();
    let email = "bounce.owner@example.com";
    UserBuilder::customer(email).create(&pool).await;
    let first = send(&pool, email, &templates::welcome("Owner", "http://127.0.0.1/")).await;
    send_and_hear_back(&app, &mailer, &[first]).await;
    assert_eq!(status_of(&pool, first).await.1.as_deref(), Some("bounced"));

    let invitation = send(
        &pool,
        email,
        &templates::invitation("Ana", "Shop", "viewer", "http://127.0.0.1/i"),
    )
    .await;
    let reset = send(
        &pool,
        email,
        &templates::password_reset("Owner", "http://127.0.0.1/r?token=x"),
    )
    .await;
    assert_eq!(
        status_of(&pool, invitation).await.0,
        "suppressed",
        "no more ordinary mail"
    );
    assert_eq!(
        status_of(&pool, reset).await.0,
        "pending",
        "a password reset still goes"
    );

    let browser = app.browser();
    assert_eq!(browser.sign_in(email, CUSTOMER_PASSWORD).await.status(), 303);
    let settings_page = browser.page("/settings").await;
    assert!(
        settings_page.contains("We have stopped emailing this address."),
        "{settings_page}"
    );
    assert!(
        settings_page.contains("does not exist"),
        "the server's reason is shown"
    );
    let res = browser.post("/settings/email/resume", &[]).await;
    assert_redirect_to(&res, "/settings?done=mail_resumed");
    assert!(!browser
        .page("/settings")
        .await
        .contains("We have stopped emailing"));
    let again = send(&pool, email, &templates::welcome("Owner", "http://127.0.0.1/")).await;
    assert_eq!(status_of(&pool, again).await.0, "pending");
}

#[sqlx::test(migrations = "../migrations")]
async fn webhooks_are_verified_and_each_is_applied_once(pool: PgPool) {
    let (app, webhooks) = portal(pool.clone()).await;
    let id = send(
        &pool,
        "ana@example.com",
        &templates::welcome("Ana", "http://127.0.0.1/"),
    )
    .await;
    sqlx::query("UPDATE email_outbox SET status = 'sent', provider_id = 're_1' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let body = serde_json::to_vec(&event("email.delivered", "re_1", "ana@example.com")).unwrap();

    // Signed with another secret: refused, nothing stored.
    let forged = Webhooks {
        secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtMTIzNDU2".into(),
        ..webhooks.clone()
    };
    assert_eq!(post_event(&forged, "msg_forged", &body).await, 400);
    assert_eq!(status_of(&pool, id).await.1, None);

    // Delivered twice (Resend retries until it hears 200): applied once.
    assert_eq!(post_event(&webhooks, "msg_1", &body).await, 200);
    assert_eq!(post_event(&webhooks, "msg_1", &body).await, 200);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM email_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    assert_eq!(status_of(&pool, id).await.1.as_deref(), Some("delivered"));
    // A late delay report does not undo the delivery.
    let delayed = serde_json::to_vec(&event("email.delivery_delayed", "re_1", "ana@example.com")).unwrap();
    assert_eq!(post_event(&webhooks, "msg_2", &delayed).await, 200);
    assert_eq!(status_of(&pool, id).await.1.as_deref(), Some("delivered"));

    // A portal without the secret does not take webhooks at all.
    let unconfigured = spawn_app(pool.clone()).await;
    let elsewhere = Webhooks {
        url: format!("{}/webhooks/resend", unconfigured.base),
        ..webhooks
    };
    assert_eq!(post_event(&elsewhere, "msg_3", &body).await, 404);
    drop(app);
}
