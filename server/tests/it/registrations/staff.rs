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
    let page = customer.page("/domains/followed.com").await;
    assert!(page.contains("Registered until"), "{page}");
    assert!(page.contains("at Namecheap"));
    assert_eq!(customer.get("/staff/domains").await.status(), 404);

    let (_, staff) = r.shop.app.staff("staff@example.com").await;
    let page = staff.page("/staff/domains").await;
    assert!(page.contains(r#"data-status="registered""#), "{page}");
    assert!(page.contains(r#"data-status="awaiting_payment""#));
    assert!(page.contains("owner@example.com"));
    // The stand-in starts with $1,000 and charged 8.88.
    assert!(page.contains("991.12 USD"), "{page}");
    assert!(!page.contains("below the warning threshold"));

    let page = staff.page("/staff/domains?status=registered&q=follow").await;
    assert!(page.contains("followed.com"));
    assert!(!page.contains("unpaid-one.com"), "filtered by state");

    // The staff dashboard's chart counts it today; customers have no such chart.
    let view = crate::dashboard::dashboard(&staff, "7d", None).await;
    let chart = view["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "registrations-per-day")
        .expect("the registrations chart");
    let registered: f64 = chart["data"]["Ok"]["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .sum();
    assert_eq!(registered, 1.0);
    let view = crate::dashboard::dashboard(&customer, "7d", None).await;
    assert!(!view["charts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "registrations-per-day"));

    // Registrations by where their expiry stands (put back after).
    let expires: time::OffsetDateTime =
        sqlx::query_scalar("SELECT expires_at FROM registered_domains WHERE name = 'followed.com'")
            .fetch_one(r.pool())
            .await
            .unwrap();
    assert!(!staff
        .page("/staff/domains?status=expiring")
        .await
        .contains("followed.com"));
    sqlx::query(
        "UPDATE registered_domains SET expires_at = now() + interval '10 days' WHERE name = 'followed.com'",
    )
    .execute(r.pool())
    .await
    .unwrap();
    let page = staff.page("/staff/domains?status=expiring").await;
    assert!(
        page.contains("followed.com") && !page.contains("unpaid-one.com"),
        "{page}"
    );
    assert!(!staff
        .page("/staff/domains?status=past_expiry")
        .await
        .contains("followed.com"));
    sqlx::query(
        "UPDATE registered_domains SET expires_at = now() - interval '1 day' WHERE name = 'followed.com'",
    )
    .execute(r.pool())
    .await
    .unwrap();
    assert!(staff
        .page("/staff/domains?status=past_expiry")
        .await
        .contains("followed.com"));

    sqlx::query("UPDATE registered_domains SET expires_at = $1 WHERE name = 'followed.com'")
        .bind(expires)
        .execute(r.pool())
        .await
        .unwrap();

    r.registrar.set_balance_cents(1_000);
    let page = staff.page("/staff/domains").await;
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
    let page = staff.page("/staff/domains").await;
    assert!(page.contains("held at the registrar, unknown here"), "{page}");
    assert!(page.contains("expiry here"));
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_set_the_prices_customers_see(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, customer, _) = r.owner("shopper@example.com").await;
    let (_, staff) = r.shop.app.staff("pricing@example.com").await;
    assert!(customer
        .page("/domains/search?q=priced")
        .await
        .contains("10.66 USD / year"));

    let save = |form: Vec<(&'static str, &'static str)>| {
        let staff = &staff;
        async move { staff.post("/staff/domains/tlds", &form).await }
    };
    let res = save(vec![
        ("tld", "com"),
        ("on_sale", "on"),
        ("margin_percent", "50"),
        ("fixed_price", ""),
    ])
    .await;
    assert_eq!(res.status(), 303);
    // 8.88 plus 50 %.
    assert!(customer
        .page("/domains/search?q=priced")
        .await
        .contains("13.32 USD / year"));
    save(vec![
        ("tld", "com"),
        ("on_sale", "on"),
        ("margin_percent", "50"),
        ("fixed_price", "12"),
    ])
    .await;
    assert!(customer
        .page("/domains/search?q=priced")
        .await
        .contains("12.00 USD / year"));
    // Off sale: .com is no longer offered.
    save(vec![
        ("tld", "com"),
        ("margin_percent", "50"),
        ("fixed_price", "12"),
    ])
    .await;
    let html = customer.page("/domains/search?q=priced").await;
    assert!(!html.contains(r#"data-name="priced.com""#), "{html}");
    // A new extension, priced from the registrar's cost (1.98) at once.
    save(vec![
        ("tld", ".XYZ"),
        ("on_sale", "on"),
        ("margin_percent", "0"),
        ("fixed_price", ""),
    ])
    .await;
    assert!(customer
        .page("/domains/search?q=priced")
        .await
        .contains("1.98 USD / year"));

    let res = save(vec![
        ("tld", "net"),
        ("on_sale", "on"),
        ("margin_percent", "lots"),
        ("fixed_price", "-3"),
    ])
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter a margin from 0 to 1000 %."));
    assert!(html.contains("Enter a price like 12.99"));
    let res = customer
        .post("/staff/domains/tlds", &[("tld", "com"), ("margin_percent", "0")])
        .await;
    assert_eq!(res.status(), 404, "customers do not see staff tools");
}
