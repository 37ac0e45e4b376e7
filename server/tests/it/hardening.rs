//! The findings of the security review (issue 9), each replayed as the
//! review did: every test here failed before its fix.

use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use crate::builders::{AccountBuilder, UserBuilder};
use crate::helpers::*;

// --- 1. Two-factor enrolment needs a recent authentication -----------------

#[sqlx::test(migrations = "../migrations")]
async fn a_stale_session_cannot_enrol_two_factor(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (user, browser) = app.customer("ana@example.com", "Ana").await;
    app.clock.advance(Duration::minutes(11));

    let start = browser.post("/settings/two-factor/start", &[]).await;
    assert_redirect_to(&start, "/confirm-identity?next=/settings/two-factor");
    let page = browser.page("/settings/two-factor").await;
    assert!(
        !page.contains("data-secret"),
        "no key is shown to a stale session"
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM two_factor WHERE user_id = $1")
        .bind(user)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0, "no seed was made");

    let enable = browser
        .post("/settings/two-factor/enable", &[("code", "123456")])
        .await;
    assert_redirect_to(&enable, "/confirm-identity?next=/settings/two-factor");
    let email = browser
        .post("/settings/profile/email", &[("new_email", "mallory@example.com")])
        .await;
    assert_redirect_to(&email, "/confirm-identity?next=/settings");
    assert_eq!(app.emails_to("mallory@example.com").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn finishing_enrolment_does_not_count_as_an_authentication(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_, browser) = app.customer("ana@example.com", "Ana").await;
    assert_eq!(
        browser.post("/settings/two-factor/start", &[]).await.status(),
        303
    );
    let secret = attribute(&browser.page("/settings/two-factor").await, "data-secret");

    // Enrolled near the end of the window that the sign-in opened…
    app.clock.advance(Duration::minutes(9));
    let res = browser
        .post("/settings/two-factor/enable", &[("code", &app.code_now(&secret))])
        .await;
    assert_eq!(res.status(), 200, "two-factor turned on");
    // …the window still closes ten minutes after the sign-in.
    app.clock.advance(Duration::minutes(2));
    let email = browser
        .post("/settings/profile/email", &[("new_email", "mallory@example.com")])
        .await;
    assert_redirect_to(&email, "/confirm-identity?next=/settings");
    assert_eq!(app.emails_to("mallory@example.com").await, 0);
}

// --- 2. Deleting a user who owns hosting accounts -------------------------

#[sqlx::test(migrations = "../migrations")]
async fn an_owner_cannot_delete_their_user_until_their_accounts_are_handed_on(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let shop = AccountBuilder::named("Ana's Shop")
        .owner(ana)
        .create(&app.pool)
        .await;
    AccountBuilder::named("Old Blog")
        .owner(ana)
        .cancelled()
        .create(&app.pool)
        .await;

    let res = browser.post("/settings/delete", &[("confirm", "yes")]).await;
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Ana&#x27;s Shop") || page.contains("Ana's Shop"),
        "names the account"
    );
    assert!(
        !page.contains("Old Blog"),
        "cancelled accounts are not in the way"
    );
    assert!(page.contains("Transfer ownership or cancel them first"));
    let owners: i64 =
        sqlx::query_scalar("SELECT count(*) FROM hosting_members WHERE account_id = $1 AND role = 'owner'")
            .bind(shop)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(owners, 1, "the account keeps its owner");

    sqlx::query("UPDATE hosting_accounts SET status = 'cancelled' WHERE id = $1")
        .bind(shop)
        .execute(&app.pool)
        .await
        .unwrap();
    let res = browser.post("/settings/delete", &[("confirm", "yes")]).await;
    assert_redirect_to(&res, "/login?done=account_deleted");
}

