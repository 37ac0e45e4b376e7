//! Load harness: a realistic mix against the release binary. Prints
//! figures, asserts nothing.
//!
//!   cargo build --release -p server --bin ksf --example load_mix
//!   DATABASE_URL=postgres://… target/release/examples/load_mix [SECONDS USERS CONNECTIONS]
//!
//! Runs the release `ksf` (next to this example's folder) on a scratch
//! database as its own process, seeds USERS (500) customers with a hosting
//! account each (bulk SQL, one shared password hash), signs each in through
//! `/login`, gives each a domain and a ticket through the forms, then for
//! SECONDS (600) keeps CONNECTIONS (200) virtual users busy with a mix of
//! pages, server functions, DNS edits and ticket replies, while 200
//! live-event streams stay open and a hosting node reports 1,000 usage
//! samples a second. Prints, per route, requests, failures (anything but
//! 2xx/3xx, or no answer within 30 s) and p50/p99, and the server's
//! resident memory at 1 minute and at the end.

#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;
#[path = "support/serve.rs"]
mod serve;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scratch::Scratch;
use serve::{number, Error};

const PASSWORD: &str = "load passphrase 1";
const STREAMS: usize = 200;
const SAMPLES_PER_SECOND: usize = 1_000;

/// One route's latencies in ms, and its failures by status (0: no answer).
type Route = (Vec<f64>, BTreeMap<u16, u64>);

#[derive(Default)]
struct Figures(Mutex<BTreeMap<&'static str, Route>>);

impl Figures {
    fn record(&self, route: &'static str, took: Duration, failed: Option<u16>) {
        if let Ok(mut map) = self.0.lock() {
            let entry = map.entry(route).or_default();
            entry.0.push(took.as_secs_f64() * 1000.0);
            if let Some(status) = failed {
                *entry.1.entry(status).or_default() += 1;
            }
        }
    }
}

/// A user of the mix: their session cookie and what they own.
#[derive(Clone)]
struct User {
    cookie: String,
    account: String,
    domain: String,
    ticket: i64,
}

/// The server's resident memory in MB, from /proc.
fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let seconds: usize = number(args.next(), 600, 10..=86_400)?;
    let users: usize = number(args.next(), 500, 10..=100_000)?;
    let connections: usize = number(args.next(), 200, 1..=5_000)?;
    let binary = serve::release_binary("load_mix")?;

    let db = Scratch::open("ksf_load_mix", false).await?;
    services::hosting::plans::seed_catalogue(&db.pool).await?;
    seed(&db.pool, users).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = std::process::Command::new(&binary)
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_ENV", "DEV")
        .env("RUST_LOG", "warn")
        .env("KSF_AUTH_BURST_PER_IP", "1000000")
        .env("KSF_TICKETS_PER_USER_HOUR", "1000000")
        .env("KSF_TICKET_REPLIES_PER_USER_HOUR", "1000000")
        .stdout(std::process::Stdio::null())
        .spawn()?;
    // As a browser asks: the answers' compression is part of the cost.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_ENCODING,
        reqwest::header::HeaderValue::from_static("br, gzip"),
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()?;
    let began = Instant::now();
    serve::wait_ready(&client, &base, &mut server).await?;
    let people = Arc::new(set_up(&client, &base, &db.pool, users).await?);
    println!(
        "{users} users signed in, each with an account, a domain and a ticket, in {:.0} s",
        began.elapsed().as_secs_f64()
    );

    let figures = Arc::new(Figures::default());
    let deadline = Instant::now() + Duration::from_secs(seconds as u64);
    let mut tasks = Vec::new();
    for i in 0..STREAMS.min(people.len()) {
        tasks.push(tokio::spawn(stream(
            client.clone(),
            base.clone(),
            people[i].cookie.clone(),
            deadline,
        )));
    }
    tasks.push(tokio::spawn(ingest(
        client.clone(),
        base.clone(),
        db.pool.clone(),
        deadline,
    )));
    for i in 0..connections {
        let (client, base, people, figures) = (client.clone(), base.clone(), people.clone(), figures.clone());
        tasks.push(tokio::spawn(async move {
            visit(i as u64 + 1, client, base, people, figures, deadline).await
        }));
    }
    let pid = server.id();
    tokio::time::sleep(Duration::from_secs(60).min(Duration::from_secs(seconds as u64))).await;
    let rss_one = rss_mb(pid);
    for task in tasks {
        let _ = task.await;
    }
    let rss_end = rss_mb(pid);
    report(&figures, seconds, rss_one, rss_end);
    let _ = server.kill();
    let _ = server.wait();
    db.close(false).await?;
    Ok(())
}

