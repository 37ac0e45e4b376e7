//! Who may do what with a ticket: every endpoint and server function
//! against every kind of user. A refused call changes nothing and reveals
//! nothing (not even that the ticket exists).

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Get(&'static str),
    Form(&'static str, &'static [(&'static str, &'static str)]),
    Reply,
    Function(&'static str, &'static [(&'static str, &'static str)]),
}

/// Everything a refused call must leave as it was.
async fn snapshot(pool: &PgPool, number: i64) -> String {
    let row: (String, String, String, Option<Uuid>, Option<String>) = sqlx::query_as(
        "SELECT state, priority, category, assignee_id, rating FROM tickets WHERE number = $1",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap();
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = $1),
                (SELECT count(*) FROM ticket_attachments f JOIN tickets t ON t.id = f.ticket_id WHERE t.number = $1),
                (SELECT count(*) FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = $1),
                (SELECT count(*) FROM email_outbox)",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap();
    format!("{row:?} {counts:?}")
}

#[sqlx::test(migrations = "../migrations")]
async fn every_ticket_endpoint_allows_exactly_who_it_should(pool: PgPool) {
    // Many tickets for one author in this test: lift the hourly cap.
    let desk = Desk::new(pool, &[("KSF_TICKETS_PER_USER_HOUR", "1000")]).await;
    let staff_only = [Staff];
    let cases: Vec<(Call, &[Who])> = vec![
        (Call::Get("/support/{n}"), &AUDIENCE),
        (Call::Get("/support/{n}/files/{file}"), &AUDIENCE),
        (
            Call::Function("/api/support/ticket", &[("number", "{n}")]),
            &AUDIENCE,
        ),
        (Call::Get("/support/{n}/thread"), &AUDIENCE),
        (Call::Reply, &AUDIENCE),
        (
            Call::Form("/support/{n}/state", &[("change", "resolve")]),
            &AUDIENCE,
        ),
        (
            Call::Form("/support/{n}/assign", &[("assignee", "me")]),
            &staff_only,
        ),
        (
            Call::Form(
                "/support/{n}/triage",
                &[("priority", "urgent"), ("category", "billing")],
            ),
            &staff_only,
        ),
        (
            Call::Form("/staff/tickets/close", &[("ticket", "{n}")]),
            &staff_only,
        ),
        (
            Call::Function(
                "/api/support/queue",
                &[
                    ("state", ""),
                    ("priority", ""),
                    ("category", ""),
                    ("assignee", ""),
                    ("sort", ""),
                    ("q", ""),
                    ("page", "1"),
                ],
            ),
            &staff_only,
        ),
        (Call::Get("/staff/tickets"), &staff_only),
        (Call::Get("/staff/tickets/rows?state=all"), &staff_only),
    ];
    let mut n = 0;
    for (call, allowed) in &cases {
        for who in EVERYONE {
            n += 1;
            let subject = format!("Isolation case {n}");
            let number = desk
                .open(
                    Author,
                    &subject,
                    "The site shows a 502.",
                    vec![("screen.png", PNG.to_vec())],
                )
                .await;
            let file: Uuid = sqlx::query_scalar(
                "SELECT f.id FROM ticket_attachments f JOIN tickets t ON t.id = f.ticket_id WHERE t.number = $1",
            )
            .bind(number)
            .fetch_one(&desk.app.pool)
            .await
            .unwrap();
            let fill = |v: &str| {
                v.replace("{n}", &number.to_string())
                    .replace("{file}", &file.to_string())
            };
            let before = snapshot(&desk.app.pool, number).await;
            let b = desk.browser(who);
            let (status, location, body) = match call {
                Call::Get(path) => {
                    let res = b.get(&fill(path)).await;
                    (res.status().as_u16(), location(&res), res.text().await.unwrap())
                }
                Call::Form(path, form) => {
                    let filled: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, fill(v))).collect();
                    let fields: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let res = b.post(&fill(path), &fields).await;
                    (res.status().as_u16(), location(&res), res.text().await.unwrap())
                }
                Call::Reply => {
                    let res = post_reply(b, number, "Any news?", false, vec![]).await;
                    (res.status().as_u16(), location(&res), res.text().await.unwrap())
                }
                Call::Function(path, form) => {
                    let filled: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, fill(v))).collect();
                    let (status, body) = call_fn(b, path, &filled).await;
                    (status, String::new(), body)
                }
            };
            let what = format!("{who:?} → {call:?}");
            if allowed.contains(&who) {
                assert!(
                    status == 200 || (status == 303 && !location.starts_with("/login")),
                    "{what} should be allowed ({status} {location}): {}",
                    &body[..body.len().min(300)]
                );
                if matches!(
                    call,
                    Call::Get("/support/{n}") | Call::Function("/api/support/ticket", _)
                ) {
                    assert!(body.contains(&subject), "{what}: the ticket is shown");
                }
            } else {
                match (who, call) {
                    (SignedOut, Call::Function(..)) => assert_eq!(status, 401, "{what}"),
                    (SignedOut, _) => {
                        assert!(matches!(status, 302 | 303), "{what}: {status}");
                        assert!(
                            location.starts_with("/login"),
                            "{what}: sign in first ({location})"
                        );
                    }
                    // Those who see the ticket are told no; others learn nothing.
                    _ if AUDIENCE.contains(&who)
                        && !matches!(call, Call::Function(..) | Call::Get(_))
                        && !call_is_queue(call) =>
                    {
                        assert_eq!(status, 403, "{what} should be forbidden ({location})")
                    }
                    _ => assert_eq!(status, 404, "{what} should be refused ({location})"),
                }
                assert_eq!(
                    snapshot(&desk.app.pool, number).await,
                    before,
                    "{what}: a refused call changes nothing"
                );
                if !AUDIENCE.contains(&who) {
                    assert!(!body.contains(&subject), "{what}: reveals nothing");
                    assert!(!body.contains("The site shows a 502"), "{what}: reveals nothing");
                }
            }
        }
    }
}

