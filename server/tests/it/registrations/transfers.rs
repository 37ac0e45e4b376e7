//! Transfers in: a name registered elsewhere, its auth code, paid; the
//! worker submits it once, follows it, and makes it live on our name
//! servers, or refunds a transfer the registry cancels.

use services::registrations::worker::Outcome;
use sqlx::PgPool;
use standin::registrar::auth_code_of;

use super::Registry;

/// Lets the stand-in's transfers settle (it takes 200 ms) and the next poll
/// come due (every 15 minutes).
async fn a_while_later(r: &Registry) {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    r.deps.clock.advance(time::Duration::minutes(16));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_name_registered_elsewhere_moves_here_with_its_code(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("mover@example.com").await;
    // The search offers it to whoever owns it.
    let html = browser.page("/domains/search?q=taken-bakery").await;
    assert!(
        html.contains(r#"href="/domains/transfer?name=taken-bakery.com""#),
        "{html}"
    );
    // Its price: .com transfers cost 9.58 at the registrar, plus 20 %.
    let html = browser.page("/domains/transfer?name=taken-bakery.com").await;
    assert!(html.contains("11.50 USD"), "{html}");
    assert!(html.contains("Transfer code (auth code)"));

    let order = r
        .transferred(
            &browser,
            "taken-bakery.com",
            account,
            &auth_code_of("taken-bakery"),
        )
        .await;
    assert_eq!(r.order("taken-bakery.com").await.1, "paid");
    assert_eq!(r.work().await, [Outcome::Waiting("submitted".into())]);
    assert_eq!(r.registrar.transfers().len(), 1, "submitted once");
    let (status, code): (String, Option<String>) =
        sqlx::query_as("SELECT status, auth_code FROM domain_orders WHERE id = $1")
            .bind(order)
            .fetch_one(r.pool())
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), code),
        ("transferring", None),
        "the code is forgotten once used"
    );
    assert_eq!(
        r.shop
            .emails_of_kind("mover@example.com", "domain_transfer_started")
            .await,
        1
    );
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("Transferring your domain"), "{page}");
    assert!(r.work().await.is_empty(), "not asked again before the next poll");

    a_while_later(&r).await;
    assert_eq!(r.work().await, [Outcome::Registered]);
    let held = r.registrar.domains();
    let nameservers: Vec<String> = sqlx::query_scalar(
        "SELECT n.name FROM assigned_nameservers n JOIN domains d ON d.id = n.domain_id WHERE d.name = $1 ORDER BY n.name",
    )
    .bind("taken-bakery.com")
    .fetch_all(r.pool())
    .await
    .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        held[0].nameservers, nameservers,
        "the registry now points at our name servers"
    );
    let zone: String = sqlx::query_scalar("SELECT status FROM domains WHERE name = 'taken-bakery.com'")
        .fetch_one(r.pool())
        .await
        .unwrap();
    assert_eq!(zone, "active", "live at once");
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("taken-bakery.com is yours"), "{page}");
    assert!(page.contains("The transfer is complete."));
    assert!(page.contains("Registered until"));
    assert_eq!(
        r.shop
            .emails_of_kind("mover@example.com", "domain_transferred")
            .await,
        1
    );
    let zone_page = browser.page("/domains/taken-bakery.com").await;
    assert!(
        zone_page.contains("Registered until"),
        "the zone shows its registration"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_code_cancels_the_transfer_and_the_payment_is_refunded(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("wrongcode@example.com").await;
    let order = r
        .transferred(&browser, "taken-cafe.com", account, "not-the-code")
        .await;
    assert_eq!(r.work().await, [Outcome::Waiting("submitted".into())]);
    a_while_later(&r).await;
    let steps = r.work().await;
    assert!(
        matches!(&steps[..], [Outcome::Refused(why), Outcome::Refunded] if why.contains("validation string is invalid")),
        "{steps:?}"
    );
    assert!(r.registrar.domains().is_empty());
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("We could not transfer taken-cafe.com"), "{page}");
    assert!(page.contains("Your payment was refunded in full."));
    assert_eq!(
        r.shop
            .emails_of_kind("wrongcode@example.com", "domain_refunded")
            .await,
        1
    );
    let zones: i64 = sqlx::query_scalar("SELECT count(*) FROM domains WHERE name = 'taken-cafe.com'")
        .fetch_one(r.pool())
        .await
        .unwrap();
    assert_eq!(zones, 0, "the zone made for the order is gone");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_lost_answer_does_not_submit_the_transfer_twice(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("lost@example.com").await;
    let order = r
        .transferred(
            &browser,
            "taken-florist.com",
            account,
            &auth_code_of("taken-florist"),
        )
        .await;
    assert_eq!(r.work().await, [Outcome::Waiting("submitted".into())]);
    // The worker submitted it and died before writing the answer down.
    sqlx::query(
        "UPDATE domain_orders SET status = 'registering', transfer_id = NULL, auth_code = 'taken-florist#EPP', next_attempt_at = now() - interval '1 minute' WHERE id = $1",
    )
    .bind(order)
    .execute(r.pool())
    .await
    .unwrap();
    assert_eq!(r.work().await, [Outcome::Waiting("submitted".into())]);
    assert_eq!(
        r.registrar.transfers().len(),
        1,
        "found again at the registrar, not submitted again"
    );
    a_while_later(&r).await;
    assert_eq!(r.work().await, [Outcome::Registered]);
}

#[sqlx::test(migrations = "../migrations")]
async fn transfers_that_cannot_work_are_refused_before_payment(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("early@example.com").await;
    for (name, code, field, message) in [
        (
            "free-and-new.com",
            "abcd1234",
            "name",
            "is not registered anywhere yet: register it instead",
        ),
        (
            "taken-shoes.com",
            "abc",
            "auth_code",
            "A transfer code is 4 to 64",
        ),
        ("taken-shoes.com", "", "auth_code", "Enter the transfer code"),
        (
            "taken-shoes.museum",
            "abcd1234",
            "name",
            "We do not sell .museum names",
        ),
    ] {
        let res = r.transfer(&browser, name, account, code).await;
        assert_eq!(res.status(), 422, "{name} {code}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{name}: {message} in {html}");
        assert!(
            html.contains(&format!(r#"id="f-{field}-error""#)),
            "{name}: next to {field}"
        );
        assert!(
            !html.contains(code) || code.len() < 4,
            "the code is not shown again"
        );
    }
    // Another tenant's zone: not theirs to transfer.
    let (_, _, other) = r.owner("other@example.com").await;
    sqlx::query("INSERT INTO domains (account_id, name, serial) VALUES ($1, 'taken-owned.com', 2026120401)")
        .bind(other)
        .execute(r.pool())
        .await
        .unwrap();
    let res = r.transfer(&browser, "taken-owned.com", account, "abcd1234").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already on our platform"));
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM domain_orders")
        .fetch_one(r.pool())
        .await
        .unwrap();
    assert_eq!(orders, 0, "nothing was ordered");
}