/// Users and accounts in bulk (one shared hash, as sign-up would make it).
async fn seed(pool: &sqlx::PgPool, users: usize) -> Result<(), Error> {
    let password = domain::Password::parse(PASSWORD).map_err(|e| e.to_string())?;
    let hash = services::passwords::hash_password(&password, services::passwords::HashCost::OWASP).await?;
    sqlx::query(
        "INSERT INTO users (email, display_name, password_hash, role, email_verified_at)
         SELECT 'load' || n || '@example.com', 'Load User ' || n, $2, 'customer', now()
         FROM generate_series(1, $1) n",
    )
    .bind(users as i64)
    .bind(&hash)
    .execute(pool)
    .await?;
    sqlx::query(
        "WITH u AS (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users),
              a AS (INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, status)
                    SELECT 'Load ' || n, (SELECT id FROM plans ORDER BY sort_order LIMIT 1),
                           'site' || n || '.load.example', 'eu-central', 'active' FROM u
                    RETURNING id, primary_domain)
         INSERT INTO hosting_members (account_id, user_id, role)
         SELECT a.id, u.id, 'owner' FROM a JOIN u ON a.primary_domain = 'site' || u.n || '.load.example'",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Signs each user in and gives them a domain and a ticket, through the forms.
async fn set_up(
    client: &reqwest::Client,
    base: &str,
    pool: &sqlx::PgPool,
    users: usize,
) -> Result<Vec<User>, Error> {
    let owned: Vec<(String, uuid::Uuid, String)> = sqlx::query_as(
        "SELECT u.email, a.id, a.primary_domain FROM users u
         JOIN hosting_members m ON m.user_id = u.id JOIN hosting_accounts a ON a.id = m.account_id
         ORDER BY u.email LIMIT $1",
    )
    .bind(users as i64)
    .fetch_all(pool)
    .await?;
    let mut people = Vec::new();
    for (email, account, domain) in owned {
        let cookie = serve::sign_in(client, base, &email, PASSWORD).await?;
        let post = |path: String, form: Vec<(&'static str, String)>| {
            client
                .post(format!("{base}{path}"))
                .header("origin", base)
                .header("cookie", &cookie)
                .form(&form)
                .send()
        };
        post(
            "/domains/new".into(),
            vec![("account", account.to_string()), ("name", domain.clone())],
        )
        .await?;
        let form = reqwest::multipart::Form::new()
            .text("subject", "Load test question")
            .text("category", "technical")
            .text("priority", "normal")
            .text("account", account.to_string())
            .text("body", "Is the site up?")
            .text("intent", "send");
        let res = client
            .post(format!("{base}/support/new"))
            .header("origin", base)
            .header("cookie", &cookie)
            .multipart(form)
            .send()
            .await?;
        let ticket = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| {
                l.trim_start_matches("/support/")
                    .split(['?', '/'])
                    .next()?
                    .parse()
                    .ok()
            })
            .ok_or("opening a ticket gave no ticket page")?;
        people.push(User {
            cookie,
            account: account.to_string(),
            domain,
            ticket,
        });
    }
    Ok(people)
}

