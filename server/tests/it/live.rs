//! Live updates over server-sent events: who receives what, resuming after
//! a reconnect, the end of a stream with its session, the cap per user,
//! two servers on one database, and notifications.

use std::time::Duration;

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::builders::{AccountBuilder, UserBuilder};
use crate::helpers::*;

/// One event of a stream: (kind, id, data).
type Received = (String, String, String);

/// An open `GET /events`, read as it arrives.
pub(crate) struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    pub(crate) async fn open(browser: &Browser, last_event_id: Option<&str>) -> Stream {
        let mut request = browser.client.get(format!("{}/events", browser.base));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (comments skipped) within `wait`; None if none came,
    /// or the stream ended.
    pub(crate) async fn next(&mut self, wait: Duration) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}:")))
                        .map(|v| v.trim().to_string())
                };
                if let Some(kind) = field("event") {
                    return Some((
                        kind,
                        field("id").unwrap_or_default(),
                        field("data").unwrap_or_default(),
                    ));
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?;
            match chunk {
                Ok(Some(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Whether the server ended the stream within `wait`.
    pub(crate) async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return false,
                Ok(Ok(Some(_))) => continue,
                Ok(_) => return true,
            }
        }
    }
}

async fn node_token(app: &TestApp) -> String {
    let region = domain::hosting::Region::parse("eu-central").unwrap();
    services::hosting::node_tokens::create_unchecked(&app.pool, None, "web", region)
        .await
        .unwrap()
}

