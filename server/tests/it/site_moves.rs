//! Sites leaving a node, with real Caddies and agents: staff move a site
//! to another node of its region (the new node downloads its files, the
//! old one deletes them); a cancelled site's files stay for the retention
//! period and are deleted after it, when the portal names them.

use sqlx::PgPool;
use uuid::Uuid;

use crate::builders::AccountBuilder;
use crate::deploys::{upload, zip_of};
use crate::helpers::*;
use crate::sites::{agent, caddy, node, visit};

async fn removals(pool: &PgPool) -> Vec<(String, bool)> {
    sqlx::query_as("SELECT reason, done_at IS NOT NULL FROM site_removals ORDER BY reason")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_moved_site_is_served_by_its_new_node_and_deleted_from_the_old(pool: PgPool) {
    let app = spawn_app(pool).await;
    let first_token = node(&app, "web-fra-1", "eu-central").await;
    let second_token = node(&app, "web-fra-2", "eu-central").await;
    let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (first_caddy, second_caddy) = (caddy().await, caddy().await);
    let first = agent(&app, &first_token, &first_caddy, first_dir.path());
    let second = agent(&app, &second_token, &second_caddy, second_dir.path());
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let (_, staff) = app.staff("sam@example.com").await;
    let shop = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .region("eu-central")
        .owner(ana)
        .create(&app.pool)
        .await;
    // The first node to ask adopts it.
    first.sync_once(None).await.unwrap();
    let res = upload(
        &browser,
        shop,
        "site.zip",
        zip_of(&[("index.html", "<h1>Moving</h1>")]),
    )
    .await;
    assert_eq!(res.status(), 303);
    first.sync_once(None).await.unwrap();
    assert_eq!(
        visit(&first_caddy, "ana-shop.example.com").await.1,
        "<h1>Moving</h1>"
    );
    let site_dir = first_dir.path().join("sites").join(shop.to_string());
    assert!(site_dir.is_dir());

    // Customers cannot move sites; staff see the nodes of the region.
    assert!(!browser
        .page(&format!("/hosting/{shop}"))
        .await
        .contains("Move to another node"));
    let page = staff.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("Move to another node"), "{page}");
    assert!(page.contains("web-fra-2 (0 of 500 sites)"), "{page}");
    let second_id: Uuid = sqlx::query_scalar("SELECT id FROM node_tokens WHERE name = 'web-fra-2'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = browser
        .post(
            &format!("/hosting/{shop}/site/move"),
            &[("node", &second_id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 403, "not the customer's to do");
    let res = staff
        .post(
            &format!("/hosting/{shop}/site/move"),
            &[("node", &second_id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);

    // The old node, not yet told, still measures the site: the portal
    // refuses it now, and that refused sample never holds back a later round.
    let refused = first.measure_once().await.unwrap_err().to_string();
    assert!(refused.contains("refused 1 of 1 samples"), "{refused}");

    // The new node downloads the live deploy; the old one stops serving
    // the site and deletes its files, and says so.
    second.sync_once(None).await.unwrap();
    assert_eq!(
        visit(&second_caddy, "ana-shop.example.com").await.1,
        "<h1>Moving</h1>"
    );
    first.sync_once(None).await.unwrap();
    assert_ne!(
        visit(&first_caddy, "ana-shop.example.com").await.1,
        "<h1>Moving</h1>"
    );
    assert!(!site_dir.exists(), "the old node deleted the files");
    assert_eq!(first.measure_once().await.unwrap(), 0, "nothing left to send");
    assert_eq!(removals(&app.pool).await, [("moved".to_string(), false)]);
    first.check_sites().await.unwrap();
    assert_eq!(removals(&app.pool).await, [("moved".to_string(), true)]);
    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("Served by web-fra-2"), "{page}");
    assert!(
        page.contains("moved the site to the hosting node web-fra-2"),
        "{page}"
    );

    // Cancelled: no longer served, its files kept for the retention period…
    sqlx::query("UPDATE hosting_accounts SET status = 'cancelled', cancelled_at = now() WHERE id = $1")
        .bind(shop)
        .execute(&app.pool)
        .await
        .unwrap();
    second.sync_once(None).await.unwrap();
    let kept = second_dir.path().join("sites").join(shop.to_string());
    assert!(kept.is_dir(), "kept during the retention period");
    assert_ne!(
        visit(&second_caddy, "ana-shop.example.com").await.1,
        "<h1>Moving</h1>"
    );
    // …and deleted once it is over (moved here rather than waiting).
    sqlx::query("UPDATE site_removals SET due_at = now() - interval '1 minute' WHERE reason = 'cancelled'")
        .execute(&app.pool)
        .await
        .unwrap();
    second.sync_once(None).await.unwrap();
    assert!(!kept.exists(), "deleted after the retention period");
    second.check_sites().await.unwrap();
    assert_eq!(
        removals(&app.pool).await,
        [("cancelled".to_string(), true), ("moved".to_string(), true)]
    );
}
