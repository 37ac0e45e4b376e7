//! A zone's life through the form endpoints, and the rules the server keeps.

use sqlx::PgPool;
use uuid::Uuid;

use super::{owner_with_account, post_multipart, records, serial};
use crate::helpers::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_zone_is_added_edited_templated_imported_and_reverted(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "xn--bcher-shop-9db.de").await;
    let zone = "xn--bcher-shop-9db.de";
    the_primary_domain_starts_with_its_web_records(&app, &owner, account).await;
    records_are_checked_next_to_their_fields(&app, &owner, zone).await;
    templates_are_previewed_then_applied(&app, &owner, zone).await;
    let before_import = imports_list_bad_lines_or_show_their_diff(&app, &owner, zone).await;
    changes_are_reverted_and_removal_needs_the_name(&app, &owner, account, zone, &before_import).await;
}

/// Adding the primary domain: its zone starts with the web server of its region; no zone inside another.
async fn the_primary_domain_starts_with_its_web_records(app: &TestApp, owner: &Browser, account: Uuid) {
    // The primary domain's zone starts with the web server of its region.
    let res = owner
        .post(
            "/domains/new",
            &[("account", &account.to_string()), ("name", "Bücher-Shop.de")],
        )
        .await;
    assert_redirect_to(&res, "/domains/xn--bcher-shop-9db.de?done=domain_added");
    let zone = "xn--bcher-shop-9db.de";
    let start = records(&app.pool, zone).await;
    assert_eq!(start.len(), 4, "{start:?}");
    assert!(
        start
            .iter()
            .any(|r| r.starts_with("@ A 3600") && r.contains("203.0.113.10")),
        "{start:?}"
    );
    assert!(start.iter().any(|r| r.starts_with("www AAAA")), "{start:?}");
    let page = owner.page(&format!("/domains/{zone}")).await;
    assert!(page.contains("bücher-shop.de") && page.contains("Pending delegation"));
    assert!(page.contains("ns1.example.net") && page.contains("hostmaster.xn--bcher-shop-9db.de."));
    let list = owner.page("/domains").await;
    assert!(
        list.contains("bücher-shop.de") && list.contains(">4<"),
        "the list shows the record count"
    );

    // One zone per domain on the platform; no zone inside another.
    for name in ["bücher-shop.de", "mail.bücher-shop.de"] {
        let res = owner
            .post(
                "/domains/new",
                &[("account", &account.to_string()), ("name", name)],
            )
            .await;
        assert_eq!(res.status(), 422, "{name}");
        assert!(res.text().await.unwrap().contains("already on our platform"));
    }
}

/// Records: a bad MX priority, a CNAME at the apex or beside other data.
async fn records_are_checked_next_to_their_fields(app: &TestApp, owner: &Browser, zone: &str) {
    // A bad MX priority is refused next to the field with the shared words.
    let s0 = serial(&app.pool, zone).await;
    let mx = |priority: &'static str| {
        vec![
            ("id", ""),
            ("type", "MX"),
            ("name", "lists"),
            ("ttl", "3600"),
            ("content", "mx.example.net"),
            ("priority", priority),
        ]
    };
    let res = owner
        .post(&format!("/domains/{zone}/records"), &mx("70000"))
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("The priority must be between 0 and 65535."),
        "the domain type's message"
    );
    assert!(body.contains("value=\"70000\""), "what was typed is kept");
    assert_eq!(records(&app.pool, zone).await.len(), 4, "nothing saved");
    let res = owner.post(&format!("/domains/{zone}/records"), &mx("10")).await;
    assert_redirect_to(&res, &format!("/domains/{zone}?done=record_saved"));
    let s1 = serial(&app.pool, zone).await;
    assert!(s1 > s0, "each change bumps the serial ({s0} → {s1})");

    // A CNAME at the apex, or beside other data, is refused.
    let cname = |name: &'static str| {
        vec![
            ("id", ""),
            ("type", "CNAME"),
            ("name", name),
            ("content", "shop.example.net"),
        ]
    };
    let res = owner.post(&format!("/domains/{zone}/records"), &cname("@")).await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("A CNAME record cannot be at xn--bcher-shop-9db.de itself"));
    let res = owner
        .post(&format!("/domains/{zone}/records"), &cname("www"))
        .await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("a CNAME must be the only record at its name"));
}

