//! A ticket's life: replies hand it from side to side, resolved tickets
//! close after a week (by the injectable clock), customers reopen and
//! rate; every change writes its emails once; limits on tickets, replies
//! and bodies.

use time::Duration;

use super::*;

async fn kinds_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT kind, subject FROM email_outbox WHERE lower(to_address) = lower($1) ORDER BY created_at, id",
    )
    .bind(to)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn replies_move_the_state_and_resolved_tickets_close_after_a_week(pool: PgPool) {
    let desk = Desk::new(pool, &[("KSF_SUPPORT_EMAIL", "help@example.net")]).await;
    let n = desk
        .open(Author, "Mail bounces", "Since this morning.", vec![])
        .await;
    assert_eq!(desk.state(n).await, "open");
    assert_eq!(
        desk.reply(Author, n, "Also the webmail is slow.", false)
            .await
            .status(),
        303
    );
    assert_eq!(desk.state(n).await, "open", "nobody answered yet");
    // Staff assign it to themselves, then answer.
    let res = desk
        .browser(Staff)
        .post(&format!("/support/{n}/assign"), &[("assignee", "me")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        desk.reply(Staff, n, "We are looking at it.", false)
            .await
            .status(),
        303
    );
    assert_eq!(desk.state(n).await, "awaiting_customer");
    let first: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT first_response_at FROM tickets WHERE number = $1")
            .bind(n)
            .fetch_one(&desk.app.pool)
            .await
            .unwrap();
    assert!(first.is_some(), "the first response is recorded");
    assert_eq!(
        desk.reply(Owner, n, "Thanks, still bouncing.", false)
            .await
            .status(),
        303
    );
    assert_eq!(desk.state(n).await, "awaiting_staff");
    // The customer sees who acts next, in their words.
    let page = desk.browser(Author).page(&format!("/support/{n}")).await;
    assert!(
        page.contains("Waiting for support"),
        "the state as the customer reads it"
    );
    assert!(page.contains("Thanks, still bouncing."));

    let res = desk
        .browser(Staff)
        .post(&format!("/support/{n}/state"), &[("change", "resolve")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(desk.state(n).await, "resolved");
    // Six days later it is still resolved; after seven it closes.
    desk.app.clock.advance(Duration::days(6));
    let closed = services::tickets::thread::auto_close(&desk.app.pool, desk.app.clock.now())
        .await
        .unwrap();
    assert_eq!(closed, 0);
    // Meanwhile they use the portal (a week idle would end their sessions).
    desk.keep_using(&[Author, Owner, Staff]).await;
    desk.app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let closed = services::tickets::thread::auto_close(&desk.app.pool, desk.app.clock.now())
        .await
        .unwrap();
    assert_eq!(closed, 1);
    assert_eq!(desk.state(n).await, "closed");
    // A closed ticket takes no replies; the customer is told what to do.
    let res = desk.reply(Author, n, "One more thing", false).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("Open a new ticket"));
    // The author rates it (closed tickets can still be rated); staff see it.
    let res = desk
        .browser(Author)
        .post(
            &format!("/support/{n}/rate"),
            &[("rating", "good"), ("comment", "Quick and kind")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let staff_page = desk.browser(Staff).page(&format!("/support/{n}")).await;
    assert!(
        staff_page.contains("Customer&#x27;s rating: Good") || staff_page.contains("Customer's rating: Good")
    );
    assert!(staff_page.contains("Quick and kind"));
    // Only the author rates.
    let res = desk
        .browser(Owner)
        .post(&format!("/support/{n}/rate"), &[("rating", "bad")])
        .await;
    assert_eq!(res.status(), 409);

    // Emails: each once, each subject with the number.
    let label = format!("#{n}");
    let author = kinds_to(&desk.app, &email_of(Author)).await;
    let author_kinds: Vec<&str> = author.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        author_kinds,
        ["ticket_opened", "ticket_reply_customer", "ticket_resolved"],
        "the author hears of the ticket, the staff reply and the resolution"
    );
    let support = kinds_to(&desk.app, "help@example.net").await;
    let support_kinds: Vec<&str> = support.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        support_kinds,
        ["ticket_new_staff", "ticket_reply_staff"],
        "the support address hears of the new ticket and the customer's reply before assignment"
    );
    let staff = kinds_to(&desk.app, &email_of(Staff)).await;
    let staff_kinds: Vec<&str> = staff.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        staff_kinds,
        ["ticket_reply_staff"],
        "after assignment the assignee hears of replies"
    );
    for (kind, subject) in author.iter().chain(&support).chain(&staff) {
        assert!(subject.contains(&label), "{kind}: {subject}");
    }
    // The resolved email links to the rating, one click per answer.
    let (_, text) = desk.app.last_email_to(&email_of(Author)).await.unwrap();
    assert!(text.contains(&format!("/support/{n}?rate=bad#rate")), "{text}");
    // Staff replies and assignments reach the bell.
    let bell: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'ticket_reply'")
            .bind(desk.id(Author))
            .fetch_one(&desk.app.pool)
            .await
            .unwrap();
    assert_eq!(bell, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn customers_reopen_resolved_tickets_but_not_closed_ones(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    let n = desk
        .open(Author, "DNS question", "How do I add a TXT record?", vec![])
        .await;
    let post = |who: Who, change: &'static str| {
        let b = desk.browser(who);
        async move {
            b.post(&format!("/support/{n}/state"), &[("change", change)])
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        post(Author, "resolve").await,
        303,
        "a customer can mark it resolved"
    );
    assert_eq!(desk.state(n).await, "resolved");
    assert_eq!(post(Author, "reopen").await, 303);
    assert_eq!(desk.state(n).await, "awaiting_staff");
    assert_eq!(post(Author, "close").await, 403, "closing is a staff tool");
    assert_eq!(post(Staff, "close").await, 303);
    assert_eq!(
        post(Author, "reopen").await,
        409,
        "customers open a new ticket instead"
    );
    assert_eq!(
        post(Staff, "reopen").await,
        303,
        "staff can reopen a closed ticket"
    );
    assert_eq!(desk.state(n).await, "awaiting_staff");
}

#[sqlx::test(migrations = "../migrations")]
async fn tickets_replies_and_bodies_are_bounded(pool: PgPool) {
    let desk = Desk::new(
        pool,
        &[
            ("KSF_TICKETS_PER_USER_HOUR", "2"),
            ("KSF_TICKET_REPLIES_PER_USER_HOUR", "1"),
        ],
    )
    .await;
    let n = desk.open(Author, "First", "One", vec![]).await;
    desk.open(Author, "Second", "Two", vec![]).await;
    let res = open_ticket(desk.browser(Author), "Third", "Three", None, vec![]).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let html = res.text().await.unwrap();
    assert!(
        html.contains("You opened many tickets in the last hour."),
        "{}",
        &html[..300.min(html.len())]
    );
    assert!(html.contains("Third"), "what was typed is kept");
    // Replies: one an hour here.
    assert_eq!(desk.reply(Author, n, "Reply one", false).await.status(), 303);
    assert_eq!(desk.reply(Author, n, "Reply two", false).await.status(), 429);
    // Staff are not limited.
    assert_eq!(desk.reply(Staff, n, "Staff one", false).await.status(), 303);
    assert_eq!(desk.reply(Staff, n, "Staff two", false).await.status(), 303);
    // A body over 64 KB: the error is next to the field, nothing is written.
    let long = "x".repeat(64 * 1024 + 1);
    let res = desk.reply(Owner, n, &long, false).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("f-body-error") && html.contains("at most 64 KB"),
        "error next to the body"
    );
    // Far over: refused the same way, never cut to fit.
    let res = desk.reply(Owner, n, &"y".repeat(200 * 1024), false).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("The message is over 64 KB"));
    let messages: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = $1",
    )
    .bind(n)
    .fetch_one(&desk.app.pool)
    .await
    .unwrap();
    assert_eq!(messages, 4, "the ticket, one customer reply, two staff replies");
    // Blank fields say what is missing.
    let res = open_ticket(desk.browser(Owner), "  ", " ", None, vec![]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Say in a few words what the ticket is about."));
    assert!(html.contains("Write a message."));
}
