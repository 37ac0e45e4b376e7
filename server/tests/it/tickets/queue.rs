//! The staff queue (filters, full-text search, assignment, bulk close) and
//! support on the dashboard.

use super::*;

async fn queue(desk: &Desk, filters: &[(&str, &str)]) -> String {
    let mut form: Vec<(&str, String)> = ["state", "priority", "category", "assignee", "sort", "q"]
        .iter()
        .map(|k| (*k, String::new()))
        .collect();
    form.push(("page", "1".into()));
    for (k, v) in filters {
        if let Some(slot) = form.iter_mut().find(|(name, _)| name == k) {
            slot.1 = v.to_string();
        }
    }
    let (status, body) = call(desk.browser(Staff), "/api/support/queue", &form).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The ticket numbers of a queue answer, in order.
fn numbers(body: &str) -> Vec<i64> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_i64().unwrap())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_filter_search_assign_and_close_in_bulk(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    let bounce = desk
        .open(
            Author,
            "Email problem",
            "Messages to Gmail bounce with 550.",
            vec![],
        )
        .await;
    let invoice = desk
        .open(Owner, "Invoice question", "Why two charges?", vec![])
        .await;
    let urgent = desk
        .open(Admin, "Site down", "Everything returns 502.", vec![])
        .await;
    let b = desk.browser(Staff);
    assert_eq!(
        b.post(
            &format!("/support/{invoice}/triage"),
            &[("priority", "low"), ("category", "billing")]
        )
        .await
        .status(),
        303
    );
    assert_eq!(
        b.post(
            &format!("/support/{urgent}/triage"),
            &[("priority", "urgent"), ("category", "technical")]
        )
        .await
        .status(),
        303
    );
    assert_eq!(
        b.post(&format!("/support/{urgent}/assign"), &[("assignee", "me")])
            .await
            .status(),
        303
    );
    // Answering one makes it wait for the customer; the others wait for staff.
    assert_eq!(
        desk.reply(Staff, invoice, "One was a refund.", false)
            .await
            .status(),
        303
    );

    assert_eq!(
        numbers(&queue(&desk, &[("category", "billing")]).await),
        [invoice]
    );
    assert_eq!(numbers(&queue(&desk, &[("priority", "urgent")]).await), [urgent]);
    assert_eq!(numbers(&queue(&desk, &[("assignee", "me")]).await), [urgent]);
    let mut unassigned = numbers(&queue(&desk, &[("assignee", "none")]).await);
    unassigned.sort();
    assert_eq!(unassigned, [bounce, invoice]);
    assert_eq!(
        numbers(&queue(&desk, &[("state", "awaiting_customer")]).await),
        [invoice]
    );
    assert_eq!(
        numbers(&queue(&desk, &[("sort", "waiting")]).await),
        [bounce, urgent],
        "awaiting staff, longest waiting first"
    );
    // Full-text search finds words in subjects and in messages (stemmed).
    assert_eq!(numbers(&queue(&desk, &[("q", "bounced")]).await), [bounce]);
    assert_eq!(
        numbers(&queue(&desk, &[("q", "refund")]).await),
        [invoice],
        "a staff reply's words"
    );
    assert_eq!(
        numbers(&queue(&desk, &[("q", "invoice")]).await),
        [invoice],
        "the subject's words"
    );
    assert!(numbers(&queue(&desk, &[("q", "kubernetes")]).await).is_empty());
    // The queue page shows them with JavaScript off.
    let page = b.page("/staff/tickets?sort=waiting").await;
    assert!(page.contains("Email problem") && page.contains("Site down"));
    assert!(
        !page.contains("Invoice question"),
        "awaiting the customer: not in this view"
    );

    // Bulk close: repeated fields, numbers that name nothing are skipped.
    let res = b
        .post(
            "/staff/tickets/close",
            &[
                ("ticket", &bounce.to_string()),
                ("ticket", &invoice.to_string()),
                ("ticket", "999999"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(desk.state(bounce).await, "closed");
    assert_eq!(desk.state(invoice).await, "closed");
    assert_eq!(desk.state(urgent).await, "open");
    assert_eq!(
        numbers(&queue(&desk, &[]).await),
        [urgent],
        "the default view hides closed tickets"
    );
    // Assigning to a customer is refused next to the field.
    let res = b
        .post(
            &format!("/support/{urgent}/assign"),
            &[("assignee", &desk.id(Owner).to_string())],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Choose a member of staff."));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_dashboard_shows_open_tickets_and_the_queue(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    let n = desk.open(Author, "Question one", "Hello", vec![]).await;
    desk.open(Author, "Question two", "Hello", vec![]).await;
    assert_eq!(desk.reply(Staff, n, "Answer", false).await.status(), 303);
    let page = desk.browser(Author).page("/").await;
    assert!(
        page.contains("data-tile=\"open-tickets\""),
        "customers have the tile"
    );
    assert!(page.contains("1 awaiting your reply"));
    assert!(
        page.contains("tile-attention"),
        "tickets awaiting them are highlighted"
    );
    assert!(page.contains("Tickets by state"), "the state chart");
    assert!(!page.contains("Support queue"), "not the staff tiles");
    let page = desk.browser(Viewer).page("/").await;
    assert!(
        page.contains("None awaiting your reply"),
        "viewers do not count the account's tickets"
    );
    let page = desk.browser(Staff).page("/").await;
    for tile in [
        "tickets-unassigned",
        "tickets-awaiting-staff",
        "tickets-oldest",
        "first-response",
    ] {
        assert!(page.contains(&format!("data-tile=\"{tile}\"")), "{tile}");
    }
    assert!(page.contains("Tickets opened and resolved per day"));
    assert!(
        page.contains("Question two"),
        "the oldest waiting ticket is named"
    );
}