/// Templates: previewed, then applied; a conflict applies nothing.
async fn templates_are_previewed_then_applied(app: &TestApp, owner: &Browser, zone: &str) {
    // Templates are previewed, then applied; a conflict applies nothing.
    let res = owner
        .post(
            &format!("/domains/{zone}/template"),
            &[("template", "google-workspace")],
        )
        .await;
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Records to add") && body.contains("smtp.google.com"),
        "a preview"
    );
    assert_eq!(
        records(&app.pool, zone).await.len(),
        5,
        "a preview changes nothing"
    );
    let res = owner
        .post(
            &format!("/domains/{zone}/template"),
            &[("template", "google-workspace"), ("apply", "yes")],
        )
        .await;
    assert_redirect_to(&res, &format!("/domains/{zone}?done=template_applied"));
    assert_eq!(records(&app.pool, zone).await.len(), 7);
    let res = owner
        .post(
            &format!("/domains/{zone}/template"),
            &[("template", "zoho-mail"), ("apply", "yes")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("already receives mail at 1 smtp.google.com"));
    assert_eq!(records(&app.pool, zone).await.len(), 7);
}

/// Imports: a bad line is listed and nothing applied; a good file shows its diff, then replaces the records; the export reads back the same.
async fn imports_list_bad_lines_or_show_their_diff(
    app: &TestApp,
    owner: &Browser,
    zone: &str,
) -> Vec<String> {
    // An import with a bad line lists it and applies nothing.
    let before = records(&app.pool, zone).await;
    let bad = "$TTL 3600\n@ IN A 203.0.113.50\nwww IN A 203.0.113.999\nftp IN PTR example.com.\n";
    let res = post_multipart(
        owner,
        &format!("/domains/{zone}/import"),
        &[("zone", bad), ("apply", "yes")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_multipart(owner, &format!("/domains/{zone}/import"), &[("zone", bad)]).await;
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Line 3:") && body.contains("Line 4:") && body.contains("Nothing was imported"),
        "{body}"
    );
    assert_eq!(records(&app.pool, zone).await, before);

    // A good one shows its diff, then replaces the records in one change.
    let good = "$ORIGIN xn--bcher-shop-9db.de.\n@ 300 IN A 203.0.113.50\nwww IN CNAME xn--bcher-shop-9db.de.\n@ IN MX 10 mx.example.net.\n@ IN TXT \"v=spf1 mx -all\"\n";
    let res = post_multipart(owner, &format!("/domains/{zone}/import"), &[("zone", good)]).await;
    let body = res.text().await.unwrap();
    assert!(
        body.contains("What the import changes") && body.contains("Apply the import"),
        "{body}"
    );
    let res = post_multipart(
        owner,
        &format!("/domains/{zone}/import"),
        &[("zone", good), ("apply", "yes")],
    )
    .await;
    assert_redirect_to(&res, &format!("/domains/{zone}?done=zone_imported"));
    assert_eq!(records(&app.pool, zone).await.len(), 4);

    // The export reads back as the same zone.
    let export = owner.get(&format!("/domains/{zone}/export")).await;
    assert_eq!(export.status(), 200);
    let text = export.text().await.unwrap();
    assert!(
        text.contains("$ORIGIN xn--bcher-shop-9db.de.")
            && text.contains("www\t3600\tIN\tCNAME\txn--bcher-shop-9db.de.")
    );
    let res = post_multipart(owner, &format!("/domains/{zone}/import"), &[("zone", &text)]).await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("The zone already has exactly these records."));
    before
}

