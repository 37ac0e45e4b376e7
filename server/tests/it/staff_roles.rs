//! Staff roles: every staff page, server function and form against every
//! staff role and a customer. Staff whose role allows it get through;
//! other staff are told their role does not allow it (403) and nothing
//! changes; customers learn nothing (404). Admins change roles, with a
//! reason, never their own.

use domain::StaffRole;
use sqlx::PgPool;
use uuid::Uuid;

use crate::builders::{AccountBuilder, UserBuilder};
use crate::helpers::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Support,
    Billing,
    Readonly,
    Customer,
}

const EVERYONE: [Who; 5] = [
    Who::Admin,
    Who::Support,
    Who::Billing,
    Who::Readonly,
    Who::Customer,
];

struct Team {
    app: TestApp,
    browsers: Vec<(Who, Browser)>,
    customer: Uuid,
    target: Uuid,
    account: Uuid,
}

impl Team {
    fn browser(&self, who: Who) -> &Browser {
        &self.browsers.iter().find(|(w, _)| *w == who).unwrap().1
    }

    /// What refused calls must leave alone.
    async fn snapshot(&self) -> Vec<i64> {
        let mut counts = Vec::new();
        for q in [
            "SELECT count(*) FROM staff_audit",
            "SELECT count(*) FROM staff_notes",
            "SELECT count(*) FROM two_factor_resets",
            "SELECT count(*) FROM users WHERE locked_at IS NOT NULL",
            "SELECT count(*) FROM users WHERE pending_email IS NOT NULL",
            "SELECT count(*) FROM sessions WHERE view_as_user_id IS NOT NULL",
            "SELECT count(*) FROM plans",
            "SELECT count(*) FROM hosting_accounts WHERE status = 'suspended'",
            "SELECT count(*) FROM users WHERE staff_role = 'support'",
            "SELECT count(*) FROM email_outbox",
            "SELECT count(*) FROM data_exports",
        ] {
            counts.push(sqlx::query_scalar(q).fetch_one(&self.app.pool).await.unwrap());
        }
        counts
    }
}