async fn report_usage(app: &TestApp, token: &str, account: uuid::Uuid, storage: i64) {
    let at = (time::OffsetDateTime::now_utc() - time::Duration::seconds(storage % 3600))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let res = app
        .client
        .post(format!("{}/api/usage", app.base))
        .bearer_auth(token)
        .json(&json!({ "samples": [{ "account_id": account, "time": at, "storage_bytes": storage, "bandwidth_bytes": 1 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

const SOON: Duration = Duration::from_secs(3);

#[sqlx::test(migrations = "../migrations")]
async fn events_reach_members_and_staff_and_nobody_else(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, member) = app.customer("ana@example.com", "Ana").await;
    let (_, outsider) = app.customer("olga@example.com", "Olga").await;
    let (_, staff) = app.staff("sam@example.com").await;
    let shop = AccountBuilder::named("Shop").owner(ana).create(&app.pool).await;
    let token = node_token(&app).await;
    let mut streams = [
        Stream::open(&member, None).await,
        Stream::open(&outsider, None).await,
        Stream::open(&staff, None).await,
    ];

    report_usage(&app, &token, shop, 1_000).await;
    let (kind, _, data) = streams[0].next(SOON).await.expect("the member hears of it");
    assert_eq!(kind, "usage");
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["account"], shop.to_string());
    assert_eq!(
        streams[2].next(SOON).await.map(|e| e.0).as_deref(),
        Some("usage"),
        "staff too"
    );
    assert_eq!(streams[1].next(SOON).await, None, "another tenant hears nothing");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_stream_resumes_from_the_last_event_it_saw(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let shop = AccountBuilder::named("Shop").owner(ana).create(&app.pool).await;
    let token = node_token(&app).await;
    let mut stream = Stream::open(&browser, None).await;
    report_usage(&app, &token, shop, 1_000).await;
    let (_, last_id, _) = stream.next(SOON).await.expect("an event");
    drop(stream);

    // While the browser is away, the account changes and usage arrives.
    let res = browser
        .post(
            &format!("/hosting/{shop}/edit"),
            &[
                ("name", "Renamed Shop"),
                ("primary_domain", "shop.example.com"),
                ("region", "eu-central"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    report_usage(&app, &token, shop, 2_000).await;

    let mut resumed = Stream::open(&browser, Some(&last_id)).await;
    let first = resumed.next(SOON).await.expect("the missed events come first");
    let second = resumed.next(SOON).await.expect("both of them");
    let kinds = [first.0.as_str(), second.0.as_str()];
    assert!(
        kinds.contains(&"activity") && kinds.contains(&"usage"),
        "{kinds:?}"
    );
    assert!(first.1.parse::<i64>().unwrap() > last_id.parse::<i64>().unwrap());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_stream_ends_with_its_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_, browser) = app.customer("ana@example.com", "Ana").await;
    let mut stream = Stream::open(&browser, None).await;
    assert_eq!(browser.post("/logout", &[]).await.status(), 303);
    assert!(
        stream.ends_within(Duration::from_secs(15)).await,
        "the stream ended"
    );
    let res = browser.get("/events").await;
    assert_eq!(
        res.status(),
        204,
        "no stream without a session: 204 stops the browser reconnecting"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn one_user_has_a_bounded_number_of_streams(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_, browser) = app.customer("ana@example.com", "Ana").await;
    let mut open = Vec::new();
    for _ in 0..services::realtime::STREAMS_PER_USER {
        open.push(Stream::open(&browser, None).await);
    }
    let res = browser.get("/events").await;
    assert_eq!(res.status(), 429);
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    Stream::open(&browser, None).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn an_event_caused_through_one_server_reaches_a_browser_on_another(pool: PgPool) {
    let first = spawn_app(pool.clone()).await;
    let second = spawn_app(pool).await;
    let (ana, _) = first.customer("ana@example.com", "Ana").await;
    let on_second = second.browser();
    assert_eq!(
        on_second
            .sign_in("ana@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    let shop = AccountBuilder::named("Shop").owner(ana).create(&first.pool).await;
    let token = node_token(&first).await;
    let mut stream = Stream::open(&on_second, None).await;
    report_usage(&first, &token, shop, 1_000).await;
    assert_eq!(stream.next(SOON).await.map(|e| e.0).as_deref(), Some("usage"));
}

#[sqlx::test(migrations = "../migrations")]
async fn members_are_notified_when_staff_suspend_their_account(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, member) = app.customer("ana@example.com", "Ana").await;
    let (_, staff) = app.staff("sam@example.com").await;
    let shop = AccountBuilder::named("Shop").owner(ana).create(&app.pool).await;
    let mut stream = Stream::open(&member, None).await;
    let res = staff
        .post(
            &format!("/hosting/{shop}/suspend"),
            &[("reason", "Unpaid invoice")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let mut kinds = Vec::new();
    while let Some((kind, _, _)) = stream.next(SOON).await {
        kinds.push(kind);
        if kinds.contains(&"notification".to_string()) {
            break;
        }
    }
    assert!(kinds.contains(&"notification".to_string()), "{kinds:?}");
    let res = member
        .client
        .post(format!("{}/api/notifications", member.base))
        .header("origin", &member.base)
        .send()
        .await
        .unwrap();
    let notifications: Value = res.json().await.unwrap();
    assert_eq!(notifications["unread"], 1);
    assert_eq!(
        notifications["items"][0]["title"],
        "Shop was suspended: Unpaid invoice"
    );
    // The bell shows them as the server draws them.
    let bell = member.page("/notifications/bell").await;
    assert!(bell.contains(r#"aria-label="Notifications: 1 unread""#), "{bell}");
    assert!(bell.contains(r#"<span class="bell-count">1</span>"#), "{bell}");
    assert!(bell.contains("Shop was suspended: Unpaid invoice"), "{bell}");
    // Another customer's bell holds none of it.
    let (_, other) = app.customer("bo@example.com", "Bo").await;
    let theirs = other.page("/notifications/bell").await;
    assert!(
        theirs.contains(r#"aria-label="Notifications""#) && !theirs.contains("Shop was suspended"),
        "{theirs}"
    );
    // Marking them read clears the count.
    assert_eq!(member.post("/notifications/read", &[]).await.status(), 303);
    let page = member.page("/notifications").await;
    assert!(page.contains("Shop was suspended: Unpaid invoice") && !page.contains("Mark all as read"));
    let bell = member.page("/notifications/bell").await;
    assert!(
        bell.contains(r#"aria-label="Notifications""#) && !bell.contains("bell-count"),
        "{bell}"
    );
    // Nobody's bell for a visitor: sent to sign in.
    let res = app.browser().get("/notifications/bell").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(location(&res).starts_with("/login?next="), "{}", location(&res));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_demoted_staff_member_hears_no_more_staff_events(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (sam, staff) = app.staff("sam@example.com").await;
    let mut stream = Stream::open(&staff, None).await;
    UserBuilder::customer("first@example.com").create(&app.pool).await;
    let (kind, last_id, _) = stream.next(SOON).await.expect("staff hear of sign-ups");
    assert_eq!(kind, "sign_up");

    sqlx::query("UPDATE users SET role = 'customer' WHERE id = $1")
        .bind(sam)
        .execute(&app.pool)
        .await
        .unwrap();
    UserBuilder::customer("second@example.com")
        .create(&app.pool)
        .await;
    assert_eq!(
        stream.next(SOON).await,
        None,
        "no staff event after the demotion: the stream ends"
    );
    // Reconnecting resumes as a customer: the missed sign-up is not replayed.
    let mut again = Stream::open(&staff, Some(&last_id)).await;
    assert_eq!(again.next(Duration::from_millis(1500)).await, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_dns_change_reaches_the_dns_chart(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) =
        crate::dns::owner_with_account(&app, "owner@example.com", "shop.example.org").await;
    let res = owner
        .post(
            "/domains/new",
            &[("account", &account.to_string()), ("name", "shop.example.net")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let mut stream = Stream::open(&owner, None).await;
    let res = owner
        .post(
            "/domains/shop.example.net/records",
            &[
                ("id", ""),
                ("type", "MX"),
                ("name", "lists"),
                ("ttl", "3600"),
                ("content", "mx.example.net"),
                ("priority", "10"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let listens: Vec<&str> = domain::dashboard::ChartId::DnsChangesPerDay
        .changed_by()
        .iter()
        .map(|k| k.as_str())
        .collect();
    let mut heard = Vec::new();
    while let Some((kind, _, _)) = stream.next(SOON).await {
        if listens.contains(&kind.as_str()) {
            return;
        }
        heard.push(kind);
    }
    panic!("the DNS chart heard nothing of the change (the stream sent {heard:?})");
}

/// The database takes exactly the event kinds the Rust enum names: a
/// trigger or service sending another kind fails where it is written,
/// never silently at a browser that listens for something else.
#[sqlx::test(migrations = "../migrations")]
async fn the_database_accepts_exactly_the_event_kinds_the_islands_know(pool: PgPool) {
    for kind in domain::live::EventKind::ALL {
        sqlx::query("INSERT INTO events (kind, staff) VALUES ($1, true)")
            .bind(kind.as_str())
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{kind:?} refused: {e}"));
    }
    let unknown = sqlx::query("INSERT INTO events (kind, staff) VALUES ('account', true)")
        .execute(&pool)
        .await;
    assert!(unknown.is_err(), "a kind no island listens for is refused");
}
