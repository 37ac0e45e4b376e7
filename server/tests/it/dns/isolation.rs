//! Who may do what with domains and DNS: every endpoint against every
//! kind of user; a refused call changes nothing and reveals nothing.

use sqlx::PgPool;
use uuid::Uuid;

use super::{post_multipart, records, serial};
use crate::builders::{AccountBuilder, UserBuilder};
use crate::helpers::*;

use crate::cast::{Who, EVERYONE, MEMBERS};
use Who::*;
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
    let roles = MEMBERS;
    let good_zone = "$TTL 3600\nwww IN A 203.0.113.77\n";
    enum Call {
        Form(&'static str, Vec<(&'static str, String)>),
        Import,
        Get(&'static str),
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
            "editor: save",
            Box::new(|_, _| {
                Call::Form(
                    "/records/save",
                    vec![
                        ("type", "TXT".into()),
                        ("name", "x".into()),
                        ("content", "y".into()),
                    ],
                )
            }),
            EDITORS,
        ),
        (
            "editor: delete",
            Box::new(|rec, _| Call::Form("/records/remove", vec![("id", rec.into())])),
            EDITORS,
        ),
        (
            "editor: undo",
            Box::new(|_, change| Call::Form("/records/undo", vec![("change", change.to_string())])),
            EDITORS,
        ),
        (
            "editor: check",
            Box::new(|_, _| Call::Form("/records/check", vec![("type", "A".into()), ("name", "@".into())])),
            READERS,
        ),
        (
            "editor: records",
            Box::new(|_, _| Call::Get("/records?q=hello")),
            READERS,
        ),
        (
            "propagation row",
            Box::new(|_, _| Call::Get("/propagation/0?check=@&check_type=TXT")),
            READERS,
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
            };
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
