//! Spawns the real server on an ephemeral port against a test database.

use std::collections::HashMap;

use server::{config::Config, startup::Application};
use services::clock::Clock;
use sqlx::PgPool;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub pool: PgPool,
    /// The server's clock: tests move it forward.
    pub clock: Clock,
    /// The in-process server's settings (the binary's are its own).
    pub config: Option<Config>,
    /// Keeps the site root (static files) alive for the test.
    pub _site: tempfile::TempDir,
    /// Stops the server when the test ends.
    pub _server: Running,
}

/// The server under test: in this process, or the `ksf` binary.
pub enum Running {
    Thread(ServerThread),
    Process(ChildProcess),
}

/// The `ksf` binary under test.
pub struct ChildProcess(pub std::process::Child);

/// The server stops when the test ends.
impl Drop for Running {
    fn drop(&mut self) {
        match self {
            Running::Thread(server) => {
                if let Some(stop) = server.stop.take() {
                    let _ = stop.send(());
                }
            }
            Running::Process(ChildProcess(child)) => {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// The server under test runs on a multi-threaded runtime of its own, as in
/// production, and stops when the test ends.
pub struct ServerThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    /// A new visitor: its own cookie jar, redirects not followed so tests
    /// see them.
    pub fn browser(&self) -> Browser {
        self.browser_with_agent("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    }

    /// A new visitor using a particular browser.
    pub fn browser_with_agent(&self, user_agent: &str) -> Browser {
        Browser {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(user_agent)
                // A request that never ends fails the test instead of hanging it.
                .timeout(request_timeout())
                .build()
                .unwrap(),
        }
    }

    /// The newest email to `to` in the outbox: (kind, text body).
    pub async fn last_email_to(&self, to: &str) -> Option<(String, String)> {
        sqlx::query_as::<_, (String, String)>(
            "SELECT kind, text_body FROM email_outbox WHERE lower(to_address) = lower($1) ORDER BY created_at DESC LIMIT 1",
        )
        .bind(to)
        .fetch_optional(&self.pool)
        .await
        .unwrap()
    }

    pub async fn emails_to(&self, to: &str) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE lower(to_address) = lower($1)")
            .bind(to)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request to the test server")
    }
}

/// How long a test request may take: 20 s, or `KSF_TEST_REQUEST_TIMEOUT`
/// seconds (longer, to catch a stuck request in a debugger).
fn request_timeout() -> std::time::Duration {
    let secs = std::env::var("KSF_TEST_REQUEST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    std::time::Duration::from_secs(secs)
}

/// A site root with the files a cargo-leptos build would put there.
fn site_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    std::fs::create_dir_all(dir.path().join("vendor")).unwrap();
    let css = b"body { color: black }";
    std::fs::write(dir.path().join("pkg/ksf.css"), css).unwrap();
    // The build's compressed copies (scripts/lib/precompress.mjs).
    let mut br = Vec::new();
    brotli::BrotliCompress(&mut &css[..], &mut br, &Default::default()).unwrap();
    std::fs::write(dir.path().join("pkg/ksf.css.br"), br).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, css).unwrap();
    std::fs::write(dir.path().join("pkg/ksf.css.gz"), gz.finish().unwrap()).unwrap();
    // Named by the MD5 of its content, as cargo leptos names files…
    std::fs::write(
        dir.path().join("pkg/ksf.gDLh-1Lt5VjpQCegxs-KlA.js"),
        "export function hydrate() {}",
    )
    .unwrap();
    // …and one rewritten after it was named (`--split` does that).
    std::fs::write(
        dir.path().join("pkg/ksf.gDLh-1Lt5VjpQCegxs-KlA.wasm"),
        "rewritten",
    )
    .unwrap();
    std::fs::write(dir.path().join("vendor/echarts-5.5.1.min.js"), "/* echarts */").unwrap();
    std::fs::write(dir.path().join("favicon.svg"), "<svg/>").unwrap();
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub async fn spawn_app_with(pool: PgPool, extra: &[(&str, &str)]) -> TestApp {
    spawn(pool, extra).await
}

/// The URL of the database a pool connects to.
pub fn database_url(pool: &PgPool) -> String {
    let opts = pool.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        opts.get_username(),
        opts.get_host(),
        opts.get_port(),
        opts.get_database().expect("the test database has a name")
    )
}

/// The `ksf` binary serving the test database, as it runs in production
/// (its own process, its own logging set up from `RUST_LOG`), its stdout
/// and stderr written to `output`.
pub async fn spawn_binary(pool: PgPool, env: &[(&str, &str)], output: &std::path::Path) -> TestApp {
    let site = site_root();
    let addr = format!("127.0.0.1:{}", free_port());
    let database_url = database_url(&pool);
    let log = std::fs::File::create(output).expect("the log file");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ksf"));
    command
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("LEPTOS_SITE_ROOT", site.path())
        .env("LEPTOS_HASH_FILES", "false")
        .env("KSF_DATA_DIR", site.path().join("data"))
        .env("LEPTOS_ENV", "DEV")
        .env(
            "KSF_PASSWORD_HASH_MEMORY_KIB",
            TEST_HASH_COST.memory_kib.to_string(),
        )
        .env(
            "KSF_PASSWORD_HASH_ITERATIONS",
            TEST_HASH_COST.iterations.to_string(),
        )
        .stdout(log.try_clone().expect("the log file"))
        .stderr(log);
    for (k, v) in env {
        command.env(k, v);
    }
    let child = ChildProcess(command.spawn().expect("the ksf binary starts"));
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    eventually(
        "the ksf binary is ready",
        std::time::Duration::from_secs(30),
        || {
            let ready = client.get(format!("{base}/readyz")).send();
            async move { ready.await.ok().filter(|res| res.status() == 200).map(|_| ()) }
        },
    )
    .await;
    TestApp {
        base,
        client,
        pool,
        clock: Clock::system(),
        config: None,
        _site: site,
        _server: Running::Process(child),
    }
}

/// With `KSF_TEST_LOG_DIR` set, every test server logs there, one file per
/// server (`KSF_TEST_LOG` filters, default `debug`): to see what a stuck
/// or failing request did.
fn log_file(addr: &str) -> Option<tracing::Dispatch> {
    let dir = std::env::var("KSF_TEST_LOG_DIR").ok()?;
    let file = std::fs::File::create(format!("{dir}/{}.log", addr.replace(':', "_"))).ok()?;
    let filter = std::env::var("KSF_TEST_LOG").unwrap_or_else(|_| "debug,hyper=info,h2=info".into());
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_thread_ids(true)
        .finish();
    Some(tracing::Dispatch::new(subscriber))
}

async fn spawn(pool: PgPool, extra: &[(&str, &str)]) -> TestApp {
    let site = site_root();
    let mut vars: HashMap<String, String> = HashMap::from([
        // The pool is given; the URL only has to be well-formed.
        ("DATABASE_URL".into(), "postgres://unused@127.0.0.1/unused".into()),
        // A known port, so the site URL (which the CSRF guard compares
        // Origin with) is the address the tests talk to.
        ("LEPTOS_SITE_ADDR".into(), format!("127.0.0.1:{}", free_port())),
        ("LEPTOS_SITE_ROOT".into(), site.path().display().to_string()),
        ("LEPTOS_HASH_FILES".into(), "false".into()),
        // Attachments of this test's tickets, removed with the site root.
        (
            "KSF_DATA_DIR".into(),
            site.path().join("data").display().to_string(),
        ),
        // Tests are development: built-in key, dev mailbox.
        ("LEPTOS_ENV".into(), "DEV".into()),
        // Cheap password hashes (see TEST_HASH_COST).
        (
            "KSF_PASSWORD_HASH_MEMORY_KIB".into(),
            TEST_HASH_COST.memory_kib.to_string(),
        ),
        (
            "KSF_PASSWORD_HASH_ITERATIONS".into(),
            TEST_HASH_COST.iterations.to_string(),
        ),
    ]);
    if let Ok(secs) = std::env::var("KSF_TEST_REQUEST_TIMEOUT") {
        // The server waits as long as the client (see `request_timeout`).
        vars.insert("KSF_REQUEST_TIMEOUT_SECS".into(), secs);
    }
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    if vars.get("LEPTOS_ENV").is_some_and(|env| env != "DEV") {
        // Production refuses a cost below OWASP's.
        vars.remove("KSF_PASSWORD_HASH_MEMORY_KIB");
        vars.remove("KSF_PASSWORD_HASH_ITERATIONS");
    }
    let logs = vars.get("LEPTOS_SITE_ADDR").and_then(|a| log_file(a));
    let config = Config::from_lookup(move |k| vars.get(k).cloned()).expect("test config");
    let kept = config.clone();
    // The server gets a pool of its own on the test database, made the way
    // production makes it: sharing sqlx::test's small, parent-limited pool
    // let parallel tests starve each other of connections.
    let opts = pool.connect_options().as_ref().clone();
    let server_pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(std::time::Duration::from_secs(10))
        // Close each connection after use, so none is left open when
        // sqlx::test drops the test database.
        .after_release(|_conn, _meta| Box::pin(async { Ok(false) }))
        .connect_lazy_with(opts);
    let clock = Clock::system();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready, started) = std::sync::mpsc::channel();
    let server_clock = clock.clone();
    std::thread::spawn(move || {
        // With a log file, every thread of this server logs there: the
        // guards live as long as the threads (this server's only).
        let on_start = logs.clone();
        let _guard = logs.as_ref().map(tracing::dispatcher::set_default);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .on_thread_start(move || {
                if let Some(logs) = &on_start {
                    std::mem::forget(tracing::dispatcher::set_default(logs));
                }
            })
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let application = Application::build_with_clock(&config, server_pool, server_clock)
                .await
                .expect("bind");
            let _ = ready.send(application.local_addr().expect("address"));
            let _ = application
                .run_until(async {
                    let _ = stopped.await;
                })
                .await;
        });
    });
    let addr = started.recv().expect("the test server started");
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::builder().cookie_store(true).build().unwrap(),
        pool,
        clock,
        config: Some(kept),
        _site: site,
        _server: Running::Thread(ServerThread { stop: Some(stop) }),
    }
}

