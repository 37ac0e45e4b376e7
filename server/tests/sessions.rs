//! "Where you're signed in": listing and ending your own sessions.

mod helpers;

use helpers::{location, spawn_app, Browser, TestApp};
use sqlx::PgPool;

const PASSWORD: &str = "a long enough secret";

async fn user_with_two_browsers(app: &TestApp) -> (Browser, reqwest::Client) {
    use app::domain::{DisplayName, Email, Password, Role};
    app::services::users::create_user(
        &app.pool,
        app::services::users::NewUser {
            email: Email::parse("ana@example.com").unwrap(),
            display_name: DisplayName::parse("Ana").unwrap(),
            password: Password::parse(PASSWORD).unwrap(),
            role: Role::Customer,
            email_verified: true,
        },
    )
    .await
    .unwrap();
    let laptop = app.browser();
    laptop
        .post(
            "/login",
            &[
                ("email", "ana@example.com"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    let phone = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
        .build()
        .unwrap();
    let res = phone
        .post(format!("{}/login", app.base))
        .header("origin", &app.base)
        .form(&[
            ("email", "ana@example.com"),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
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
    assert_eq!(location(&res), "/settings/sessions?done=revoked");
    let next = phone.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(next.status(), 302, "the phone is sent to sign in");
    assert_eq!(
        laptop.get("/").await.status(),
        200,
        "the laptop is still signed in"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn nobody_can_revoke_another_users_session(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (_laptop, phone) = user_with_two_browsers(&app).await;
    let victims = session_ids(&pool).await;

    let mallory = helpers::signed_in(&app).await;
    for (id, _) in &victims {
        let res = mallory
            .post("/settings/sessions/revoke", &[("session_id", id)])
            .await;
        assert_eq!(
            location(&res),
            "/settings/sessions?done=not_found",
            "looks like no such session"
        );
    }
    let garbage = mallory
        .post("/settings/sessions/revoke", &[("session_id", "not-a-uuid")])
        .await;
    assert_eq!(location(&garbage), "/settings/sessions?done=not_found");
    assert_eq!(
        phone.get(format!("{}/", app.base)).send().await.unwrap().status(),
        200,
        "nothing changed"
    );
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
    assert_eq!(location(&res), "/settings/sessions?done=others");
    assert_eq!(
        phone.get(format!("{}/", app.base)).send().await.unwrap().status(),
        302
    );
    let html = laptop.get("/settings/sessions").await.text().await.unwrap();
    assert!(!html.contains("iPhone"));
    assert!(
        !html.contains("Sign out everywhere else"),
        "nothing else to sign out"
    );
}