/// The history: reverting the import brings back `before`; removing needs
/// the name typed.
async fn changes_are_reverted_and_removal_needs_the_name(
    app: &TestApp,
    owner: &Browser,
    account: Uuid,
    zone: &str,
    before: &[String],
) {
    // The history has every change; reverting the import brings back what was.
    let import_change: i64 = sqlx::query_scalar("SELECT max(id) FROM dns_changes WHERE source = 'import'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = owner
        .post(
            &format!("/domains/{zone}/revert"),
            &[("change", &import_change.to_string())],
        )
        .await;
    assert_redirect_to(&res, &format!("/domains/{zone}?done=change_reverted"));
    assert_eq!(records(&app.pool, zone).await, before);
    let page = owner.page(&format!("/domains/{zone}")).await;
    assert!(
        page.contains("Reverted: Imported a zone file"),
        "history shows the revert"
    );
    let feed = owner.page(&format!("/hosting/{account}/activity")).await;
    assert!(
        feed.contains("changed DNS of xn--bcher-shop-9db.de"),
        "the activity feed shows DNS changes"
    );

    // Removing needs the name typed.
    let res = owner
        .post(&format!("/domains/{zone}/remove"), &[("confirm", "nope")])
        .await;
    assert_eq!(res.status(), 422);
    let res = owner
        .post(
            &format!("/domains/{zone}/remove"),
            &[("confirm", "bücher-shop.de")],
        )
        .await;
    assert_redirect_to(&res, "/domains?done=domain_removed");
    assert!(records(&app.pool, zone).await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_change_that_was_changed_since_cannot_be_reverted(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "shop.example.net").await;
    owner
        .post(
            "/domains/new",
            &[("account", &account.to_string()), ("name", "shop.example.net")],
        )
        .await;
    let zone = "shop.example.net";
    owner
        .post(
            &format!("/domains/{zone}/records"),
            &[("type", "A"), ("name", "api"), ("content", "203.0.113.1")],
        )
        .await;
    let (record, first): (Uuid, i64) = sqlx::query_as(
        "SELECT r.id, (SELECT max(id) FROM dns_changes) FROM dns_records r WHERE r.name = 'api'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let res = owner
        .post(
            &format!("/domains/{zone}/records"),
            &[
                ("id", &record.to_string()),
                ("type", "A"),
                ("name", "api"),
                ("content", "203.0.113.2"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = owner
        .post(
            &format!("/domains/{zone}/revert"),
            &[("change", &first.to_string())],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Revert the later changes first"));
    assert!(records(&app.pool, zone)
        .await
        .iter()
        .any(|r| r.contains("203.0.113.2")));
}

#[sqlx::test(migrations = "../migrations")]
async fn with_two_factor_on_removing_a_domain_needs_a_fresh_confirmation(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "shop.example.net").await;
    let zone = "shop.example.net";
    owner
        .post(
            "/domains/new",
            &[("account", &account.to_string()), ("name", zone)],
        )
        .await;
    let two_factor = enable_two_factor(&app, &owner).await;
    app.clock.advance(time::Duration::minutes(11));
    let stale = owner
        .post(&format!("/domains/{zone}/remove"), &[("confirm", zone)])
        .await;
    assert_eq!(
        location(&stale),
        format!("/confirm-identity?next=/domains/{zone}")
    );
    assert_eq!(records(&app.pool, zone).await.len(), 4, "nothing removed");
    let code = app.code_now(&two_factor.secret);
    let confirmed = owner
        .post(
            "/confirm-identity",
            &[("password", CUSTOMER_PASSWORD), ("code", &code), ("next", "/")],
        )
        .await;
    assert_eq!(confirmed.status(), 303);
    let res = owner
        .post(&format!("/domains/{zone}/remove"), &[("confirm", zone)])
        .await;
    assert_redirect_to(&res, "/domains?done=domain_removed");
}