/// Polls `check` (every 20 ms) until it gives `Some`, and returns that;
/// fails naming `what` when `limit` passes first. For what happens in the
/// background (a server starting, webhooks arriving, a zone reloading):
/// never a fixed sleep.
pub async fn eventually<T, F, Fut>(what: &str, limit: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {limit:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

impl TestApp {
    /// What `/metrics` shows now (tests' servers allow any local scrape).
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.base))
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("the metrics")
    }

    /// What the server's services use (to run a background worker's step).
    pub fn deps(&self) -> services::Deps {
        let config = self.config.as_ref().expect("an in-process server");
        server::startup::deps(config, self.pool.clone(), self.clock.clone())
    }
}

pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, &[]).await
}

/// One visitor with a cookie jar.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        let started = std::time::Instant::now();
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        if started.elapsed() > std::time::Duration::from_secs(3) {
            eprintln!("SLOW GET {path}: {:?}", started.elapsed());
        }
        res
    }

    /// A form post as a browser on this site sends it (with its Origin).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let started = std::time::Instant::now();
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("POST");
        if started.elapsed() > std::time::Duration::from_secs(3) {
            eprintln!("SLOW POST {path}: {:?}", started.elapsed());
        }
        res
    }
}

/// Where a redirect points.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The path and query of the first link in an email that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"));
    let rest = &text[start..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    rest[..end].to_string()
}

