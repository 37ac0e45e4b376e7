//! Automatic renewal: charged to the saved card 14 days before expiry and
//! renewed once paid; a declined card is tried again, the owners are told,
//! and the name is never renewed unpaid.

use services::registrations::auto_renew;
use services::registrations::worker::Outcome;
use sqlx::PgPool;
use uuid::Uuid;

use super::Registry;
use crate::helpers::*;

/// Makes `name` expire 10 days from now, here and at the registrar (the
/// clock stays: sign-ins and webhook signatures stay valid). Answers now.
async fn ten_days_before_expiry(r: &Registry, name: &str) -> time::OffsetDateTime {
    let day = r
        .registrar
        .expire_in_days(name, 10)
        .expect("held at the registrar");
    sqlx::query("UPDATE registered_domains SET expires_at = $2 WHERE name = $1")
        .bind(name)
        .bind(day.midnight().assume_utc())
        .execute(r.pool())
        .await
        .unwrap();
    r.deps.clock.now()
}

async fn renewal(r: &Registry, name: &str) -> (Uuid, String, i32, Option<String>) {
    sqlx::query_as(
        "SELECT id, status, charge_attempts, failure FROM domain_orders WHERE name = $1 AND kind = 'renew' AND automatic",
    )
    .bind(name)
    .fetch_one(r.pool())
    .await
    .unwrap()
}

