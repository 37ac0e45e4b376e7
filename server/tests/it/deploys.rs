//! Deploys, with a real Caddy and the real agent: a customer uploads their
//! site and the node serves it; an earlier deploy can be put back; archives
//! that would escape the site, link out of it or explode are refused with
//! words the customer understands, by the portal and again by the node;
//! a node reaches only its own sites' archives.

use std::io::Write;
use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use crate::builders::AccountBuilder;
use crate::helpers::*;
use crate::sites::{agent, caddy, node, visit};
use domain::MemberRole;

pub(crate) fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in entries {
        out.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(body.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn tar_gz(build: impl FnOnce(&mut tar::Builder<flate2::write::GzEncoder<Vec<u8>>>)) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut out = tar::Builder::new(gz);
    build(&mut out);
    out.into_inner().unwrap().finish().unwrap()
}

fn regular(size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h
}

/// Uploads `bytes` as `file_name` through the account page's form.
pub(crate) async fn upload(
    browser: &Browser,
    account: Uuid,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "archive",
        reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
    );
    browser
        .client
        .post(format!("{}/hosting/{account}/deploys", browser.base))
        .header("origin", &browser.base)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn deploys(pool: &PgPool) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT file_name, status, error FROM site_deploys ORDER BY created_at, id")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_deploys_their_site_and_puts_an_earlier_one_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = node(&app, "web-dub-1", "eu-west").await;
    let dir = tempfile::tempdir().unwrap();
    let caddy = caddy().await;
    let agent = agent(&app, &token, &caddy, dir.path());
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let (viewer, viewer_browser) = app.customer("vic@example.com", "Vic").await;
    let shop = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .region("eu-west")
        .owner(ana)
        .member(viewer, MemberRole::Viewer)
        .create(&app.pool)
        .await;
    agent.sync_once(None).await.unwrap();
    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("Nothing uploaded yet"), "{page}");
    assert!(page.contains("Upload and deploy"));

    let v1 = zip_of(&[
        ("site/index.html", "<h1>Version one</h1>"),
        ("site/css/site.css", "h1{}"),
    ]);
    let res = upload(&browser, shop, "site-v1.zip", v1).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("/hosting/{shop}?done=site_uploaded#site"));
    assert_eq!(deploys(&app.pool).await[0].1, "pending");
    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("Deploying"), "{page}");
    assert!(
        page.contains(&format!(
            r#"http-equiv="refresh" content="3; url=/hosting/{shop}""#
        )),
        "the page looks again until it is live"
    );

    // The node downloads it, unpacks it from its folder, switches to it.
    agent.sync_once(None).await.unwrap();
    let (status, body) = visit(&caddy, "ana-shop.example.com").await;
    assert_eq!((status, body.as_str()), (200, "<h1>Version one</h1>"));
    assert_eq!(deploys(&app.pool).await[0].1, "deployed");

    // Usage is measured on the node: the files it serves (20 + 4 bytes),
    // the bytes Caddy sent for its hosts (two visits of 20 bytes).
    visit(&caddy, "www.ana-shop.example.com").await;
    eventually("the node's figures reach the portal", Duration::from_secs(10), || async {
        agent.measure_once().await.expect("posted");
        let (storage, sent): (i64, i64) = sqlx::query_as(
            "SELECT max(storage_bytes)::bigint, sum(bandwidth_bytes)::bigint FROM usage_samples WHERE account_id = $1",
        )
        .bind(shop)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(storage, 24, "the size of the files served");
        (sent == 40).then_some(())
    })
    .await;
    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("24 B of "), "storage measured: {page}");

    let v2 = tar_gz(|t| {
        let body = b"<h1>Version two</h1>";
        t.append_data(&mut regular(body.len() as u64), "./index.html", &body[..])
            .unwrap();
    });
    assert_eq!(upload(&browser, shop, "site-v2.tar.gz", v2).await.status(), 303);
    agent.sync_once(None).await.unwrap();
    assert_eq!(
        visit(&caddy, "www.ana-shop.example.com").await.1,
        "<h1>Version two</h1>"
    );

    // The history says who, what and which is live; the earlier one can
    // be put back, and it is back at once (it is still on the node).
    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("site-v2.tar.gz"), "{page}");
    assert!(page.contains("by Ana"));
    assert!(page.contains("2 files"), "files counted: {page}");
    assert!(!page.contains(r#"http-equiv="refresh""#), "nothing is pending");
    assert!(
        page.contains("Ana uploaded site-v1.zip ("),
        "in the activity feed"
    );
    let v1_id: Uuid = sqlx::query_scalar("SELECT id FROM site_deploys WHERE file_name = 'site-v1.zip'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(page.contains("Put back site-v1.zip"));
    let res = browser
        .post(
            &format!("/hosting/{shop}/deploys/rollback"),
            &[("deploy", &v1_id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);
    agent.sync_once(None).await.unwrap();
    assert_eq!(
        visit(&caddy, "ana-shop.example.com").await.1,
        "<h1>Version one</h1>"
    );
    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(
        page.contains("put back the site uploaded as site-v1.zip"),
        "{page}"
    );

    // A viewer sees the history but cannot deploy.
    let page = viewer_browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("site-v2.tar.gz"));
    assert!(!page.contains("Upload and deploy"));
    let res = upload(&viewer_browser, shop, "mine.zip", zip_of(&[("index.html", "x")])).await;
    assert_eq!(res.status(), 403);
    assert_eq!(deploys(&app.pool).await.len(), 2);

    // A restarted agent neither downloads nor reports again: the portal
    // could drop the archives and the site would not notice.
    sqlx::query("UPDATE site_deploys SET archive = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    let restarted = self::agent(&app, &token, &caddy, dir.path());
    restarted.sync_once(None).await.unwrap();
    assert_eq!(
        visit(&caddy, "ana-shop.example.com").await.1,
        "<h1>Version one</h1>"
    );
    assert!(deploys(&app.pool).await.iter().all(|d| d.1 == "deployed"));
}

#[sqlx::test(migrations = "../migrations")]
async fn harmful_archives_are_refused_by_the_portal_and_by_the_node(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = node(&app, "web-dub-1", "eu-west").await;
    let other_node = node(&app, "web-dub-2", "eu-west").await;
    let dir = tempfile::tempdir().unwrap();
    let caddy = caddy().await;
    let agent = agent(&app, &token, &caddy, dir.path());
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let shop = AccountBuilder::named("Ana's Shop")
        .domain("ana-shop.example.com")
        .region("eu-west")
        .owner(ana)
        .create(&app.pool)
        .await;
    agent.sync_once(None).await.unwrap();
    let good = zip_of(&[("index.html", "<h1>Good</h1>")]);
    assert_eq!(upload(&browser, shop, "good.zip", good).await.status(), 303);
    agent.sync_once(None).await.unwrap();

    let slip = zip_of(&[("index.html", "x"), ("../../etc/cron.d/evil", "x")]);
    let link = tar_gz(|t| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        t.append_link(&mut h, "secrets", "/etc/shadow").unwrap();
    });
    let zeros = vec![0u8; 40 << 20];
    let bomb = tar_gz(|t| {
        t.append_data(&mut regular(zeros.len() as u64), "index.html", &zeros[..])
            .unwrap()
    });
    for (name, bytes, says) in [
        ("slip.zip", slip.clone(), "points outside the site's folder"),
        ("link.tar.gz", link, "is a link: site archives may not hold links"),
        ("bomb.tar.gz", bomb, "which only archive bombs do"),
        (
            "notes.txt",
            b"just text".to_vec(),
            "That file is not a .zip or .tar.gz archive.",
        ),
    ] {
        let res = upload(&browser, shop, name, bytes).await;
        assert_eq!(res.status(), 422, "{name}");
        let page = res.text().await.unwrap();
        assert!(page.contains(says), "{name}: {page}");
        assert!(page.contains("Upload and deploy"), "the form is shown again");
    }
    assert_eq!(deploys(&app.pool).await.len(), 1, "nothing refused was kept");

    // Another node cannot fetch this site's archive, nor report on it.
    let good_id: Uuid = sqlx::query_scalar("SELECT id FROM site_deploys")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let stranger = reqwest::Client::new();
    let url = format!("{}{}", app.base, domain::sites::release_path(good_id));
    let res = stranger.get(&url).bearer_auth(&other_node).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = stranger
        .post(&url)
        .bearer_auth(&other_node)
        .json(&serde_json::json!({ "error": "nope", "files": 0, "bytes": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(stranger.get(&url).send().await.unwrap().status(), 401);

    // An archive that reached the database some other way is refused by
    // the node too: the site keeps its files, the customer reads why.
    sqlx::query(
        "INSERT INTO site_deploys (id, account_id, created_at, file_name, format, archive_bytes, files, unpacked_bytes, archive)
         VALUES ('00000000-0000-0000-0000-00000000d00d', $1, now(), 'sneaky.zip', 'zip', $2, 2, 2, $3)",
    )
    .bind(shop)
    .bind(slip.len() as i64)
    .bind(&slip)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE hosting_accounts SET release_id = '00000000-0000-0000-0000-00000000d00d' WHERE id = $1",
    )
    .bind(shop)
    .execute(&app.pool)
    .await
    .unwrap();
    agent.sync_once(None).await.unwrap();
    assert_eq!(visit(&caddy, "ana-shop.example.com").await.1, "<h1>Good</h1>");
    let sneaky = deploys(&app.pool).await.pop().unwrap();
    assert_eq!(sneaky.1, "failed");
    assert!(sneaky.2.unwrap().contains("points outside the site's folder"));
    assert!(
        !dir.path().join("etc").exists() && !dir.path().join("sites/etc").exists(),
        "nothing was written outside the site"
    );
    let live: Option<Uuid> = sqlx::query_scalar("SELECT release_id FROM hosting_accounts WHERE id = $1")
        .bind(shop)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(live, Some(good_id), "the site went back to the last good deploy");
    agent.sync_once(None).await.unwrap();
    let page = browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("The hosting node refused sneaky.zip"), "{page}");

    // Every archive is read whole: an account gets 30 uploads an hour,
    // refused ones included (4 so far: text is refused before reading).
    for i in 0..26 {
        let res = upload(
            &browser,
            shop,
            &format!("again-{i}.zip"),
            zip_of(&[("index.html", "x")]),
        )
        .await;
        assert_eq!(res.status(), 303);
    }
    let res = upload(&browser, shop, "one-more.zip", zip_of(&[("index.html", "x")])).await;
    assert_eq!(res.status(), 429);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("This site has had 30 uploads in the last hour."));
}
