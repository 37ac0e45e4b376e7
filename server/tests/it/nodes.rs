//! Hosting nodes as staff run them: their addresses, which the web records
//! of their sites' domains follow (when a site moves and when the node's
//! addresses change); their room in sites and storage; the portal's check
//! of each site from outside its node; and a plan that pauses a site once
//! it has served the month's bandwidth — with a real Caddy and agent.

use sqlx::PgPool;
use uuid::Uuid;

use crate::builders::AccountBuilder;
use crate::dns::records;
use crate::helpers::*;
use crate::sites::{agent, caddy, node, visit};
use services::sites::outside::{self, OutsideChecks};

async fn node_id(pool: &PgPool, name: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM node_tokens WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The node settings form, as staff fill it in.
async fn save_node(
    staff: &Browser,
    id: Uuid,
    ipv4: &str,
    ipv6: &str,
    sites: &str,
    gib: &str,
) -> reqwest::Response {
    staff
        .post(
            "/staff/nodes/settings",
            &[
                ("id", id.to_string().as_str()),
                ("public_ipv4", ipv4),
                ("public_ipv6", ipv6),
                ("capacity_sites", sites),
                ("capacity_storage", gib),
            ],
        )
        .await
}

/// The addresses the zone's A and AAAA records name, sorted.
async fn web_addresses(pool: &PgPool, zone: &str) -> Vec<String> {
    let mut found: Vec<String> = records(pool, zone)
        .await
        .into_iter()
        .filter(|r| r.contains(" A ") || r.contains(" AAAA "))
        .collect();
    found.sort();
    found
}

#[sqlx::test(migrations = "../migrations")]
async fn web_records_follow_a_site_to_its_node_and_the_node_to_new_addresses(pool: PgPool) {
    let app = spawn_app(pool).await;
    node(&app, "web-fra-1", "eu-central").await;
    node(&app, "web-fra-2", "eu-central").await;
    let (first, second) = (
        node_id(&app.pool, "web-fra-1").await,
        node_id(&app.pool, "web-fra-2").await,
    );
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let (_, staff) = app.staff("sam@example.com").await;

    // Staff only: a customer gets the 404 page and cannot post.
    assert_eq!(browser.get("/staff/nodes").await.status(), 404);
    assert_eq!(
        save_node(&browser, first, "192.0.2.10", "", "500", "1024")
            .await
            .status(),
        404
    );
    let page = staff.page("/staff/nodes").await;
    assert!(page.contains("web-fra-1") && page.contains("web-fra-2"), "{page}");
    assert!(page.contains("Not given"), "{page}");
    // The former address leads here.
    let old = staff.get("/staff/node-tokens").await;
    assert_eq!(old.status(), 308);

    // An account placed before its node had addresses: its web records
    // name the region's server.
    let bakery = AccountBuilder::named("Ana's Bakery")
        .domain("ana-bakery.example.com")
        .region("eu-central")
        .owner(ana)
        .create(&app.pool)
        .await;
    assert_eq!(
        services::sites::placement::adopt(&app.pool, first).await.unwrap(),
        1
    );
    let res = browser
        .post(
            "/domains/new",
            &[
                ("account", &bakery.to_string()),
                ("name", "ana-bakery.example.com"),
            ],
        )
        .await;
    assert_redirect_to(&res, "/domains/ana-bakery.example.com?done=domain_added");
    let zone = web_addresses(&app.pool, "ana-bakery.example.com").await;
    assert!(zone.iter().any(|r| r.contains("203.0.113.10")), "{zone:?}");

    // A wrong address is refused next to its field, keeping what was typed.
    let res = save_node(&staff, first, "192.0.2", "", "500", "1024").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Enter the node&#x27;s public IPv4 address")
            || page.contains("Enter the node's public IPv4 address"),
        "{page}"
    );
    assert!(page.contains("value=\"192.0.2\""), "what was typed stays: {page}");
    let res = save_node(&staff, first, "192.0.2.10", "", "500", "0").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("storage for sites in GB"));

    assert_redirect_to(
        &save_node(&staff, first, "192.0.2.10", "", "500", "1024").await,
        "/staff/nodes?done=node_saved",
    );
    assert_redirect_to(
        &save_node(&staff, second, "192.0.2.20", "2001:db8::20", "500", "1024").await,
        "/staff/nodes?done=node_saved",
    );
    let page = staff.page("/staff/nodes").await;
    assert!(page.contains("192.0.2.20, 2001:db8::20"), "{page}");
    // The node's first addresses replace the region's server in its sites' records.
    let zone = web_addresses(&app.pool, "ana-bakery.example.com").await;
    assert_eq!(zone.len(), 2, "A at @ and www, the region's AAAA gone: {zone:?}");
    assert!(zone.iter().all(|r| r.contains("192.0.2.10")), "{zone:?}");

    // A new account on the first node: its domain's web records name it.
    let shop = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .region("eu-central")
        .owner(ana)
        .create(&app.pool)
        .await;
    assert_eq!(
        services::sites::placement::adopt(&app.pool, first).await.unwrap(),
        1
    );
    let res = browser
        .post(
            "/domains/new",
            &[("account", &shop.to_string()), ("name", "ana-shop.example.com")],
        )
        .await;
    assert_redirect_to(&res, "/domains/ana-shop.example.com?done=domain_added");
    let zone = web_addresses(&app.pool, "ana-shop.example.com").await;
    assert_eq!(zone.len(), 2, "@ and www: {zone:?}");
    assert!(zone.iter().all(|r| r.contains("192.0.2.10")), "{zone:?}");

    // Moved: the records follow to the second node, IPv6 included.
    let res = staff
        .post(
            &format!("/hosting/{shop}/site/move"),
            &[("node", &second.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let zone = web_addresses(&app.pool, "ana-shop.example.com").await;
    assert_eq!(zone.len(), 4, "{zone:?}");
    assert_eq!(
        zone.iter().filter(|r| r.contains("192.0.2.20")).count(),
        2,
        "{zone:?}"
    );
    assert_eq!(
        zone.iter().filter(|r| r.contains("2001:db8::20")).count(),
        2,
        "{zone:?}"
    );
    let history = browser.page("/domains/ana-shop.example.com").await;
    assert!(
        history.contains("Web records followed the site to 192.0.2.20 and 2001:db8::20"),
        "{history}"
    );

    // The node gets a new address: the records follow again.
    assert_redirect_to(
        &save_node(&staff, second, "192.0.2.21", "", "500", "1024").await,
        "/staff/nodes?done=node_saved",
    );
    let zone = web_addresses(&app.pool, "ana-shop.example.com").await;
    assert_eq!(
        zone.iter().filter(|r| r.contains("192.0.2.21")).count(),
        2,
        "{zone:?}"
    );
    assert!(
        !zone.iter().any(|r| r.contains("2001:db8::20")),
        "no IPv6 any more: {zone:?}"
    );
    let page = staff.page("/staff/nodes").await;
    assert_eq!(page.matches("1 of 500").count(), 2, "one site on each: {page}");
    // The bakery stayed on the first node, and so did its records.
    let zone = web_addresses(&app.pool, "ana-bakery.example.com").await;
    assert!(zone.iter().all(|r| r.contains("192.0.2.10")), "{zone:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn nodes_take_sites_while_their_plans_storage_fits(pool: PgPool) {
    let app = spawn_app(pool).await;
    node(&app, "web-fra-1", "eu-central").await;
    node(&app, "web-fra-2", "eu-central").await;
    let (first, second) = (
        node_id(&app.pool, "web-fra-1").await,
        node_id(&app.pool, "web-fra-2").await,
    );
    let (_, staff) = app.staff("sam@example.com").await;
    // 15 GB: one Starter site (10 GB) fits, a second does not.
    assert_redirect_to(
        &save_node(&staff, first, "", "", "500", "15").await,
        "/staff/nodes?done=node_saved",
    );
    assert_redirect_to(
        &save_node(&staff, second, "", "", "500", "1").await,
        "/staff/nodes?done=node_saved",
    );
    let (ana, _) = app.customer("ana@example.com", "Ana").await;
    let mut shops = Vec::new();
    for domain in ["one.example.com", "two.example.com"] {
        shops.push(
            AccountBuilder::named(domain)
                .domain(domain)
                .plan("starter")
                .owner(ana)
                .create(&app.pool)
                .await,
        );
    }
    assert_eq!(
        services::sites::placement::adopt(&app.pool, first).await.unwrap(),
        1
    );
    assert_eq!(
        services::sites::placement::adopt(&app.pool, second)
            .await
            .unwrap(),
        0
    );
    let page = staff.page("/staff/nodes").await;
    assert!(page.contains("plans take 10.0 GB of 15.0 GB"), "{page}");

    // Moving the placed site to the small node is refused, with why.
    let res = staff
        .post(
            &format!("/hosting/{}/site/move", shops[0]),
            &[("node", &second.to_string())],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("has no room for the plan"), "{page}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_portal_checks_sites_from_outside_and_a_plan_pauses_a_site_over_its_bandwidth(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = node(&app, "web-sin-1", "ap-southeast").await;
    let id = node_id(&app.pool, "web-sin-1").await;
    let dir = tempfile::tempdir().unwrap();
    let caddy = caddy().await;
    let agent = agent(&app, &token, &caddy, dir.path());
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let (_, staff) = app.staff("sam@example.com").await;
    // Hobby pauses a site once it has served its 20 GB.
    let blog = AccountBuilder::named("Ana's Blog")
        .domain("ana-blog.example.com")
        .region("ap-southeast")
        .plan("hobby")
        .owner(ana)
        .create(&app.pool)
        .await;
    agent.sync_once(None).await.unwrap();
    agent.check_sites().await.unwrap();
    let page = browser.page(&format!("/hosting/{blog}")).await;
    assert!(!page.contains("From outside the node"), "not checked yet: {page}");

    // From outside: the node's public address (here, loopback) and port.
    assert_redirect_to(
        &save_node(&staff, id, "127.0.0.1", "", "500", "1024").await,
        "/staff/nodes?done=node_saved",
    );
    let port: u16 = caddy.http.rsplit(':').next().unwrap().parse().unwrap();
    let at = |http_port| OutsideChecks {
        http_port,
        timeout: std::time::Duration::from_secs(5),
    };
    let now = time::OffsetDateTime::now_utc();
    assert_eq!(outside::check_all(&app.pool, &at(port), now).await.unwrap(), 1);
    let page = browser.page(&format!("/hosting/{blog}")).await;
    assert!(page.contains("From outside the node: answered 200"), "{page}");
    assert!(page.contains(">Up<"), "{page}");

    // Nothing listening there: down, though the node itself sees it up.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    outside::check_all(&app.pool, &at(closed), now).await.unwrap();
    let page = browser.page(&format!("/hosting/{blog}")).await;
    assert!(
        page.contains("From outside the node: the connection was refused"),
        "{page}"
    );
    assert!(page.contains(">Down<"), "{page}");
    let nodes = staff.page("/staff/nodes").await;
    assert!(nodes.contains("1 site down"), "{nodes}");
    // Something else answers at that address (here, the portal): not the site.
    let portal: u16 = app.base.rsplit(':').next().unwrap().parse().unwrap();
    outside::check_all(&app.pool, &at(portal), now).await.unwrap();
    let page = browser.page(&format!("/hosting/{blog}")).await;
    assert!(page.contains("but not web-sin-1 serving this site"), "{page}");
    assert!(page.contains(">Down<"), "{page}");
    outside::check_all(&app.pool, &at(port), now).await.unwrap();

    // Another node of the region may not speak for this site (usage can
    // pause it).
    let other = node(&app, "web-sin-2", "ap-southeast").await;
    let sample = |bytes: i64| {
        serde_json::json!({ "samples": [{
            "account_id": blog.to_string(),
            "time": now.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "storage_bytes": 1000,
            "bandwidth_bytes": bytes,
        }] })
    };
    let res = app
        .client
        .post(format!("{}/api/usage", app.base))
        .bearer_auth(&other)
        .json(&sample(21_000_000_000))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("or another node serves it"));

    // 21 GB served this month: over the Hobby plan's 20 GB.
    let res = app
        .client
        .post(format!("{}/api/usage", app.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "samples": [{
            "account_id": blog.to_string(),
            "time": now.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "storage_bytes": 1000,
            "bandwidth_bytes": 21_000_000_000i64,
        }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    agent.sync_once(None).await.unwrap();
    let (status, body) = visit(&caddy, "ana-blog.example.com").await;
    assert_eq!(status, 503);
    assert!(body.contains("paused until next month"), "{body}");
    let page = browser.page(&format!("/hosting/{blog}")).await;
    assert!(
        page.contains("served its plan&#x27;s bandwidth for this month")
            || page.contains("served its plan's bandwidth for this month"),
        "{page}"
    );
    assert!(
        page.contains("visitors see it paused"),
        "the feed says so: {page}"
    );
    let metrics = app.metrics().await;
    assert!(metrics.contains("ksf_sites_bandwidth_paused 1"), "{metrics}");

    // A bigger plan that only shows the overage brings it back at once.
    sqlx::query(
        "UPDATE hosting_accounts SET plan_id = (SELECT id FROM plans WHERE code = 'starter') WHERE id = $1",
    )
    .bind(blog)
    .execute(&app.pool)
    .await
    .unwrap();
    agent.sync_once(None).await.unwrap();
    let (status, body) = visit(&caddy, "ana-blog.example.com").await;
    assert_eq!(status, 200, "{body}");
    let page = browser.page(&format!("/hosting/{blog}")).await;
    assert!(page.contains("The site is served again"), "{page}");
}
