//! Two-factor authentication: enrolment, signing in with a code or a
//! recovery code, replay, expiry, turning it off, the staff requirement.

use crate::helpers::*;
use sqlx::PgPool;
use time::Duration;

const ANA: &str = "customer@example.com";

#[sqlx::test(migrations = "../migrations")]
async fn enrolment_turns_on_only_after_a_correct_code(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    let elsewhere = app.browser();
    assert_eq!(elsewhere.sign_in(ANA, CUSTOMER_PASSWORD).await.status(), 303);

    let page = browser.get("/settings/two-factor").await.text().await.unwrap();
    assert!(page.contains("Set up two-factor authentication"));
    assert_eq!(
        browser.post("/settings/two-factor/start", &[]).await.status(),
        303
    );
    let page = browser.get("/settings/two-factor").await.text().await.unwrap();
    let secret = attribute(&page, "data-secret");
    assert!(page.contains("<svg"), "a QR code is shown");
    assert!(page.contains("otpauth://totp/"), "and the otpauth:// URL");
    assert_eq!(secret.len(), 32, "a 160-bit seed in base32");

    let wrong = browser
        .post("/settings/two-factor/enable", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("That code did not match"));
    assert_eq!(
        elsewhere.sign_in(ANA, CUSTOMER_PASSWORD).await.status(),
        303,
        "still off: the password alone signs in"
    );

    let ok = browser
        .post("/settings/two-factor/enable", &[("code", &app.code_now(&secret))])
        .await;
    assert_eq!(ok.status(), 200);
    let html = ok.text().await.unwrap();
    assert_eq!(recovery_codes_in(&html).len(), 10);
    assert!(html.contains("This is the only time they are shown"));
    assert_eq!(app.last_email_to(ANA).await.unwrap().0, "two_factor_enabled");
    assert_eq!(
        elsewhere.get("/").await.status(),
        302,
        "turning it on signed out the other session"
    );
    assert_eq!(browser.get("/settings").await.status(), 200, "but not this one");
    // Shown once: the page no longer lists them.
    let again = browser.get("/settings/two-factor").await.text().await.unwrap();
    assert!(recovery_codes_in(&again).is_empty());
    assert!(again.contains("10 of 10 unused"));

    // The seed is sealed at rest.
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT secret_sealed FROM two_factor")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let raw = String::from_utf8_lossy(&sealed);
    assert!(!raw.contains(&secret) && sealed.len() > 20 + 12);
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_needs_a_fresh_code_after_the_password(pool: PgPool) {
    let app = spawn_app(pool).await;
    let two_factor = enable_two_factor(&app, &signed_in(&app).await).await;

    let phone = app.browser();
    let res = phone
        .post(
            "/login",
            &[
                ("email", ANA),
                ("password", CUSTOMER_PASSWORD),
                ("next", "/settings"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login/two-factor?next=/settings");
    assert_eq!(
        phone.get("/settings").await.status(),
        302,
        "the password alone is not a session"
    );
    let wrong = phone
        .post("/login/two-factor", &[("code", "123456"), ("next", "/settings")])
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("That code did not work"));

    let code = app.next_code(&two_factor.secret);
    let ok = phone
        .post("/login/two-factor", &[("code", &code), ("next", "/settings")])
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(location(&ok), "/settings");
    assert_eq!(phone.get("/settings").await.status(), 200);

    // The same code again (someone who saw it) is refused.
    let thief = app.browser();
    assert_eq!(thief.sign_in(ANA, CUSTOMER_PASSWORD).await.status(), 303);
    let replay = thief
        .post("/login/two-factor", &[("code", &code), ("next", "/")])
        .await;
    assert_eq!(replay.status(), 422, "a used time step is refused");
    assert_eq!(thief.get("/").await.status(), 302);
}

#[sqlx::test(migrations = "../migrations")]
async fn recovery_codes_work_once_and_new_ones_replace_them(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = signed_in(&app).await;
    let two_factor = enable_two_factor(&app, &owner).await;
    let first = &two_factor.recovery_codes[0];

    let laptop = app.browser();
    laptop.sign_in(ANA, CUSTOMER_PASSWORD).await;
    let ok = laptop
        .post(
            "/login/two-factor",
            &[("code", &first.to_uppercase()), ("next", "/")],
        )
        .await;
    assert_eq!(
        ok.status(),
        303,
        "a recovery code signs in (case does not matter)"
    );
    assert_eq!(laptop.get("/").await.status(), 200);

    let again = app.browser();
    again.sign_in(ANA, CUSTOMER_PASSWORD).await;
    let reused = again
        .post("/login/two-factor", &[("code", first), ("next", "/")])
        .await;
    assert_eq!(reused.status(), 422, "each recovery code works once");

    // Regenerating (the owner signed in moments ago: no step-up needed).
    let res = laptop.post("/settings/two-factor/recovery-codes", &[]).await;
    assert_eq!(res.status(), 200);
    let fresh_codes = recovery_codes_in(&res.text().await.unwrap());
    assert_eq!(fresh_codes.len(), 10);
    assert_eq!(
        app.last_email_to(ANA).await.unwrap().0,
        "recovery_codes_regenerated"
    );
    let old_unused = &two_factor.recovery_codes[1];
    let with_old = app.browser();
    with_old.sign_in(ANA, CUSTOMER_PASSWORD).await;
    assert_eq!(
        with_old
            .post("/login/two-factor", &[("code", old_unused), ("next", "/")])
            .await
            .status(),
        422,
        "the old codes stopped working"
    );
    assert_eq!(
        with_old
            .post("/login/two-factor", &[("code", &fresh_codes[0]), ("next", "/")])
            .await
            .status(),
        303
    );
    let log = laptop.get("/settings/activity").await.text().await.unwrap();
    assert!(log.contains("A recovery code was used to sign in"));
    assert!(log.contains("Two-factor authentication turned on"));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_code_step_expires_after_five_minutes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let two_factor = enable_two_factor(&app, &signed_in(&app).await).await;
    let browser = app.browser();
    browser.sign_in(ANA, CUSTOMER_PASSWORD).await;
    app.clock.advance(Duration::minutes(5) + Duration::seconds(1));
    let late = browser
        .post(
            "/login/two-factor",
            &[("code", &app.code_now(&two_factor.secret)), ("next", "/")],
        )
        .await;
    assert_eq!(late.status(), 303);
    assert_eq!(location(&late), "/login?next=/&done=sign_in_expired");
    assert_eq!(browser.get("/").await.status(), 302, "not signed in");
    let page = browser
        .get("/login?done=sign_in_expired")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Your sign-in took too long"));
}

#[sqlx::test(migrations = "../migrations")]
async fn failed_codes_pause_sign_in_and_tell_the_owner(pool: PgPool) {
    let app = spawn_app(pool).await;
    enable_two_factor(&app, &signed_in(&app).await).await;
    let attacker = app.browser();
    attacker.sign_in(ANA, CUSTOMER_PASSWORD).await;
    for guess in ["111111", "222222", "333333", "444444", "555555"] {
        let res = attacker
            .post("/login/two-factor", &[("code", guess), ("next", "/")])
            .await;
        assert_eq!(res.status(), 422);
    }
    let paused = attacker
        .post("/login/two-factor", &[("code", "666666"), ("next", "/")])
        .await;
    assert_eq!(paused.status(), 429);
    assert_eq!(app.last_email_to(ANA).await.unwrap().0, "sign_in_paused");
}

#[sqlx::test(migrations = "../migrations")]
async fn turning_off_needs_the_password_and_a_code(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    let two_factor = enable_two_factor(&app, &browser).await;
    let code = app.next_code(&two_factor.secret);

    let wrong_password = browser
        .post(
            "/settings/two-factor/disable",
            &[("disable_password", "not my password"), ("disable_code", &code)],
        )
        .await;
    assert_eq!(wrong_password.status(), 422);
    assert!(wrong_password
        .text()
        .await
        .unwrap()
        .contains("Your current password is incorrect."));
    let wrong_code = browser
        .post(
            "/settings/two-factor/disable",
            &[
                ("disable_password", CUSTOMER_PASSWORD),
                ("disable_code", "000000"),
            ],
        )
        .await;
    assert_eq!(wrong_code.status(), 422);
    let ok = browser
        .post(
            "/settings/two-factor/disable",
            &[("disable_password", CUSTOMER_PASSWORD), ("disable_code", &code)],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(app.last_email_to(ANA).await.unwrap().0, "two_factor_disabled");
    let res = app.browser().sign_in(ANA, CUSTOMER_PASSWORD).await;
    assert_eq!(location(&res), "/", "the password alone signs in again");
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_are_sent_to_enrol_when_two_factor_is_required(pool: PgPool) {
    let app = spawn_app_with(pool, &[("KSF_STAFF_REQUIRE_2FA", "true")]).await;
    let staff = "staff@example.com";
    {
        use domain::{DisplayName, Email, Password, Role};
        services::users::create_user(
            &app.pool,
            services::users::NewUser {
                email: Email::parse(staff).unwrap(),
                display_name: DisplayName::parse("Sam Staff").unwrap(),
                password: Password::parse(CUSTOMER_PASSWORD).unwrap(),
                role: Role::Staff,
                staff_role: Some(domain::StaffRole::Admin),
                email_verified: true,
            },
            crate::helpers::TEST_HASH_COST,
        )
        .await
        .unwrap();
    }
    let browser = app.browser();
    browser.sign_in(staff, CUSTOMER_PASSWORD).await;
    let home = browser.get("/").await;
    assert_eq!(home.status(), 303);
    assert_eq!(location(&home), "/settings/two-factor?required=1");
    let page = browser.get("/settings/two-factor?required=1").await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Staff accounts must use two-factor"));
    assert_eq!(
        browser
            .post("/settings/profile/name", &[("name", "Sam")])
            .await
            .status(),
        403
    );
    // Customers are not affected.
    let customer = signed_in(&app).await;
    assert_eq!(customer.get("/").await.status(), 200);

    enable_two_factor(&app, &browser).await;
    assert_eq!(browser.get("/").await.status(), 200, "enrolled: the portal opens");
}
