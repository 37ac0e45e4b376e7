//! Staff's customer directory: it finds a customer by what support is
//! told (an email, a domain, a Stripe customer id), and pages through a
//! word that matches most customers the same way as through one that
//! matches a few (the two take different paths through the database).

use sqlx::PgPool;

use crate::builders::AccountBuilder;
use crate::helpers::*;

#[sqlx::test(migrations = "../migrations")]
async fn staff_find_a_customer_by_what_support_is_told(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana Lima").await;
    let (bob, _) = app.customer("bob@example.com", "Bob Stone").await;
    let (sam, staff) = app.staff("sam@example.com").await;
    AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .owner(ana)
        .create(&app.pool)
        .await;
    sqlx::query("INSERT INTO billing_customers (user_id, stripe_customer_id) VALUES ($1, 'cus_Bob123')")
        .bind(bob)
        .execute(&app.pool)
        .await
        .unwrap();

    // Customers get the not-found page.
    assert_eq!(ana_browser.get("/staff/customers").await.status(), 404);
    assert_eq!(
        ana_browser.get(&format!("/staff/customers/{bob}")).await.status(),
        404
    );

    let everyone = staff.page("/staff/customers").await;
    assert!(
        everyone.contains("Ana Lima") && everyone.contains("Bob Stone"),
        "{everyone}"
    );
    assert!(
        !everyone.contains(&format!("/staff/customers/{sam}")),
        "staff are not customers"
    );
    let by_domain = staff.page("/staff/customers?q=ana-shop.example").await;
    assert!(
        by_domain.contains("Ana Lima") && !by_domain.contains("Bob Stone"),
        "{by_domain}"
    );
    let by_stripe = staff.page("/staff/customers?q=cus_bob123").await;
    assert!(
        by_stripe.contains("Bob Stone") && !by_stripe.contains("Ana Lima"),
        "{by_stripe}"
    );
    let by_email = staff.page("/staff/customers?q=BOB%40example").await;
    assert!(
        by_email.contains("Bob Stone") && !by_email.contains("Ana Lima"),
        "{by_email}"
    );
    let locked = staff.page("/staff/customers?locked=on").await;
    assert!(locked.contains("No customer matches"), "{locked}");
    let bad_date = staff.page("/staff/customers?from=yesterday").await;
    assert!(bad_date.contains("is not a date"), "{bad_date}");
    assert!(bad_date.contains("Ana Lima"), "the rest of the search still runs");
    // A percent sign is a character to find, not a wildcard.
    assert!(staff
        .page("/staff/customers?q=%25")
        .await
        .contains("No customer matches"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_common_word_and_a_rare_one_page_in_the_same_order(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_, staff) = app.staff("sam@example.com").await;
    // 700 customers, "Filler 001" the newest; more than the search looks
    // at before it turns to the indexes.
    sqlx::query(
        "INSERT INTO users (email, display_name, password_hash, role, email_verified_at, created_at)
         SELECT 'filler' || i || '@example.com', 'Filler ' || lpad(i::text, 3, '0'), 'x', 'customer',
                now(), now() - make_interval(mins => i)
         FROM generate_series(1, 700) i",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // Three old customers found only by their domain.
    for i in [650, 660, 670] {
        let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(format!("filler{i}@example.com"))
            .fetch_one(&app.pool)
            .await
            .unwrap();
        AccountBuilder::named(&format!("Site {i}"))
            .domain(&format!("rare-find-{i}.example"))
            .owner(id)
            .create(&app.pool)
            .await;
    }

    let rare = staff.page("/staff/customers?q=rare-find").await;
    assert_eq!(
        names_in(&rare),
        ["Filler 650", "Filler 660", "Filler 670"],
        "newest first"
    );
    assert!(!rare.contains(">Next<"), "{rare}");

    // Every customer matches "filler": page 2 by name is 26 to 50, with
    // a next page, exactly as without a search.
    let expected: Vec<String> = (26..=50).map(|i| format!("Filler {i:03}")).collect();
    let common = staff.page("/staff/customers?q=filler&sort=name&page=2").await;
    assert_eq!(names_in(&common), expected);
    assert!(common.contains(">Next<"), "{common}");
    let unsearched = staff.page("/staff/customers?sort=name&page=2").await;
    assert_eq!(names_in(&unsearched), expected);
    let oldest = staff.page("/staff/customers?q=filler&sort=oldest").await;
    assert_eq!(names_in(&oldest)[0], "Filler 700");

    // Page 28 of a common word: past the first look, still in order.
    let last = staff.page("/staff/customers?q=filler&sort=email&page=28").await;
    let mut emails: Vec<String> = (1..=700).map(|i| format!("filler{i}@example.com")).collect();
    emails.sort();
    for email in &emails[675..700] {
        assert!(last.contains(email.as_str()), "{email} on the last page");
    }
    assert!(!last.contains(emails[674].as_str()));
    assert!(!last.contains(">Next<"), "page 28 is the last");
}

/// The customers' names on a directory page, in order.
fn names_in(page: &str) -> Vec<String> {
    page.split("<tr class=\"customer\">")
        .skip(1)
        .filter_map(|row| row.find("Filler ").map(|at| row[at..at + 10].to_string()))
        .collect()
}
