//! Domains and DNS through the form endpoints: a zone's life (add, edit,
//! template, import, revert, export), the rules the server keeps, and who
//! may do what (the isolation matrix).

use app::domain::MemberRole;
use sqlx::PgPool;
use uuid::Uuid;

use crate::builders::{self, AccountBuilder, UserBuilder};
use crate::helpers::*;

async fn records(pool: &PgPool, domain: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT r.name || ' ' || r.type || ' ' || r.ttl || ' ' || r.data::text FROM dns_records r
         JOIN domains d ON d.id = r.domain_id WHERE d.name = $1 ORDER BY 1",
    )
    .bind(domain)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn serial(pool: &PgPool, domain: &str) -> i64 {
    sqlx::query_scalar("SELECT serial FROM domains WHERE name = $1")
        .bind(domain)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn multipart(fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

async fn post_multipart(b: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    b.client
        .post(format!("{}{path}", b.base))
        .header("origin", &b.base)
        .multipart(multipart(fields))
        .send()
        .await
        .expect("multipart POST")
}

async fn owner_with_account(app: &TestApp, email: &str, domain: &str) -> (Browser, Uuid) {
    let user = UserBuilder::customer(email).create(&app.pool).await;
    let plan = builders::plan(&app.pool, "hobby").await;
    let _ = plan;
    let account = AccountBuilder::named("Shop")
        .domain(domain)
        .owner(user)
        .create(&app.pool)
        .await;
    let browser = app.browser();
    assert_eq!(browser.sign_in(email, CUSTOMER_PASSWORD).await.status(), 303);
    (browser, account)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_zone_is_added_edited_templated_imported_and_reverted(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "xn--bcher-shop-9db.de").await;

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

    // An import with a bad line lists it and applies nothing.
    let before = records(&app.pool, zone).await;
    let bad = "$TTL 3600\n@ IN A 203.0.113.50\nwww IN A 203.0.113.999\nftp IN PTR example.com.\n";
    let res = post_multipart(
        &owner,
        &format!("/domains/{zone}/import"),
        &[("zone", bad), ("apply", "yes")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_multipart(&owner, &format!("/domains/{zone}/import"), &[("zone", bad)]).await;
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Line 3:") && body.contains("Line 4:") && body.contains("Nothing was imported"),
        "{body}"
    );
    assert_eq!(records(&app.pool, zone).await, before);

    // A good one shows its diff, then replaces the records in one change.
    let good = "$ORIGIN xn--bcher-shop-9db.de.\n@ 300 IN A 203.0.113.50\nwww IN CNAME xn--bcher-shop-9db.de.\n@ IN MX 10 mx.example.net.\n@ IN TXT \"v=spf1 mx -all\"\n";
    let res = post_multipart(&owner, &format!("/domains/{zone}/import"), &[("zone", good)]).await;
    let body = res.text().await.unwrap();
    assert!(
        body.contains("What the import changes") && body.contains("Apply the import"),
        "{body}"
    );
    let res = post_multipart(
        &owner,
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
    let res = post_multipart(&owner, &format!("/domains/{zone}/import"), &[("zone", &text)]).await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("The zone already has exactly these records."));

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Owner,
    Admin,
    Developer,
    Billing,
    Viewer,
    Outsider,
    Staff,
    SignedOut,
}

use Who::*;
const EVERYONE: [Who; 8] = [
    Owner, Admin, Developer, Billing, Viewer, Outsider, Staff, SignedOut,
];
const EDITORS: &[Who] = &[Owner, Admin, Developer];
const READERS: &[Who] = &[Owner, Admin, Developer, Billing, Viewer, Staff];

#[sqlx::test(migrations = "../migrations")]
async fn every_domain_endpoint_allows_exactly_the_roles_it_should(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mut browsers = Vec::new();
    let mut ids = Vec::new();
    for who in EVERYONE {
        let browser = app.browser();
        if who != SignedOut {
            let email = format!("{who:?}@example.com").to_lowercase();
            let user = if who == Staff {
                UserBuilder::staff(&email)
            } else {
                UserBuilder::customer(&email)
            };
            ids.push((who, user.create(&app.pool).await));
            assert_eq!(browser.sign_in(&email, CUSTOMER_PASSWORD).await.status(), 303);
        }
        browsers.push((who, browser));
    }
    let browser = |w: Who| &browsers.iter().find(|(x, _)| *x == w).unwrap().1;
    let id = |w: Who| ids.iter().find(|(x, _)| *x == w).unwrap().1;
    let roles = [
        (Owner, MemberRole::Owner),
        (Admin, MemberRole::Admin),
        (Developer, MemberRole::Developer),
        (Billing, MemberRole::Billing),
        (Viewer, MemberRole::Viewer),
    ];
    let good_zone = "$TTL 3600\nwww IN A 203.0.113.77\n";
    enum Call {
        Form(&'static str, Vec<(&'static str, String)>),
        Import,
        Get(&'static str),
        /// A server function of the editor island (POST, url-encoded).
        Api(&'static str, &'static str),
    }
    type Case = (&'static str, Box<dyn Fn(&str, i64) -> Call>, &'static [Who]);
    let cases: Vec<Case> = vec![
        (
            "add record",
            Box::new(|_, _| {
                Call::Form(
                    "/records",
                    vec![
                        ("type", "A".into()),
                        ("name", "new".into()),
                        ("content", "203.0.113.5".into()),
                    ],
                )
            }),
            EDITORS,
        ),
        (
            "delete record",
            Box::new(|rec, _| Call::Form("/records/delete", vec![("id", rec.into())])),
            EDITORS,
        ),
        (
            "template",
            Box::new(|_, _| {
                Call::Form(
                    "/template",
                    vec![
                        ("template", "dmarc".into()),
                        ("policy", "reject".into()),
                        ("apply", "yes".into()),
                    ],
                )
            }),
            EDITORS,
        ),
        ("import", Box::new(|_, _| Call::Import), EDITORS),
        (
            "revert",
            Box::new(|_, change| Call::Form("/revert", vec![("change", change.to_string())])),
            EDITORS,
        ),
        (
            "remove",
            Box::new(|_, _| Call::Form("/remove", vec![("confirm", "{zone}".into())])),
            EDITORS,
        ),
        (
            "editor: delete",
            Box::new(|_, _| Call::Api("/api/dns/delete", "id")),
            EDITORS,
        ),
        (
            "editor: undo",
            Box::new(|_, _| Call::Api("/api/dns/undo", "change")),
            EDITORS,
        ),
        ("page", Box::new(|_, _| Call::Get("")), READERS),
        ("export", Box::new(|_, _| Call::Get("/export")), READERS),
    ];
    let mut n = 0;
    for (what, call, allowed) in &cases {
        for who in EVERYONE {
            n += 1;
            let zone = format!("case{n}.example.org");
            let mut account = AccountBuilder::named(&format!("Account {n}")).domain(&zone);
            for (w, role) in roles {
                account = account.member(id(w), role);
            }
            let account = account.create(&app.pool).await;
            let res = browser(Owner)
                .post(
                    "/domains/new",
                    &[("account", &account.to_string()), ("name", &zone)],
                )
                .await;
            assert_eq!(res.status(), 303, "case {n} set-up");
            let res = browser(Owner)
                .post(
                    &format!("/domains/{zone}/records"),
                    &[("type", "TXT"), ("name", "@"), ("content", "hello")],
                )
                .await;
            assert_eq!(res.status(), 303, "case {n} set-up");
            let (record, change): (Uuid, i64) = sqlx::query_as(
                "SELECT r.id, (SELECT max(c.id) FROM dns_changes c WHERE c.domain_id = d.id)
                 FROM dns_records r JOIN domains d ON d.id = r.domain_id WHERE d.name = $1 AND r.type = 'TXT'",
            )
            .bind(&zone)
            .fetch_one(&app.pool)
            .await
            .unwrap();
            let before = (records(&app.pool, &zone).await, serial(&app.pool, &zone).await);
            let b = browser(who);
            let res = match call(&record.to_string(), change) {
                Call::Form(path, fields) => {
                    let fields: Vec<(&str, String)> = fields
                        .into_iter()
                        .map(|(k, v)| (k, v.replace("{zone}", &zone)))
                        .collect();
                    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    b.post(&format!("/domains/{zone}{path}"), &fields).await
                }
                Call::Import => {
                    post_multipart(
                        b,
                        &format!("/domains/{zone}/import"),
                        &[("zone", good_zone), ("apply", "yes")],
                    )
                    .await
                }
                Call::Get(path) => b.get(&format!("/domains/{zone}{path}")).await,
                Call::Api(path, field) => {
                    let value = if field == "id" {
                        record.to_string()
                    } else {
                        change.to_string()
                    };
                    b.post(path, &[("name", zone.as_str()), (field, value.as_str())])
                        .await
                }
            };
            let api = matches!(call(&record.to_string(), change), Call::Api(..));
            let status = res.status().as_u16();
            let to = location(&res);
            let body = res.text().await.unwrap();
            let case = format!("case {n}: {who:?} → {what}");
            if allowed.contains(&who) {
                assert!(
                    matches!(status, 200 | 303) && !to.starts_with("/login"),
                    "{case} should be allowed ({status} {to}): {}",
                    &body[..body.len().min(300)]
                );
            } else {
                match who {
                    SignedOut if api => assert_eq!(status, 401, "{case}"),
                    SignedOut => assert!(
                        matches!(status, 302 | 303) && to.starts_with("/login"),
                        "{case}: sign in first ({status})"
                    ),
                    Outsider => {
                        assert_eq!(status, 404, "{case}");
                        assert!(!body.contains("hello"), "{case}: reveals nothing");
                    }
                    _ => assert_eq!(status, 403, "{case}"),
                }
                assert_eq!(
                    (records(&app.pool, &zone).await, serial(&app.pool, &zone).await),
                    before,
                    "{case}: a refused call changes nothing"
                );
            }
        }
    }
    // Adding a domain: editors of the account only.
    for who in EVERYONE {
        n += 1;
        let zone = format!("new{n}.example.org");
        let mut account = AccountBuilder::named(&format!("Account {n}"));
        for (w, role) in roles {
            account = account.member(id(w), role);
        }
        let account = account.create(&app.pool).await;
        let res = browser(who)
            .post(
                "/domains/new",
                &[("account", &account.to_string()), ("name", &zone)],
            )
            .await;
        let added: i64 = sqlx::query_scalar("SELECT count(*) FROM domains WHERE name = $1")
            .bind(&zone)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(
            added == 1,
            EDITORS.contains(&who),
            "{who:?} adding a domain ({})",
            res.status()
        );
    }
    // The zone's server function answers members and staff only.
    let zone = "case1.example.org";
    for who in EVERYONE {
        let res = browser(who).post("/api/dns/zone", &[("name", zone)]).await;
        let expected = match who {
            SignedOut => 401,
            Outsider => 404,
            _ => 200,
        };
        assert_eq!(res.status().as_u16(), expected, "{who:?} reading the zone");
    }
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
