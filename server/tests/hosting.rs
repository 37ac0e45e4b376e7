//! Hosting accounts: who may do what (the isolation matrix), invitations,
//! the one-owner rule, ownership transfer, and the activity feed.

mod helpers;

use app::domain::{DisplayName, Email, Password, Role};
use helpers::*;
use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Owner,
    Admin,
    Developer,
    Billing,
    Viewer,
    Outsider,
    Staff,
    SignedOut,
}

use Actor::*;
const ACTORS: [Actor; 8] = [
    Owner, Admin, Developer, Billing, Viewer, Outsider, Staff, SignedOut,
];
const MEMBERS: [(Actor, &str); 5] = [
    (Owner, "owner"),
    (Admin, "admin"),
    (Developer, "developer"),
    (Billing, "billing"),
    (Viewer, "viewer"),
];

fn email_of(actor: Actor) -> String {
    format!("{actor:?}@example.com").to_lowercase()
}

struct Team {
    app: TestApp,
    browsers: Vec<(Actor, Browser)>,
    ids: Vec<(Actor, Uuid)>,
    plan: Uuid,
    other_plan: Uuid,
}

impl Team {
    fn browser(&self, actor: Actor) -> &Browser {
        &self.browsers.iter().find(|(a, _)| *a == actor).unwrap().1
    }
    fn id(&self, actor: Actor) -> Uuid {
        self.ids.iter().find(|(a, _)| *a == actor).unwrap().1
    }

    /// A new account with all five members and one pending invitation,
    /// made straight in the database (setup, not the thing under test).
    async fn fresh_account(&self, name: &str) -> (Uuid, Uuid) {
        let pool = &self.app.pool;
        let account: Uuid = sqlx::query_scalar(
            "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region) VALUES ($1, $2, 'shop.example.com', 'eu-central') RETURNING id",
        )
        .bind(name)
        .bind(self.plan)
        .fetch_one(pool)
        .await
        .unwrap();
        for (actor, role) in MEMBERS {
            sqlx::query("INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, $3)")
                .bind(account)
                .bind(self.id(actor))
                .bind(role)
                .execute(pool)
                .await
                .unwrap();
        }
        let invitation: Uuid = sqlx::query_scalar(
            "INSERT INTO hosting_invitations (account_id, email, role, token_hash, expires_at) VALUES ($1, 'guest@example.com', 'viewer', $2, now() + interval '7 days') RETURNING id",
        )
        .bind(account)
        .bind(Uuid::new_v4().as_bytes().to_vec())
        .fetch_one(pool)
        .await
        .unwrap();
        (account, invitation)
    }

    /// Everything a refused call must leave as it was.
    async fn snapshot(&self, account: Uuid) -> String {
        let row: (String, String, String, String, String) = sqlx::query_as(
            "SELECT name, primary_domain, region, status, plan_id::text FROM hosting_accounts WHERE id = $1",
        )
        .bind(account)
        .fetch_one(&self.app.pool)
        .await
        .unwrap();
        let members: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id::text, role FROM hosting_members WHERE account_id = $1 ORDER BY user_id",
        )
        .bind(account)
        .fetch_all(&self.app.pool)
        .await
        .unwrap();
        let invitations: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT email, revoked_at::text FROM hosting_invitations WHERE account_id = $1 ORDER BY id",
        )
        .bind(account)
        .fetch_all(&self.app.pool)
        .await
        .unwrap();
        let events: i64 = sqlx::query_scalar("SELECT count(*) FROM activity_log WHERE account_id = $1")
            .bind(account)
            .fetch_one(&self.app.pool)
            .await
            .unwrap();
        format!("{row:?} {members:?} {invitations:?} {events}")
    }
}

async fn team(pool: PgPool) -> Team {
    let app = spawn_app(pool).await;
    app::services::hosting::plans::seed_catalogue(&app.pool)
        .await
        .unwrap();
    let plan: Uuid = sqlx::query_scalar("SELECT id FROM plans WHERE code = 'starter'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let other_plan: Uuid = sqlx::query_scalar("SELECT id FROM plans WHERE code = 'pro'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut browsers = Vec::new();
    let mut ids = Vec::new();
    for actor in ACTORS {
        let browser = app.browser();
        if actor != SignedOut {
            let email = email_of(actor);
            let id = app::services::users::create_user(
                &app.pool,
                app::services::users::NewUser {
                    email: Email::parse(&email).unwrap(),
                    display_name: DisplayName::parse(&format!("{actor:?}")).unwrap(),
                    password: Password::parse(CUSTOMER_PASSWORD).unwrap(),
                    role: if actor == Staff {
                        Role::Staff
                    } else {
                        Role::Customer
                    },
                    email_verified: true,
                },
            )
            .await
            .unwrap();
            assert_eq!(browser.sign_in(&email, CUSTOMER_PASSWORD).await.status(), 303);
            ids.push((actor, id));
        }
        browsers.push((actor, browser));
    }
    Team {
        app,
        browsers,
        ids,
        plan,
        other_plan,
    }
}

/// What a call should do for an actor.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Done,
    Refused(u16),
    SignIn,
}

