//! Sites on hosting nodes, with a real Caddy and the real agent: a new
//! account is placed on a node of its region and answers with its default
//! page; suspension and resumption reach the node; a cancelled site is no
//! longer served; a node sees only its own sites; the agent converges
//! without redoing work and keeps serving without the portal.

use std::path::Path;
use std::time::Duration;

use node::caddy::{CaddySettings, Issuer, TlsSettings};
use node::{Agent, AgentConfig};
use sqlx::PgPool;
use uuid::Uuid;

use crate::builders::AccountBuilder;
use crate::helpers::*;

/// A Caddy of its own: its admin API and where it serves sites.
pub(crate) struct Caddy {
    pub(crate) admin: String,
    pub(crate) http: String,
    /// Where it serves HTTPS, when the agent configures it to.
    pub(crate) https: Option<String>,
    _process: Running,
    _home: tempfile::TempDir,
}

/// A process stopped when the test ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub(crate) async fn caddy() -> Caddy {
    start_caddy(None).await
}

/// A Caddy whose agent also serves HTTPS, with Caddy's own authority.
pub(crate) async fn caddy_with_tls() -> Caddy {
    start_caddy(Some(format!("127.0.0.1:{}", free_port()))).await
}

async fn start_caddy(https: Option<String>) -> Caddy {
    let home = tempfile::tempdir().expect("a home for Caddy");
    let admin = format!("127.0.0.1:{}", free_port());
    let http = format!("127.0.0.1:{}", free_port());
    let config = home.path().join("caddy.json");
    std::fs::write(
        &config,
        serde_json::json!({ "admin": { "listen": admin } }).to_string(),
    )
    .unwrap();
    let process = std::process::Command::new("caddy")
        .args(["run", "--config"])
        .arg(&config)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(Running)
        .expect("caddy is installed (./scripts/test installs it)");
    let url = format!("http://{admin}/config/");
    eventually("Caddy's admin API answers", Duration::from_secs(15), || {
        let url = url.clone();
        async move {
            reqwest::get(&url)
                .await
                .ok()
                .filter(|r| r.status().is_success())
                .map(|_| ())
        }
    })
    .await;
    Caddy {
        admin,
        http,
        https,
        _process: process,
        _home: home,
    }
}

/// The agent of a node following `portal`, with its sites under `dir`.
fn agent_at(portal: &str, token: &str, caddy: &Caddy, dir: &Path) -> Agent {
    Agent::new(AgentConfig {
        portal: portal.to_string(),
        token: token.to_string(),
        caddy: CaddySettings {
            admin: caddy.admin.clone(),
            listen: caddy.http.clone(),
            access_log: dir.join("access.log"),
            tls: caddy.https.clone().map(|listen| TlsSettings {
                listen,
                issuer: Issuer::Internal,
            }),
        },
        sites: dir.join("sites"),
        state_file: dir.join("state.json"),
    })
    .expect("an agent")
}

pub(crate) fn agent(app: &TestApp, token: &str, caddy: &Caddy, dir: &Path) -> Agent {
    agent_at(&app.base, token, caddy, dir)
}

pub(crate) async fn node(app: &TestApp, name: &str, region: &str) -> String {
    services::hosting::node_tokens::create_unchecked(
        &app.pool,
        None,
        name,
        domain::hosting::Region::parse(region).unwrap(),
    )
    .await
    .unwrap()
}

