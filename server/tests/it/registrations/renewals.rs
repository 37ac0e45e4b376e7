//! Renewing a name registered here (paid, renewed once whatever crashes)
//! and the expiry reminders for names that do not renew by themselves.

use services::registrations::renewals::remind;
use services::registrations::worker::Outcome;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::Registry;
use crate::helpers::*;

async fn expiry(r: &Registry, name: &str) -> OffsetDateTime {
    sqlx::query_scalar("SELECT expires_at FROM registered_domains WHERE name = $1")
        .bind(name)
        .fetch_one(r.pool())
        .await
        .unwrap()
}

/// Orders a renewal from the domain's page and pays it; answers the order.
async fn renewed(r: &Registry, browser: &Browser, name: &str, years: &str) -> uuid::Uuid {
    let res = browser
        .post(&format!("/domains/{name}/renew"), &[("years", years)])
        .await;
    assert_eq!(res.status(), 303, "renewal ordered");
    assert!(location(&res).starts_with("/domains/orders/"));
    let (order, session): (uuid::Uuid, String) = sqlx::query_as(
        "SELECT id, stripe_session_id FROM domain_orders WHERE name = $1 AND kind = 'renew' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(name)
    .fetch_one(r.pool())
    .await
    .unwrap();
    assert_eq!(r.shop.pay(&session, "4242 4242 4242 4242").await.status(), 303);
    r.shop.settle().await;
    order
}

#[sqlx::test(migrations = "../migrations")]
async fn a_renewal_adds_the_years_paid_for_once(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("renewer@example.com").await;
    r.bought(&browser, "kept-shop.com", account).await;
    r.work().await;
    let first = expiry(&r, "kept-shop.com").await;
    // .com renews at 13.98 at the registrar; the margin is 20 %.
    let page = browser.page("/domains/kept-shop.com").await;
    assert!(page.contains("Renew (16.78 USD a year)"), "{page}");

    let order = renewed(&r, &browser, "kept-shop.com", "2").await;
    assert_eq!(r.work().await, [Outcome::Registered]);
    let second = expiry(&r, "kept-shop.com").await;
    assert_eq!(second.year(), first.year() + 2);
    assert_eq!(r.registrar.domains()[0].years, 3, "renewed once, for two years");
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("kept-shop.com is renewed"), "{page}");
    assert_eq!(
        r.shop
            .emails_of_kind("renewer@example.com", "domain_renewed")
            .await,
        1
    );

    // A worker renewed at the registrar and died before writing it down:
    // the next one sees the later expiry and does not renew again.
    renewed(&r, &browser, "kept-shop.com", "1").await;
    r.deps
        .registrations
        .registrar()
        .unwrap()
        .renew("kept-shop.com", 1)
        .await
        .unwrap();
    assert_eq!(r.work().await, [Outcome::Registered]);
    assert_eq!(r.registrar.domains()[0].years, 4, "one more year, not two");
    assert_eq!(expiry(&r, "kept-shop.com").await.year(), first.year() + 3);

    let res = browser
        .post("/domains/kept-shop.com/renew", &[("years", "0")])
        .await;
    assert_eq!(res.status(), 422, "years are 1 to 10");
}

#[sqlx::test(migrations = "../migrations")]
async fn owners_are_reminded_30_7_and_1_days_before_expiry_once_each(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("forgetful@example.com").await;
    r.bought(&browser, "reminded.com", account).await;
    r.work().await;
    let expires = expiry(&r, "reminded.com").await;
    let reminders = || {
        r.shop
            .emails_of_kind("forgetful@example.com", "domain_expiry_reminder")
    };

    assert_eq!(
        remind(&r.deps, expires - time::Duration::days(40)).await.unwrap(),
        0,
        "too early"
    );
    for (days_before, total) in [(29, 1), (28, 1), (6, 2), (5, 2), (1, 3)] {
        remind(
            &r.deps,
            expires - time::Duration::days(days_before) + time::Duration::hours(1),
        )
        .await
        .unwrap();
        assert_eq!(reminders().await, total, "{days_before} days before");
    }
    // Past its expiry, its page says so (and what that means).
    sqlx::query("UPDATE registered_domains SET expires_at = now() - interval '1 day'")
        .execute(r.pool())
        .await
        .unwrap();
    let page = browser.page("/domains/reminded.com").await;
    assert!(page.contains("Expired on"), "{page}");
}