/// The value of `token=` in a link.
pub fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("token in link").to_string()
}

/// The password of the customers `confirmed_customer` makes.
pub const CUSTOMER_PASSWORD: &str = "a long enough secret";

/// What the tests' password hashes cost: the least Argon2 allows with
/// some memory. The tests prove nothing about the cost (the services'
/// tests of hashing use OWASP's), and they set passwords hundreds of times.
pub const TEST_HASH_COST: services::passwords::HashCost = services::passwords::HashCost {
    memory_kib: 256,
    iterations: 1,
};

/// A confirmed customer made directly through the service layer.
pub async fn confirmed_customer(app: &TestApp, email: &str, name: &str) {
    use domain::{DisplayName, Email, Password, Role};
    services::users::create_user(
        &app.pool,
        services::users::NewUser {
            email: Email::parse(email).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            password: Password::parse(CUSTOMER_PASSWORD).unwrap(),
            role: Role::Customer,
            staff_role: None,
            email_verified: true,
        },
        crate::helpers::TEST_HASH_COST,
    )
    .await
    .unwrap();
}

impl Browser {
    /// Signs in through the sign-in form.
    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            "/login",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

/// A confirmed customer, and a browser signed in as them.
pub async fn signed_in(app: &TestApp) -> Browser {
    confirmed_customer(app, "customer@example.com", "Casey Customer").await;
    let browser = app.browser();
    let res = browser.sign_in("customer@example.com", CUSTOMER_PASSWORD).await;
    assert_eq!(res.status(), 303, "signed in");
    browser
}

/// The value of the first `name="…"` attribute in a page.
pub fn attribute(html: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} attribute in the page"))
        + marker.len();
    html[start..][..html[start..].find('"').unwrap()].to_string()
}