/// What the node answers for `host`: (status, body).
pub(crate) async fn visit(caddy: &Caddy, host: &str) -> (u16, String) {
    let res = reqwest::Client::new()
        .get(format!("http://{}/", caddy.http))
        .header("Host", host)
        .send()
        .await
        .expect("Caddy answers");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

#[sqlx::test(migrations = "../migrations")]
async fn a_new_account_is_served_by_its_node_and_suspension_reaches_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = node(&app, "web-dub-1", "eu-west").await;
    let dir = tempfile::tempdir().unwrap();
    let caddy = caddy().await;
    let agent = agent(&app, &token, &caddy, dir.path());
    let (ana, ana_browser) = app.customer("ana@example.com", "Ana").await;
    let (_, staff) = app.staff("sam@example.com").await;
    let shop = AccountBuilder::named("Ana's <Shop>")
        .domain("ana-shop.example.com")
        .region("eu-west")
        .owner(ana)
        .create(&app.pool)
        .await;

    // Made before the node asked: adopted at its first contact.
    let generation = agent.sync_once(None).await.unwrap().expect("a state");
    let (status, page) = visit(&caddy, "ana-shop.example.com").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("This site is hosted by KSFoundation Hosting"),
        "{page}"
    );
    assert!(
        page.contains("Ana&#39;s &lt;Shop&gt;"),
        "the name, escaped: {page}"
    );
    assert_eq!(visit(&caddy, "www.ana-shop.example.com").await.0, 200, "www too");
    let node_of: Option<Uuid> = sqlx::query_scalar("SELECT node_id FROM hosting_accounts WHERE id = $1")
        .bind(shop)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(node_of.is_some(), "placed on the node");
    let version: Option<String> = sqlx::query_scalar("SELECT agent_version FROM node_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        version.as_deref(),
        Some(env!("CARGO_PKG_VERSION")),
        "the agent's version is recorded"
    );
    let page = ana_browser.page(&format!("/hosting/{shop}")).await;
    assert!(page.contains("Served by web-dub-1"), "{page}");
    assert!(page.contains(r#"href="http://ana-shop.example.com/""#));
    let page = staff.page("/staff/nodes").await;
    assert!(page.contains("1 of 500"), "{page}");
    assert!(page.contains(&format!("ksf-node {}", env!("CARGO_PKG_VERSION"))));
    assert!(!page.contains("agent-silent"));
    // An agent silent for minutes is flagged.
    sqlx::query("UPDATE node_tokens SET agent_seen_at = now() - interval '5 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(staff.page("/staff/nodes").await.contains("agent-silent"));

    // Nothing changed: the portal holds the question, then says so.
    let started = std::time::Instant::now();
    let held = self::agent(&app, &token, &caddy, dir.path());
    let waiting = tokio::spawn(async move { held.sync_once(Some(generation)).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let res = staff
        .post(
            &format!("/hosting/{shop}/suspend"),
            &[("reason", "Unpaid invoice")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let after_suspend = waiting.await.unwrap().unwrap().expect("a newer state");
    assert!(after_suspend > generation);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "woken by the change, not the time-out"
    );
    let agent = self::agent(&app, &token, &caddy, dir.path());
    agent.sync_once(None).await.unwrap();
    let (status, page) = visit(&caddy, "ana-shop.example.com").await;
    assert_eq!(status, 503, "suspended");
    assert!(page.contains("This site is suspended"), "{page}");

    let res = staff.post(&format!("/hosting/{shop}/resume"), &[]).await;
    assert_eq!(res.status(), 303);
    agent.sync_once(Some(after_suspend)).await.unwrap();
    assert_eq!(visit(&caddy, "ana-shop.example.com").await.0, 200, "resumed");

    // A domain added to the account routes to its site.
    sqlx::query(
        "INSERT INTO domains (account_id, name, serial) VALUES ($1, 'ana-blog.example.org', 2026120401)",
    )
    .bind(shop)
    .execute(&app.pool)
    .await
    .unwrap();
    agent.sync_once(None).await.unwrap();
    assert_eq!(visit(&caddy, "www.ana-blog.example.org").await.0, 200);

    // Restarted without the portal: it serves what it applied last.
    drop(app);
    let restarted = self::agent_without_portal(&token, &caddy, dir.path());
    let remembered = restarted.remembered().expect("the state was kept");
    restarted.apply(&remembered).await.unwrap();
    assert_eq!(visit(&caddy, "ana-shop.example.com").await.0, 200);
    assert!(restarted.sync_once(None).await.is_err(), "the portal is gone");
    assert_eq!(visit(&caddy, "ana-shop.example.com").await.0, 200, "still served");
}

fn agent_without_portal(token: &str, caddy: &Caddy, dir: &Path) -> Agent {
    agent_at(&format!("http://127.0.0.1:{}", free_port()), token, caddy, dir)
}

#[sqlx::test(migrations = "../migrations")]
async fn each_node_serves_its_own_region_and_nothing_cancelled(pool: PgPool) {
    let app = spawn_app(pool).await;
    let dublin = node(&app, "web-dub-1", "eu-west").await;
    let frankfurt = node(&app, "web-fra-1", "eu-central").await;
    let (ana, _) = app.customer("ana@example.com", "Ana").await;
    let dub_site = AccountBuilder::named("Dublin")
        .domain("dublin.example.com")
        .region("eu-west")
        .owner(ana)
        .create(&app.pool)
        .await;
    AccountBuilder::named("Frankfurt")
        .domain("frankfurt.example.com")
        .region("eu-central")
        .owner(ana)
        .create(&app.pool)
        .await;
    AccountBuilder::named("Gone")
        .domain("gone.example.com")
        .region("eu-west")
        .cancelled()
        .owner(ana)
        .create(&app.pool)
        .await;
    let client = reqwest::Client::new();
    let state = |token: String| {
        let (client, url) = (
            client.clone(),
            format!("{}{}", app.base, domain::sites::STATE_PATH),
        );
        async move {
            let res = client.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.json::<domain::sites::DesiredState>().await.unwrap()
        }
    };
    let hosts =
        |s: &domain::sites::DesiredState| s.sites.iter().flat_map(|x| x.hosts.clone()).collect::<Vec<_>>();
    let dub = state(dublin.clone()).await;
    assert_eq!(
        hosts(&dub),
        ["dublin.example.com", "www.dublin.example.com"],
        "its region's only, nothing cancelled"
    );
    let fra = state(frankfurt.clone()).await;
    assert_eq!(
        hosts(&fra),
        ["frankfurt.example.com", "www.frankfurt.example.com"]
    );
    assert_eq!(dub.sites[0].id, dub_site);
    let res = client
        .get(format!("{}{}", app.base, domain::sites::STATE_PATH))
        .bearer_auth("ksfnode_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // /metrics counts them (scraped from this machine, which it allows).
    let metrics = client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains(r#"ksf_sites{placed="yes"} 2"#), "{metrics}");
    assert!(metrics.contains("ksf_nodes_silent 0"), "both agents just asked");

    // Cancelled: the site is no longer served.
    sqlx::query("UPDATE hosting_accounts SET status = 'cancelled' WHERE id = $1")
        .bind(dub_site)
        .execute(&app.pool)
        .await
        .unwrap();
    let after = state(dublin).await;
    assert!(after.generation > dub.generation);
    assert!(after.sites.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn accounts_made_in_the_portal_go_to_the_least_used_node_with_room(pool: PgPool) {
    let app = spawn_app(pool).await;
    node(&app, "web-1", "eu-west").await;
    node(&app, "web-2", "eu-west").await;
    sqlx::query("UPDATE node_tokens SET capacity_sites = 1 WHERE name = 'web-2'")
        .execute(&app.pool)
        .await
        .unwrap();
    let browser = signed_in(&app).await;
    services::hosting::plans::seed_catalogue(&app.pool).await.unwrap();
    let plan: Uuid = sqlx::query_scalar(
        "INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency)
         VALUES ('free-10', 'Free 10', 10000000000, 100000000000, 1, 0, 'EUR') RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for n in 1..=3 {
        let res = browser
            .post(
                "/hosting/new",
                &[
                    ("name", &format!("Shop {n}")),
                    ("plan", &plan.to_string()),
                    ("primary_domain", &format!("shop{n}.example.com")),
                    ("region", "eu-west"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "account {n}");
    }
    let placed: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT a.name, n.name FROM hosting_accounts a LEFT JOIN node_tokens n ON n.id = a.node_id ORDER BY a.name",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let on = |node: &str| placed.iter().filter(|(_, n)| n.as_deref() == Some(node)).count();
    assert_eq!(
        (on("web-1"), on("web-2")),
        (2, 1),
        "least used first, web-2 full after one: {placed:?}"
    );
}