async fn expiry(r: &Registry, name: &str) -> time::OffsetDateTime {
    sqlx::query_scalar("SELECT expires_at FROM registered_domains WHERE name = $1")
        .bind(name)
        .fetch_one(r.pool())
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_saved_card_pays_the_renewal_before_the_name_expires(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (user, browser, account) = r.owner("steady@example.com").await;
    r.bought_renewing(&browser, "steady-shop.com", account, "4242 4242 4242 4242")
        .await;
    assert_eq!(r.work().await, [Outcome::Registered]);
    let by: Option<Uuid> = sqlx::query_scalar(
        "SELECT auto_renew_by FROM registered_domains WHERE name = 'steady-shop.com' AND auto_renew",
    )
    .fetch_one(r.pool())
    .await
    .unwrap();
    assert_eq!(by, Some(user), "charged to the buyer's card");
    let page = browser.page("/domains/steady-shop.com").await;
    assert!(page.contains("automatic renewal on"), "{page}");

    let settings = &r.deps.registrations;
    assert_eq!(
        auto_renew::run(&r.deps, settings, r.deps.clock.now())
            .await
            .unwrap(),
        (0, 0),
        "not due yet"
    );
    let at = ten_days_before_expiry(&r, "steady-shop.com").await;
    let before = expiry(&r, "steady-shop.com").await;
    assert_eq!(auto_renew::run(&r.deps, settings, at).await.unwrap(), (1, 1));
    let (_, status, attempts, _) = renewal(&r, "steady-shop.com").await;
    assert_eq!((status.as_str(), attempts), ("paid", 1));
    assert_eq!(r.work().await, [Outcome::Registered]);
    assert_eq!(
        expiry(&r, "steady-shop.com").await.year(),
        before.year() + 1,
        "one year added"
    );
    assert_eq!(
        r.shop
            .emails_of_kind("steady@example.com", "domain_renewed")
            .await,
        1
    );
    // The payment's webhook arrives too: nothing more happens.
    r.shop.settle().await;
    assert!(r.work().await.is_empty());
    assert_eq!(
        auto_renew::run(&r.deps, settings, at).await.unwrap(),
        (0, 0),
        "charged once"
    );
    assert_eq!(
        r.shop
            .emails_of_kind("steady@example.com", "domain_expiry_reminder")
            .await,
        0,
        "no reminders: it renews itself"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_declined_card_is_tried_again_and_the_name_is_not_renewed_unpaid(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("declined@example.com").await;
    // Pays here, but declines charges made without its holder (3-D Secure).
    r.bought_renewing(&browser, "fragile-shop.com", account, "4000 0027 6000 3184")
        .await;
    assert_eq!(r.work().await, [Outcome::Registered]);
    let at = ten_days_before_expiry(&r, "fragile-shop.com").await;
    let before = expiry(&r, "fragile-shop.com").await;
    let settings = &r.deps.registrations;
    assert_eq!(auto_renew::run(&r.deps, settings, at).await.unwrap(), (1, 0));
    let (order, status, attempts, failure) = renewal(&r, "fragile-shop.com").await;
    assert_eq!((status.as_str(), attempts), ("awaiting_payment", 1));
    assert!(failure.unwrap_or_default().contains("requires authentication"));
    assert!(r.work().await.is_empty(), "not renewed unpaid");
    assert_eq!(expiry(&r, "fragile-shop.com").await, before);
    assert_eq!(
        r.shop
            .emails_of_kind("declined@example.com", "domain_auto_renew_failed")
            .await,
        1
    );
    let page = browser.page("/domains/fragile-shop.com").await;
    assert!(page.contains("The automatic renewal was not paid"), "{page}");
    assert!(page.contains(&format!(r#"href="/domains/orders/{order}""#)));

    assert_eq!(
        auto_renew::run(&r.deps, settings, at).await.unwrap(),
        (0, 0),
        "not again at once"
    );
    let later = at + time::Duration::days(2);
    assert_eq!(auto_renew::run(&r.deps, settings, later).await.unwrap(), (0, 0));
    assert_eq!(
        renewal(&r, "fragile-shop.com").await.2,
        2,
        "tried again after 2 days"
    );
    assert_eq!(
        r.shop
            .emails_of_kind("declined@example.com", "domain_auto_renew_failed")
            .await,
        2
    );

    // The owner pays it with another card from the link.
    let res = browser
        .post(&format!("/domains/orders/{order}/checkout"), &[("x", "")])
        .await;
    assert_eq!(res.status(), 303);
    let session: String = sqlx::query_scalar("SELECT stripe_session_id FROM domain_orders WHERE id = $1")
        .bind(order)
        .fetch_one(r.pool())
        .await
        .unwrap();
    assert_eq!(r.shop.pay(&session, "4242 4242 4242 4242").await.status(), 303);
    r.shop.settle().await;
    assert_eq!(r.work().await, [Outcome::Registered]);
    assert_eq!(expiry(&r, "fragile-shop.com").await.year(), before.year() + 1);
    let even_later = later + time::Duration::days(2);
    assert_eq!(
        auto_renew::run(&r.deps, settings, even_later).await.unwrap(),
        (0, 0),
        "paid: no more charges"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn owners_turn_automatic_renewal_off_and_on(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("switch@example.com").await;
    r.bought(&browser, "switch-shop.com", account).await;
    assert_eq!(r.work().await, [Outcome::Registered]);
    let page = browser.page("/domains/switch-shop.com").await;
    assert!(page.contains("Renew automatically with my saved card"), "{page}");
    let res = browser
        .post("/domains/switch-shop.com/auto-renew", &[("auto_renew", "on")])
        .await;
    assert_eq!(res.status(), 303);
    let page = browser.page(&location(&res)).await;
    assert!(page.contains("Automatic renewal is on"), "{page}");
    assert!(page.contains("Turn automatic renewal off"));
    let res = browser
        .post("/domains/switch-shop.com/auto-renew", &[("auto_renew", "off")])
        .await;
    assert_eq!(res.status(), 303);
    let on: bool =
        sqlx::query_scalar("SELECT auto_renew FROM registered_domains WHERE name = 'switch-shop.com'")
            .fetch_one(r.pool())
            .await
            .unwrap();
    assert!(!on);
    // Another customer cannot touch it.
    let (_, stranger, _) = r.owner("stranger@example.com").await;
    let res = stranger
        .post("/domains/switch-shop.com/auto-renew", &[("auto_renew", "on")])
        .await;
    assert_eq!(res.status(), 404);
    let res = stranger
        .post("/domains/switch-shop.com/renew", &[("years", "1")])
        .await;
    assert_eq!(res.status(), 404, "nor renew it");
    let renewals: i64 = sqlx::query_scalar("SELECT count(*) FROM domain_orders WHERE kind = 'renew'")
        .fetch_one(r.pool())
        .await
        .unwrap();
    assert_eq!(renewals, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn owners_hide_or_show_their_details_in_whois(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("private@example.com").await;
    r.bought(&browser, "private-shop.com", account).await;
    assert_eq!(r.work().await, [Outcome::Registered]);
    assert!(r.registrar.domains()[0].whois_privacy, "on by default");
    let page = browser.page("/domains/private-shop.com").await;
    assert!(page.contains("Status: <strong>Active</strong>"), "{page}");
    let res = browser
        .post("/domains/private-shop.com/privacy", &[("whois_privacy", "off")])
        .await;
    assert_eq!(res.status(), 303);
    let page = browser.page(&location(&res)).await;
    assert!(page.contains("WHOIS privacy is off"), "{page}");
    assert!(page.contains("Hide my details in WHOIS"));
    assert!(
        !r.registrar.domains()[0].whois_privacy,
        "changed at the registrar"
    );
    let res = browser
        .post("/domains/private-shop.com/privacy", &[("whois_privacy", "on")])
        .await;
    assert_eq!(res.status(), 303);
    assert!(r.registrar.domains()[0].whois_privacy);
    let (_, stranger, _) = r.owner("nosy@example.com").await;
    let res = stranger
        .post("/domains/private-shop.com/privacy", &[("whois_privacy", "off")])
        .await;
    assert_eq!(res.status(), 404);
    assert!(r.registrar.domains()[0].whois_privacy, "untouched");
}
