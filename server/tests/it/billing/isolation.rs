//! Who may do what with an account's billing: every billing endpoint
//! against its owner, billing, admin, developer and viewer members, an
//! outsider, staff and a signed-out visitor. A refused call changes
//! nothing, here or at Stripe.

use super::*;

use crate::cast::{Who, EVERYONE};
use Who::*;

/// What an account's billing is, here and at Stripe.
async fn snapshot(shop: &Shop, account: Uuid) -> String {
    let here = shop.subscription(account).await;
    let plan: (String, String) = sqlx::query_as(
        "SELECT a.status, p.code FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1",
    )
    .bind(account)
    .fetch_one(&shop.app.pool)
    .await
    .unwrap();
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    let stripe = shop.standin.read(|s| {
        let mut subs: Vec<String> = s
            .subscriptions
            .values()
            .map(|v| {
                format!(
                    "{} {} {}",
                    v["status"], v["cancel_at_period_end"], v["items"]["data"][0]["price"]["id"]
                )
            })
            .collect();
        subs.sort();
        (subs, s.sessions.len(), s.portal_sessions.len())
    });
    format!("{here:?} {plan:?} {orders} {stripe:?}")
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Done,
    SignIn,
    Refused(u16),
}

#[sqlx::test(migrations = "../migrations")]
async fn every_billing_endpoint_allows_exactly_who_it_should(pool: PgPool) {
    let shop = Shop::new(pool).await;
    let (owner_id, owner, account) = shop.subscribed("owner@example.com", "pro").await;
    let order: Uuid = sqlx::query_scalar("SELECT id FROM orders WHERE account_id = $1")
        .bind(account)
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    let event: String = sqlx::query_scalar("SELECT id FROM stripe_events LIMIT 1")
        .fetch_one(&shop.app.pool)
        .await
        .unwrap();
    let business = shop.plan("business").await.to_string();
    let pro = shop.plan("pro").await.to_string();
    let mut people: Vec<(Who, Browser)> = vec![(Owner, owner)];
    for who in EVERYONE.into_iter().filter(|w| *w != Owner) {
        let email = who.email();
        let browser = shop.app.browser();
        if who != SignedOut {
            let user = if who == Staff {
                UserBuilder::staff(&email)
            } else {
                UserBuilder::customer(&email)
            };
            let id = user.create(&shop.app.pool).await;
            if let Some(role) = who.role() {
                sqlx::query("INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, $3)")
                    .bind(account)
                    .bind(id)
                    .bind(role.as_str())
                    .execute(&shop.app.pool)
                    .await
                    .unwrap();
            }
            assert_eq!(browser.sign_in(&email, CUSTOMER_PASSWORD).await.status(), 303);
        }
        people.push((who, browser));
    }
    let _ = owner_id;
    let browser = |who: Who| &people.iter().find(|(w, _)| *w == who).unwrap().1;

    enum Call {
        Get(String),
        Post(String, Vec<(&'static str, String)>),
    }
    let id = account.to_string();
    // (call, who may, what the others get when it is not the usual 403)
    let cases: Vec<(Call, Vec<Who>)> = vec![
        (
            Call::Get(format!("/hosting/{id}/plan?plan={business}")),
            vec![Owner, Billing],
        ),
        (
            Call::Post(format!("/hosting/{id}/subscription/cancel"), vec![]),
            vec![Owner, Billing],
        ),
        (
            Call::Post(format!("/hosting/{id}/subscription/resume"), vec![]),
            vec![Owner, Billing],
        ),
        (
            Call::Post("/api/billing_account".into(), vec![("account", id.clone())]),
            vec![Owner, Billing, Admin, Developer, Viewer, Staff],
        ),
        (Call::Get(format!("/billing/orders/{order}")), vec![Owner, Staff]),
        (
            Call::Post(format!("/staff/billing/events/{event}/replay"), vec![]),
            vec![Staff],
        ),
        (Call::Get("/staff/billing".into()), vec![Staff]),
        // Last: it changes the plan (the owner to Business, then the billing member back to Pro).
        (
            Call::Post(
                format!("/hosting/{id}/plan/confirm"),
                vec![("plan", "{target}".into())],
            ),
            vec![Owner, Billing],
        ),
    ];
    for (call, allowed) in &cases {
        for who in EVERYONE {
            let before = snapshot(&shop, account).await;
            let (path, res) = match call {
                Call::Get(path) => (path.clone(), browser(who).get(path).await),
                Call::Post(path, form) => {
                    let target = if who == Billing { &pro } else { &business };
                    let form: Vec<(&str, String)> = form
                        .iter()
                        .map(|(k, v)| (*k, v.replace("{target}", target)))
                        .collect();
                    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    (path.clone(), browser(who).post(path, &fields).await)
                }
            };
            let status = res.status().as_u16();
            let to = location(&res);
            let body = res.text().await.unwrap();
            let got = match status {
                302 | 303 if to.starts_with("/login") => Outcome::SignIn,
                200 | 303 => Outcome::Done,
                s => Outcome::Refused(s),
            };
            let what = format!("{who:?} → {path}");
            let staff_tool = path.starts_with("/staff/");
            let order_page = path.starts_with("/billing/orders/");
            if allowed.contains(&who) {
                assert_eq!(
                    got,
                    Outcome::Done,
                    "{what} should be allowed ({status}): {}",
                    &body[..body.len().min(400)]
                );
                if path == "/api/billing_account" {
                    let sees = matches!(who, Owner | Billing | Admin | Staff);
                    assert_eq!(body.contains("\"may_see\":true"), sees, "{what}: {body}");
                    assert_eq!(
                        body.contains("14.99 EUR"),
                        sees,
                        "{what}: the figures only to those who see billing"
                    );
                }
                continue;
            }
            let expected = match who {
                SignedOut if path.starts_with("/api/") => Outcome::Refused(401),
                SignedOut => Outcome::SignIn,
                _ if staff_tool || order_page => Outcome::Refused(404),
                Outsider => Outcome::Refused(404),
                _ => Outcome::Refused(403),
            };
            assert_eq!(got, expected, "{what} should be refused");
            assert_eq!(
                snapshot(&shop, account).await,
                before,
                "{what}: a refused call changes nothing"
            );
            if matches!(who, Outsider | SignedOut) {
                assert!(!body.contains("14.99"), "{what}: reveals nothing");
            }
        }
    }
    // The billing page shows each person only the accounts whose billing they see.
    for who in [Owner, Billing, Admin, Developer, Viewer, Outsider, Staff] {
        let page = browser(who).page("/billing").await;
        let listed = page.contains("Paid Shop");
        assert_eq!(
            listed,
            matches!(who, Owner | Billing | Admin),
            "{who:?} on /billing"
        );
    }
    // Cards are managed through the user's own Stripe customer only.
    let res = browser(Owner).get("/billing/portal").await;
    assert_eq!(res.status(), 303);
    let portal = location(&res);
    assert!(portal.starts_with(&format!("{}/p/session/", shop.stripe_url)));
    // Stripe's portal manages cards and invoices only: cancelling stays behind the portal's checks.
    let page = reqwest::get(&portal).await.unwrap().text().await.unwrap();
    assert!(page.contains("Update card"), "{page}");
    assert!(
        !page.contains("Cancel at period end"),
        "no cancelling in Stripe's portal"
    );
    assert_eq!(
        browser(Billing).get("/billing/portal").await.status(),
        409,
        "no card of their own yet"
    );
    assert!(location(&browser(SignedOut).get("/billing/portal").await).starts_with("/login"));
}
