//! Spawns the real server on an ephemeral port against a test database.

use std::collections::HashMap;

use server::{config::Config, startup::Application};
use sqlx::PgPool;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// Keeps the site root (static files) alive for the test.
    pub _site: tempfile::TempDir,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request to the test server")
    }
}

/// A site root with the files a cargo-leptos build would put there.
fn site_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    std::fs::create_dir_all(dir.path().join("vendor")).unwrap();
    std::fs::write(dir.path().join("pkg/ksf.css"), "body { color: black }").unwrap();
    std::fs::write(dir.path().join("vendor/echarts-5.5.1.min.js"), "/* echarts */").unwrap();
    std::fs::write(dir.path().join("favicon.svg"), "<svg/>").unwrap();
    dir
}

pub async fn spawn_app_with(pool: PgPool, extra: &[(&str, &str)]) -> TestApp {
    let site = site_root();
    let mut vars: HashMap<String, String> = HashMap::from([
        // The pool is given; the URL only has to be well-formed.
        ("DATABASE_URL".into(), "postgres://unused@127.0.0.1/unused".into()),
        ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
        ("LEPTOS_SITE_ROOT".into(), site.path().display().to_string()),
        ("LEPTOS_HASH_FILES".into(), "false".into()),
    ]);
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(move |k| vars.get(k).cloned()).expect("test config");
    let application = Application::build(&config, pool).await.expect("bind");
    let base = format!("http://{}", application.local_addr().unwrap());
    tokio::spawn(application.run_until(std::future::pending()));
    TestApp {
        base,
        client: reqwest::Client::builder().cookie_store(true).build().unwrap(),
        _site: site,
    }
}

pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, &[]).await
}