// --- 3. Caps on what one user can make the portal send --------------------

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_owns_a_bounded_number_of_accounts_and_staff_are_exempt(pool: PgPool) {
    let app = spawn_app_with(pool, &[("KSF_MAX_HOSTING_ACCOUNTS_PER_USER", "2")]).await;
    let plan = crate::builders::plan(&app.pool, "hobby").await.to_string();
    let (_, customer) = app.customer("ana@example.com", "Ana").await;
    let (_, staff) = app.staff("sam@example.com").await;
    let form = |name: &'static str| {
        vec![
            ("name", name),
            ("plan", plan.as_str()),
            ("primary_domain", "shop.example.com"),
            ("region", "eu-west"),
        ]
    };
    for name in ["One", "Two"] {
        assert_eq!(customer.post("/hosting/new", &form(name)).await.status(), 303);
    }
    let third = customer.post("/hosting/new", &form("Three")).await;
    assert_eq!(third.status(), 409);
    assert!(third
        .text()
        .await
        .unwrap()
        .contains("at most 2 open hosting accounts"));
    for name in ["One", "Two", "Three"] {
        assert_eq!(
            staff.post("/hosting/new", &form(name)).await.status(),
            303,
            "staff: {name}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn invitations_are_capped_per_user_across_all_their_accounts(pool: PgPool) {
    let app = spawn_app_with(pool, &[("KSF_INVITATIONS_PER_USER_DAY", "3")]).await;
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let a = AccountBuilder::named("A").owner(ana).create(&app.pool).await;
    let b = AccountBuilder::named("B").owner(ana).create(&app.pool).await;
    for (account, to) in [
        (a, "one@example.com"),
        (a, "two@example.com"),
        (b, "three@example.com"),
    ] {
        let res = browser
            .post(
                &format!("/hosting/{account}/invite"),
                &[("email", to), ("role", "viewer")],
            )
            .await;
        assert_eq!(res.status(), 303, "{to}");
    }
    let fourth = browser
        .post(
            &format!("/hosting/{b}/invite"),
            &[("email", "four@example.com"), ("role", "viewer")],
        )
        .await;
    assert_eq!(fourth.status(), 429);
    assert!(fourth.headers().contains_key("retry-after"));
    assert!(fourth
        .text()
        .await
        .unwrap()
        .contains("too many invitations today"));
    assert_eq!(app.emails_to("four@example.com").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn email_change_requests_are_capped_per_user(pool: PgPool) {
    let app = spawn_app_with(pool, &[("KSF_EMAIL_CHANGES_PER_USER_HOUR", "2")]).await;
    let (_, browser) = app.customer("ana@example.com", "Ana").await;
    for to in ["x1@example.com", "x2@example.com"] {
        let res = browser
            .post("/settings/profile/email", &[("new_email", to)])
            .await;
        assert_redirect_to(&res, "/settings?done=email_change_sent");
    }
    let third = browser
        .post("/settings/profile/email", &[("new_email", "x3@example.com")])
        .await;
    assert_eq!(third.status(), 429);
    assert_eq!(app.emails_to("x3@example.com").await, 0);
    assert_eq!(
        app.emails_to("ana@example.com").await,
        2,
        "two change notices, no more"
    );
}

// --- 4. Limits that cannot be turned against users -------------------------

async fn post_from(browser: &Browser, path: &str, form: &[(&str, &str)], forwarded_for: &str) -> u16 {
    browser
        .client
        .post(format!("{}{path}", browser.base))
        .header("origin", &browser.base)
        .header("x-forwarded-for", forwarded_for)
        .form(form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_a_trusted_proxy_each_client_network_has_its_own_limit(pool: PgPool) {
    let app = spawn_app_with(
        pool,
        &[
            ("KSF_TRUSTED_PROXIES", "127.0.0.1"),
            ("KSF_AUTH_BURST_PER_IP", "2"),
            ("KSF_AUTH_REPLENISH_SECS", "3600"),
        ],
    )
    .await;
    let browser = app.browser();
    let wrong = [("email", "x@example.com"), ("password", "wrong password!")];
    assert_eq!(post_from(&browser, "/login", &wrong, "203.0.113.1").await, 401);
    assert_eq!(post_from(&browser, "/login", &wrong, "203.0.113.1").await, 401);
    assert_eq!(post_from(&browser, "/login", &wrong, "203.0.113.1").await, 429);
    // Another visitor behind the same proxy is not affected…
    assert_eq!(post_from(&browser, "/login", &wrong, "203.0.113.2").await, 401);
    // …but an IPv6 client does not get a new bucket per address of its /64.
    assert_eq!(
        post_from(&browser, "/login", &wrong, "2001:db8:1:2::1").await,
        401
    );
    assert_eq!(
        post_from(&browser, "/login", &wrong, "2001:db8:1:2::2").await,
        401
    );
    assert_eq!(
        post_from(&browser, "/login", &wrong, "2001:db8:1:2::3").await,
        429
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn forwarded_addresses_from_untrusted_peers_are_ignored(pool: PgPool) {
    let app = spawn_app_with(
        pool,
        &[
            ("KSF_AUTH_BURST_PER_IP", "2"),
            ("KSF_AUTH_REPLENISH_SECS", "3600"),
        ],
    )
    .await;
    let browser = app.browser();
    let wrong = [("email", "x@example.com"), ("password", "wrong password!")];
    for (i, forged) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
        .iter()
        .enumerate()
    {
        let expected = if i < 2 { 401 } else { 429 };
        assert_eq!(
            post_from(&browser, "/login", &wrong, forged).await,
            expected,
            "{forged}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_sign_up_limit_per_network_is_configurable(pool: PgPool) {
    let app = spawn_app_with(pool, &[("KSF_SIGNUPS_PER_NETWORK_HOUR", "2")]).await;
    let browser = app.browser();
    for i in 0..3 {
        let email = format!("new{i}@example.com");
        let res = browser
            .post(
                "/signup",
                &[
                    ("name", "New"),
                    ("email", &email),
                    ("password", "a long enough secret"),
                ],
            )
            .await;
        let expected = if i < 2 { 303 } else { 429 };
        assert_eq!(res.status(), expected, "sign-up {i}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn guessing_from_elsewhere_does_not_lock_out_a_known_browser(pool: PgPool) {
    let app = spawn_app(pool).await;
    UserBuilder::customer("ana@example.com").create(&app.pool).await;
    let owner = app.browser();
    assert_eq!(
        owner.sign_in("ana@example.com", CUSTOMER_PASSWORD).await.status(),
        303
    );
    assert_eq!(owner.post("/logout", &[]).await.status(), 303);

    let attacker = app.browser();
    for _ in 0..5 {
        assert_eq!(
            attacker
                .sign_in("ana@example.com", "a wrong guess!!")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        attacker
            .sign_in("ana@example.com", "a wrong guess!!")
            .await
            .status(),
        429
    );
    let stranger = app.browser();
    assert_eq!(
        stranger
            .sign_in("ana@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        429,
        "new browsers are paused"
    );
    let res = owner.sign_in("ana@example.com", CUSTOMER_PASSWORD).await;
    assert_eq!(
        res.status(),
        303,
        "the browser Ana signed in with before still can"
    );
    assert_eq!(
        app.emails_to("ana@example.com").await,
        1,
        "one notice of the pause"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_guesses_cannot_slip_past_the_pause(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = UserBuilder::customer("ana@example.com").create(&app.pool).await;
    let attacker = app.browser();
    let guesses = (0..12).map(|_| attacker.sign_in("ana@example.com", "a wrong guess!!"));
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let checked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sign_in_attempts WHERE user_id = $1 AND NOT succeeded")
            .bind(user)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(checked, 5, "only five guesses were checked: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 7);
}

// --- 5. Production is the default ------------------------------------------

fn ksf(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ksf"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the ksf binary runs")
}

#[test]
fn the_binary_refuses_demo_logins_and_public_development_mode() {
    let key = "0f".repeat(32);
    let seed = ksf(
        &["seed-demo"],
        &[("KSF_SECRET_KEY", &key), ("KSF_NAMESERVERS", "ns1.example.net")],
    );
    assert!(!seed.status.success());
    let err = String::from_utf8_lossy(&seed.stderr);
    assert!(err.contains("only in development mode"), "{err}");

    let public_dev = ksf(
        &["serve"],
        &[
            ("LEPTOS_ENV", "DEV"),
            ("KSF_SITE_URL", "https://portal.example.com"),
        ],
    );
    assert!(!public_dev.status.success());
    let err = String::from_utf8_lossy(&public_dev.stderr);
    assert!(err.contains("loopback"), "{err}");

    let unset = ksf(&["serve"], &[]);
    let err = String::from_utf8_lossy(&unset.stderr);
    assert!(
        err.contains("KSF_SECRET_KEY is not set"),
        "production by default: {err}"
    );
}

// --- 6. Usage figures cannot break a page; nodes stay in their region ------

#[sqlx::test(migrations = "../migrations")]
async fn huge_usage_figures_are_refused_and_sums_cannot_overflow(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let account = AccountBuilder::named("Shop")
        .owner(ana)
        .region("eu-west")
        .create(&app.pool)
        .await;
    let token = new_node_token(&app, "eu-west").await;
    let now = time::OffsetDateTime::now_utc();
    let at = |hours: i64| {
        (now - Duration::hours(hours))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let (status, body) = usage(
        &app,
        &token,
        serde_json::json!({ "samples": [
            { "account_id": account, "time": at(1), "storage_bytes": 1, "bandwidth_bytes": i64::MAX },
            { "account_id": account, "time": at(2), "storage_bytes": 1, "bandwidth_bytes": i64::MAX },
        ]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["rows"][0]["error"].as_str().unwrap().contains("1 PiB"),
        "{body}"
    );

    // The most that frequent, maximal samples can add up to (9,000 of 1 PiB,
    // past what a 64-bit sum holds) still renders.
    for batch in 0..2 {
        let samples: Vec<_> = (0..4500)
            .map(|i| {
                let at = (now - Duration::seconds(batch * 4500 + i))
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap();
                serde_json::json!({ "account_id": account, "time": at, "storage_bytes": 1, "bandwidth_bytes": 1_i64 << 50 })
            })
            .collect();
        let (status, body) = usage(&app, &token, serde_json::json!({ "samples": samples })).await;
        assert_eq!(status, 200, "{body}");
    }
    let page = browser.page(&format!("/hosting/{account}")).await;
    assert!(page.contains("Over the plan&#x27;s quota") || page.contains("Over the plan's quota"));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_internal_error_answers_500_with_a_reference_never_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let account = AccountBuilder::named("Shop").owner(ana).create(&app.pool).await;
    // A failure the page cannot know about: its usage table is gone.
    sqlx::query("ALTER TABLE usage_latest RENAME TO usage_latest_moved")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = browser.get(&format!("/hosting/{account}")).await;
    assert_eq!(res.status(), 500);
    let page = res.text().await.unwrap();
    assert!(page.contains("Something went wrong on our side"), "{page}");
    assert!(page.contains("reference"));
    assert!(!page.contains("does not exist, or you do not have access"));
}

async fn new_node_token(app: &TestApp, region: &str) -> String {
    let region = domain::hosting::Region::parse(region).unwrap();
    services::hosting::node_tokens::create_unchecked(&app.pool, None, "web-1", region)
        .await
        .unwrap()
}

async fn usage(app: &TestApp, token: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let res = app
        .client
        .post(format!("{}/api/usage", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_node_reports_only_for_accounts_in_its_region(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, _) = app.customer("ana@example.com", "Ana").await;
    let frankfurt = AccountBuilder::named("F")
        .owner(ana)
        .region("eu-central")
        .create(&app.pool)
        .await;
    let dublin_token = new_node_token(&app, "eu-west").await;
    let sample = serde_json::json!({ "samples": [
        { "account_id": frankfurt, "time": "2026-11-01T10:00:00Z", "storage_bytes": 1, "bandwidth_bytes": 1 }
    ]});
    let (status, body) = usage(&app, &dublin_token, sample.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["rows"][0]["error"].as_str().unwrap().contains("region"),
        "{body}"
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM usage_samples")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    // Tokens from before regions are refused until replaced.
    sqlx::query("UPDATE node_tokens SET region = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(usage(&app, &dublin_token, sample).await.0, 403);
}

// --- 8. Smaller findings ------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn sign_up_does_not_reveal_who_has_an_account(pool: PgPool) {
    let app = spawn_app(pool).await;
    UserBuilder::customer("ana@example.com").create(&app.pool).await;
    let browser = app.browser();
    let form = |email| {
        [
            ("name", "Someone"),
            ("email", email),
            ("password", "a long enough secret"),
        ]
    };
    let taken = browser.post("/signup", &form("ana@example.com")).await;
    let fresh = browser.post("/signup", &form("bo@example.com")).await;
    assert_redirect_to(&taken, "/signup/sent");
    assert_redirect_to(&fresh, "/signup/sent");
    let (kind, text) = app.last_email_to("ana@example.com").await.unwrap();
    assert_eq!(kind, "sign_up_attempt", "the owner is told instead");
    assert!(text.contains("/forgot-password"));
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE lower(email) = 'ana@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn changing_the_email_address_ends_other_sessions(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_, laptop) = app.customer("ana@example.com", "Ana").await;
    let phone = app.browser();
    assert_eq!(
        phone.sign_in("ana@example.com", CUSTOMER_PASSWORD).await.status(),
        303
    );

    let res = laptop
        .post("/settings/profile/email", &[("new_email", "ana@new.example")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, text) = app.last_email_to("ana@new.example").await.unwrap();
    let token = token_of(&link_in(&text, "http://"));
    let res = laptop.post("/confirm-email", &[("token", &token)]).await;
    assert_redirect_to(&res, "/settings?done=email_changed");

    assert_eq!(
        laptop.get("/settings").await.status(),
        200,
        "the confirming session stays"
    );
    assert_eq!(
        phone.get("/settings").await.status(),
        302,
        "every other session ended"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_suspended_account_is_read_only_for_its_members(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, owner) = app.customer("ana@example.com", "Ana").await;
    let account = AccountBuilder::named("Shop")
        .owner(ana)
        .suspended()
        .create(&app.pool)
        .await;
    let pro = crate::builders::plan(&app.pool, "pro").await.to_string();
    let before = snapshot(&app, account).await;
    for (path, form) in [
        (
            "edit",
            vec![
                ("name", "Renamed"),
                ("primary_domain", "x.example.com"),
                ("region", "eu-west"),
            ],
        ),
        ("plan", vec![("plan", pro.as_str())]),
        ("invite", vec![("email", "bo@example.com"), ("role", "viewer")]),
    ] {
        let res = owner.post(&format!("/hosting/{account}/{path}"), &form).await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(
            status,
            409,
            "{path}: {}",
            &body[body.find("<main").unwrap_or(0)..][..600.min(body.len())]
        );
        assert!(body.contains("suspended"), "{path}");
    }
    assert_eq!(snapshot(&app, account).await, before, "nothing changed");
    assert_eq!(app.emails_to("bo@example.com").await, 0);
    let page = owner.page(&format!("/hosting/{account}")).await;
    for form in ["/edit\"", "/plan\"", "/invite\""] {
        assert!(!page.contains(form), "no {form} form on a suspended account");
    }
    // Cancelling stays possible.
    let res = owner
        .post(&format!("/hosting/{account}/cancel"), &[("confirm", "yes")])
        .await;
    assert_redirect_to(&res, &format!("/hosting/{account}?done=account_cancelled"));
}

async fn snapshot(app: &TestApp, account: Uuid) -> String {
    let row: (String, String, String) =
        sqlx::query_as("SELECT name, plan_id::text, status FROM hosting_accounts WHERE id = $1")
            .bind(account)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let invitations: i64 =
        sqlx::query_scalar("SELECT count(*) FROM hosting_invitations WHERE account_id = $1")
            .bind(account)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    format!("{row:?} {invitations}")
}

#[sqlx::test(migrations = "../migrations")]
async fn server_functions_refuse_with_401_403_404_and_a_message(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, _) = app.customer("ana@example.com", "Ana").await;
    let (_, outsider) = app.customer("bo@example.com", "Bo").await;
    let account = AccountBuilder::named("Shop")
        .owner(ana)
        .create(&app.pool)
        .await
        .to_string();
    let signed_out = app.browser();
    async fn call(b: &Browser, path: &str, form: Vec<(&str, String)>) -> (u16, String) {
        let res = b
            .client
            .post(format!("{}{path}", b.base))
            .header("origin", &b.base)
            .form(&form)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }
    let (status, body) = call(&signed_out, "/api/hosting/account", vec![("id", account.clone())]).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("Sign in first"), "{body}");
    let (status, body) = call(&outsider, "/api/hosting/account", vec![("id", account.clone())]).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains("does not exist, or you do not have access"),
        "{body}"
    );
    let (status, _) = call(&outsider, "/api/staff/plans", vec![]).await;
    assert_eq!(status, 404, "staff tools are not found for customers");
}
