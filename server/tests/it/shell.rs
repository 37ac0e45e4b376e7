//! The server as a visitor meets it: health, pages, 404s, assets, limits.

use crate::helpers::{location, signed_in, spawn_app, spawn_app_with};
use std::io::Read;

use sqlx::{postgres::PgPoolOptions, PgPool};

#[sqlx::test(migrations = "../migrations")]
async fn health_and_readiness_answer_when_the_database_does(pool: PgPool) {
    let app = spawn_app(pool).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn readiness_fails_while_the_database_is_unreachable() {
    // Port 1 on loopback: nothing listens there.
    let pool = PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://nobody@127.0.0.1:1/none")
        .unwrap();
    let app = spawn_app(pool).await;
    assert_eq!(app.get("/healthz").await.status(), 200, "the process is still up");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.text().await.unwrap(), "database unavailable");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_dashboard_renders_the_shell_with_every_area(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = signed_in(&app).await;
    let res = browser.get("/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<title>Dashboard · KSFoundation</title>"), "{html}");
    for (href, label) in [
        ("/", "Dashboard"),
        ("/hosting", "Hosting"),
        ("/domains", "Domains"),
        ("/support", "Support"),
        ("/billing", "Billing"),
        ("/settings", "Settings"),
    ] {
        assert!(
            html.contains(&format!("href=\"{href}\"")),
            "link to {href} missing"
        );
        assert!(html.contains(&format!("<span>{label}</span>")), "{label} missing");
    }
    assert!(
        html.contains("aria-current=\"page\""),
        "the current area is marked"
    );
    assert!(
        html.contains("<leptos-island"),
        "the navigation island is on the page"
    );
    assert!(html.contains("/pkg/ksf.css"), "the stylesheet is linked");
    assert!(html.contains("Casey Customer"), "the user menu names the user");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_areas_need_a_signed_in_user(pool: PgPool) {
    let app = spawn_app(pool).await;
    let visitor = app.browser();
    for path in ["/", "/hosting", "/domains", "/support", "/billing", "/settings"] {
        let res = visitor.get(path).await;
        assert_eq!(res.status(), 302, "{path}");
        assert!(location(&res).starts_with("/login?next="), "{path}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_new_customer_sees_an_empty_domains_page_that_says_what_to_do(pool: PgPool) {
    let app = spawn_app(pool).await;
    let html = signed_in(&app).await.get("/domains").await.text().await.unwrap();
    assert!(html.contains("<title>Domains · KSFoundation</title>"));
    assert!(html.contains("No domains yet"));
    assert!(
        html.contains("you need a hosting account where your role can edit DNS"),
        "no account yet: the page says how to get one"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_paths_get_a_friendly_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("href=\"/hosting\""), "the 404 keeps the navigation");
}

#[sqlx::test(migrations = "../migrations")]
async fn hashed_assets_are_cached_for_a_year(pool: PgPool) {
    let app = spawn_app_with(pool, &[("LEPTOS_HASH_FILES", "true")]).await;
    for path in [
        "/pkg/ksf.gDLh-1Lt5VjpQCegxs-KlA.js",
        "/vendor/echarts-5.5.1.min.js",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{path}"
        );
    }
    // A name that is not its content's hash: the file may change under it.
    for path in ["/pkg/ksf.gDLh-1Lt5VjpQCegxs-KlA.wasm", "/pkg/ksf.css"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
    }
    assert_eq!(app.get("/favicon.svg").await.status(), 200);
}

/// A browser revalidates the favicon on every page (it is `no-cache`): an
/// unchanged file answers 304, not the not-found page.
#[sqlx::test(migrations = "../migrations")]
async fn a_revalidated_site_file_is_not_modified(pool: PgPool) {
    let app = spawn_app(pool).await;
    let first = app.get("/favicon.svg").await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let tag = first.headers()["etag"].clone();
    let again = app
        .client
        .get(format!("{}/favicon.svg", app.base))
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(app.get("/no-such-file.svg").await.status(), 404);
}

/// Static files go out as the build compressed them, chosen by what the
/// browser accepts, each encoding with its own ETag, without a session.
#[sqlx::test(migrations = "../migrations")]
async fn static_files_are_sent_as_the_build_compressed_them(pool: PgPool) {
    let app = spawn_app_with(pool, &[("LEPTOS_HASH_FILES", "true")]).await;
    let fetch = |encoding: &'static str| {
        app.client
            .get(format!("{}/pkg/ksf.css", app.base))
            .header("accept-encoding", encoding)
            .send()
    };
    let br = fetch("gzip, deflate, br").await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["vary"], "accept-encoding");
    assert_eq!(br.headers()["content-type"], "text/css; charset=utf-8");
    assert!(br.headers().get("set-cookie").is_none(), "no session for a file");
    let tag = br.headers()["etag"].clone();
    let mut css = String::new();
    brotli::Decompressor::new(&br.bytes().await.unwrap()[..], 4096)
        .read_to_string(&mut css)
        .unwrap();
    assert_eq!(css, "body { color: black }");

    let gzip = fetch("gzip, br;q=0").await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_ne!(gzip.headers()["etag"], tag, "each encoding has its own tag");
    let plain = fetch("identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "body { color: black }");

    let again = app
        .client
        .get(format!("{}/pkg/ksf.css", app.base))
        .header("accept-encoding", "br")
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // A name the build did not make is not cached as if it were forever.
    let missing = app.get("/pkg/ksf.0123456789.css").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["cache-control"], "no-store");
}

