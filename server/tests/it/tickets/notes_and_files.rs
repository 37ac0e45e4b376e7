//! Internal notes stay with staff everywhere (page, server functions,
//! files, emails, the live stream); Markdown renders inert; attachments
//! are checked, stored outside the database, served only as downloads,
//! and a failed upload leaves nothing behind.

use std::time::Duration;

use super::*;
use crate::live::Stream;

const NOTE: &str = "SECRET-NOTE: customer is on the old cluster";

#[sqlx::test(migrations = "../migrations")]
async fn internal_notes_never_reach_a_customer(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    let n = desk.open(Author, "Slow site", "Pages take 10 s.", vec![]).await;
    let mut author_stream = Stream::open(desk.browser(Author), None).await;
    let mut staff_stream = Stream::open(desk.browser(Staff), None).await;
    // The opening's own event may still be on its way: let it pass.
    while author_stream.next(Duration::from_millis(700)).await.is_some() {}
    while staff_stream.next(Duration::from_millis(300)).await.is_some() {}
    let res = post_reply(
        desk.browser(Staff),
        n,
        NOTE,
        true,
        vec![("note.txt", b"NOTE-FILE-BODY".to_vec())],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(desk.state(n).await, "open", "a note does not move the ticket");
    // Staff hear of the note at once; the customer's stream stays silent.
    let (kind, _, data) = staff_stream
        .next(Duration::from_secs(3))
        .await
        .expect("staff get the note's event");
    assert_eq!(kind, "ticket");
    assert!(data.contains(&format!("\"ticket\":{n}")), "{data}");
    assert_eq!(
        author_stream.next(Duration::from_millis(1500)).await,
        None,
        "no event for a note"
    );
    // A public reply does reach the customer, live.
    assert_eq!(
        desk.reply(Staff, n, "We moved you to a faster server.", false)
            .await
            .status(),
        303
    );
    let (kind, _, data) = author_stream
        .next(Duration::from_secs(3))
        .await
        .expect("the reply's event");
    assert!(kind == "ticket" || kind == "notification", "{kind}");
    let _ = data;

    let file: Uuid = sqlx::query_scalar("SELECT id FROM ticket_attachments WHERE file_name = 'note.txt'")
        .fetch_one(&desk.app.pool)
        .await
        .unwrap();
    for who in [Author, Owner, Admin, Billing] {
        let b = desk.browser(who);
        let page = b.page(&format!("/support/{n}")).await;
        assert!(
            page.contains("We moved you to a faster server."),
            "{who:?} sees replies"
        );
        assert!(!page.contains("SECRET-NOTE"), "{who:?}: not in the page");
        assert!(!page.contains("note.txt"), "{who:?}: not the note's file either");
        let (status, body) = call(b, "/api/support/ticket", &[("number", n.to_string())]).await;
        let thread = b.get(&format!("/support/{n}/thread")).await;
        let live = (thread.status().as_u16(), thread.text().await.unwrap());
        for (what, (status, body)) in [("the ticket", (status, body)), ("the live thread", live)] {
            assert_eq!(status, 200, "{who:?} {what}");
            assert!(!body.contains("SECRET-NOTE"), "{who:?}: not in {what}");
        }
        let res = b.get(&format!("/support/{n}/files/{file}")).await;
        assert_eq!(res.status(), 404, "{who:?}: the note's file is not served");
    }
    let page = desk.browser(Staff).page(&format!("/support/{n}")).await;
    assert!(page.contains("SECRET-NOTE"), "staff see their notes");
    let thread = desk.browser(Staff).page(&format!("/support/{n}/thread")).await;
    assert!(thread.contains("SECRET-NOTE"), "and in the live thread");
    assert!(page.contains("Internal note"));
    let res = desk
        .browser(Staff)
        .get(&format!("/support/{n}/files/{file}"))
        .await;
    assert_eq!(res.status(), 200);
    // No email carries a note.
    let leaked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE text_body LIKE '%SECRET-NOTE%' OR html_body LIKE '%SECRET-NOTE%'",
    )
    .fetch_one(&desk.app.pool)
    .await
    .unwrap();
    assert_eq!(leaked, 0);
    // Customers cannot write notes.
    let res = post_reply(desk.browser(Author), n, "my note", true, vec![]).await;
    assert_eq!(res.status(), 403);
}

