//! Viewing as a customer: support sees the portal as the customer does for
//! 15 minutes, with a banner on every page; every form and every server
//! part that changes something is refused and nothing changes; secrets
//! are never shown; the customer's log and the staff audit say who looked.
//! Two-factor resets take two staff members; the audit log finds it all
//! and exports it as CSV a spreadsheet cannot run.

use sqlx::PgPool;

use crate::builders::{AccountBuilder, UserBuilder};
use crate::helpers::*;

/// Every form route the app serves (read from its source, so a new form
/// is covered the day it is added), with its parameters filled.
fn every_form(account: &str, domain: &str, ticket: &str, customer: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("../app/src/api")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices(".route(") {
                let rest = text[i + 7..].trim_start();
                let Some(rest) = rest.strip_prefix('"') else {
                    continue;
                };
                let Some(end) = rest.find('"') else { continue };
                let route = &rest[..end];
                let call = &rest[end..rest.len().min(end + 80)];
                if call.contains("post(") {
                    paths.push(route.to_string());
                }
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        // Server functions are below; webhooks take no session.
        .filter(|p| !p.starts_with("/api/") && !p.starts_with("/webhooks/"))
        .filter(|p| p != "/staff/view-as/end" && p != "/logout")
        .map(|p| {
            let filled = p
                .replace("{name}", domain)
                .replace("{number}", ticket)
                .replace("{reset}", customer)
                .replace("{deploy}", "1");
            if filled.starts_with("/staff/customers/") {
                filled.replace("{id}", customer)
            } else {
                filled.replace("{id}", account)
            }
        })
        .collect()
}

/// What a refused write must leave alone.
async fn snapshot(pool: &PgPool) -> Vec<String> {
    let mut out = Vec::new();
    for q in [
        "SELECT count(*)::text FROM hosting_accounts",
        "SELECT string_agg(name || status, ',' ORDER BY name) FROM hosting_accounts",
        "SELECT count(*)::text FROM dns_records",
        "SELECT count(*)::text FROM domains",
        "SELECT count(*)::text FROM tickets",
        "SELECT count(*)::text FROM ticket_messages",
        "SELECT string_agg(email || display_name || coalesce(pending_email, ''), ',' ORDER BY email) FROM users",
        "SELECT count(*)::text FROM sessions WHERE revoked_at IS NULL",
        "SELECT count(*)::text FROM email_outbox",
        "SELECT count(*)::text FROM two_factor",
        "SELECT count(*)::text FROM notifications WHERE read_at IS NULL",
        "SELECT count(*)::text FROM staff_audit",
    ] {
        let v: Option<String> = sqlx::query_scalar(q).fetch_one(pool).await.unwrap();
        out.push(v.unwrap_or_default());
    }
    out
}

#[sqlx::test(migrations = "../migrations")]
async fn support_view_as_a_customer_reads_everything_and_changes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana Lima").await;
    let account = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .owner(ana)
        .create(&app.pool)
        .await;
    let res = ana_browser
        .post(
            "/domains/new",
            &[
                ("account", &account.to_string()),
                ("name", "ana-shop.example.com"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "her zone");
    let res = crate::tickets::open_ticket(
        &ana_browser,
        "Site down",
        "My site is down since this morning.",
        Some(account),
        vec![],
    )
    .await;
    assert_eq!(res.status(), 303, "her ticket");
    let ticket: i64 = sqlx::query_scalar("SELECT number FROM tickets")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    UserBuilder::staff("sue@example.com")
        .staff_role(domain::StaffRole::Support)
        .create(&app.pool)
        .await;
    let sue = app.browser();
    assert_eq!(
        sue.sign_in("sue@example.com", CUSTOMER_PASSWORD).await.status(),
        303
    );
    let page = format!("/staff/customers/{ana}");

    // A reason is required.
    let res = sue
        .post(
            &format!("{page}/view-as"),
            &[("action", "view_as"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = sue
        .post(
            &format!("{page}/view-as"),
            &[("action", "view_as"), ("reason", "Ticket: site down")],
        )
        .await;
    assert_redirect_to(&res, "/?done=view_as_started");

    // Her pages, as she sees them, each with the banner.
    for path in [
        "/",
        "/hosting",
        &format!("/hosting/{account}"),
        "/domains",
        "/domains/ana-shop.example.com",
        "/support",
        &format!("/support/{ticket}"),
        "/billing",
        "/settings",
        "/settings/sessions",
    ] {
        let html = sue.page(path).await;
        assert!(html.contains("Viewing as Ana Lima"), "{path}: the banner");
        assert!(html.contains("End the view"), "{path}");
    }
    assert!(sue.page(&format!("/hosting/{account}")).await.contains("Ana"));
    // Staff pages are not hers.
    assert_eq!(sue.get("/staff/customers").await.status(), 404);
    // No secret: no enrolment seed, even when she has one waiting.
    ana_browser.post("/settings/two-factor/start", &[]).await;
    let two_factor = sue.page("/settings/two-factor").await;
    assert!(
        !two_factor.contains("data-secret") && !two_factor.contains("otpauth"),
        "{two_factor}"
    );

    // Every form is refused, and nothing changes.
    let before = snapshot(&app.pool).await;
    let forms = every_form(
        &account.to_string(),
        "ana-shop.example.com",
        &ticket.to_string(),
        &ana.to_string(),
    );
    assert!(forms.len() > 50, "{forms:?}");
    // The DNS editor's changes go through its parts, which are forms too.
    for part in ["save", "remove", "undo"] {
        let path = format!("/domains/ana-shop.example.com/records/{part}");
        assert!(forms.contains(&path), "{path} in {forms:?}");
    }
    for path in &forms {
        let res = sue
            .post(
                path,
                &[
                    ("name", "Renamed"),
                    ("reason", "x"),
                    ("body", "hello there"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(res.status(), 403, "POST {path} while viewing");
    }
    assert_eq!(snapshot(&app.pool).await, before, "nothing changed");
    // Nor a link that would act elsewhere: no Stripe portal, no registrar.
    let res = sue.get("/billing/portal").await;
    assert_eq!(res.status(), 403, "the billing portal while viewing");

    // She sees who looked; the audit says why.
    let log = ana_browser.page("/settings/activity").await;
    assert!(log.contains("Support viewed your account"), "{log}");
    let res = sue.post("/staff/view-as/end", &[]).await;
    assert_redirect_to(&res, &format!("{page}?done=view_as_ended"));
    let view = sue.page(&page).await;
    assert!(view.contains("Viewed as the customer"), "{view}");
    assert!(!sue.page("/").await.contains("Viewing as"), "back to herself");

    // The view ends by itself after 15 minutes.
    sue.post(
        &format!("{page}/view-as"),
        &[("action", "view_as"), ("reason", "Again")],
    )
    .await;
    assert!(sue.page("/").await.contains("Viewing as Ana Lima"));
    app.clock.advance(time::Duration::minutes(16));
    assert_eq!(sue.get("/staff/customers").await.status(), 200, "staff again");

    // Signing out while viewing signs the staff member out, in their log.
    sue.post(
        &format!("{page}/view-as"),
        &[("action", "view_as"), ("reason", "Once more")],
    )
    .await;
    assert_eq!(sue.post("/logout", &[]).await.status(), 303);
    let hers: i64 =
        sqlx::query_scalar("SELECT count(*) FROM activity_log WHERE user_id = $1 AND action = 'signed_out'")
            .bind(ana)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(hers, 0, "not in her log");

    // Billing staff may not view as anyone.
    UserBuilder::staff("bill@example.com")
        .staff_role(domain::StaffRole::Billing)
        .create(&app.pool)
        .await;
    let bill = app.browser();
    bill.sign_in("bill@example.com", CUSTOMER_PASSWORD).await;
    let res = bill
        .post(
            &format!("{page}/view-as"),
            &[("action", "view_as"), ("reason", "Curious")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_two_factor_reset_needs_a_second_staff_member(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana Lima").await;
    enable_two_factor(&app, &ana_browser).await;
    let (_, sue) = app.staff("sue@example.com").await;
    let (_, tom) = app.staff("tom@example.com").await;
    let page = format!("/staff/customers/{ana}");
    let reset = format!("{page}/two-factor-reset");

    // One check is not enough: said next to the checklist, ticks kept.
    let res = sue
        .post(
            &reset,
            &[
                ("action", "reset_two_factor"),
                ("checks", "billing"),
                ("reason", "Lost her phone"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("at least 2"), "{body}");
    assert!(body.contains("Lost her phone"), "her reason is kept");

    let res = sue
        .post(
            &reset,
            &[
                ("action", "reset_two_factor"),
                ("checks", "billing"),
                ("checks", "email_reply"),
                ("reason", "Lost her phone"),
            ],
        )
        .await;
    assert_redirect_to(&res, &format!("{page}?done=two_factor_reset_requested"));
    let view = sue.page(&page).await;
    assert!(
        view.contains("waiting for approval") && view.contains("another staff member must approve"),
        "{view}"
    );
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM two_factor_resets")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let metrics = app.metrics().await;
    assert!(metrics.contains("ksf_two_factor_resets_waiting 1"), "{metrics}");
    // Staff see it waiting on their dashboard.
    let dashboard = tom.page("/").await;
    assert!(dashboard.contains("Two-factor resets waiting"), "{dashboard}");

    // Not by the one who asked.
    let approve = format!("/staff/two-factor-resets/{id}/approve");
    let res = sue.post(&approve, &[("customer", &ana.to_string())]).await;
    assert_eq!(res.status(), 403);
    let on: i64 = sqlx::query_scalar("SELECT count(*) FROM two_factor")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(on, 1, "still on");

    // The second one sees the checks and approves.
    let view = tom.page(&page).await;
    assert!(
        view.contains("the amount of their latest invoice"),
        "the checks: {view}"
    );
    assert!(view.contains("Approve the reset"), "{view}");
    let res = tom.post(&approve, &[("customer", &ana.to_string())]).await;
    assert_redirect_to(&res, &format!("{page}?done=two_factor_reset_approved"));
    let on: i64 = sqlx::query_scalar("SELECT count(*) FROM two_factor")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(on, 0, "off");
    assert_ne!(
        ana_browser.get("/hosting").await.status(),
        200,
        "her sessions ended"
    );
    let (kind, text) = app.last_email_to("ana@example.com").await.unwrap();
    assert_eq!(kind, "two_factor_reset");
    assert!(text.contains("after checking who you are"), "{text}");
    let again = app.browser();
    assert_eq!(
        again.sign_in("ana@example.com", CUSTOMER_PASSWORD).await.status(),
        303,
        "password alone now"
    );
    assert!(again
        .page("/settings/activity")
        .await
        .contains("Support turned off two-factor"));

    // Both steps are in the audit, which finds them by kind and exports
    // them as CSV.
    let audit = tom.page("/staff/audit?kind=two_factor_reset_requested").await;
    let entry = |kind: &str| format!("class=\"stack-title\">{kind}</td>");
    assert!(
        audit.contains(&entry("Staff: Asked to reset two-factor")) && audit.contains("Lost her phone"),
        "{audit}"
    );
    assert_eq!(
        audit.matches("class=\"audit-entry\"").count(),
        1,
        "filtered by kind: {audit}"
    );
    let by_actor = tom.page("/staff/audit?actor=tom%40example").await;
    assert!(
        by_actor.contains(&entry("Staff: Approved a two-factor reset")),
        "{by_actor}"
    );
    assert!(
        !by_actor.contains(&entry("Staff: Asked to reset two-factor")),
        "{by_actor}"
    );
    let security = tom
        .page("/staff/audit?customer=ana%40example.com&kind=two_factor_enabled")
        .await;
    assert!(
        security.contains(&entry("Two-factor authentication turned on")),
        "security events too: {security}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_export_keeps_formulas_out_of_spreadsheets(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, _) = app.customer("ana@example.com", "Ana Lima").await;
    let (_, sue) = app.staff("sue@example.com").await;
    let page = format!("/staff/customers/{ana}");
    for reason in [
        "=HYPERLINK(\"http://evil.example\")",
        "+1+2",
        "-3",
        "@SUM(A1)",
        "plain, with a comma",
    ] {
        let res = sue
            .post(
                &format!("{page}/sessions/end"),
                &[("action", "end_sessions"), ("reason", reason)],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let res = sue.get("/staff/audit.csv?kind=end_sessions").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "time,kind,actor,actor_email,customer,customer_email,reason,ip"
    );
    assert_eq!(lines.len(), 6, "a header and the five entries: {csv}");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{csv}"
    );
    assert!(
        csv.contains(",'+1+2,") && csv.contains(",'-3,") && csv.contains(",'@SUM(A1),"),
        "{csv}"
    );
    assert!(csv.contains("\"plain, with a comma\""), "{csv}");
    for line in &lines[1..] {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{line}");
        }
    }
    // Bounded by the filter: another kind has none.
    let none = sue.get("/staff/audit.csv?kind=lock").await.text().await.unwrap();
    assert_eq!(none.lines().count(), 1, "{none}");
    // Customers get nothing.
    let (_, ana_browser) = app.customer("bo@example.com", "Bo").await;
    assert_eq!(ana_browser.get("/staff/audit.csv").await.status(), 404);
}
