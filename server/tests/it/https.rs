//! HTTPS and health on hosting nodes, with a real Caddy and its own
//! certificate authority: every host of a site gets a certificate, the
//! agent reads what Caddy presents and how the site answers, and reports
//! it; the account page and the dashboard show it.

use sqlx::PgPool;

use crate::builders::AccountBuilder;
use crate::helpers::*;
use crate::sites::{agent, caddy_with_tls, node};

#[sqlx::test(migrations = "../migrations")]
async fn each_host_of_a_site_gets_a_certificate_the_account_page_shows(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = node(&app, "web-sin-1", "ap-southeast").await;
    let other = node(&app, "web-sin-2", "ap-southeast").await;
    let dir = tempfile::tempdir().unwrap();
    let caddy = caddy_with_tls().await;
    let agent = agent(&app, &token, &caddy, dir.path());
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let shop = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .region("ap-southeast")
        .owner(ana)
        .create(&app.pool)
        .await;
    agent.sync_once(None).await.unwrap();

    // Caddy's authority signs at once; the agent reads what is presented.
    let https = caddy.https.clone().unwrap();
    let issued = eventually(
        "both hosts have certificates",
        std::time::Duration::from_secs(20),
        || async {
            assert_eq!(agent.check_sites().await.unwrap(), 1);
            let rows: Vec<(String, Option<String>, Option<time::OffsetDateTime>)> =
                sqlx::query_as("SELECT host, issuer, expires_at FROM site_certificates ORDER BY host")
                    .fetch_all(&app.pool)
                    .await
                    .unwrap();
            (rows.len() == 2 && rows.iter().all(|r| r.2.is_some())).then_some(rows)
        },
    )
    .await;
    assert_eq!(issued[0].0, "ana-shop.example.com");
    assert_eq!(issued[1].0, "www.ana-shop.example.com");
    assert!(
        issued[0]
            .1
            .as_deref()
            .unwrap()
            .starts_with("Caddy Local Authority"),
        "{issued:?}"
    );
    assert!(issued[0].2.unwrap() > time::OffsetDateTime::now_utc());

    // The site answers over HTTPS (trusting the node's authority here).
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .resolve("ana-shop.example.com", https.parse().unwrap())
        .build()
        .unwrap();
    let port = https.rsplit(':').next().unwrap();
    let res = client
        .get(format!("https://ana-shop.example.com:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("This site is hosted by"));

    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("www.ana-shop.example.com"), "{page}");
    assert!(page.contains("Issued by Caddy Local Authority"), "{page}");
    assert!(!page.contains("overdue for renewal"), "just issued: {page}");

    // The node asked the site for its home page, through its own Caddy.
    assert!(page.contains("Answered 200 in"), "{page}");
    let dashboard = browser.page("/").await;
    assert!(dashboard.contains("Sites up"), "{dashboard}");
    assert!(dashboard.contains("1 of 1"), "{dashboard}");

    // Caddy gone: the next round says the site does not answer.
    drop(caddy);
    assert_eq!(agent.check_sites().await.unwrap(), 1);
    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("No answer:"), "{page}");
    let dashboard = browser.page("/").await;
    assert!(dashboard.contains("1 not answering"), "{dashboard}");
    let metrics = app.metrics().await;
    assert!(metrics.contains("ksf_sites_down 1"), "{metrics}");
    // Up, then down: each change tells the live dashboards.
    let changes: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE kind = 'site' AND account_id = $1")
            .bind(shop)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(changes, 2);
    // Nor could its certificates be read: both hosts need a look.
    assert!(metrics.contains("ksf_site_certificates_attention 2"), "{metrics}");

    // Another node's report on this site is ignored.
    let res = reqwest::Client::new()
        .post(format!("{}{}", app.base, domain::sites::SITES_REPORT_PATH))
        .bearer_auth(&other)
        .json(&serde_json::json!({ "sites": [{ "id": shop, "certificates": [] }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["recorded"], 0);
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM site_certificates")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(kept, 2);
    let up: bool = sqlx::query_scalar("SELECT up FROM site_health")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        !up,
        "another node's report changed nothing (it would have removed the row)"
    );
}
