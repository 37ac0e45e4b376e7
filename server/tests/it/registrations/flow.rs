//! Searching, buying, paying, and what the worker makes of a paid order:
//! registered exactly once and live on our name servers, or refunded.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;
use services::registrations::worker::Outcome;
use standin::registrar::Failure;

use sqlx::PgPool;

use super::Registry;
use crate::dns::authoritative::{ask, dns_server};
use crate::helpers::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_finds_a_free_name_and_sees_what_is_taken(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, _) = r.owner("searcher@example.com").await;
    let html = browser.page("/domains/search?q=My-Shop").await;
    // .com costs 8.88 at the registrar; the default margin is 20 %.
    assert!(
        html.contains(r#"data-name="my-shop.com" data-available="true""#),
        "{html}"
    );
    assert!(html.contains("10.66 USD / year"));
    assert!(html.contains(r#"href="/domains/buy?name=my-shop.com""#));

    let html = browser.page("/domains/search?q=google").await;
    assert!(html.contains(r#"data-name="google.com" data-available="false""#));
    assert!(html.contains("Taken"));
    assert!(html.contains("Other free names"), "suggestions when taken");
    assert!(html.contains(r#"data-name="getgoogle.com" data-available="true""#));

    let html = browser
        .get("/domains/search?q=bad_name")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Enter a domain name like example.com"), "{html}");

    // Each search asks the registrar: a hundred an hour per user.
    for n in 3..=100 {
        let res = browser.get(&format!("/domains/search?q=name{n}")).await;
        assert_eq!(res.status(), 200, "search {n}");
    }
    let res = browser.get("/domains/search?q=one-more").await;
    assert_eq!(res.status(), 429);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("You searched for many names in a short time."));
}

/// What the search island puts in place without leaving the page: the
/// same answers as the page, drawn as HTML by the same components.
#[sqlx::test(migrations = "../migrations")]
async fn the_search_island_is_answered_with_the_pages_own_drawing(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, _) = r.owner("islander@example.com").await;
    let results = browser.page("/domains/search/results?q=google").await;
    assert!(
        results.contains(r#"data-name="google.com" data-available="false""#)
            && results.contains(r#"data-taken="true""#),
        "a taken name asks for more: {results}"
    );
    let more = browser.page("/domains/search/more?q=google").await;
    assert!(
        more.contains("Other free names")
            && more.contains(r#"data-name="getgoogle.com" data-available="true""#),
        "{more}"
    );
    let free = browser.page("/domains/search/results?q=My-Shop").await;
    assert!(
        free.contains(r#"data-name="my-shop.com" data-available="true""#) && !free.contains("data-taken")
    );
    // A refused search is answered as what the field shows.
    let bad = browser.page("/domains/search/results?q=bad_name").await;
    assert!(
        bad.contains(r#"id="f-q-error""#) && bad.contains("Enter a domain name like example.com"),
        "{bad}"
    );
    let res = r.shop.app.browser().get("/domains/search/results?q=google").await;
    assert!(res.status().is_redirection(), "a visitor is sent to sign in");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_paid_name_is_registered_once_and_served_by_our_name_servers(pool: PgPool) {
    let dns = dns_server(&pool, &[]).await;
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("buyer@example.com").await;
    let order = r.bought(&browser, "my-new-shop.com", account).await;
    assert_eq!(r.order("my-new-shop.com").await.1, "paid");

    assert_eq!(r.work().await, [Outcome::Registered]);
    assert!(r.work().await.is_empty(), "nothing left to do");
    let held = r.registrar.domains();
    assert_eq!(held.len(), 1, "registered once");
    assert_eq!(r.registrar.creates(), 1);
    let nameservers: Vec<String> = sqlx::query_scalar(
        "SELECT n.name FROM assigned_nameservers n JOIN domains d ON d.id = n.domain_id WHERE d.name = $1 ORDER BY n.name",
    )
    .bind("my-new-shop.com")
    .fetch_all(r.pool())
    .await
    .unwrap();
    assert_eq!(
        held[0].nameservers, nameservers,
        "the registry points at the zone's own names"
    );
    assert!(held[0].whois_privacy);

    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("my-new-shop.com is yours"), "{page}");
    assert!(page.contains("Registered until"));
    assert_eq!(
        r.shop
            .emails_of_kind("buyer@example.com", "domain_registered")
            .await,
        1
    );
    let dashboard = browser.page("/").await;
    assert!(
        dashboard.contains("of 1 registered here"),
        "the dashboard counts it"
    );
    // Live at once: ksf dns answers for the zone with its SOA.
    let addr = dns.addr;
    eventually(
        "ksf dns answers the new zone's SOA",
        std::time::Duration::from_secs(5),
        || async move {
            let answer = ask(addr, "my-new-shop.com", RecordType::SOA).await;
            (answer.metadata.response_code == ResponseCode::NoError && answer.answers.len() == 1)
                .then_some(())
        },
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_crash_after_registering_does_not_register_twice(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("crash@example.com").await;
    let order = r.bought(&browser, "crash-shop.com", account).await;
    // A worker registered the name and died before writing it down: the
    // order is still "registering" and its lease has run out.
    sqlx::query("UPDATE domain_orders SET status = 'registering', attempts = 1 WHERE id = $1")
        .bind(order)
        .execute(r.pool())
        .await
        .unwrap();
    let res = r.buy(&browser, "crash-shop.com", account, &[]).await;
    assert_eq!(res.status(), 422, "a second order of a name in flight is refused");
    register_at_standin(&r, "crash-shop.com").await;
    assert_eq!(r.registrar.creates(), 1);

    assert_eq!(r.work().await, [Outcome::Registered]);
    assert_eq!(
        r.registrar.creates(),
        1,
        "the worker found it registered and did not ask again"
    );
    let held = r.registrar.domains();
    assert!(
        held[0].nameservers.iter().all(|n| n.starts_with("ns-")),
        "the registry now points at the zone's own names: {:?}",
        held[0].nameservers
    );
    assert_eq!(r.order("crash-shop.com").await.1, "registered");
}

/// Registers `name` at the stand-in through the real client, as a worker
/// that then crashed would have.
async fn register_at_standin(r: &Registry, name: &str) {
    let contact = domain::registration::Contact {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        address1: "1 Analytical Way".into(),
        city: "Berlin".into(),
        state_province: "Berlin".into(),
        postal_code: "10115".into(),
        country: "DE".into(),
        phone: "+49.301234567".into(),
        email: "ada@example.com".into(),
        ..Default::default()
    };
    let registrar = r.deps.registrations.registrar().expect("a registrar");
    registrar
        .register(services::registrations::registrar::NewRegistration {
            name,
            years: 1,
            contact: &contact,
            nameservers: &["ns1.example.net".into(), "ns2.example.net".into()],
            whois_privacy: true,
        })
        .await
        .expect("registered");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_name_refused_after_payment_is_refunded_and_its_zone_removed(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("unlucky@example.com").await;
    let order = r.bought(&browser, "snatched.com", account).await;
    r.registrar.fail_next(Failure::Taken, 1);

    let outcomes = r.work().await;
    assert!(
        matches!(&outcomes[..], [Outcome::Refused(_), Outcome::Refunded]),
        "{outcomes:?}"
    );
    assert_eq!(r.order("snatched.com").await.1, "refunded");
    let refunds = r.shop.standin.read(|s| s.refunds.clone());
    assert_eq!(refunds.len(), 1, "refunded once");
    let zones: i64 = sqlx::query_scalar("SELECT count(*) FROM domains WHERE name = 'snatched.com'")
        .fetch_one(r.pool())
        .await
        .unwrap();
    assert_eq!(zones, 0, "the zone made for the order is gone");
    assert_eq!(
        r.shop
            .emails_of_kind("unlucky@example.com", "domain_refunded")
            .await,
        1
    );
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("We could not register snatched.com"), "{page}");
    assert!(page.contains("refunded in full"));
    assert!(r.work().await.is_empty(), "nothing is refunded twice");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_registry_that_does_not_answer_is_asked_again_later(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("patient@example.com").await;
    r.bought(&browser, "slow-registry.com", account).await;
    r.registrar.fail_next(Failure::RegistryTimeout, 1);

    let outcomes = r.work().await;
    assert!(matches!(&outcomes[..], [Outcome::Later(_)]), "{outcomes:?}");
    assert_eq!(r.order("slow-registry.com").await.1, "registering");
    assert!(r.work().await.is_empty(), "not before its time");
    r.shop.app.clock.advance(time::Duration::minutes(2));
    assert_eq!(r.work().await, [Outcome::Registered]);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_order_the_registrar_never_confirms_goes_to_staff_and_is_not_refunded(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("stuck@example.com").await;
    let order = r.bought(&browser, "never-answered.com", account).await;
    r.registrar.fail_next(
        Failure::RegistryTimeout,
        services::registrations::worker::MAX_ATTEMPTS as usize,
    );
    for _ in 0..services::registrations::worker::MAX_ATTEMPTS {
        let outcomes = r.work().await;
        assert!(matches!(&outcomes[..], [Outcome::Later(_)]), "{outcomes:?}");
        r.shop.app.clock.advance(time::Duration::hours(2));
    }
    assert!(r.work().await.is_empty());
    assert_eq!(r.order("never-answered.com").await.1, "failed");
    assert!(
        r.shop.standin.read(|s| s.refunds.is_empty()),
        "not refunded blindly"
    );
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("Our team is looking at this order"), "{page}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_second_payment_for_one_order_is_refunded(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("twice@example.com").await;
    let res = r.buy(&browser, "paid-twice.com", account, &[]).await;
    assert_eq!(res.status(), 303);
    let (order, _) = r.order("paid-twice.com").await;
    let session = |r: &Registry| {
        let pool = r.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT stripe_session_id FROM domain_orders WHERE id = $1")
                .bind(order)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let first = session(&r).await;
    // The first payment page went stale for the portal (a tab left open a
    // day); the customer opens a new one, then pays in both tabs.
    sqlx::query("UPDATE domain_orders SET session_opened_at = now() - interval '1 day' WHERE id = $1")
        .bind(order)
        .execute(r.pool())
        .await
        .unwrap();
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("Open a new payment page"), "{page}");
    let res = browser
        .post(&format!("/domains/orders/{order}/checkout"), &[("x", "")])
        .await;
    assert_eq!(res.status(), 303);
    let second = session(&r).await;
    assert_ne!(first, second);
    assert_eq!(r.shop.pay(&second, "4242 4242 4242 4242").await.status(), 303);
    assert_eq!(r.shop.pay(&first, "4242 4242 4242 4242").await.status(), 303);
    r.shop.settle().await;

    assert_eq!(r.work().await, [Outcome::Registered, Outcome::Refunded]);
    assert_eq!(r.registrar.creates(), 1, "registered once");
    let refunds = r.shop.standin.read(|s| s.refunds.clone());
    assert_eq!(refunds.len(), 1, "the second payment is refunded, once");
    assert_eq!(r.order("paid-twice.com").await.1, "registered");
    assert_eq!(
        r.shop
            .emails_of_kind("twice@example.com", "domain_payment_refunded")
            .await,
        1
    );
    assert!(r.work().await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn an_international_name_is_shown_in_unicode_and_registered_in_punycode(pool: PgPool) {
    let r = Registry::new(pool).await;
    let (_, browser, account) = r.owner("buecher@example.com").await;
    let html = browser.page("/domains/search?q=b%C3%BCcherladen").await;
    assert!(html.contains(r#"data-name="xn--bcherladen-9db.de""#), "{html}");
    assert!(html.contains("bücherladen.de"), "shown in Unicode");
    // The buy form carries the punycode name (its page shows the Unicode one).
    let order = r.bought(&browser, "xn--bcherladen-9db.de", account).await;
    // The stand-in, like Namecheap, refuses an IDN without its language.
    assert_eq!(r.work().await, [Outcome::Registered]);
    assert_eq!(r.registrar.domains()[0].name, "xn--bcherladen-9db.de");
    let page = browser.page(&format!("/domains/orders/{order}")).await;
    assert!(page.contains("bücherladen.de is yours"), "{page}");
}
