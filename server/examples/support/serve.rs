//! What the benchmarks that run the release server share: their
//! command-line numbers, finding the `ksf` binary, waiting for it to be
//! ready, and signing a customer in.

use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

pub type Error = Box<dyn std::error::Error>;

/// A command-line number, `default` when absent, refused outside `range`.
pub fn number<T>(arg: Option<String>, default: T, range: std::ops::RangeInclusive<T>) -> Result<T, Error>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    match arg {
        None => Ok(default),
        Some(a) => a
            .parse()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| format!("{a}: expected {}..={}", range.start(), range.end()).into()),
    }
}

/// The `ksf` built beside this example (`target/release/ksf`).
pub fn release_binary(example: &str) -> Result<PathBuf, Error> {
    std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|dir| dir.join("ksf"))
        .filter(|p| p.exists())
        .ok_or_else(|| {
            format!("build the server first: cargo build --release -p server --bin ksf --example {example}")
                .into()
        })
}

/// Waits up to 30 s for `/readyz`; stops `server` if it never answers.
pub async fn wait_ready(client: &reqwest::Client, base: &str, server: &mut Child) -> Result<(), Error> {
    let began = Instant::now();
    while !client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
    {
        if began.elapsed() > Duration::from_secs(30) {
            let _ = server.kill();
            return Err("the server did not become ready".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Signs `email` in through the sign-in form; the session's cookie header.
pub async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> Result<String, Error> {
    let res = client
        .post(format!("{base}/login"))
        .header("origin", base)
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await?;
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ");
    if res.status() != 303 || cookie.is_empty() {
        return Err(format!("signing in {email}: HTTP {}", res.status()).into());
    }
    Ok(cookie)
}