/// The staff queue's tools are invisible to customers (404), not forbidden.
fn call_is_queue(call: &Call) -> bool {
    matches!(call, Call::Form("/staff/tickets/close", _))
}

/// A server function called as the browser calls it.
async fn call_fn(b: &Browser, path: &str, form: &[(&str, String)]) -> (u16, String) {
    call(b, path, form).await
}

#[sqlx::test(migrations = "../migrations")]
async fn lists_show_each_user_only_what_they_may_see(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    let about_account = desk.open(Author, "Shared with the team", "Hello", vec![]).await;
    // The outsider's own ticket, about no account.
    let res = open_ticket(
        desk.browser(Outsider),
        "Outsider's own question",
        "Hi",
        None,
        vec![],
    )
    .await;
    assert_eq!(res.status(), 303);
    for who in [Author, Owner, Admin, Billing, Viewer, Outsider] {
        let (status, body) = call(
            desk.browser(who),
            "/api/support/mine",
            &[("filter", "active".into()), ("page", "1".into())],
        )
        .await;
        assert_eq!(status, 200, "{who:?}");
        let sees_team = AUDIENCE.contains(&who);
        assert_eq!(
            body.contains("Shared with the team"),
            sees_team,
            "{who:?}: {body}"
        );
        assert_eq!(
            body.contains("Outsider's own question"),
            who == Outsider,
            "{who:?}"
        );
    }
    // A customer may not open a ticket about an account they only view.
    let res = open_ticket(
        desk.browser(Viewer),
        "Viewer asks",
        "Hi",
        Some(desk.account),
        vec![],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Choose one of your hosting accounts"),
        "the error is next to the field"
    );
    assert!(html.contains("Viewer asks"), "what was typed is kept");
    // Nor about someone else's account.
    let res = open_ticket(
        desk.browser(Outsider),
        "Outsider asks",
        "Hi",
        Some(desk.account),
        vec![],
    )
    .await;
    assert_eq!(res.status(), 422);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&desk.app.pool)
        .await
        .unwrap();
    assert_eq!(n, 2, "refused tickets were not written");
    let _ = about_account;
}