/// The recovery codes shown on a page ("abcde-fghjk").
pub fn recovery_codes_in(html: &str) -> Vec<String> {
    html.split("<code>")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .filter(|c| c.len() == 11 && c.as_bytes()[5] == b'-')
        .map(str::to_string)
        .collect()
}

/// Two-factor as a test user holds it: the seed (their phone) and codes.
pub struct TwoFactor {
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

impl TestApp {
    /// The code the user's phone shows now, by the server's clock.
    pub fn code_now(&self, secret: &str) -> String {
        services::two_factor::code_for_base32(secret, self.clock.now()).unwrap()
    }

    /// The code of the next time step (accepted, and newer than any step
    /// used so far in this instant).
    pub fn next_code(&self, secret: &str) -> String {
        let at = self.clock.now() + time::Duration::seconds(30);
        services::two_factor::code_for_base32(secret, at).unwrap()
    }
}

/// Turns on two-factor through the settings pages, as a user does.
pub async fn enable_two_factor(app: &TestApp, browser: &Browser) -> TwoFactor {
    assert_eq!(
        browser.post("/settings/two-factor/start", &[]).await.status(),
        303
    );
    let page = browser.get("/settings/two-factor").await.text().await.unwrap();
    let secret = attribute(&page, "data-secret");
    let res = browser
        .post("/settings/two-factor/enable", &[("code", &app.code_now(&secret))])
        .await;
    assert_eq!(res.status(), 200, "two-factor turned on");
    let recovery_codes = recovery_codes_in(&res.text().await.unwrap());
    assert_eq!(recovery_codes.len(), 10, "ten recovery codes shown");
    TwoFactor {
        secret,
        recovery_codes,
    }
}

/// Asserts a 303 to exactly `to`.
#[track_caller]
pub fn assert_redirect_to(res: &reqwest::Response, to: &str) {
    assert_eq!(res.status(), 303, "a redirect to {to}");
    assert_eq!(location(res), to);
}

impl Browser {
    /// A page as this visitor sees it: asserts 200 and returns the HTML.
    pub async fn page(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.expect("page body")
    }
}
