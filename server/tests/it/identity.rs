//! Accounts as a visitor uses them over HTTP: sign up, confirm, sign in and
//! out, password reset and change, profile changes, rate limits.

use crate::helpers::{link_in, location, spawn_app, token_of, Browser, TestApp};
use sqlx::PgPool;

const PASSWORD: &str = "a long enough secret";

/// The page's main content (the rest carries per-response nonces).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>");
    &html[start..end]
}

async fn sign_up(browser: &Browser, name: &str, email: &str) -> reqwest::Response {
    browser
        .post(
            "/signup",
            &[("name", name), ("email", email), ("password", PASSWORD)],
        )
        .await
}

/// Signs up and confirms the address; the browser is then signed in.
async fn signed_up_and_verified(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    assert_eq!(sign_up(&browser, "Ana", email).await.status(), 303);
    let (_, text) = app.last_email_to(email).await.unwrap();
    let token = token_of(&link_in(&text, "http://"));
    let res = browser.post("/verify-email", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    browser
}

async fn sign_in(browser: &Browser, email: &str, password: &str, next: &str) -> reqwest::Response {
    browser
        .post(
            "/login",
            &[("email", email), ("password", password), ("next", next)],
        )
        .await
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_up_sends_a_link_that_confirms_the_address_and_signs_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();

    let res = sign_up(&browser, "Ana López", "ana@example.com").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/signup/sent");
    let (kind, text) = app
        .last_email_to("ana@example.com")
        .await
        .expect("a verification email");
    assert_eq!(kind, "verify_email");
    let link = link_in(&text, "http://");
    assert!(link.contains("/verify-email?token="), "{link}");

    // Not signed in yet: the dashboard sends us to sign in.
    let res = browser.get("/").await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/login?next=/");

    // The link opens a page whose button confirms (scanners cannot use it up).
    let path = &link[link.find("/verify-email").unwrap()..];
    let page = browser.get(path).await.text().await.unwrap();
    assert!(page.contains("Confirm my email"));
    let res = browser
        .post("/verify-email", &[("token", &token_of(&link))])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let home = browser.get("/").await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Ana López"));
    assert_eq!(app.last_email_to("ana@example.com").await.unwrap().0, "welcome");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_verification_link_works_once_and_expires(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let browser = app.browser();
    sign_up(&browser, "Ana", "ana@example.com").await;
    let token = token_of(&link_in(
        &app.last_email_to("ana@example.com").await.unwrap().1,
        "http://",
    ));

    assert_eq!(
        browser.post("/verify-email", &[("token", &token)]).await.status(),
        303
    );
    let again = browser.post("/verify-email", &[("token", &token)]).await;
    assert_eq!(again.status(), 400);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("invalid or has already been used"));

    let other = app.browser();
    sign_up(&other, "Bo", "bo@example.com").await;
    let token = token_of(&link_in(
        &app.last_email_to("bo@example.com").await.unwrap().1,
        "http://",
    ));
    sqlx::query("UPDATE email_tokens SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    let expired = other.post("/verify-email", &[("token", &token)]).await;
    assert_eq!(expired.status(), 400);
    assert!(expired.text().await.unwrap().contains("This link has expired"));
    let garbage = other.post("/verify-email", &[("token", "not-a-token")]).await;
    assert_eq!(garbage.status(), 400);
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_sign_up_input_is_explained_next_to_each_field_and_nothing_typed_is_lost(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    let res = browser
        .post(
            "/signup",
            &[("name", "Ana"), ("email", "not-an-email"), ("password", "short")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter an email address like name@example.com."));
    assert!(html.contains("Use at least 12 characters."));
    assert!(html.contains(r#"value="Ana""#), "the name is kept");
    assert!(html.contains(r#"value="not-an-email""#), "the email is kept");
    assert!(!html.contains("short\""), "the password is not echoed back");

    let common = browser
        .post(
            "/signup",
            &[
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", "password1234"),
            ],
        )
        .await;
    assert!(common.text().await.unwrap().contains("too common"));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_address_is_taken_whatever_its_case(pool: PgPool) {
    let app = spawn_app(pool).await;
    assert_eq!(
        sign_up(&app.browser(), "Ana", "ana@example.com").await.status(),
        303
    );
    // Answered as for a new address (nothing revealed); the owner is told.
    let res = sign_up(&app.browser(), "Ana", "ANA@Example.COM").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/signup/sent");
    assert_eq!(
        app.last_email_to("ana@example.com").await.unwrap().0,
        "sign_up_attempt"
    );
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 1, "no second account");
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_needs_the_right_password_and_a_confirmed_address(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let unconfirmed = app.browser();
    sign_up(&unconfirmed, "Cy", "cy@example.com").await;
    let res = sign_in(&unconfirmed, "cy@example.com", PASSWORD, "/").await;
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("Confirm your email address first"));
    assert!(html.contains("Send me a new confirmation link"));

    signed_up_and_verified(&app, "ana@example.com").await;
    let browser = app.browser();
    let wrong = sign_in(&browser, "ana@example.com", "not the password", "/").await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("The email or password is incorrect."));
    let unknown = sign_in(&browser, "nobody@example.com", PASSWORD, "/").await;
    assert_eq!(unknown.status(), 401, "an unknown address gets the same answer");

    let (ip, ua): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT ip, user_agent FROM sign_in_attempts WHERE email = 'ana@example.com' AND NOT succeeded",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));
    assert!(ua.unwrap().contains("Firefox"));

    let ok = sign_in(&browser, "ANA@example.com", PASSWORD, "/settings").await;
    assert_eq!(ok.status(), 303);
    assert_eq!(location(&ok), "/settings");
    assert_eq!(browser.get("/settings").await.status(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn next_never_leaves_the_site(pool: PgPool) {
    let app = spawn_app(pool).await;
    signed_up_and_verified(&app, "ana@example.com").await;
    for next in ["https://evil.example/", "//evil.example/", "/\\evil.example"] {
        let res = sign_in(&app.browser(), "ana@example.com", PASSWORD, next).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/", "next={next}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_out_ends_the_session_for_good(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_up_and_verified(&app, "ana@example.com").await;
    assert_eq!(browser.get("/").await.status(), 200);
    let cookie_before = browser.get("/").await.headers().get("set-cookie").cloned();
    assert!(cookie_before.is_none());

    let res = browser.post("/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let res = browser.get("/settings").await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/login?next=/settings");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_stolen_cookie_stops_working_after_sign_out(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    signed_up_and_verified(&app, "ana@example.com").await;
    let res = sign_in(&browser, "ana@example.com", PASSWORD, "/").await;
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    browser.post("/logout", &[]).await;
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 302, "the revoked session is refused");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_reset_reveals_nothing_and_its_link_works_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let old_session = signed_up_and_verified(&app, "ana@example.com").await;
    let browser = app.browser();

    let known = browser
        .post("/forgot-password", &[("email", "ana@example.com")])
        .await;
    let unknown = browser
        .post("/forgot-password", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(known.status(), 200);
    assert_eq!(unknown.status(), 200);
    let (known, unknown) = (known.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(known.contains("If that address has an account, we sent it a link"));
    assert!(
        main_of(&known).replace("ana@example.com", "X")
            == main_of(&unknown).replace("nobody@example.com", "X"),
        "the two answers are the same page"
    );
    assert_eq!(app.emails_to("nobody@example.com").await, 0);

    let (kind, text) = app.last_email_to("ana@example.com").await.unwrap();
    assert_eq!(kind, "password_reset");
    let token = token_of(&link_in(&text, "http://"));
    let weak = browser
        .post("/reset-password", &[("token", &token), ("password", "short")])
        .await;
    assert_eq!(weak.status(), 422, "a weak password keeps the link usable");
    let res = browser
        .post(
            "/reset-password",
            &[("token", &token), ("password", "a brand new secret")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?done=password_reset");
    let reused = browser
        .post(
            "/reset-password",
            &[("token", &token), ("password", "another new secret")],
        )
        .await;
    assert_eq!(reused.status(), 400);

    assert_eq!(
        old_session.get("/").await.status(),
        302,
        "sessions end with a reset"
    );
    assert_eq!(
        sign_in(&browser, "ana@example.com", PASSWORD, "/").await.status(),
        401
    );
    assert_eq!(
        sign_in(&browser, "ana@example.com", "a brand new secret", "/")
            .await
            .status(),
        303
    );
    assert_eq!(
        app.last_email_to("ana@example.com").await.unwrap().0,
        "password_changed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_reset_link_expires_after_an_hour(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    signed_up_and_verified(&app, "ana@example.com").await;
    let browser = app.browser();
    browser
        .post("/forgot-password", &[("email", "ana@example.com")])
        .await;
    let token = token_of(&link_in(
        &app.last_email_to("ana@example.com").await.unwrap().1,
        "http://",
    ));
    sqlx::query(
        "UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset_password'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let res = browser
        .post(
            "/reset-password",
            &[("token", &token), ("password", "a brand new secret")],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("This link has expired"));
}

#[sqlx::test(migrations = "../migrations")]
async fn repeated_failed_sign_ins_are_throttled_with_retry_after(pool: PgPool) {
    let app = spawn_app(pool).await;
    signed_up_and_verified(&app, "ana@example.com").await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            sign_in(&browser, "ana@example.com", "wrong password!", "/")
                .await
                .status(),
            401
        );
    }
    let res = sign_in(&browser, "ana@example.com", PASSWORD, "/").await;
    assert_eq!(res.status(), 429, "even the right password waits");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert!(res.text().await.unwrap().contains("Too many attempts"));
    let notices: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE kind = 'sign_in_paused'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(notices, 1, "the owner is told once");
}

#[sqlx::test(migrations = "../migrations")]
async fn password_reset_requests_are_rate_limited_per_address(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    for _ in 0..3 {
        assert_eq!(
            browser
                .post("/forgot-password", &[("email", "ana@example.com")])
                .await
                .status(),
            200
        );
    }
    let res = browser
        .post("/forgot-password", &[("email", "ANA@example.com")])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

#[sqlx::test(migrations = "../migrations")]
async fn changing_the_password_ends_other_sessions(pool: PgPool) {
    let app = spawn_app(pool).await;
    let here = signed_up_and_verified(&app, "ana@example.com").await;
    let elsewhere = app.browser();
    sign_in(&elsewhere, "ana@example.com", PASSWORD, "/").await;
    assert_eq!(elsewhere.get("/").await.status(), 200);

    let weak = here
        .post("/settings/password", &[("new_password", "short")])
        .await;
    assert_eq!(weak.status(), 422);

    let ok = here
        .post("/settings/password", &[("new_password", "a brand new secret")])
        .await;
    assert_eq!(ok.status(), 303);
    assert!(
        ok.headers().contains_key("set-cookie"),
        "this device gets a new session token"
    );
    assert_eq!(
        here.get("/settings").await.status(),
        200,
        "this device stays signed in"
    );
    assert_eq!(
        elsewhere.get("/").await.status(),
        302,
        "the other device is signed out"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_new_address_replaces_the_old_only_once_confirmed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_up_and_verified(&app, "ana@example.com").await;
    let res = browser
        .post("/settings/profile/email", &[("new_email", "ana@new.example")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.last_email_to("ana@example.com").await.unwrap().0,
        "email_change_notice"
    );
    let (kind, text) = app.last_email_to("ana@new.example").await.unwrap();
    assert_eq!(kind, "confirm_new_email");
    // Until confirmed, the old address still signs in.
    assert_eq!(
        sign_in(&app.browser(), "ana@example.com", PASSWORD, "/")
            .await
            .status(),
        303
    );

    let token = token_of(&link_in(&text, "http://"));
    assert_eq!(
        browser
            .post("/confirm-email", &[("token", &token)])
            .await
            .status(),
        303
    );
    assert_eq!(
        sign_in(&app.browser(), "ana@new.example", PASSWORD, "/")
            .await
            .status(),
        303
    );
    assert_eq!(
        sign_in(&app.browser(), "ana@example.com", PASSWORD, "/")
            .await
            .status(),
        401
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn renaming_and_deleting_the_account(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_up_and_verified(&app, "ana@example.com").await;
    assert_eq!(
        browser
            .post("/settings/profile/name", &[("name", "Ana B.")])
            .await
            .status(),
        303
    );
    assert!(browser.get("/").await.text().await.unwrap().contains("Ana B."));
    assert_eq!(
        browser
            .post("/settings/profile/name", &[("name", "  ")])
            .await
            .status(),
        422
    );

    let unconfirmed = browser.post("/settings/delete", &[]).await;
    assert_eq!(unconfirmed.status(), 422, "the box must be ticked");
    let ok = browser.post("/settings/delete", &[("confirm", "yes")]).await;
    assert_eq!(ok.status(), 303);
    assert_eq!(
        sign_in(&app.browser(), "ana@example.com", PASSWORD, "/")
            .await
            .status(),
        401
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sign_in_from_a_new_browser_is_reported_by_email(pool: PgPool) {
    let app = spawn_app(pool).await;
    signed_up_and_verified(&app, "ana@example.com").await;
    // Same browser as the one that confirmed: no notice.
    sign_in(&app.browser(), "ana@example.com", PASSWORD, "/").await;
    assert_eq!(app.last_email_to("ana@example.com").await.unwrap().0, "welcome");
    let other = app.browser_with_agent("Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36");
    assert_eq!(
        sign_in(&other, "ana@example.com", PASSWORD, "/").await.status(),
        303
    );
    let (kind, text) = app.last_email_to("ana@example.com").await.unwrap();
    assert_eq!(kind, "new_sign_in");
    assert!(text.contains("Chrome on Windows"), "{text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn one_network_hammering_the_forms_is_slowed_down(pool: PgPool) {
    let app = crate::helpers::spawn_app_with(
        pool,
        &[("KSF_AUTH_BURST_PER_IP", "3"), ("KSF_AUTH_REPLENISH_SECS", "60")],
    )
    .await;
    let browser = app.browser();
    for _ in 0..3 {
        assert_eq!(
            sign_in(&browser, "x@example.com", "wrong password!", "/")
                .await
                .status(),
            401
        );
    }
    let res = browser
        .post("/forgot-password", &[("email", "x@example.com")])
        .await;
    assert_eq!(res.status(), 429, "the limit covers every account form");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1, "{retry}");
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Too many requests came from your network"));
    assert_eq!(browser.get("/login").await.status(), 200, "pages still load");
}

#[sqlx::test(migrations = "../migrations")]
async fn forms_posted_from_another_site_are_refused_and_change_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_up_and_verified(&app, "ana@example.com").await;
    let forged = |origin: Option<&'static str>, referer: Option<&'static str>| {
        let mut req = browser
            .client
            .post(format!("{}/settings/profile/name", app.base))
            .form(&[("name", "Mallory")]);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(r) = referer {
            req = req.header("referer", r);
        }
        req.send()
    };
    let from_elsewhere = forged(Some("https://evil.example"), None).await.unwrap();
    assert_eq!(from_elsewhere.status(), 403);
    assert!(from_elsewhere
        .text()
        .await
        .unwrap()
        .contains("sent from another site"));
    assert_eq!(
        forged(None, None).await.unwrap().status(),
        403,
        "no Origin and no Referer"
    );
    assert_eq!(forged(Some("null"), None).await.unwrap().status(), 403);
    assert_eq!(
        forged(None, Some("https://evil.example/page"))
            .await
            .unwrap()
            .status(),
        403
    );
    assert!(
        !browser.get("/").await.text().await.unwrap().contains("Mallory"),
        "nothing changed"
    );

    // A browser that sends only a Referer from this site is fine.
    let referer = format!("{}/settings", app.base);
    let ok = browser
        .client
        .post(format!("{}/settings/profile/name", app.base))
        .header("referer", referer)
        .form(&[("name", "Ana Two")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let signed_out = app.browser();
    let res = signed_out
        .client
        .post(format!("{}/login", app.base))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "ana@example.com"),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "login CSRF is refused too");
}