fn outcome(res_status: u16, location: &str) -> Outcome {
    match res_status {
        303 if location.starts_with("/login") => Outcome::SignIn,
        303 | 200 => Outcome::Done,
        other => Outcome::Refused(other),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_endpoint_allows_exactly_the_roles_it_should(pool: PgPool) {
    let team = team(pool).await;
    // (endpoint, form, who may) — the form's {member}/{plan}/{invitation}
    // are filled per case. Everyone else is refused and changes nothing.
    type Case = (&'static str, Vec<(&'static str, &'static str)>, Vec<Actor>);
    let cases: Vec<Case> = vec![
        (
            "/hosting/{id}/edit",
            vec![
                ("name", "Renamed"),
                ("primary_domain", "new.example.com"),
                ("region", "eu-west"),
            ],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/plan",
            vec![("plan", "{plan}")],
            vec![Owner, Admin, Billing],
        ),
        (
            "/hosting/{id}/invite",
            vec![("email", "new@example.com"), ("role", "developer")],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/invitations/revoke",
            vec![("invitation_id", "{invitation}")],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/members/role",
            vec![("user_id", "{viewer}"), ("role", "developer")],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/members/remove",
            vec![("user_id", "{viewer}")],
            vec![Owner, Admin],
        ),
        (
            "/hosting/{id}/transfer",
            vec![("user_id", "{admin}")],
            vec![Owner],
        ),
        ("/hosting/{id}/cancel", vec![("confirm", "yes")], vec![Owner]),
        (
            "/hosting/{id}/suspend",
            vec![("reason", "Unpaid invoice")],
            vec![Staff],
        ),
        (
            "/hosting/{id}/leave",
            vec![],
            vec![Admin, Developer, Billing, Viewer],
        ),
        (
            "/api/hosting/account",
            vec![("id", "{id}")],
            vec![Owner, Admin, Developer, Billing, Viewer, Staff],
        ),
        (
            "/api/hosting/activity",
            vec![("account", "{id}"), ("page", "1")],
            vec![Owner, Admin, Developer, Billing, Viewer, Staff],
        ),
    ];
    let mut n = 0;
    for (path, form, allowed) in &cases {
        for actor in ACTORS {
            n += 1;
            let name = format!("Account {n}");
            let (account, invitation) = team.fresh_account(&name).await;
            let fill = |v: &str| {
                v.replace("{id}", &account.to_string())
                    .replace("{plan}", &team.other_plan.to_string())
                    .replace("{invitation}", &invitation.to_string())
                    .replace("{viewer}", &team.id(Viewer).to_string())
                    .replace("{admin}", &team.id(Admin).to_string())
            };
            let url = fill(path);
            let filled: Vec<(&str, String)> = form.iter().map(|(k, v)| (*k, fill(v))).collect();
            let fields: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let before = team.snapshot(account).await;
            eprintln!("case {n}: {actor:?} {url}");
            let res = team.browser(actor).post(&url, &fields).await;
            let status = res.status().as_u16();
            let location = location(&res);
            let body = res.text().await.unwrap();
            let got = outcome(status, &location);
            let what = format!("{actor:?} → {path}");
            if allowed.contains(&actor) {
                assert_eq!(
                    got,
                    Outcome::Done,
                    "{what} should be allowed ({status}): {}",
                    &body[..body.len().min(300)]
                );
                if *path == "/api/hosting/account" {
                    assert!(body.contains(&name), "{what}: the data is returned");
                }
            } else {
                let staff_tool = path.starts_with("/staff/") || path.starts_with("/api/staff/");
                let expected = match actor {
                    SignedOut if path.starts_with("/api/") => Outcome::Refused(500),
                    SignedOut => Outcome::SignIn,
                    _ if staff_tool => Outcome::Refused(if path.starts_with("/api/") { 500 } else { 404 }),
                    Outsider => Outcome::Refused(if path.starts_with("/api/") { 500 } else { 404 }),
                    // Leaving is not allowed for the one owner.
                    Owner if *path == "/hosting/{id}/leave" => Outcome::Refused(409),
                    _ => Outcome::Refused(403),
                };
                assert_eq!(got, expected, "{what} should be refused");
                assert_eq!(
                    team.snapshot(account).await,
                    before,
                    "{what}: a refused call changes nothing"
                );
                if matches!(actor, Outsider | SignedOut) {
                    assert!(!body.contains(&name), "{what}: reveals nothing");
                }
            }
        }
    }
    // The list is scoped: members and staff find the account, others don't.
    let (account, _) = team.fresh_account("Findable Shop").await;
    for actor in ACTORS {
        let res = team
            .browser(actor)
            .post(
                "/api/hosting/accounts",
                &[("search", "Findable"), ("sort", "name"), ("page", "1")],
            )
            .await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        match actor {
            SignedOut => assert_eq!(status, 500, "signed out: refused"),
            Outsider => assert!(
                status == 200 && !body.contains("Findable Shop"),
                "outsider: an empty list"
            ),
            _ => assert!(
                status == 200 && body.contains(&account.to_string()),
                "{actor:?} finds it"
            ),
        }
    }
    // Resuming is staff-only too.
    for actor in ACTORS {
        let (account, _) = team.fresh_account("Suspended one").await;
        sqlx::query("UPDATE hosting_accounts SET status = 'suspended', suspended_reason = 'x' WHERE id = $1")
            .bind(account)
            .execute(&team.app.pool)
            .await
            .unwrap();
        let res = team
            .browser(actor)
            .post(&format!("/hosting/{account}/resume"), &[])
            .await;
        let got = outcome(res.status().as_u16(), &location(&res));
        let expected = match actor {
            Staff => Outcome::Done,
            SignedOut => Outcome::SignIn,
            Outsider => Outcome::Refused(404),
            _ => Outcome::Refused(403),
        };
        assert_eq!(got, expected, "{actor:?} → resume");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn outsiders_cannot_tell_a_hidden_account_from_a_missing_one(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Secret Shop").await;
    let outsider = team.browser(Outsider);
    for path in ["/hosting/{id}", "/hosting/{id}/edit", "/hosting/{id}/activity"] {
        let real = outsider.get(&path.replace("{id}", &account.to_string())).await;
        let missing = outsider
            .get(&path.replace("{id}", &Uuid::new_v4().to_string()))
            .await;
        assert_eq!(real.status(), 404, "{path}");
        assert_eq!(missing.status(), 404, "{path}");
        let (real, missing) = (real.text().await.unwrap(), missing.text().await.unwrap());
        assert!(!real.contains("Secret Shop"));
        for body in [&real, &missing] {
            assert!(
                body.contains("does not exist, or you do not have access"),
                "{path}"
            );
        }
    }
    // Their list and feed show nothing of it; a member's do.
    let list = outsider.get("/hosting").await.text().await.unwrap();
    assert!(!list.contains("Secret Shop"));
    assert!(team
        .browser(Viewer)
        .get("/hosting")
        .await
        .text()
        .await
        .unwrap()
        .contains("Secret Shop"));
    assert!(team
        .browser(Staff)
        .get("/hosting")
        .await
        .text()
        .await
        .unwrap()
        .contains("Secret Shop"));
    let res = outsider
        .post(
            "/hosting/new",
            &[
                ("name", "Mine"),
                ("plan", &team.plan.to_string()),
                ("primary_domain", "mine.example.com"),
                ("region", "eu-west"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let feed = outsider.get("/activity").await.text().await.unwrap();
    assert!(feed.contains("Outsider created the account on the Starter plan"));
    assert!(!feed.contains("Secret Shop"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_viewer_sees_no_edit_controls(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let page = team
        .browser(Viewer)
        .get(&format!("/hosting/{account}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Shop"));
    let controls = [
        "/edit\"",
        "/plan\"",
        "/invite\"",
        "/cancel\"",
        "/members/role\"",
        "/members/remove\"",
        "/transfer\"",
    ];
    for control in controls {
        assert!(
            !page.contains(control),
            "a viewer sees no form posting to {control}"
        );
    }
    assert!(page.contains("Leave this account"));
    let owner_page = team
        .browser(Owner)
        .get(&format!("/hosting/{account}"))
        .await
        .text()
        .await
        .unwrap();
    for control in controls {
        assert!(
            owner_page.contains(control),
            "the owner sees the form posting to {control}"
        );
    }
    let edit = team
        .browser(Viewer)
        .get(&format!("/hosting/{account}/edit"))
        .await;
    assert_eq!(edit.status(), 403);
}

#[sqlx::test(migrations = "../migrations")]
async fn creating_an_account_checks_every_field(pool: PgPool) {
    let team = team(pool).await;
    let owner = team.browser(Owner);
    let res = owner
        .post(
            "/hosting/new",
            &[
                ("name", " "),
                ("plan", "nope"),
                ("primary_domain", "https://bad"),
                ("region", "moon"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    for message in [
        "Enter a name for the hosting account.",
        "Choose a plan.",
        "without http://",
        "Choose one of our regions.",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert!(page.contains("value=\"https://bad\""), "what was typed is kept");
    let res = owner
        .post(
            "/hosting/new",
            &[
                ("name", "Shop"),
                ("plan", &team.plan.to_string()),
                ("primary_domain", "Bücher.example"),
                ("region", "eu-west"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = owner.get(&location(&res)).await.text().await.unwrap();
    assert!(page.contains("xn--bcher-kva.example"));
    assert!(page.contains("Owner created the account on the Starter plan"));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_invitation_works_once_for_its_address_until_it_expires(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let owner = team.browser(Owner);
    let invite = |email: &'static str| {
        let url = format!("/hosting/{account}/invite");
        async move { owner.post(&url, &[("email", email), ("role", "developer")]).await }
    };
    assert_eq!(invite("bo@example.com").await.status(), 303);
    let (kind, text) = team.app.last_email_to("bo@example.com").await.unwrap();
    assert_eq!(kind, "invitation");
    let link = link_in(&text, "http://");
    let path = link
        .split_once("/invitations")
        .map(|(_, p)| format!("/invitations{p}"))
        .unwrap();
    let token = token_of(&path);

    // Someone else signed in cannot use it.
    let wrong = team
        .browser(Outsider)
        .post("/invitations/accept", &[("token", &token)])
        .await;
    assert_eq!(wrong.status(), 409);
    assert!(wrong.text().await.unwrap().contains("was sent to bo@example.com"));

    // Bo has no account: signs up, confirms, lands on the invitation.
    let bo = team.app.browser();
    assert!(bo
        .get(&path)
        .await
        .text()
        .await
        .unwrap()
        .contains("Sign in to accept"));
    bo.post(
        "/signup",
        &[
            ("name", "Bo"),
            ("email", "bo@example.com"),
            ("password", CUSTOMER_PASSWORD),
        ],
    )
    .await;
    let verify = token_of(&link_in(
        &team.app.last_email_to("bo@example.com").await.unwrap().1,
        "http://",
    ));
    let verified = bo.post("/verify-email", &[("token", &verify)]).await;
    assert_eq!(location(&verified), "/invitations");
    let list = bo.get("/invitations").await.text().await.unwrap();
    assert!(list.contains("Owner invited bo@example.com to Shop as Developer."));
    let ok = bo.post("/invitations/accept", &[("token", &token)]).await;
    assert_eq!(ok.status(), 303);
    assert_eq!(location(&ok), format!("/hosting/{account}?done=joined"));
    let page = bo.get(&format!("/hosting/{account}")).await.text().await.unwrap();
    assert!(page.contains("Bo joined as developer"));
    assert!(page.contains("Owner invited bo@example.com as developer"));

    let reused = bo.post("/invitations/accept", &[("token", &token)]).await;
    assert_eq!(reused.status(), 409, "single use");

    // A second invitation, left for more than 7 days.
    assert_eq!(invite("cy@example.com").await.status(), 303);
    let text = team.app.last_email_to("cy@example.com").await.unwrap().1;
    let token = token_of(&link_in(&text, "http://"));
    confirmed_customer(&team.app, "cy@example.com", "Cy").await;
    let cy = team.app.browser();
    cy.sign_in("cy@example.com", CUSTOMER_PASSWORD).await;
    team.app.clock.advance(Duration::days(7) + Duration::minutes(1));
    let late = cy.post("/invitations/accept", &[("token", &token)]).await;
    assert_eq!(late.status(), 409);
    assert!(late.text().await.unwrap().contains("This invitation has expired"));
    assert_eq!(cy.get(&format!("/hosting/{account}")).await.status(), 404);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_account_always_has_exactly_one_owner(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let owner_id = team.id(Owner).to_string();
    let owner = team.browser(Owner);
    let admin = team.browser(Admin);
    assert_eq!(
        owner
            .post(&format!("/hosting/{account}/leave"), &[])
            .await
            .status(),
        409
    );
    assert_eq!(
        admin
            .post(
                &format!("/hosting/{account}/members/remove"),
                &[("user_id", &owner_id)]
            )
            .await
            .status(),
        409
    );
    assert_eq!(
        admin
            .post(
                &format!("/hosting/{account}/members/role"),
                &[("user_id", &owner_id), ("role", "viewer")]
            )
            .await
            .status(),
        409
    );
    assert_eq!(
        admin
            .post(
                &format!("/hosting/{account}/members/role"),
                &[("user_id", &owner_id), ("role", "owner")]
            )
            .await
            .status(),
        422,
        "ownership cannot be granted, only transferred"
    );
    let owners: i64 =
        sqlx::query_scalar("SELECT count(*) FROM hosting_members WHERE account_id = $1 AND role = 'owner'")
            .bind(account)
            .fetch_one(&team.app.pool)
            .await
            .unwrap();
    assert_eq!(owners, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn ownership_moves_to_a_member_after_a_fresh_confirmation(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let owner = team.browser(Owner);
    let url = format!("/hosting/{account}/transfer");
    let outsider_id = team.id(Outsider).to_string();
    let not_member = owner.post(&url, &[("user_id", &outsider_id)]).await;
    assert_eq!(not_member.status(), 422);
    assert!(not_member
        .text()
        .await
        .unwrap()
        .contains("must already be a member"));

    team.app.clock.advance(Duration::minutes(11));
    let developer_id = team.id(Developer).to_string();
    let stale = owner.post(&url, &[("user_id", &developer_id)]).await;
    assert_eq!(
        location(&stale),
        format!("/confirm-identity?next=/hosting/{account}")
    );
    owner
        .post(
            "/confirm-identity",
            &[("password", CUSTOMER_PASSWORD), ("next", "/")],
        )
        .await;
    let ok = owner.post(&url, &[("user_id", &developer_id)]).await;
    assert_eq!(location(&ok), format!("/hosting/{account}?done=transferred"));
    let roles: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, m.role FROM hosting_members m JOIN users u ON u.id = m.user_id WHERE m.account_id = $1 AND m.role IN ('owner', 'admin') ORDER BY u.email",
    )
    .bind(account)
    .fetch_all(&team.app.pool)
    .await
    .unwrap();
    assert_eq!(
        roles,
        vec![
            ("admin@example.com".into(), "admin".into()),
            ("developer@example.com".into(), "owner".into()),
            ("owner@example.com".into(), "admin".into()),
        ]
    );
    let page = owner
        .get(&format!("/hosting/{account}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Owner made Developer the owner"));
}

#[sqlx::test(migrations = "../migrations")]
async fn with_two_factor_on_cancelling_needs_a_fresh_confirmation(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let owner = team.browser(Owner);
    let two_factor = enable_two_factor(&team.app, owner).await;
    team.app.clock.advance(Duration::minutes(11));
    let url = format!("/hosting/{account}/cancel");
    let stale = owner.post(&url, &[("confirm", "yes")]).await;
    assert_eq!(
        location(&stale),
        format!("/confirm-identity?next=/hosting/{account}")
    );
    let status: String = sqlx::query_scalar("SELECT status FROM hosting_accounts WHERE id = $1")
        .bind(account)
        .fetch_one(&team.app.pool)
        .await
        .unwrap();
    assert_eq!(status, "active");
    let code = team.app.code_now(&two_factor.secret);
    let confirmed = owner
        .post(
            "/confirm-identity",
            &[("password", CUSTOMER_PASSWORD), ("code", &code), ("next", "/")],
        )
        .await;
    assert_eq!(confirmed.status(), 303);
    let ok = owner.post(&url, &[("confirm", "yes")]).await;
    assert_eq!(location(&ok), format!("/hosting/{account}?done=cancelled"));
    let page = owner
        .get(&format!("/hosting/{account}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Owner cancelled the account"));
    assert!(page.contains(">Cancelled<"), "the status badge");
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_keep_the_plan_catalogue(pool: PgPool) {
    let team = team(pool).await;
    let staff = team.browser(Staff);
    let customer = team.browser(Owner);
    let plan = [
        ("code", "team"),
        ("name", "Team"),
        ("storage_gb", "100"),
        ("bandwidth_gb", "1000"),
        ("max_sites", "20"),
        ("price", "24.50"),
        ("currency", "eur"),
        ("available", "yes"),
    ];
    assert_eq!(customer.get("/staff/plans").await.status(), 404);
    assert_eq!(customer.post("/staff/plans", &plan).await.status(), 404);
    let mut bad = plan;
    bad[5] = ("price", "24.505");
    let res = staff.post("/staff/plans", &bad).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("at most two decimals"));
    assert_eq!(
        location(&staff.post("/staff/plans", &plan).await),
        "/staff/plans?done=saved"
    );
    let offered = customer.get("/hosting/new").await.text().await.unwrap();
    assert!(offered.contains("Team") && offered.contains("24.50 EUR / month"));
    // Retired: kept for its accounts, no longer offered.
    let mut retired = plan;
    retired[7] = ("available", "no");
    staff.post("/staff/plans", &retired).await;
    assert!(!customer
        .get("/hosting/new")
        .await
        .text()
        .await
        .unwrap()
        .contains("24.50 EUR"));
    assert!(staff
        .get("/staff/plans")
        .await
        .text()
        .await
        .unwrap()
        .contains("Team"));
}

#[sqlx::test(migrations = "../migrations")]
async fn node_tokens_are_made_by_staff_and_shown_once(pool: PgPool) {
    let team = team(pool).await;
    let staff = team.browser(Staff);
    assert_eq!(
        team.browser(Owner)
            .post("/staff/node-tokens", &[("name", "web-1")])
            .await
            .status(),
        404
    );
    let res = staff.post("/staff/node-tokens", &[("name", "web-fra-1")]).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let start = page.find("ksfnode_").expect("the token is shown");
    let token = &page[start..start + "ksfnode_".len() + 64];
    let again = staff.get("/staff/node-tokens").await.text().await.unwrap();
    assert!(
        again.contains("web-fra-1") && !again.contains(token),
        "shown once"
    );
    let body = serde_json::json!({ "samples": [] });
    let res = team
        .app
        .client
        .post(format!("{}/api/usage", team.app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        413,
        "the token authenticates (the empty batch is then refused)"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn one_account_sends_at_most_30_invitations_an_hour(pool: PgPool) {
    let team = team(pool).await;
    let (account, _) = team.fresh_account("Shop").await;
    let url = format!("/hosting/{account}/invite");
    for i in 0..30 {
        let email = format!("guest{i}@example.com");
        let res = team
            .browser(Owner)
            .post(&url, &[("email", &email), ("role", "viewer")])
            .await;
        assert_eq!(res.status(), 303, "invitation {i}");
    }
    let res = team
        .browser(Admin)
        .post(&url, &[("email", "one-more@example.com"), ("role", "viewer")])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Too many invitations from this account"));
    assert_eq!(team.app.emails_to("one-more@example.com").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn ids_from_another_account_match_nothing_in_mine(pool: PgPool) {
    let team = team(pool).await;
    let (mine, _) = team.fresh_account("Mine").await;
    let (theirs, their_invitation) = team.fresh_account("Theirs").await;
    // Outsider is a member of "Theirs" only; the owner of "Mine" tries
    // its ids through Mine's URLs.
    sqlx::query("INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, 'viewer')")
        .bind(theirs)
        .bind(team.id(Outsider))
        .execute(&team.app.pool)
        .await
        .unwrap();
    let before = team.snapshot(theirs).await;
    let owner = team.browser(Owner);
    let outsider_id = team.id(Outsider).to_string();
    let revoke = owner
        .post(
            &format!("/hosting/{mine}/invitations/revoke"),
            &[("invitation_id", &their_invitation.to_string())],
        )
        .await;
    assert_eq!(revoke.status(), 409, "their invitation is not one of mine");
    let remove = owner
        .post(
            &format!("/hosting/{mine}/members/remove"),
            &[("user_id", &outsider_id)],
        )
        .await;
    assert_eq!(remove.status(), 422, "their member is not one of mine");
    let role = owner
        .post(
            &format!("/hosting/{mine}/members/role"),
            &[("user_id", &outsider_id), ("role", "admin")],
        )
        .await;
    assert_eq!(role.status(), 422);
    assert_eq!(team.snapshot(theirs).await, before, "nothing of theirs changed");
}
