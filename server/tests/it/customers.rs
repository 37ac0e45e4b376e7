//! Staff's customers: the directory finds a customer by what support is
//! told (an email, a domain, a Stripe customer id); the customer page shows
//! their picture; locking, unlocking and ending sessions take a reason,
//! reach the customer and are audited; notes stay with staff. Customers
//! get the not-found page for all of it.

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
async fn staff_lock_unlock_and_sign_out_a_customer_with_a_reason_kept_in_the_audit(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana Lima").await;
    let (_, staff) = app.staff("sam@example.com").await;
    AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .owner(ana)
        .create(&app.pool)
        .await;
    let page = format!("/staff/customers/{ana}");

    let view = staff.page(&page).await;
    assert!(
        view.contains("Ana&#x27;s Shop") || view.contains("Ana's Shop"),
        "{view}"
    );
    assert!(view.contains("Open sessions"), "{view}");
    assert!(view.contains("Signed in"), "her sign-in is listed: {view}");
    assert!(view.contains("No staff action yet"), "{view}");

    // A customer cannot act on anyone.
    let res = ana_browser
        .post(&format!("{page}/lock"), &[("reason", "x")])
        .await;
    assert_eq!(res.status(), 404);

    // No reason, no lock: said next to the field, nothing changed.
    let res = staff
        .post(&format!("{page}/lock"), &[("action", "lock"), ("reason", "  ")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Say why"));
    assert_eq!(ana_browser.get("/hosting").await.status(), 200);

    let res = staff
        .post(
            &format!("{page}/lock"),
            &[("action", "lock"), ("reason", "Card fraud reported by the bank")],
        )
        .await;
    assert_redirect_to(&res, &format!("{page}?done=customer_locked"));
    // Her session ended; signing in again tells her why she cannot.
    assert_ne!(ana_browser.get("/hosting").await.status(), 200);
    let again = app.browser();
    let res = again.sign_in("ana@example.com", CUSTOMER_PASSWORD).await;
    assert_ne!(res.status(), 303, "a locked user is not signed in");
    assert!(res.text().await.unwrap().contains("This account is locked"));
    let mails: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM email_outbox WHERE to_address = 'ana@example.com'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(mails.iter().any(|s| s.contains("was locked")), "{mails:?}");
    let view = staff.page(&page).await;
    assert!(view.contains("Card fraud reported by the bank"), "{view}");
    assert!(view.contains("Locked the user"), "the audit: {view}");
    assert!(view.contains("Unlock…"), "{view}");
    let res = staff
        .post(
            &format!("{page}/lock"),
            &[("action", "lock"), ("reason", "again")],
        )
        .await;
    assert_eq!(res.status(), 409, "locked already");

    // Unlocked: she signs in, and her own log says what support did.
    let res = staff
        .post(
            &format!("{page}/unlock"),
            &[("action", "unlock"), ("reason", "The bank withdrew the report")],
        )
        .await;
    assert_redirect_to(&res, &format!("{page}?done=customer_unlocked"));
    let ana_again = app.browser();
    assert_eq!(
        ana_again
            .sign_in("ana@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    let log = ana_again.page("/settings/activity").await;
    assert!(log.contains("Support locked your account"), "{log}");
    assert!(log.contains("Support unlocked your account"), "{log}");

    // Ending her sessions signs her out everywhere.
    let res = staff
        .post(
            &format!("{page}/sessions/end"),
            &[("action", "end_sessions"), ("reason", "She lost her laptop")],
        )
        .await;
    assert_redirect_to(&res, &format!("{page}?done=customer_sessions_ended"));
    assert_ne!(ana_again.get("/hosting").await.status(), 200);

    // Notes: for staff only.
    let res = staff
        .post(&format!("{page}/notes"), &[("body", "Prefers email over phone.")])
        .await;
    assert_redirect_to(&res, &format!("{page}?done=customer_note_added"));
    let view = staff.page(&page).await;
    assert!(view.contains("Prefers email over phone."), "{view}");
    assert!(view.contains("Ended all their sessions"), "{view}");
    let ana_last = app.browser();
    ana_last.sign_in("ana@example.com", CUSTOMER_PASSWORD).await;
    for path in ["/settings/activity", "/hosting", "/"] {
        assert!(!ana_last.page(path).await.contains("Prefers email"), "{path}");
    }
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM staff_audit WHERE customer_id = $1")
        .bind(ana)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(audit, 4, "lock, unlock, end sessions, note");
}
