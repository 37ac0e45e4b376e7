//! HTTP benchmark: what compression and static files cost, against the
//! release binary. Prints figures, asserts nothing.
//!
//!   cargo leptos build --release && node scripts/lib/precompress.mjs target/site
//!   cargo build --release -p server --bin ksf --example bench_http
//!   DATABASE_URL=postgres://… target/release/examples/bench_http [SECONDS CONNECTIONS]
//!
//! Runs the release `ksf` (next to this example's folder) on a scratch
//! database with the demo data, serving the site in `LEPTOS_SITE_ROOT`
//! (`target/site`). For SECONDS (10) each, CONNECTIONS (64) clients ask
//! back to back for `/healthz`, the stylesheet (with `Accept-Encoding: br`
//! and without), and, signed in as the demo customer, the dashboard and
//! the demo domain's page, each without `Accept-Encoding` and with
//! `br, gzip` as every browser sends. Prints requests per second and
//! bytes per answer, the two ratios the goals name, and what compressing
//! the dashboard costs at each brotli and gzip level.

#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;
#[path = "support/serve.rs"]
mod serve;

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scratch::Scratch;
use serve::{number, Error};

const BROWSER: &str = "br, gzip";

struct Case {
    name: String,
    path: String,
    encoding: Option<&'static str>,
    cookie: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = number(args.next(), 10, 1..=600)?;
    let connections: u64 = number(args.next(), 64, 1..=1_000)?;
    let binary = serve::release_binary("bench_http")?;
    let site = PathBuf::from(std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()));
    let stylesheet = std::fs::read_dir(site.join("pkg"))
        .map_err(|e| {
            format!(
                "{}: {e} (build the site first: cargo leptos build --release)",
                site.display()
            )
        })?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|name| name.ends_with(".css"))
        .ok_or("the site has no stylesheet under pkg/")?;
    let precompressed = site.join("pkg").join(format!("{stylesheet}.br")).exists();

    let db = Scratch::open("ksf_bench_http", false).await?;
    services::hosting::plans::seed_catalogue(&db.pool).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    services::demo::seed_demo(&db.pool, &base).await?;
    let mut server = std::process::Command::new(&binary)
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", &site)
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("LEPTOS_OUTPUT_NAME", "ksf")
        .env("LEPTOS_ENV", "DEV")
        .env("RUST_LOG", "warn")
        .env("KSF_AUTH_BURST_PER_IP", "1000000")
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections as usize)
        .timeout(Duration::from_secs(30))
        .build()?;
    serve::wait_ready(&client, &base, &mut server).await?;
    let demo = &services::demo::DEMO_LOGINS[0];
    let cookie = match serve::sign_in(&client, &base, demo.email, demo.password).await {
        Ok(cookie) => cookie,
        Err(e) => {
            let _ = server.kill();
            return Err(e);
        }
    };
    let domain: String = sqlx::query_scalar("SELECT name FROM domains ORDER BY created_at LIMIT 1")
        .fetch_one(&db.pool)
        .await?;

    let signed_in = Some(cookie.clone());
    let css = format!("/pkg/{stylesheet}");
    let cases = [
        ("/healthz", "/healthz".to_string(), None, None),
        ("stylesheet, br", css.clone(), Some("br"), None),
        ("stylesheet, no encoding", css, None, None),
        ("dashboard, no encoding", "/".into(), None, signed_in.clone()),
        (
            "dashboard, br, gzip",
            "/".into(),
            Some(BROWSER),
            signed_in.clone(),
        ),
        (
            "domain page, no encoding",
            format!("/domains/{domain}"),
            None,
            signed_in.clone(),
        ),
        (
            "domain page, br, gzip",
            format!("/domains/{domain}"),
            Some(BROWSER),
            signed_in,
        ),
    ]
    .map(|(name, path, encoding, cookie)| Case {
        name: name.into(),
        path,
        encoding,
        cookie,
    });
    println!(
        "{connections} connections, {seconds} s each; site {} ({})",
        site.display(),
        if precompressed {
            "precompressed"
        } else {
            "not precompressed"
        }
    );
    println!(
        "{:<28} {:>10} {:>12} {:>9}",
        "answer", "requests/s", "bytes each", "failures"
    );
    let mut rates = std::collections::HashMap::new();
    for case in &cases {
        let (rate, bytes, failures) = hammer(&client, &base, case, seconds, connections).await;
        println!("{:<28} {rate:>10.0} {bytes:>12.0} {failures:>9}", case.name);
        rates.insert(case.name.as_str(), rate);
    }
    let ratio = |a: &str, b: &str| 100.0 * rates[a] / rates[b].max(f64::MIN_POSITIVE);
    println!(
        "\ncompressed dashboard: {:.0} % of its uncompressed rate (goal: at least 60 %)",
        ratio("dashboard, br, gzip", "dashboard, no encoding")
    );
    println!(
        "stylesheet with br: {:.0} % of /healthz's rate (goal: at least 80 %)",
        ratio("stylesheet, br", "/healthz")
    );

    // What each level costs on the real dashboard.
    let page = client
        .get(format!("{base}/"))
        .header("cookie", &cookie)
        .send()
        .await?
        .bytes()
        .await?;
    let _ = server.kill();
    let _ = server.wait();
    db.close(false).await?;
    println!("\ncompressing the dashboard ({} bytes), best of 20:", page.len());
    println!("{:<10} {:>8} {:>10}", "level", "ms", "bytes");
    for quality in [1, 3, 4, 5, 6, 9, 11] {
        let (ms, size) = best_of(20, || {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality,
                lgwin: 22,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &page[..], &mut out, &params).map(|_| out.len())
        })?;
        println!("{:<10} {ms:>8.2} {size:>10}", format!("br {quality}"));
    }
    for level in [1, 4, 6, 9] {
        let (ms, size) = best_of(20, || {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
            encoder.write_all(&page)?;
            encoder.finish().map(|out| out.len())
        })?;
        println!("{:<10} {ms:>8.2} {size:>10}", format!("gzip {level}"));
    }
    Ok(())
}

