//! Staff follow every domain order and the registrar balance; customers
//! see their registration on the domain's page, and nothing of staff's.

use sqlx::PgPool;

use super::Registry;

#[sqlx::test(migrations = "../migrations")]
async fn staff_see_every_order_and_the_registrar_balance(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, customer, account) = r.owner("owner@example.com").await;
    r.bought(&customer, "followed.com", account).await;
    r.work().await;
    r.buy(&customer, "unpaid-one.com", account, &[]).await;

    // The customer's domain page says it is registered here, until when.
    let page = customer.get("/domains/followed.com").await.text().await.unwrap();
    assert!(page.contains("Registered until"), "{page}");
    assert!(page.contains("at Namecheap"));
    assert_eq!(customer.get("/staff/domains").await.status(), 404);

    let (_, staff) = r.shop.app.staff("staff@example.com").await;
    let page = staff.get("/staff/domains").await.text().await.unwrap();
    assert!(page.contains(r#"data-status="registered""#), "{page}");
    assert!(page.contains(r#"data-status="awaiting_payment""#));
    assert!(page.contains("owner@example.com"));
    // The stand-in starts with $1,000 and charged 8.88.
    assert!(page.contains("991.12 USD"), "{page}");
    assert!(!page.contains("below the warning threshold"));

    let page = staff
        .get("/staff/domains?status=registered&q=follow")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("followed.com"));
    assert!(!page.contains("unpaid-one.com"), "filtered by state");

    r.registrar.set_balance_cents(1_000);
    let page = staff.get("/staff/domains").await.text().await.unwrap();
    assert!(page.contains("10.00 USD: below the warning threshold"), "{page}");

    // The daily reconciliation flags a name held there but not here, and
    // an expiry that differs.
    r.registrar.hold("stray.com", 2);
    sqlx::query("UPDATE registered_domains SET expires_at = expires_at + interval '1 year' WHERE name = 'followed.com'")
        .execute(r.pool())
        .await
        .unwrap();
    let registrar = r.deps.registrations.registrar().unwrap();
    let found = services::registrations::reconcile::run(r.pool(), registrar, r.shop.app.clock.now())
        .await
        .unwrap();
    assert_eq!(found, 2);
    let page = staff.get("/staff/domains").await.text().await.unwrap();
    assert!(page.contains("held at the registrar, unknown here"), "{page}");
    assert!(page.contains("expiry here"));
}