#[sqlx::test(migrations = "../migrations")]
async fn markdown_renders_and_scripts_stay_inert(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    let body = "**Bold claim** and `code`\n\n<script>alert('x1')</script>\n\n[click](javascript:alert('x2')) <img src=x onerror=alert('x3')> <a href=\"javascript:alert('x4')\">y</a>";
    let n = desk.open(Author, "Markdown", body, vec![]).await;
    let page = desk.browser(Staff).page(&format!("/support/{n}")).await;
    assert!(
        page.contains("<strong>Bold claim</strong>"),
        "Markdown is rendered"
    );
    assert!(page.contains("<code>code</code>"));
    // Island props carry the same HTML as an escaped attribute value: skip them.
    let mut page = page.clone();
    while let Some(start) = page.find("data-props=\"") {
        let rest = &page[start + 12..];
        let end = rest.find('"').map_or(page.len(), |e| start + 12 + e + 1);
        page.replace_range(start..end, "");
    }
    for bad in ["<script>alert(", "javascript:alert", "onerror=alert"] {
        // Only ever as escaped text, never as markup.
        for (i, _) in page.match_indices(bad) {
            let before = &page[..i];
            let tag_open = before.rfind('<').unwrap_or(0);
            let tag_close = before.rfind('>').unwrap_or(0);
            assert!(
                tag_close >= tag_open,
                "{bad} inside a tag: {}",
                &page[tag_open..(i + 40).min(page.len())]
            );
        }
    }
    assert!(!page.contains("<script>alert('x1')"), "the script tag is text");
    assert!(page.contains("&lt;script&gt;"), "raw HTML shows as text");
    // The preview answers the same HTML.
    let (status, html) = call(
        desk.browser(Author),
        "/support/preview",
        &[("body", body.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<strong>Bold claim</strong>") && !html.contains("<script>"),
        "{html}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn attachments_are_checked_stored_aside_and_served_as_downloads(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    // The test server's KSF_DATA_DIR lives in its site root.
    let data_dir = desk.app._site.path().join("data/attachments");
    let files_on_disk = || std::fs::read_dir(&data_dir).map(|d| d.count()).unwrap_or(0);
    let tickets = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tickets")
            .fetch_one(&desk.app.pool)
            .await
            .unwrap()
    };
    // Content that is not what the name says; a kind we do not take; too many; too big.
    type Files<'a> = Vec<(&'a str, Vec<u8>)>;
    let cases: Vec<(Files, &str)> = vec![
        (
            vec![("photo.png", b"<html><script>".to_vec())],
            "not what a .png file holds",
        ),
        (vec![("tool.exe", b"MZ\x90\x00".to_vec())], "cannot be attached"),
        (
            vec![("logo.svg", b"<svg onload=alert(1)/>".to_vec())],
            "cannot be attached",
        ),
        (
            (0..6)
                .map(|i| {
                    (
                        ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"][i],
                        b"x".to_vec(),
                    )
                })
                .collect(),
            "at most 5 files",
        ),
        (
            vec![("huge.log", vec![b'a'; 10 * 1024 * 1024 + 1])],
            "at most 10 MB",
        ),
    ];
    for (files, message) in cases {
        let res = open_ticket(
            desk.browser(Author),
            "With files",
            "See attached",
            Some(desk.account),
            files,
        )
        .await;
        assert_eq!(res.status(), 422, "{message}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("f-files-error") && html.contains(message),
            "{message}: error next to the field"
        );
        assert!(html.contains("See attached"), "the message typed is kept");
        assert_eq!(tickets().await, 0, "{message}: nothing written");
        assert_eq!(files_on_disk(), 0, "{message}: no file written");
    }
    // A good upload: stored outside the database, listed with the message.
    let png = PNG.to_vec();
    let n = desk
        .open(
            Author,
            "With files",
            "See attached",
            vec![
                ("screen shot.png", png.clone()),
                ("error.log", b"500 at /cart\n".to_vec()),
            ],
        )
        .await;
    assert_eq!(files_on_disk(), 2);
    let in_db: i64 = sqlx::query_scalar("SELECT count(*) FROM ticket_attachments WHERE size_bytes > 0")
        .fetch_one(&desk.app.pool)
        .await
        .unwrap();
    assert_eq!(in_db, 2, "the database holds only the metadata");
    let page = desk.browser(Admin).page(&format!("/support/{n}")).await;
    assert!(page.contains("screen shot.png") && page.contains("error.log"));
    let id: Uuid =
        sqlx::query_scalar("SELECT id FROM ticket_attachments WHERE file_name = 'screen shot.png'")
            .fetch_one(&desk.app.pool)
            .await
            .unwrap();
    let res = desk.browser(Admin).get(&format!("/support/{n}/files/{id}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("screen%20shot.png"),
        "{disposition}"
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().to_vec(), png);
    // An id from another ticket is not served through this one.
    let other = desk.open(Author, "Another", "No files", vec![]).await;
    let res = desk
        .browser(Admin)
        .get(&format!("/support/{other}/files/{id}"))
        .await;
    assert_eq!(res.status(), 404);

    // When storing fails, no ticket is left half-written.
    std::fs::remove_dir_all(&data_dir).unwrap();
    std::fs::write(&data_dir, b"not a directory").unwrap();
    let before = tickets().await;
    let res = open_ticket(
        desk.browser(Author),
        "Storage down",
        "Hello",
        None,
        vec![("a.txt", b"hi".to_vec())],
    )
    .await;
    assert_eq!(res.status(), 500);
    assert!(
        res.text().await.unwrap().contains("reference"),
        "a reference to quote to support"
    );
    assert_eq!(tickets().await, before, "no ticket without its files");
}
