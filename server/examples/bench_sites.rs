//! Benchmark harness for sites on a hosting node: prints figures, asserts
//! nothing.
//!
//!   DATABASE_URL=postgres://… cargo run --release -p server --example bench_sites [SITES]
//!
//! Starts the real server on a scratch database (created and dropped here),
//! a real Caddy and the real agent, with SITES (default 1,000) sites on the
//! node, and measures: the agent's first sync (laying out every site and
//! loading Caddy), a sync with nothing changed, a restarted agent's sync,
//! Caddy's reload of the whole configuration, the time from a new account
//! to its first answer on the node, and from a suspension to its 503 (each
//! 20 times, with the agent following the portal as in production).

// Shared by the benchmarks; not each reads every field.
#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;

use std::time::{Duration, Instant};

use node::caddy::CaddySettings;
use node::{Agent, AgentConfig};
use scratch::Scratch;
use server::{config::Config, startup::Application};
use uuid::Uuid;

const ROUNDS: usize = 20;
/// What a new site's default page says.
const HOSTED: &str = "This site is hosted by";

/// A Caddy of its own, stopped when dropped.
struct Caddy(std::process::Child);

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16, std::io::Error> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name}: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms ({} rounds)",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0,
        times.last().map_or(0.0, |t| t.as_secs_f64() * 1000.0),
        times.len()
    );
}

/// Waits until `host` answers `status` with a page saying `says` on the
/// node (polled every 5 ms). Caddy answers an unknown host with an empty
/// 200, so the page is what tells the site is there.
async fn until(
    http: &reqwest::Client,
    sites: &str,
    host: &str,
    status: u16,
    says: &str,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = http
            .get(format!("http://{sites}/"))
            .header("Host", host)
            .send()
            .await;
        if let Ok(answer) = answer {
            let code = answer.status().as_u16();
            if code == status && answer.text().await.is_ok_and(|t| t.contains(says)) {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("{host} did not answer {status} within 30 s"));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|_| "SITES must be a number")?,
        None => 1_000,
    };
    let db = Scratch::open("ksf_bench_sites", false).await?;
    let (pool, scratch_url) = (db.pool.clone(), db.url.clone());
    services::hosting::plans::seed_catalogue(&pool).await?;
    let region = domain::hosting::Region::parse("eu-central").ok_or("no such region")?;
    let token = services::hosting::node_tokens::create_unchecked(&pool, None, "bench-node", region).await?;
    sqlx::query("UPDATE node_tokens SET capacity_sites = 100000")
        .execute(&pool)
        .await?;
    let node: Uuid = sqlx::query_scalar("SELECT id FROM node_tokens")
        .fetch_one(&pool)
        .await?;
    let plan: Uuid = sqlx::query_scalar("SELECT id FROM plans WHERE code = 'pro'")
        .fetch_one(&pool)
        .await?;
    sqlx::query(
        "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, node_id)
         SELECT 'Bench ' || i, $1, 'site' || i || '.example.com', 'eu-central', $2 FROM generate_series(1, $3) AS i",
    )
    .bind(plan)
    .bind(node)
    .bind(count as i32)
    .execute(&pool)
    .await?;

    let vars = [
        ("DATABASE_URL", scratch_url.clone()),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_string()),
        ("LEPTOS_HASH_FILES", "false".to_string()),
        ("KSF_MAIL_WORKER", "false".to_string()),
        // Development mode: its built-in key (no two-factor secrets here).
        ("LEPTOS_ENV", "DEV".to_string()),
    ];
    let config = Config::from_lookup(move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))?;
    let app = Application::build(&config, server::startup::connection_pool(&config)?).await?;
    let portal = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until(std::future::pending()));

    let home = tempfile::tempdir()?;
    let (admin, sites) = (
        format!("127.0.0.1:{}", free_port()?),
        format!("127.0.0.1:{}", free_port()?),
    );
    let initial = home.path().join("caddy.json");
    std::fs::write(
        &initial,
        serde_json::json!({ "admin": { "listen": admin } }).to_string(),
    )?;
    let _caddy = Caddy(
        std::process::Command::new("caddy")
            .args(["run", "--config"])
            .arg(&initial)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .env("XDG_DATA_HOME", home.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("caddy could not start ({e}): ./scripts/test installs it"))?,
    );
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    while http.get(format!("http://{admin}/config/")).send().await.is_err() {
        if Instant::now() > deadline {
            return Err("Caddy's admin API did not answer".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let settings = CaddySettings {
        admin: admin.clone(),
        listen: sites.clone(),
        access_log: home.path().join("access.log"),
        tls: None,
    };
    let agent_config = AgentConfig {
        portal: portal.clone(),
        token: token.clone(),
        caddy: settings.clone(),
        sites: home.path().join("sites"),
        state_file: home.path().join("state.json"),
    };

    // The first sync: every site laid out, Caddy loaded once.
    let agent = Agent::new(agent_config.clone())?;
    let began = Instant::now();
    agent.sync_once(None).await?;
    println!(
        "first sync of {count} sites (fetch, lay out, load Caddy): {:.0} ms",
        began.elapsed().as_secs_f64() * 1000.0
    );
    until(&http, &sites, &format!("site{count}.example.com"), 200, HOSTED).await?;
    let began = Instant::now();
    agent.sync_once(None).await?;
    println!(
        "sync with nothing changed: {:.0} ms (Caddy not reloaded)",
        began.elapsed().as_secs_f64() * 1000.0
    );
    let restarted = Agent::new(agent_config.clone())?;
    let began = Instant::now();
    restarted.sync_once(None).await?;
    println!(
        "restarted agent's first sync (files in place; Caddy loaded once): {:.0} ms",
        began.elapsed().as_secs_f64() * 1000.0
    );
    let state = agent.remembered().ok_or("no state was kept")?;
    let whole = node::caddy::config(&state, &settings, &agent_config.sites, &[]);
    let bytes = serde_json::to_vec(&whole)?.len();
    let mut reloads = Vec::new();
    for _ in 0..5 {
        let began = Instant::now();
        node::caddy::load(&http, &admin, &whole).await?;
        reloads.push(began.elapsed());
    }
    summary(
        &format!(
            "Caddy reload of {count} sites ({:.0} KB of JSON)",
            bytes as f64 / 1024.0
        ),
        reloads,
    );
    drop(agent);
    drop(restarted);

    // The agent as in production, following the portal.
    let following = std::sync::Arc::new(Agent::new(agent_config)?);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = {
        let following = following.clone();
        tokio::spawn(async move { following.run(stopped).await })
    };
    let mut first_answers = Vec::new();
    let mut suspensions = Vec::new();
    for i in 0..ROUNDS {
        let host = format!("new{i}.example.com");
        let began = Instant::now();
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, node_id)
             VALUES ($1, $2, $3, 'eu-central', $4) RETURNING id",
        )
        .bind(format!("New {i}"))
        .bind(plan)
        .bind(&host)
        .bind(node)
        .fetch_one(&pool)
        .await?;
        until(&http, &sites, &host, 200, HOSTED).await?;
        first_answers.push(began.elapsed());
        let began = Instant::now();
        sqlx::query("UPDATE hosting_accounts SET status = 'suspended' WHERE id = $1")
            .bind(id)
            .execute(&pool)
            .await?;
        until(&http, &sites, &host, 503, "This site is suspended").await?;
        suspensions.push(began.elapsed());
    }
    summary(
        &format!("new account to its first answer on the node ({count} sites there)"),
        first_answers,
    );
    summary("suspension to its 503 page", suspensions);
    let _ = stop.send(true);
    let _ = runner.await;
    Ok(())
}
