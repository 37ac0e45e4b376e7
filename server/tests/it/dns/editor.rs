//! The DNS editor's parts, as its island asks for them: the records part
//! for a view, a form checked as it is typed, a record added, refused,
//! edited, deleted and undone without leaving the page. Each answer is
//! the HTML the page puts in place.

use sqlx::PgPool;

use super::{owner_with_account, records};
use crate::helpers::*;

const ZONE: &str = "editor-shop.example.org";

async fn html(res: reqwest::Response, status: u16) -> String {
    let got = res.status().as_u16();
    let cache = res
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string());
    let body = res.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert_eq!(cache.as_deref(), Some("private, no-store"), "a part is personal");
    body
}

/// The id of the record `line` (as `records()` shows it) in the zone.
async fn id_of(pool: &PgPool, name: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar(
        "SELECT r.id FROM dns_records r JOIN domains d ON d.id = r.domain_id WHERE d.name = $1 AND r.name = $2",
    )
    .bind(ZONE)
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap();
    id.to_string()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_editor_checks_adds_edits_deletes_and_undoes_in_place(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) = owner_with_account(&app, "editor@example.com", ZONE).await;
    let res = owner
        .post(
            "/domains/new",
            &[("account", &account.to_string()), ("name", ZONE)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let base = format!("/domains/{ZONE}/records");

    // The records part: the count, the rows, what draws it again.
    let part = html(owner.get(&base).await, 200).await;
    assert!(
        part.contains(r#"id="records""#) && part.contains("4 records"),
        "{part}"
    );
    assert!(
        part.contains(&format!(r#"data-refresh="{base}?page=1""#)),
        "{part}"
    );
    assert!(part.contains(r#"data-events="activity""#), "{part}");

    // A field checked as it is typed: the server's own rules, by field.
    let mx = [
        ("id", ""),
        ("type", "MX"),
        ("name", "lists"),
        ("content", "mx.example.net"),
        ("ttl", "3600"),
    ];
    let mut typed = mx.to_vec();
    typed.push(("priority", "70000"));
    let errors = html(owner.post(&format!("{base}/check"), &typed).await, 200).await;
    assert!(
        errors.contains(r#"<li data-field="priority">The priority must be between 0 and 65535.</li>"#),
        "{errors}"
    );
    let mut good = mx.to_vec();
    good.push(("priority", "10"));
    let errors = html(owner.post(&format!("{base}/check"), &good).await, 200).await;
    assert!(!errors.contains("<li"), "no errors: {errors}");
    // A CNAME beside the apex's records conflicts with them.
    let cname = [
        ("type", "CNAME"),
        ("name", "@"),
        ("content", "elsewhere.example.net"),
        ("ttl", "3600"),
    ];
    let errors = html(owner.post(&format!("{base}/check"), &cname).await, 200).await;
    assert!(errors.contains(r#"data-field="name""#), "{errors}");

    // Refused: the fields' errors and the status line; nothing stored.
    let before = records(&app.pool, ZONE).await;
    let answer = html(owner.post(&format!("{base}/save"), &typed).await, 422).await;
    assert!(answer.contains(r#"data-field="priority""#), "{answer}");
    assert!(
        answer.contains("Not saved: please correct the highlighted fields."),
        "{answer}"
    );
    assert_eq!(records(&app.pool, ZONE).await, before);

    // Added, while the table is filtered: the status with Undo, and the
    // part for the same filter.
    let answer = html(
        owner.post(&format!("{base}/save?q=lists&page=1"), &good).await,
        200,
    )
    .await;
    assert!(answer.contains("Added lists MX. Serial"), "{answer}");
    assert!(answer.contains(r#"class="undo-form""#), "{answer}");
    assert!(answer.contains("1 of 5 records match"), "{answer}");
    assert!(answer.contains("10 mx.example.net"), "{answer}");
    let lists = id_of(&app.pool, "lists").await;

    // A CNAME at "lists" conflicts with its MX, unless it is that record
    // being edited into a CNAME.
    fn cname_at(id: &str) -> Vec<(&str, &str)> {
        vec![
            ("id", id),
            ("type", "CNAME"),
            ("name", "lists"),
            ("content", "elsewhere.example.net"),
            ("ttl", "3600"),
        ]
    }
    let errors = html(owner.post(&format!("{base}/check"), &cname_at("")).await, 200).await;
    assert!(errors.contains(r#"data-field="name""#), "{errors}");
    let errors = html(owner.post(&format!("{base}/check"), &cname_at(&lists)).await, 200).await;
    assert!(
        !errors.contains("<li"),
        "the record itself is not a conflict: {errors}"
    );

    // Opening its form: the record's values, the focus in the form.
    let part = html(owner.get(&format!("{base}?edit={lists}")).await, 200).await;
    assert!(part.contains(r#"aria-label="Edit record""#), "{part}");
    assert!(part.contains(r#"value="mx.example.net""#), "{part}");
    assert!(
        part.contains(&format!(r##"data-focus="#r-{lists} .input""##)),
        "{part}"
    );
    // Saved: the focus back on its Edit link.
    let edited = [
        ("id", lists.as_str()),
        ("type", "MX"),
        ("name", "lists"),
        ("content", "mx2.example.net"),
        ("priority", "20"),
        ("ttl", "1h"),
    ];
    let answer = html(owner.post(&format!("{base}/save"), &edited).await, 200).await;
    assert!(answer.contains("Saved lists MX. Serial"), "{answer}");
    assert!(
        answer.contains(&format!(r##"data-focus="#edit-{lists}""##)),
        "{answer}"
    );
    assert!(records(&app.pool, ZONE)
        .await
        .iter()
        .any(|r| r.contains("mx2.example.net")));

    // Deleted, then undone: the record is back.
    let part = html(owner.get(&format!("{base}?delete={lists}")).await, 200).await;
    assert!(part.contains("Delete this record?"), "{part}");
    let answer = html(
        owner
            .post(&format!("{base}/remove"), &[("id", lists.as_str())])
            .await,
        200,
    )
    .await;
    assert!(answer.contains("Record deleted. Serial"), "{answer}");
    assert!(
        answer.contains(r##"data-focus="#editor-status""##),
        "the focus on what happened: {answer}"
    );
    assert!(!records(&app.pool, ZONE)
        .await
        .iter()
        .any(|r| r.starts_with("lists ")));
    let change: i64 = sqlx::query_scalar("SELECT max(id) FROM dns_changes")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        answer.contains(&format!(r#"name="change" value="{change}""#)),
        "Undo names the deletion: {answer}"
    );
    let answer = html(
        owner
            .post(&format!("{base}/undo"), &[("change", &change.to_string())])
            .await,
        200,
    )
    .await;
    assert!(answer.contains("The last change was undone. Serial"), "{answer}");
    assert!(
        !answer.contains("undo-form"),
        "an Undo is not undone from the status line: {answer}"
    );
    assert!(records(&app.pool, ZONE)
        .await
        .iter()
        .any(|r| r.contains("mx2.example.net")));

    // The history is drawn again with the changes made in place.
    let history = html(owner.get(&format!("/domains/{ZONE}/history")).await, 200).await;
    assert!(
        history.contains(r#"id="history""#) && history.contains(r#"data-events="activity""#),
        "{history}"
    );
    assert!(history.contains("Reverted"), "the undone deletion: {history}");
    assert!(history.contains("mx2.example.net"), "{history}");

    // A record that is not in the zone, and a change that is not in its
    // history, are refused in the status line.
    let answer = html(
        owner
            .post(
                &format!("{base}/remove"),
                &[("id", "00000000-0000-0000-0000-000000000000")],
            )
            .await,
        409,
    )
    .await;
    assert!(answer.contains("Not deleted:"), "{answer}");
    let res = owner
        .post(&format!("{base}/undo"), &[("change", "nonsense")])
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());

    // A visitor is sent to sign in; the part is not drawn for them.
    let res = app.browser().get(&base).await;
    assert!(location(&res).starts_with("/login"), "{}", res.status());
}
