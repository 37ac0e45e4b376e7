//! Bad input gets its error next to the field and nothing is ordered;
//! only those who may pay for an account buy for it; orders are private.

use sqlx::PgPool;

use super::Registry;
use crate::builders::UserBuilder;
use crate::helpers::*;

async fn orders(r: &Registry) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM domain_orders")
        .fetch_one(r.pool())
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn names_and_contacts_a_registry_would_refuse_are_refused_here(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("careful@example.com").await;
    for (changes, field, message) in [
        (vec![("name", "www.my-shop.com")], "name", "not subdomains"),
        (
            vec![("name", "my-shop.museum")],
            "name",
            "We do not sell .museum names",
        ),
        (
            vec![("name", "-bad-.com")],
            "name",
            "Enter a domain name like example.com",
        ),
        (vec![("name", "google.com")], "name", "is no longer available"),
        // Public suffixes themselves are not names anyone can register.
        (
            vec![("name", "com")],
            "name",
            "Enter a full domain name with an extension",
        ),
        (vec![("name", "co.uk")], "name", "We do not sell .uk names"),
        (vec![("phone", "030 1234567")], "phone", "with its country code"),
        (vec![("country", "XX")], "country", "Choose a country"),
        (vec![("postal_code", "ABCDE")], "postal_code", "not a postal code"),
        (vec![("first_name", " ")], "first_name", "Enter the first name"),
        (vec![("years", "11")], "years", "1 to 10 years"),
        (
            vec![("price", "1")],
            "price",
            "The price has changed: it is now 10.66 USD per year",
        ),
    ] {
        let res = r.buy(&browser, "my-shop.com", account, &changes).await;
        assert_eq!(res.status(), 422, "{changes:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{changes:?}: {message} in {html}");
        assert!(
            html.contains(&format!(r#"id="f-{field}-error""#)),
            "{changes:?}: next to {field}"
        );
    }
    // A name with a zone below it on the platform would be charged and
    // then refused by the zone check: refused before payment instead.
    sqlx::query("INSERT INTO domains (account_id, name, serial) VALUES ($1, 'www.overlap.com', 2026120401)")
        .bind(account)
        .execute(r.pool())
        .await
        .unwrap();
    let res = r.buy(&browser, "overlap.com", account, &[]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("is already on our platform"));
    assert_eq!(orders(&r).await, 0, "nothing was ordered");
    // What was typed is kept.
    let html = r
        .buy(
            &browser,
            "my-shop.com",
            account,
            &[("phone", "030 1234567"), ("city", "Potsdam")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"value="Potsdam""#));
}

#[sqlx::test(migrations = "../migrations")]
async fn only_those_who_may_pay_buy_and_only_they_see_the_order(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, owner, account) = r.owner("owner@example.com").await;
    let developer = UserBuilder::customer("dev@example.com").create(r.pool()).await;
    sqlx::query("INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, 'developer')")
        .bind(account)
        .bind(developer)
        .execute(r.pool())
        .await
        .unwrap();
    let dev = r.shop.app.browser();
    assert_eq!(
        dev.sign_in("dev@example.com", CUSTOMER_PASSWORD).await.status(),
        303
    );
    let res = r.buy(&dev, "dev-shop.com", account, &[]).await;
    assert_eq!(res.status(), 403, "a developer may not pay");

    UserBuilder::customer("stranger@example.com")
        .create(r.pool())
        .await;
    let stranger = r.shop.app.browser();
    assert_eq!(
        stranger
            .sign_in("stranger@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    let res = r.buy(&stranger, "not-yours.com", account, &[]).await;
    assert_eq!(
        res.status(),
        404,
        "another tenant's account does not exist for them"
    );
    assert_eq!(orders(&r).await, 0);

    let res = r.buy(&owner, "owners-shop.com", account, &[]).await;
    assert_eq!(res.status(), 303);
    let (order, _) = r.order("owners-shop.com").await;
    assert_eq!(
        stranger.get(&format!("/domains/orders/{order}")).await.status(),
        404
    );
    assert_eq!(
        dev.get(&format!("/domains/orders/{order}")).await.status(),
        200,
        "members see the account's orders"
    );
    let res = dev.post(&format!("/domains/orders/{order}/checkout"), &[]).await;
    assert_eq!(res.status(), 403, "only the buyer pays");
}

#[sqlx::test(migrations = "../migrations")]
async fn contact_details_with_quotes_and_markup_reach_the_registrar_as_typed(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("obrien@example.com").await;
    let organisation = r#"O'Brien & Sons <Ltd> "Ωmega""#;
    let street = "Straße 1 </textarea><script>alert(1)</script>";
    // Refused for the phone: the page shows the rest back, escaped.
    let res = r
        .buy(
            &browser,
            "obrien-shop.com",
            account,
            &[
                ("organization", organisation),
                ("address1", street),
                ("first_name", "Zoë"),
                ("phone", "bad"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("<Ltd>") && !html.contains("<script>alert(1)"),
        "escaped: {html}"
    );
    assert!(
        html.contains("O&#39;Brien &amp; Sons &lt;Ltd&gt;")
            || html.contains("O'Brien &amp; Sons &lt;Ltd&gt;"),
        "{html}"
    );

    let res = r
        .buy(
            &browser,
            "obrien-shop.com",
            account,
            &[
                ("organization", organisation),
                ("address1", street),
                ("first_name", "Zoë"),
            ],
        )
        .await;
    let order = r
        .pay_for(&browser, res, "obrien-shop.com", "4242 4242 4242 4242")
        .await;
    assert_eq!(
        r.work().await,
        [services::registrations::worker::Outcome::Registered]
    );
    let held = r.registrar.domains();
    assert_eq!(
        held[0].registrant,
        ("Zoë".to_string(), organisation.to_string(), street.to_string()),
        "sent as typed, not mangled or escaped twice"
    );
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("obrien-shop.com is yours"));
}

#[sqlx::test(migrations = "../migrations")]
async fn paying_for_a_name_asks_to_confirm_it_is_you_after_a_while(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("stepup@example.com").await;
    r.shop.app.clock.advance(time::Duration::minutes(11));
    let res = r.buy(&browser, "later-shop.com", account, &[]).await;
    assert!(
        location(&res).starts_with("/confirm-identity"),
        "{}",
        location(&res)
    );
    let res = r.transfer(&browser, "taken-later.com", account, "abcd1234").await;
    assert!(
        location(&res).starts_with("/confirm-identity"),
        "{}",
        location(&res)
    );
    assert_eq!(orders(&r).await, 0, "nothing was ordered");
}
