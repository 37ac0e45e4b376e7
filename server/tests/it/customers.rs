//! Staff's customers: the customer page shows their picture; locking, unlocking and ending sessions take a reason,
//! reach the customer and are audited; notes stay with staff. Customers
//! get the not-found page for all of it.

use sqlx::PgPool;

use crate::builders::AccountBuilder;
use crate::helpers::*;

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

#[sqlx::test(migrations = "../migrations")]
async fn staff_list_every_account_and_zone_across_customers(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana Lima").await;
    let (bob, _) = app.customer("bob@example.com", "Bob Stone").await;
    let (_, staff) = app.staff("sam@example.com").await;
    let shop = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .owner(ana)
        .create(&app.pool)
        .await;
    AccountBuilder::named("Bob's Blog")
        .domain("bob-blog.example.com")
        .owner(bob)
        .create(&app.pool)
        .await;
    let res = ana_browser
        .post(
            "/domains/new",
            &[("account", &shop.to_string()), ("name", "ana-shop.example.com")],
        )
        .await;
    assert_eq!(res.status(), 303);

    let all = staff.page("/staff/accounts").await;
    assert!(
        all.contains("Bob&#x27;s Blog") || all.contains("Bob's Blog"),
        "{all}"
    );
    assert!(
        all.contains("ana@example.com") && all.contains("bob@example.com"),
        "owners: {all}"
    );
    assert!(
        all.contains("Open sessions now: 2 customers, 1 staff"),
        "ana, bob and sam: {all}"
    );
    let by_owner = staff.page("/staff/accounts?q=bob%40").await;
    assert!(
        by_owner.contains("bob-blog.example.com") && !by_owner.contains("ana-shop.example.com"),
        "{by_owner}"
    );
    let suspended = staff.page("/staff/accounts?status=suspended").await;
    assert!(suspended.contains("No account matches"), "{suspended}");

    let zones = staff.page("/staff/zones").await;
    assert!(zones.contains("ana-shop.example.com"), "{zones}");
    let active = staff.page("/staff/zones?status=active").await;
    assert!(
        active.contains("No zone matches"),
        "a new zone waits for delegation: {active}"
    );
    assert_eq!(ana_browser.get("/staff/accounts").await.status(), 404);
    assert_eq!(ana_browser.get("/staff/zones").await.status(), 404);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_takes_their_data_away_as_a_zip_of_json(pool: PgPool) {
    use std::io::Read;
    let app = spawn_app(pool).await;
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana Lima").await;
    let (_, bob_browser) = app.customer("bob@example.com", "Bob Stone").await;
    let shop = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .owner(ana)
        .create(&app.pool)
        .await;
    let res = ana_browser
        .post(
            "/domains/new",
            &[("account", &shop.to_string()), ("name", "ana-shop.example.com")],
        )
        .await;
    assert_eq!(res.status(), 303);
    ticket_with_a_file(&ana_browser, shop).await;
    let (_, staff) = app.staff("sam@example.com").await;
    let number: i64 = sqlx::query_scalar("SELECT number FROM tickets")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    staff
        .post(
            &format!("/support/{number}/reply"),
            &[("body", "Only staff see this."), ("internal", "on")],
        )
        .await;

    assert!(ana_browser.page("/settings").await.contains("Export your data"));
    let res = ana_browser.post("/settings/export", &[]).await;
    assert_redirect_to(&res, "/settings/export?done=export_requested");
    assert!(ana_browser
        .page("/settings/export")
        .await
        .contains("being prepared"));
    // Once an hour.
    assert_eq!(ana_browser.post("/settings/export", &[]).await.status(), 409);

    let deps = app.deps();
    assert!(services::export::build_next(&deps).await.unwrap(), "built");
    assert!(
        !services::export::build_next(&deps).await.unwrap(),
        "nothing left"
    );
    let (kind, text) = app.last_email_to("ana@example.com").await.unwrap();
    assert_eq!(kind, "data_export_ready");
    let link = link_in(&text, &format!("{}/settings/export/download", app.base));
    let path = link.trim_start_matches(&app.base).to_string();

    // Only Ana, signed in, gets it.
    assert_eq!(
        bob_browser.get(&path).await.status(),
        404,
        "not another customer's"
    );
    let res = app.browser().get(&path).await;
    assert_eq!(res.status(), 303, "signed out: sign in first");
    let res = ana_browser.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let files: Vec<String> = zip.file_names().map(String::from).collect();
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name}"))
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let profile: serde_json::Value = serde_json::from_str(&read("profile.json")).unwrap();
    assert_eq!(profile["email"], "ana@example.com");
    assert!(read("hosting-accounts.json").contains("Ana's Shop"));
    assert!(read("domains.json").contains("ana-shop.example.com"));
    let tickets = read("tickets.json");
    assert!(tickets.contains("My site is down."), "{tickets}");
    assert!(
        !tickets.contains("Only staff see this."),
        "internal notes stay out: {tickets}"
    );
    let attachment = files
        .iter()
        .find(|f| f.ends_with("notes.txt"))
        .expect("the attached file");
    assert_eq!(read(attachment), "error log lines");
    assert!(read("activity.json").contains("data_export_requested"));

    // After 24 hours the link is dead and the archive gone.
    app.clock.advance(time::Duration::hours(25));
    assert_eq!(
        services::export::expire(&app.pool, app.clock.now())
            .await
            .unwrap(),
        1
    );
    let again = app.browser();
    again.sign_in("ana@example.com", CUSTOMER_PASSWORD).await;
    assert_eq!(again.get(&path).await.status(), 404);
    assert!(again.page("/settings/export").await.contains("has expired"));

    // Staff prepare one for her, with a reason; it is audited.
    let res = staff
        .post(
            &format!("/staff/customers/{ana}/export"),
            &[("action", "export"), ("reason", "Access request by email")],
        )
        .await;
    assert_redirect_to(
        &res,
        &format!("/staff/customers/{ana}?done=customer_export_requested"),
    );
    assert!(staff
        .page(&format!("/staff/customers/{ana}"))
        .await
        .contains("Prepared a copy of their data"));
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_resend_a_verification_link_and_change_an_email_for_a_customer(pool: PgPool) {
    use crate::builders::UserBuilder;
    let app = spawn_app(pool).await;
    let new = UserBuilder::customer("new@example.com")
        .name("Nia New")
        .unverified()
        .create(&app.pool)
        .await;
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana Lima").await;
    let (_, staff) = app.staff("sam@example.com").await;

    // A new link to confirm her address; refused once it is confirmed.
    let page = format!("/staff/customers/{new}");
    assert!(staff.page(&page).await.contains("Resend verification"));
    let res = staff
        .post(
            &format!("{page}/verification"),
            &[("action", "resend_verification"), ("reason", "Link expired")],
        )
        .await;
    assert_redirect_to(&res, &format!("{page}?done=verification_resent"));
    let (kind, text) = app.last_email_to("new@example.com").await.unwrap();
    assert_eq!(kind, "verify_email");
    let link = link_in(&text, &format!("{}/verify-email", app.base));
    assert!(link.contains("token="), "{link}");
    let ana_page = format!("/staff/customers/{ana}");
    assert!(!staff.page(&ana_page).await.contains("Resend verification"));
    let res = staff
        .post(
            &format!("{ana_page}/verification"),
            &[("action", "resend_verification"), ("reason", "x")],
        )
        .await;
    assert_eq!(res.status(), 409);

    // A change of address: refused for an address in use, kept in the form.
    let email = format!("{ana_page}/email");
    let res = staff
        .post(
            &email,
            &[
                ("action", "change_email"),
                ("new_email", "new@example.com"),
                ("reason", "Asked by phone"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Another account uses that address"), "{body}");
    assert!(body.contains("Asked by phone"), "what was typed stays");
    let res = staff
        .post(
            &email,
            &[
                ("action", "change_email"),
                ("new_email", "ana.lima@example.org"),
                ("reason", "Asked by phone"),
            ],
        )
        .await;
    assert_redirect_to(&res, &format!("{ana_page}?done=customer_email_change_started"));
    // Nothing changes until the new address confirms; the old one is told.
    let (kind, _) = app.last_email_to("ana@example.com").await.unwrap();
    assert_eq!(kind, "email_change_notice");
    let (kind, text) = app.last_email_to("ana.lima@example.org").await.unwrap();
    assert_eq!(kind, "confirm_new_email");
    let token = token_of(&link_in(&text, &format!("{}/confirm-email", app.base)));
    let res = app.browser().post("/confirm-email", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    let now: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(ana)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(now, "ana.lima@example.org");
    assert_ne!(
        ana_browser.get("/hosting").await.status(),
        200,
        "her sessions ended with the change"
    );

    // Both are in the audit, with their reasons.
    let audit = staff.page("/staff/audit?actor=sam%40example.com").await;
    let entry = |kind: &str| format!("class=\"stack-title\">Staff: {kind}</td>");
    assert!(
        audit.contains(&entry("Sent a new verification link")) && audit.contains("Link expired"),
        "{audit}"
    );
    assert!(
        audit.contains(&entry("Started a change of email address")) && audit.contains("Asked by phone"),
        "{audit}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_export_that_cannot_be_built_fails_alone(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana Lima").await;
    let (_, bob_browser) = app.customer("bob@example.com", "Bob Stone").await;
    let shop = AccountBuilder::named("Ana's Shop")
        .owner(ana)
        .create(&app.pool)
        .await;
    ticket_with_a_file(&ana_browser, shop).await;
    let deps = app.deps();
    // Her attached file is gone from storage (a disk restored without it).
    let key: String = sqlx::query_scalar("SELECT storage_key FROM ticket_attachments")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    deps.support.storage.store().delete(&key).await.unwrap();
    assert_eq!(ana_browser.post("/settings/export", &[]).await.status(), 303);
    assert_eq!(bob_browser.post("/settings/export", &[]).await.status(), 303);

    // Hers fails and she is told; Bob's, behind it, is built.
    assert!(services::export::build_next(&deps).await.unwrap());
    assert!(services::export::build_next(&deps).await.unwrap());
    assert!(!services::export::build_next(&deps).await.unwrap());
    let states: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, e.status FROM data_exports e JOIN users u ON u.id = e.user_id ORDER BY u.email",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        states,
        vec![
            ("ana@example.com".into(), "failed".into()),
            ("bob@example.com".into(), "ready".into())
        ]
    );
    let (kind, text) = app.last_email_to("ana@example.com").await.unwrap();
    assert_eq!(kind, "data_export_failed");
    assert!(text.contains("Ask again"), "{text}");
    assert!(ana_browser
        .page("/settings/export")
        .await
        .contains("could not be prepared"));
    // She may ask again at once.
    assert_eq!(ana_browser.post("/settings/export", &[]).await.status(), 303);
}

/// A ticket about `account` with a file attached ("notes.txt").
async fn ticket_with_a_file(browser: &Browser, account: uuid::Uuid) {
    let res = crate::tickets::open_ticket(
        browser,
        "Site down",
        "My site is down.",
        Some(account),
        vec![("notes.txt", b"error log lines".to_vec())],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}