/// Requests per second, mean body bytes, and answers that were not 200.
async fn hammer(
    client: &reqwest::Client,
    base: &str,
    case: &Case,
    seconds: u64,
    connections: u64,
) -> (f64, f64, u64) {
    let done = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let began = Instant::now();
    let deadline = began + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let mut request = client.get(format!("{base}{}", case.path));
        if let Some(encoding) = case.encoding {
            request = request.header("accept-encoding", encoding);
        }
        if let Some(cookie) = &case.cookie {
            request = request.header("cookie", cookie);
        }
        let (done, bytes, failed) = (done.clone(), bytes.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let Some(request) = request.try_clone() else {
                    return;
                };
                match request.send().await {
                    Ok(res) if res.status() == reqwest::StatusCode::OK => match res.bytes().await {
                        Ok(body) => {
                            done.fetch_add(1, Ordering::Relaxed);
                            bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                        }
                        Err(_) => _ = failed.fetch_add(1, Ordering::Relaxed),
                    },
                    _ => _ = failed.fetch_add(1, Ordering::Relaxed),
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let n = done.load(Ordering::Relaxed);
    (
        n as f64 / began.elapsed().as_secs_f64(),
        bytes.load(Ordering::Relaxed) as f64 / n.max(1) as f64,
        failed.load(Ordering::Relaxed),
    )
}

/// The fastest of `runs` in ms, and the size the run gave.
fn best_of(runs: usize, mut f: impl FnMut() -> std::io::Result<usize>) -> Result<(f64, usize), Error> {
    let mut best = f64::MAX;
    let mut size = 0;
    for _ in 0..runs {
        let began = Instant::now();
        size = f()?;
        best = best.min(began.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((best, size))
}