/// One virtual user: requests from the mix, back to back, until the deadline.
async fn visit(
    seed: u64,
    client: reqwest::Client,
    base: String,
    people: Arc<Vec<User>>,
    figures: Arc<Figures>,
    deadline: Instant,
) {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64: a cheap, reproducible spread over users and actions.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    while Instant::now() < deadline {
        let user = &people[(next() % people.len() as u64) as usize];
        let roll = next() % 100;
        let get = |path: String| client.get(format!("{base}{path}")).header("cookie", &user.cookie);
        let post = |path: String| {
            client
                .post(format!("{base}{path}"))
                .header("origin", &base)
                .header("cookie", &user.cookie)
        };
        let (route, request) = match roll {
            0..=19 => ("GET /", get("/".into())),
            20..=27 => ("GET /hosting", get("/hosting".into())),
            28..=37 => ("GET /hosting/{id}", get(format!("/hosting/{}", user.account))),
            38..=44 => ("GET /domains", get("/domains".into())),
            45..=54 => ("GET /domains/{name}", get(format!("/domains/{}", user.domain))),
            55..=59 => (
                "POST /domains/{name}/records",
                post(format!("/domains/{}/records", user.domain)).form(&[
                    ("id", ""),
                    ("name", &format!("load{}", next() % 1000)),
                    ("type", "TXT"),
                    ("ttl", "3600"),
                    // Unique: the same record twice is refused (422), rightly.
                    ("content", &format!("load test {}", next())),
                ]),
            ),
            60..=66 => ("GET /support", get("/support".into())),
            67..=76 => ("GET /support/{n}", get(format!("/support/{}", user.ticket))),
            77..=80 => (
                "POST /support/{n}/reply",
                post(format!("/support/{}/reply", user.ticket)).multipart(
                    reqwest::multipart::Form::new()
                        .text("body", "Still checking.")
                        .text("intent", "send"),
                ),
            ),
            81..=87 => ("server fn dashboard/tiles", post("/api/dashboard/tiles".into())),
            88..=93 => ("GET /notifications", get("/notifications".into())),
            _ => ("GET /settings", get("/settings".into())),
        };
        let began = Instant::now();
        let failed = match request.send().await {
            Ok(res) => {
                let status = res.status();
                let good = status.is_success() || status.is_redirection();
                match (good, res.bytes().await.is_ok()) {
                    (true, true) => None,
                    (true, false) => Some(0),
                    (false, _) => Some(status.as_u16()),
                }
            }
            Err(_) => Some(0),
        };
        figures.record(route, began.elapsed(), failed);
    }
}

/// An open live-event stream, reopened if it ends, until the deadline.
async fn stream(client: reqwest::Client, base: String, cookie: String, deadline: Instant) {
    while Instant::now() < deadline {
        let Ok(mut res) = client
            .get(format!("{base}/events"))
            .header("cookie", &cookie)
            .timeout(Duration::from_secs(3600))
            .send()
            .await
        else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        while Instant::now() < deadline {
            match tokio::time::timeout_at(deadline.into(), res.chunk()).await {
                Ok(Ok(Some(_))) => continue,
                _ => break,
            }
        }
    }
}

/// A hosting node reporting usage for random accounts at a steady rate.
async fn ingest(client: reqwest::Client, base: String, pool: sqlx::PgPool, deadline: Instant) {
    let Ok(accounts) = sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM hosting_accounts")
        .fetch_all(&pool)
        .await
    else {
        return;
    };
    let Some(region) = domain::hosting::Region::parse("eu-central") else {
        return;
    };
    let Ok(token) = services::hosting::node_tokens::create_unchecked(&pool, None, "load-node", region).await
    else {
        return;
    };
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut n = 0usize;
    while Instant::now() < deadline {
        tick.tick().await;
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let samples: Vec<serde_json::Value> = (0..SAMPLES_PER_SECOND / 10)
            .map(|i| {
                serde_json::json!({
                    "account_id": accounts[(n + i) % accounts.len()],
                    "time": now, "storage_bytes": 1_000_000_000i64, "bandwidth_bytes": 100_000,
                })
            })
            .collect();
        n += samples.len();
        let _ = client
            .post(format!("{base}/api/usage"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "samples": samples }))
            .send()
            .await;
    }
}

fn report(figures: &Figures, seconds: usize, rss_one: f64, rss_end: f64) {
    let Ok(mut map) = figures.0.lock() else {
        return;
    };
    let (mut total, mut failed) = (0usize, 0u64);
    println!(
        "{:32} {:>9} {:>8} {:>9} {:>9}",
        "route", "requests", "failed", "p50 ms", "p99 ms"
    );
    for (route, (latencies, failures)) in map.iter_mut() {
        latencies.sort_by(f64::total_cmp);
        let at = |p: f64| {
            latencies
                .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let count: u64 = failures.values().sum();
        let statuses: Vec<String> = failures.iter().map(|(s, n)| format!("{n}×{s}")).collect();
        println!(
            "{route:32} {:>9} {count:>8} {:>9.1} {:>9.1}  {}",
            latencies.len(),
            at(0.5),
            at(0.99),
            statuses.join(" ")
        );
        total += latencies.len();
        failed += count;
    }
    println!(
        "all: {total} requests in {seconds} s = {:.0} req/s, {failed} failed; server RSS {rss_one:.0} MB at 1 min, {rss_end:.0} MB at the end ({:+.1} %)",
        total as f64 / seconds as f64,
        100.0 * (rss_end - rss_one) / rss_one.max(1.0)
    );
}