#[sqlx::test(migrations = "../migrations")]
async fn unhashed_assets_are_revalidated(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app.get("/pkg/ksf.css").await;
    assert_eq!(res.headers()["cache-control"], "no-cache");
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_are_compressed_for_browsers_that_accept_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app
        .client
        .get(format!("{}/", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

#[sqlx::test(migrations = "../migrations")]
async fn oversized_request_bodies_are_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app
        .client
        .post(format!("{}/api/anything", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 3 * 1024 * 1024])
        .send()
        .await;
    // The server answers 413 from the Content-Length alone; it may close
    // the connection before the client has finished sending, which the
    // client sees as a broken pipe. Either way the body was refused.
    match res {
        Ok(res) => assert_eq!(res.status(), 413),
        Err(e) => {
            let text = format!("{e:?}");
            assert!(
                text.contains("BrokenPipe") || text.contains("ConnectionReset"),
                "refused mid-upload, not some other failure: {text}"
            );
        }
    }
    // A body under the limit is read (and gets the normal answer). A new
    // client: the refused upload's connection was closed by the server,
    // and a pooled one might be reused just as it closes.
    let small = reqwest::Client::new()
        .post(format!("{}/api/anything", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 1024])
        .send()
        .await
        .unwrap();
    assert_ne!(small.status(), 413);
}

#[sqlx::test(migrations = "../migrations")]
async fn every_response_refuses_framing_and_sniffing(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in ["/login", "/no/such/page", "/pkg/ksf.css", "/healthz"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !h.contains_key("strict-transport-security"),
            "no HSTS over plain http"
        );
    }
    let https = spawn_app_with(
        app.pool.clone(),
        &[
            ("KSF_SITE_URL", "https://portal.example.com"),
            // Production: development mode refuses a public address.
            ("LEPTOS_ENV", "PROD"),
            ("KSF_SECRET_KEY", &"0f".repeat(32)),
            ("KSF_NAMESERVERS", "ns1.example.net,ns2.example.net"),
        ],
    )
    .await;
    let res = https.get("/login").await;
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_allow_only_their_own_nonced_inline_scripts(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mut nonces = Vec::new();
    for path in ["/login", "/no/such/page"] {
        let res = app.get(path).await;
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = res.text().await.unwrap();
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap_or_else(|| panic!("{path}: no script-src in {csp}"));
        assert!(!script_src.contains("unsafe-inline"), "{path}: {script_src}");
        assert!(!script_src.contains("unsafe-eval "), "{path}: {script_src}");
        assert!(
            !script_src.contains("http"),
            "{path}: no other origins: {script_src}"
        );
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} in {csp}");
        }
        let nonce = script_src
            .split_whitespace()
            .find_map(|s| s.strip_prefix("'nonce-"))
            .and_then(|s| s.strip_suffix('\''))
            .unwrap_or_else(|| panic!("{path}: no nonce in {script_src}"));
        // Every inline script of the page carries the nonce (a script
        // from a file of ours needs none).
        let scripts = html.matches("<script").count() - html.matches("<script src=\"/").count();
        assert!(scripts > 0, "{path}: the page has its hydration script");
        assert_eq!(
            html.matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                .count()
                + html.matches(&format!("<script nonce=\"{nonce}\"")).count(),
            scripts,
            "{path}: every <script> has this response's nonce"
        );
        nonces.push(nonce.to_string());
    }
    assert_ne!(nonces[0], nonces[1], "a new nonce for every response");
}