async fn team(pool: PgPool) -> Team {
    let app = spawn_app(pool).await;
    let mut browsers = Vec::new();
    for (who, role, email) in [
        (Who::Admin, StaffRole::Admin, "admin@example.com"),
        (Who::Support, StaffRole::Support, "support@example.com"),
        (Who::Billing, StaffRole::Billing, "billing@example.com"),
        (Who::Readonly, StaffRole::Readonly, "readonly@example.com"),
    ] {
        UserBuilder::staff(email).staff_role(role).create(&app.pool).await;
        let b = app.browser();
        assert_eq!(b.sign_in(email, CUSTOMER_PASSWORD).await.status(), 303);
        browsers.push((who, b));
    }
    let target = UserBuilder::staff("target@example.com")
        .staff_role(StaffRole::Readonly)
        .create(&app.pool)
        .await;
    let (customer, _) = app.customer("ana@example.com", "Ana Lima").await;
    // Another customer tries everything (Ana's sessions end on the way).
    let (_, bo) = app.customer("bo@example.com", "Bo Stone").await;
    browsers.push((Who::Customer, bo));
    // Her second factor (never read here: a reset only removes it).
    sqlx::query("INSERT INTO two_factor (user_id, secret_sealed, enabled_at) VALUES ($1, '\\x00', now())")
        .bind(customer)
        .execute(&app.pool)
        .await
        .unwrap();
    let account = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .owner(customer)
        .create(&app.pool)
        .await;
    Team {
        app,
        browsers,
        customer,
        target,
        account,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_staff_route_allows_exactly_the_roles_it_should(pool: PgPool) {
    let team = team(pool).await;
    let c = team.customer.to_string();
    let fill = |s: &str| {
        s.replace("{customer}", &c)
            .replace("{target}", &team.target.to_string())
            .replace("{account}", &team.account.to_string())
    };

    // Every staff page and server function reads for every staff role.
    let pages = [
        "/staff/customers",
        "/staff/customers/{customer}",
        "/staff/tickets",
        "/staff/plans",
        "/staff/billing",
        "/staff/domains",
        "/staff/nodes",
        "/staff/system",
        "/staff/team",
        "/staff/audit",
        "/staff/audit.csv",
        "/staff/accounts",
        "/staff/zones",
    ];
    for page in pages {
        let url = fill(page);
        for who in EVERYONE {
            let status = team.browser(who).get(&url).await.status().as_u16();
            let expected = if who == Who::Customer { 404 } else { 200 };
            assert_eq!(status, expected, "{who:?} GET {url}");
        }
    }
    let server_fns: &[(&str, Vec<(&str, String)>)] = &[
        (
            "/api/staff/customers",
            vec![
                ("query[q]", String::new()),
                ("query[verified]", String::new()),
                ("query[two_factor]", "false".into()),
                ("query[locked]", "false".into()),
                ("query[unpaid]", "false".into()),
                ("query[from]", String::new()),
                ("query[to]", String::new()),
                ("query[sort]", String::new()),
                ("query[page]", "1".into()),
            ],
        ),
        ("/api/staff/customer", vec![("id", c.clone())]),
        ("/api/staff/plans", vec![]),
        ("/api/staff/nodes", vec![]),
        ("/api/staff/system", vec![]),
        ("/api/staff/team", vec![]),
        ("/api/staff/audit", vec![("query[actor]", String::new())]),
        (
            "/api/staff/domains",
            vec![("status", String::new()), ("q", String::new())],
        ),
        ("/api/billing_events", vec![("pending_only", "false".into())]),
        ("/api/staff/accounts", vec![("query[q]", String::new())]),
        ("/api/staff/zones", vec![("query[q]", String::new())]),
    ];
    for (path, form) in server_fns {
        for who in EVERYONE {
            let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = team.browser(who).post(path, &fields).await;
            let status = res.status().as_u16();
            let expected = if who == Who::Customer { 404 } else { 200 };
            assert_eq!(
                status,
                expected,
                "{who:?} POST {path}: {}",
                res.text().await.unwrap()
            );
        }
    }

    // Each change, by the roles that may make it.
    let support: &[Who] = &[Who::Admin, Who::Support];
    let billing: &[Who] = &[Who::Admin, Who::Billing];
    let admin: &[Who] = &[Who::Admin];
    // (form, its fields, the roles that may post it)
    type Change<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [Who]);
    let changes: Vec<Change> = vec![
        (
            "/staff/customers/{customer}/notes",
            vec![("body", "Called about DNS.")],
            support,
        ),
        (
            "/staff/customers/{customer}/sessions/end",
            vec![("action", "end_sessions"), ("reason", "Lost laptop")],
            support,
        ),
        (
            "/staff/customers/{customer}/email",
            vec![
                ("action", "change_email"),
                ("new_email", "ana.new@example.com"),
                ("reason", "Asked by phone"),
            ],
            support,
        ),
        (
            "/staff/customers/{customer}/two-factor-reset",
            vec![
                ("action", "reset_two_factor"),
                ("checks", "email_reply"),
                ("checks", "billing"),
                ("reason", "Lost phone"),
            ],
            support,
        ),
        (
            "/staff/customers/{customer}/view-as",
            vec![("action", "view_as"), ("reason", "Ticket #1")],
            support,
        ),
        (
            "/staff/customers/{customer}/export",
            vec![("action", "export"), ("reason", "Access request")],
            support,
        ),
        (
            "/staff/customers/{customer}/lock",
            vec![("action", "lock"), ("reason", "Fraud")],
            support,
        ),
        (
            "/staff/customers/{customer}/unlock",
            vec![("action", "unlock"), ("reason", "Cleared")],
            support,
        ),
        ("/staff/tickets/close", vec![("ticket", "999999")], support),
        (
            "/hosting/{account}/suspend",
            vec![("reason", "Abuse report")],
            support,
        ),
        ("/staff/billing/events/evt_none/replay", vec![], billing),
        (
            "/staff/domains/tlds",
            vec![("tld", "com"), ("margin_percent", "20"), ("fixed_price", "")],
            billing,
        ),
        (
            "/staff/plans",
            vec![
                ("code", "matrix"),
                ("name", "Matrix"),
                ("storage_gb", "1"),
                ("bandwidth_gb", "1"),
                ("max_sites", "1"),
                ("price", "1.00"),
                ("currency", "usd"),
                ("available", "yes"),
            ],
            admin,
        ),
        (
            "/staff/team/{target}/role",
            vec![("role", "support"), ("reason", "Joined support")],
            admin,
        ),
    ];
    for (path, form, allowed) in &changes {
        let url = fill(path);
        for who in EVERYONE {
            let before = team.snapshot().await;
            let res = team.browser(who).post(&url, form).await;
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            let what = format!("{who:?} POST {url}");
            if allowed.contains(&who) {
                assert!(
                    status < 500 && status != 403 && !body.contains("Page not found"),
                    "{what} is allowed ({status}): {}",
                    &body[..body.len().min(300)]
                );
                if path.ends_with("/view-as") {
                    // Back to being themselves for the next case.
                    assert_eq!(
                        team.browser(who).post("/staff/view-as/end", &[]).await.status(),
                        303
                    );
                }
            } else {
                let expected = if who == Who::Customer { 404 } else { 403 };
                assert_eq!(
                    status,
                    expected,
                    "{what} is refused: {}",
                    &body[..body.len().min(300)]
                );
                if who != Who::Customer {
                    assert!(body.contains("staff role does not allow"), "{what}: says why");
                }
                assert_eq!(
                    team.snapshot().await,
                    before,
                    "{what}: a refused call changes nothing"
                );
            }
        }
    }
    // Every staff role is still on the team page, the target now support.
    let page = team.browser(Who::Readonly).page("/staff/team").await;
    assert!(page.contains("What each role may do"), "{page}");
    let role: String = sqlx::query_scalar("SELECT staff_role FROM users WHERE id = $1")
        .bind(team.target)
        .fetch_one(&team.app.pool)
        .await
        .unwrap();
    assert_eq!(role, "support");
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_change_roles_with_a_reason_but_never_their_own(pool: PgPool) {
    let team = team(pool).await;
    let admin = team.browser(Who::Admin);
    let target = format!("/staff/team/{}/role", team.target);

    let page = admin.page("/staff/team").await;
    assert!(page.contains("Change a role"), "{page}");
    assert!(!team
        .browser(Who::Support)
        .page("/staff/team")
        .await
        .contains("Change a role"));

    // No reason: said next to the field, nothing changes.
    let res = admin
        .post(&target, &[("member", ""), ("role", "billing"), ("reason", " ")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Say why"));
    // No such role.
    let res = admin.post(&target, &[("role", "root"), ("reason", "x")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Choose one of the roles"));

    let res = admin
        .post(
            &target,
            &[("role", "billing"), ("reason", "Moved to the billing desk")],
        )
        .await;
    assert_redirect_to(&res, "/staff/team?done=staff_role_changed");
    let audit: String = sqlx::query_scalar("SELECT reason FROM staff_audit WHERE action = 'role_change'")
        .fetch_one(&team.app.pool)
        .await
        .unwrap();
    assert_eq!(audit, "Read-only → Billing: Moved to the billing desk");

    // Their own role: refused, whatever they choose.
    let me: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@example.com'")
        .fetch_one(&team.app.pool)
        .await
        .unwrap();
    let res = admin
        .post(
            &format!("/staff/team/{me}/role"),
            &[("role", "readonly"), ("reason", "testing")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("cannot change your own role"));

    // A stale sign-in must confirm it's them first.
    team.app.clock.advance(time::Duration::hours(1));
    let res = admin
        .post(&target, &[("role", "support"), ("reason", "Moved again")])
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        location(&res).starts_with("/confirm-identity"),
        "{}",
        location(&res)
    );
}
