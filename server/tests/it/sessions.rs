//! "Where you're signed in": listing and ending your own sessions.

use crate::helpers::{
    confirmed_customer, location, signed_in, spawn_app, Browser, TestApp, CUSTOMER_PASSWORD,
};
use sqlx::PgPool;

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/// Ana, signed in on a laptop (Firefox) and a phone (Safari on iPhone).
async fn user_with_two_browsers(app: &TestApp) -> (Browser, Browser) {
    confirmed_customer(app, "ana@example.com", "Ana").await;
    let laptop = app.browser();
    assert_eq!(
        laptop
            .sign_in("ana@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    let phone = app.browser_with_agent(IPHONE);
    assert_eq!(
        phone.sign_in("ana@example.com", CUSTOMER_PASSWORD).await.status(),
        303
    );
    (laptop, phone)
}

async fn session_ids(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as::<_, (uuid::Uuid, Option<String>)>(
        "SELECT id, user_agent FROM sessions WHERE revoked_at IS NULL ORDER BY created_at",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(id, ua)| (id.to_string(), ua.unwrap_or_default()))
    .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_sessions_page_lists_each_browser_and_marks_this_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (laptop, _phone) = user_with_two_browsers(&app).await;
    let html = laptop.get("/settings/sessions").await.text().await.unwrap();
    assert!(html.contains("Firefox on Linux (computer)"), "the laptop");
    assert!(html.contains("Safari on iPhone (phone)"), "the phone");
    assert_eq!(html.matches("This device").count(), 1);
    assert!(html.contains("127.0.0.1"));
    assert!(html.contains("Sign out everywhere else"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_revoked_session_stops_working_on_its_next_request(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (laptop, phone) = user_with_two_browsers(&app).await;
    let phone_id = session_ids(&pool)
        .await
        .into_iter()
        .find(|(_, ua)| ua.contains("iPhone"))
        .unwrap()
        .0;

    let res = laptop
        .post("/settings/sessions/revoke", &[("session_id", &phone_id)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/sessions?done=session_revoked");
    let next = phone.get("/").await;
    assert_eq!(next.status(), 302, "the phone is sent to sign in");
    assert_eq!(
        laptop.get("/").await.status(),
        200,
        "the laptop is still signed in"
    );
}

/// No process keeps sessions in memory: a revocation through one server is
/// honoured by every other one on its very next request.
#[sqlx::test(migrations = "../migrations")]
async fn a_session_revoked_through_one_server_is_refused_by_another_at_once(pool: PgPool) {
    let first = spawn_app(pool.clone()).await;
    let second = spawn_app(pool.clone()).await;
    let (laptop, phone) = user_with_two_browsers(&first).await;
    // Cookies are per host, not port: the phone's cookie goes to both.
    let phone_on_second = Browser {
        base: second.base.clone(),
        client: phone.client.clone(),
    };
    assert_eq!(
        phone_on_second.get("/").await.status(),
        200,
        "signed in on the second server too"
    );
    let phone_id = session_ids(&pool)
        .await
        .into_iter()
        .find(|(_, ua)| ua.contains("iPhone"))
        .unwrap()
        .0;

    let res = laptop
        .post("/settings/sessions/revoke", &[("session_id", &phone_id)])
        .await;
    assert_eq!(location(&res), "/settings/sessions?done=session_revoked");
    assert_eq!(
        phone_on_second.get("/").await.status(),
        302,
        "the second server sends the phone to sign in"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn nobody_can_revoke_another_users_session(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (_laptop, phone) = user_with_two_browsers(&app).await;
    let victims = session_ids(&pool).await;

    let mallory = crate::helpers::signed_in(&app).await;
    for (id, _) in &victims {
        let res = mallory
            .post("/settings/sessions/revoke", &[("session_id", id)])
            .await;
        assert_eq!(
            location(&res),
            "/settings/sessions?done=session_gone",
            "looks like no such session"
        );
    }
    let garbage = mallory
        .post("/settings/sessions/revoke", &[("session_id", "not-a-uuid")])
        .await;
    assert_eq!(location(&garbage), "/settings/sessions?done=session_gone");
    assert_eq!(phone.get("/").await.status(), 200, "nothing changed");
    let still: Vec<String> = session_ids(&pool).await.into_iter().map(|(id, _)| id).collect();
    for (id, _) in victims {
        assert!(still.contains(&id));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_out_everywhere_else_keeps_only_this_device(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (laptop, phone) = user_with_two_browsers(&app).await;
    let res = laptop.post("/settings/sessions/revoke-others", &[]).await;
    assert_eq!(location(&res), "/settings/sessions?done=others_revoked");
    assert_eq!(phone.get("/").await.status(), 302);
    let page = laptop.get("/settings/sessions").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("This device"), "the sessions page, signed in");
    assert!(!html.contains("iPhone"));
    assert!(
        !html.contains("Sign out everywhere else"),
        "nothing else to sign out"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_activity_page_shows_my_own_events_newest_first_and_pages(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (laptop, _phone) = user_with_two_browsers(&app).await;
    // A wrong password and a sign-out elsewhere are logged too.
    let stranger = app.browser();
    stranger
        .post(
            "/login",
            &[
                ("email", "ana@example.com"),
                ("password", "wrong password!"),
                ("next", "/"),
            ],
        )
        .await;
    laptop.post("/settings/sessions/revoke-others", &[]).await;

    let html = laptop.get("/settings/activity").await.text().await.unwrap();
    let revoked = html
        .find("All other sessions were signed out")
        .expect("revocation logged");
    let failed = html.find("Failed sign-in attempt").expect("failure logged");
    let signed_in = html.find("Signed in").expect("sign-in logged");
    assert!(revoked < failed && failed < signed_in, "newest first");
    assert!(html.contains("Safari on iPhone (phone)"));

    // Someone else sees none of it.
    let other = crate::helpers::signed_in(&app).await;
    let page = other.get("/settings/activity").await;
    assert_eq!(page.status(), 200);
    let theirs = page.text().await.unwrap();
    assert!(theirs.contains("Signed in"), "their own activity page");
    assert!(!theirs.contains("Failed sign-in attempt"));
    assert!(!theirs.contains("All other sessions"));

    // 25 more events: the first page holds 20 and links to an older one.
    let user_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'ana@example.com'")
        .fetch_one(&pool)
        .await
        .unwrap();
    for _ in 0..25 {
        sqlx::query("INSERT INTO activity_log (user_id, actor_id, action) VALUES ($1, $1, 'signed_out')")
            .bind(user_id)
            .execute(&pool)
            .await
            .unwrap();
    }
    let first = laptop.get("/settings/activity").await.text().await.unwrap();
    assert_eq!(first.matches("<tr class=\"event\">").count(), 20);
    assert!(first.contains("/settings/activity?page=2"));
    let second = laptop
        .get("/settings/activity?page=2")
        .await
        .text()
        .await
        .unwrap();
    assert!(second.contains("<tr class=\"event\">"));
    assert!(
        second.contains("/settings/activity?page=1"),
        "a link back to newer events"
    );
    let garbage = laptop.get("/settings/activity?page=-5").await;
    assert_eq!(garbage.status(), 200, "a bad page number shows the first page");
}

/// Session expiry goes by the server's clock (the one tests move), not the
/// database's: a week idle ends a session, and each use starts the week again.
#[sqlx::test(migrations = "../migrations")]
async fn a_session_idle_for_a_week_ends_and_each_use_extends_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (laptop, phone) = user_with_two_browsers(&app).await;
    app.clock.advance(time::Duration::days(6));
    assert_eq!(laptop.get("/").await.status(), 200, "used within the week");
    app.clock
        .advance(time::Duration::days(1) + time::Duration::minutes(1));
    assert_eq!(laptop.get("/").await.status(), 200, "used a day ago");
    assert_eq!(
        phone.get("/").await.status(),
        302,
        "idle for over a week: sent to sign in"
    );
}

/// The sign-in page opened while signed in (a second tab, the back button)
/// sends the visitor on to where they were going, never off the site and
/// never back to itself.
#[sqlx::test(migrations = "../migrations")]
async fn the_sign_in_page_sends_a_signed_in_visitor_on(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    for (asked, sent_to) in [
        ("/login", "/"),
        ("/login?next=/hosting", "/hosting"),
        ("/login?next=%2Fsupport%3Fshow%3Dall", "/support?show=all"),
        ("/login?next=https://evil.example/", "/"),
        ("/login?next=/login", "/"),
    ] {
        let res = browser.get(asked).await;
        assert_eq!(res.status(), 303, "{asked}");
        assert_eq!(location(&res), sent_to, "{asked}");
    }
    // Signed out, it is the sign-in form.
    let visitor = app.get("/login?next=/hosting").await;
    assert_eq!(visitor.status(), 200);
    assert!(visitor.text().await.unwrap().contains("Sign in"));
}
