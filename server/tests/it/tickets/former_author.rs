//! An author who leaves the ticket's hosting account (removed, left, or
//! made a viewer) keeps their own question: their own messages and files,
//! read-only. The account's later replies, its files, live events, emails
//! and notifications no longer reach them.

use std::time::Duration;

use super::*;
use crate::live::Stream;

async fn notifications_of(desk: &Desk, who: Who) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events WHERE kind = 'notification' AND user_id = $1")
        .bind(desk.id(who))
        .fetch_one(&desk.app.pool)
        .await
        .unwrap()
}

async fn file_of(desk: &Desk, by_staff: bool) -> Uuid {
    sqlx::query_scalar(
        "SELECT f.id FROM ticket_attachments f JOIN ticket_messages m ON m.id = f.message_id
         WHERE m.by_staff = $1 ORDER BY f.created_at LIMIT 1",
    )
    .bind(by_staff)
    .fetch_one(&desk.app.pool)
    .await
    .unwrap()
}

/// Removed by the owner, or made a viewer.
async fn part_ways(desk: &Desk, how: &str) {
    let account = desk.account;
    let author = desk.id(Author).to_string();
    let res = match how {
        "removed" => {
            desk.browser(Owner)
                .post(
                    &format!("/hosting/{account}/members/remove"),
                    &[("user_id", &author)],
                )
                .await
        }
        _ => {
            desk.browser(Owner)
                .post(
                    &format!("/hosting/{account}/members/role"),
                    &[("user_id", &author), ("role", "viewer")],
                )
                .await
        }
    };
    assert_eq!(res.status(), 303, "{how}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_former_member_keeps_their_question_and_hears_no_more(pool: PgPool) {
    let desk = Desk::new(pool, &[("KSF_SUPPORT_EMAIL", "help@example.net")]).await;
    let n = desk
        .open(
            Author,
            "Site down",
            "AUTHOR-QUESTION",
            vec![("mine.png", PNG.to_vec())],
        )
        .await;
    assert_eq!(desk.reply(Staff, n, "EARLY-STAFF", false).await.status(), 303);
    part_ways(&desk, "removed").await;

    let mut stream = Stream::open(desk.browser(Author), None).await;
    while stream.next(Duration::from_millis(700)).await.is_some() {}
    let emails = desk.app.emails_to(&email_of(Author)).await;
    let last_seen: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM events")
        .fetch_one(&desk.app.pool)
        .await
        .unwrap();
    let bells = notifications_of(&desk, Author).await;

    // The account carries on with the ticket.
    let res = post_reply(
        desk.browser(Staff),
        n,
        "LATE-STAFF",
        false,
        vec![("staff.png", PNG.to_vec())],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(desk.reply(Owner, n, "LATE-OWNER", false).await.status(), 303);
    assert_eq!(
        desk.browser(Staff)
            .post(&format!("/support/{n}/state"), &[("change", "resolve")])
            .await
            .status(),
        303
    );
    assert_eq!(
        stream.next(Duration::from_millis(1500)).await,
        None,
        "no live event"
    );
    // Nor on a reconnect that asks for what it missed.
    let mut resumed = Stream::open(desk.browser(Author), Some(&last_seen.to_string())).await;
    assert_eq!(
        resumed.next(Duration::from_millis(1000)).await,
        None,
        "nothing replayed"
    );
    assert_eq!(desk.app.emails_to(&email_of(Author)).await, emails, "no email");
    assert_eq!(notifications_of(&desk, Author).await, bells, "no notification");

    // Their own question, and nothing the account wrote since (or before).
    let author = desk.browser(Author);
    let page = author.page(&format!("/support/{n}")).await;
    assert!(page.contains("AUTHOR-QUESTION"));
    for later in ["EARLY-STAFF", "LATE-STAFF", "LATE-OWNER"] {
        assert!(!page.contains(later), "{later} on the page");
    }
    let (status, body) = call(author, "/api/support/ticket", &[("number", n.to_string())]).await;
    let thread = author.get(&format!("/support/{n}/thread")).await;
    let live = (thread.status().as_u16(), thread.text().await.unwrap());
    for (what, (status, body)) in [("the ticket", (status, body)), ("the live thread", live)] {
        assert_eq!(status, 200, "{what}");
        assert!(
            body.contains("AUTHOR-QUESTION") && !body.contains("LATE-STAFF"),
            "{what}: {body}"
        );
    }
    let mine = author.page("/support?show=all").await;
    assert!(mine.contains("Site down"), "still in their list: {mine}");
    let own = file_of(&desk, false).await;
    let staffs = file_of(&desk, true).await;
    assert_eq!(
        author.get(&format!("/support/{n}/files/{own}")).await.status(),
        200
    );
    assert_eq!(
        author.get(&format!("/support/{n}/files/{staffs}")).await.status(),
        404
    );

    // Read-only: no reply, no state change.
    let res = desk.reply(Author, n, "AFTER-LEAVING", false).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("no longer a member"));
    let res = author
        .post(&format!("/support/{n}/state"), &[("change", "reopen")])
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(desk.state(n).await, "resolved");

    // The account's members still see everything.
    let page = desk.browser(Owner).page(&format!("/support/{n}")).await;
    assert!(page.contains("LATE-STAFF") && page.contains("AUTHOR-QUESTION"));
}

#[sqlx::test(migrations = "../migrations")]
async fn leaving_or_becoming_a_viewer_is_the_same_as_removal(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    let n = desk.open(Author, "Mail bounces", "AUTHOR-QUESTION", vec![]).await;
    part_ways(&desk, "viewer").await;
    assert_eq!(desk.reply(Staff, n, "LATE-STAFF", false).await.status(), 303);
    let page = desk.browser(Author).page(&format!("/support/{n}")).await;
    assert!(page.contains("AUTHOR-QUESTION") && !page.contains("LATE-STAFF"));
    assert_eq!(desk.reply(Author, n, "more", false).await.status(), 409);

    let m = desk.open(Admin, "Second", "ADMIN-QUESTION", vec![]).await;
    assert_eq!(
        desk.browser(Admin)
            .post(&format!("/hosting/{}/leave", desk.account), &[])
            .await
            .status(),
        303
    );
    assert_eq!(desk.reply(Staff, m, "LATE-STAFF", false).await.status(), 303);
    let page = desk.browser(Admin).page(&format!("/support/{m}")).await;
    assert!(page.contains("ADMIN-QUESTION") && !page.contains("LATE-STAFF"));
}
