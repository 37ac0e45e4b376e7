//! Attachments cannot fill the disk: a quota per customer and per hosting
//! account, uploads only from confirmed email addresses, the usage shown
//! on the new-ticket page, and files no ticket points to swept away.

use std::time::{Duration, SystemTime};

use services::tickets::files::{self, Storage};

use super::*;

const KB600: usize = 600 * 1024;

fn log_file(name: &str) -> (&str, Vec<u8>) {
    (name, vec![b'a'; KB600])
}

async fn count(desk: &Desk, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&desk.app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_keeps_at_most_their_quota_and_staff_are_not_limited(pool: PgPool) {
    let desk = Desk::new(pool, &[("KSF_ATTACHMENT_QUOTA_USER_MB", "1")]).await;
    let author = desk.browser(Author);
    let n = desk
        .open(Author, "First", "With a log", vec![log_file("a.log")])
        .await;
    assert!(author
        .page("/support/new")
        .await
        .contains("Your attachments use 0.6 MB of 1.0 MB."));

    // The next file would pass the quota: refused next to the field, the text kept.
    let res = open_ticket(
        author,
        "Second",
        "KEEP-THIS-TEXT",
        Some(desk.account),
        vec![log_file("b.log")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("f-files-error") && body.contains("over your 1.0 MB"),
        "{body}"
    );
    assert!(body.contains("KEEP-THIS-TEXT"));
    assert_eq!(count(&desk, "tickets").await, 1);
    assert_eq!(
        post_reply(author, n, "more", false, vec![log_file("c.log")])
            .await
            .status(),
        422
    );
    assert_eq!(count(&desk, "ticket_attachments").await, 1);
    // Without the file it goes through; staff attach what they need.
    let res = open_ticket(author, "Second", "No file", Some(desk.account), vec![]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        post_reply(desk.browser(Staff), n, "Logs", false, vec![log_file("s.log")])
            .await
            .status(),
        303
    );
    assert_eq!(
        post_reply(desk.browser(Staff), n, "More", false, vec![log_file("t.log")])
            .await
            .status(),
        303
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_hosting_account_has_a_quota_for_all_its_members(pool: PgPool) {
    let desk = Desk::new(pool, &[("KSF_ATTACHMENT_QUOTA_ACCOUNT_MB", "1")]).await;
    desk.open(Author, "First", "With a log", vec![log_file("a.log")])
        .await;
    let res = open_ticket(
        desk.browser(Owner),
        "Mine",
        "Owner's",
        Some(desk.account),
        vec![log_file("b.log")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("this hosting account's 1.0 MB"));
    // Not about the account: the owner's own quota only.
    let res = open_ticket(
        desk.browser(Owner),
        "Other",
        "Not the account",
        None,
        vec![log_file("b.log")],
    )
    .await;
    assert_eq!(res.status(), 303);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unconfirmed_address_cannot_attach_files(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = $1")
        .bind(desk.id(Author))
        .execute(&desk.app.pool)
        .await
        .unwrap();
    let author = desk.browser(Author);
    assert!(author
        .page("/support/new")
        .await
        .contains("Confirm your email address to attach files"));
    let res = open_ticket(
        author,
        "Help",
        "KEEP-THIS-TEXT",
        None,
        vec![("a.png", PNG.to_vec())],
    )
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Confirm your email address before attaching files") && body.contains("KEEP-THIS-TEXT")
    );
    assert_eq!(count(&desk, "tickets").await, 0);
    assert_eq!(
        open_ticket(author, "Help", "No file", None, vec![])
            .await
            .status(),
        303
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn files_no_ticket_points_to_are_swept(pool: PgPool) {
    let desk = Desk::new(pool, &[]).await;
    let n = desk
        .open(Author, "Logs", "Attached", vec![("a.png", PNG.to_vec())])
        .await;
    let data = desk.app._site.path().join("data");
    let dir = data.join("attachments");
    let kept: String = sqlx::query_scalar("SELECT storage_key FROM ticket_attachments")
        .fetch_one(&desk.app.pool)
        .await
        .unwrap();
    let old = SystemTime::now() - Duration::from_secs(2 * 86_400);
    let age = |name: &str| {
        std::fs::File::options()
            .write(true)
            .open(dir.join(name))
            .unwrap()
            .set_modified(old)
            .unwrap()
    };
    // A write whose row never committed, a half-written file, both old; a
    // fresh orphan (its row may be on its way).
    for name in ["0123456789abcdef", "dead-write.partial", "fresh-orphan"] {
        std::fs::write(dir.join(name), b"x").unwrap();
    }
    age("0123456789abcdef");
    age("dead-write.partial");
    age(&kept);
    let removed = files::sweep(
        &desk.app.pool,
        &Storage::local(&data),
        SystemTime::now(),
        files::SWEEP_MIN_AGE,
    )
    .await
    .unwrap();
    assert_eq!(removed, 1);
    assert!(!dir.join("0123456789abcdef").exists() && !dir.join("dead-write.partial").exists());
    assert!(dir.join("fresh-orphan").exists() && dir.join(&kept).exists());
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM ticket_attachments")
        .fetch_one(&desk.app.pool)
        .await
        .unwrap();
    assert_eq!(
        desk.browser(Author)
            .get(&format!("/support/{n}/files/{id}"))
            .await
            .status(),
        200
    );
}
