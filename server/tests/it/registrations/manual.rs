//! The manual registrar: paid orders wait in the staff queue with what to
//! do at the registrar; staff mark them done (live at once, the customer
//! told) or refund them with a reason the customer reads.

use services::registrations::worker::Outcome;
use sqlx::PgPool;

use super::Registry;

#[sqlx::test(migrations = "../migrations")]
async fn staff_register_paid_names_by_hand_or_refund_them(pool: PgPool) {
    let r = Registry::manual(pool).await;
    // Without a registrar's costs, the fixed prices are the prices.
    sqlx::query("UPDATE tlds SET fixed_register_minor = 1500 WHERE name = 'com'")
        .execute(r.pool())
        .await
        .unwrap();
    let (_, customer, account) = r.owner("handmade@example.com").await;
    let html = customer.page("/domains/search?q=hand-made").await;
    assert!(
        html.contains(r#"data-name="hand-made.com" data-available="true""#),
        "{html}"
    );
    assert!(html.contains("15.00 USD / year"));

    let order = r.bought(&customer, "hand-made.com", account).await;
    let refused = r.bought(&customer, "cannot-have.com", account).await;
    assert_eq!(r.work().await, [Outcome::Queued, Outcome::Queued]);
    assert!(r.work().await.is_empty(), "waiting for staff, not retried");
    let page = customer.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("Our team is on it"), "{page}");

    let (_, staff) = r.shop.app.staff("registrar@example.com").await;
    let page = staff.page("/staff/domains").await;
    assert!(page.contains("To do at the registrar (2)"), "{page}");
    assert!(page.contains("Register hand-made.com for 1 year"));
    assert!(page.contains("handmade@example.com"));
    assert!(page.contains("city: Berlin"), "the registrant to enter: {page}");

    // A date that is not one is refused next to the field.
    let res = staff
        .post(
            &format!("/staff/domains/orders/{order}/done"),
            &[("expires", "next year")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Enter the expiry date shown at the registrar"));
    let res = staff
        .post(
            &format!("/staff/domains/orders/{order}/done"),
            &[("expires", "2031-06-30")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(r.order("hand-made.com").await.1, "registered");
    let page = customer.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("hand-made.com is yours"), "{page}");
    assert!(page.contains("Registered until 30 June 2031"));
    let zone: String = sqlx::query_scalar("SELECT status FROM domains WHERE name = 'hand-made.com'")
        .fetch_one(r.pool())
        .await
        .unwrap();
    assert_eq!(zone, "active");
    assert_eq!(
        r.shop
            .emails_of_kind("handmade@example.com", "domain_registered")
            .await,
        1
    );
    let registrar: String =
        sqlx::query_scalar("SELECT registrar FROM registered_domains WHERE name = 'hand-made.com'")
            .fetch_one(r.pool())
            .await
            .unwrap();
    assert_eq!(registrar, "manual");

    // The other one is taken at the registry: refunded, with the reason.
    let res = staff
        .post(
            &format!("/staff/domains/orders/{refused}/refund"),
            &[("why", " ")],
        )
        .await;
    assert_eq!(res.status(), 422, "a reason is needed");
    let res = staff
        .post(
            &format!("/staff/domains/orders/{refused}/refund"),
            &[("why", "The registry says it is taken.")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(r.work().await, [Outcome::Refunded]);
    let page = customer.page(&format!("/domains/orders/{refused}")).await;
    assert!(page.contains("The registry says it is taken."), "{page}");
    assert!(page.contains("Your payment was refunded in full."));
    let page = staff.page("/staff/domains").await;
    assert!(page.contains("To do at the registrar (0)"));
    // Done twice is refused.
    let res = staff
        .post(
            &format!("/staff/domains/orders/{order}/done"),
            &[("expires", "2031-06-30")],
        )
        .await;
    assert_eq!(res.status(), 409);
    // Customers cannot reach the queue's actions.
    let res = customer
        .post(
            &format!("/staff/domains/orders/{refused}/refund"),
            &[("why", "x")],
        )
        .await;
    assert_eq!(res.status(), 404);
}
