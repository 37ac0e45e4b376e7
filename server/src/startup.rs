//! The HTTP application: router, middleware and the listening server.

use std::{future::Future, net::SocketAddr, path::PathBuf, time::Duration};

use app::api::{AppState, Settings};
use app::{shell, App};
use axum::{
    extract::State,
    handler::Handler,
    http::{header, HeaderValue, StatusCode},
    response::IntoResponse,
    routing::get,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use services::clock::Clock;
use services::identity::Links;
use services::Deps;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower_http::{
    compression::{CompressionLayer, CompressionLevel},
    limit::RequestBodyLimitLayer,
    request_id::{PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::assets::Assets;
use crate::config::Config;

/// Largest request body we accept (forms, server functions).
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A pool that connects on first use, so the server starts (and reports
/// "not ready") while the database is down.
pub fn connection_pool(config: &Config) -> Result<PgPool, sqlx::Error> {
    connection_pool_limited(config, None)
}

/// The same, with each statement limited to `statement_timeout` (lock
/// waits included): a stuck query fails with a clear error instead of
/// holding a request and a connection. Serving uses it; migrations and
/// backups, which may rightly run long, do not.
pub fn connection_pool_limited(
    config: &Config,
    statement_timeout: Option<Duration>,
) -> Result<PgPool, sqlx::Error> {
    Ok(PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy_with(connect_options(&config.database_url, statement_timeout)?))
}

/// How the server's connections are set up; benchmarks use it too, so
/// they measure what serving does.
pub fn connect_options(
    database_url: &str,
    statement_timeout: Option<Duration>,
) -> Result<PgConnectOptions, sqlx::Error> {
    let options: PgConnectOptions = database_url.parse()?;
    // JIT compiling costs 10-200 ms and pays off only for long analytic
    // queries; ours are short, and an estimate that crosses its threshold
    // (the directory's search did, at 5 ms of real work) makes a fast
    // query slow.
    let mut settings = vec![("jit", "off".to_string())];
    if let Some(limit) = statement_timeout {
        settings.push(("statement_timeout", format!("{}ms", limit.as_millis())));
    }
    Ok(options.options(settings))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let check = tokio::time::timeout(
        Duration::from_secs(3),
        services::health::database_ready(&state.deps.pool),
    );
    match check.await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(error @ services::health::NotReady::Migrations(_))) => {
            tracing::warn!(%error, "readiness check: schema behind this release");
            (StatusCode::SERVICE_UNAVAILABLE, "migrations pending")
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!("readiness check: database timed out");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Answers that set no caching of their own are never stored by a browser
/// or proxy: pages show personal data (a two-factor secret, invoices), and
/// so do server functions' and forms' answers. Static files set their own
/// (`assets`).
async fn no_store(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Headers every response carries. HTML pages set their own CSP with the
/// nonce of their hydration scripts (see `app::shell`); everything else
/// gets this one, which allows no inline script at all.
fn security_headers(router: Router, https: bool) -> Router {
    let router = router
        .layer(axum::middleware::from_fn(no_store))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; \
                 form-action 'self'; frame-ancestors 'none'",
            ),
        ));
    if https {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ))
    } else {
        router
    }
}

/// The app's routes, listed once per process.
///
/// Listing them renders the app with `SuppressResourceLoad` on, a
/// process-wide flag: every resource created anywhere in the process
/// meanwhile waits forever. One server per process lists its routes
/// before serving, but a process that builds a second router while the
/// first serves (the test suite: a server per test) would leave some
/// renders hanging — the "page render that never finished" that made the
/// suite run one test at a time. Listing once, before any router exists,
/// means no render can ever overlap it.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState, config: &Config, assets: &Assets) -> Router {
    let routes = route_list();
    let context = {
        let pool = state.deps.pool.clone();
        move || {
            provide_context(pool.clone());
            app::api::edge::csp::provide_request_nonce();
        }
    };
    let options = state.leptos_options.clone();
    let mut forms = Router::new()
        .merge(app::api::identity::routes(state.settings.ip_limit))
        .merge(app::api::tickets::forms::routes())
        .merge(app::api::tickets::files::routes())
        .merge(app::api::tickets::parts::routes())
        .merge(app::api::registrations::parts::routes())
        .merge(app::api::dns::parts::routes())
        .merge(app::api::sessions::routes())
        .merge(app::api::mail::routes())
        .merge(app::api::client_errors::routes())
        .merge(app::api::two_factor::routes())
        .merge(app::api::hosting::forms::routes())
        .merge(app::api::sites::forms::routes())
        .merge(app::api::sites::nodes::routes())
        .merge(app::api::customers::routes())
        .merge(app::api::billing::forms::routes())
        .merge(app::api::dns::forms::routes())
        .merge(app::api::registrations::forms::routes())
        .merge(app::api::staff::routes())
        .merge(app::api::team::routes())
        .merge(app::api::export::routes())
        .merge(app::api::audit::routes())
        .merge(app::api::dashboard::routes())
        .merge(app::api::notifications::routes())
        .merge(app::api::live::routes());
    if state.settings.dev_mode {
        forms = forms.merge(app::api::mailbox::routes());
    }
    // Everything but uploads is small; the ticket forms take files.
    let forms = forms
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(
            app::api::tickets::forms::upload_routes().layer(RequestBodyLimitLayer::new(
                app::api::tickets::forms::MAX_UPLOAD_BYTES,
            )),
        )
        .merge(
            app::api::dns::forms::upload_routes()
                .layer(RequestBodyLimitLayer::new(app::api::dns::forms::MAX_IMPORT_BYTES)),
        )
        .merge(
            app::api::sites::forms::upload_routes()
                .layer(RequestBodyLimitLayer::new(app::api::sites::forms::MAX_FORM_BYTES)),
        );
    // Form answers that are pages are rendered here, inside the session
    // layer (they show who is signed in).
    let forms = forms.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        app::api::edge::forms::render_pages,
    ));
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(forms);
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(pages)
        // Anything else: the 404 page.
        .fallback_service(
            file_and_error_handler_with_context::<AppState, _>(context, shell).with_state(state.clone()),
        )
        // Every page and form (the 404 page too) knows who is signed in.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            app::api::edge::auth::resolve_session,
        ))
        // Outside the session layer: a forged request never reaches it.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            app::api::edge::csrf::refuse_cross_site,
        ))
        // The hosting nodes' API authenticates by bearer token only, never
        // by cookie: it needs neither the session nor the CSRF guard.
        .merge(app::api::usage::routes())
        .merge(app::api::sites::node_routes())
        // Static files need no session (and are the same for everyone).
        .merge(assets.routes(&state.leptos_options.site_pkg_dir))
        // Stripe's webhooks authenticate by signature, never by cookie.
        .merge(app::api::billing::forms::webhook_routes())
        // So do Resend's (Svix signatures).
        .merge(app::api::mail::webhook_routes())
        // Prometheus: by address or bearer token, never by cookie.
        .merge(crate::metrics::routes(
            state.deps.pool.clone(),
            state.hub.clone(),
            config.metrics.clone(),
        ))
        // The client's address (through trusted proxies), for every layer
        // and handler inside.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            app::api::edge::auth::client_address,
        ))
        .layer(axum::middleware::from_fn(
            app::api::edge::forms::islands_router_status,
        ))
        // Outside everything that renders: the nonce exists before any page.
        .layer(axum::middleware::from_fn(
            app::api::edge::csp::content_security_policy,
        ))
        // Pages are compressed per request, so at a level that costs less
        // than rendering them: bench_http prints each level's cost, and
        // brotli 4 makes the 71 KB dashboard 11 KB (as small as gzip 9) in
        // 0.9 ms, where brotli's default (11) took 69 ms. Static files
        // come compressed already (assets.rs).
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        // Each route group has its own limit (above, for bodies sent without
        // a length); this refuses a declared oversized body at once.
        .layer(axum::middleware::from_fn(declared_body_limit))
        .layer(RequestBodyLimitLayer::new(LARGEST_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        // Each request's lines carry its id and route (never its query
        // string: it may hold an emailed token); one access line each.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::telemetry::request_span)
                .on_request(())
                .on_response(crate::telemetry::access_line)
                // A 500 is logged once, by the error path, with the
                // reference the user was shown (and so reported once).
                .on_failure(()),
        )
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(crate::telemetry::NewRequestId))
        .with_state(state);
    security_headers(router, config.site_url.starts_with("https://"))
}

/// The largest body any route takes (a site's archive).
const LARGEST_BODY_BYTES: usize = app::api::sites::forms::MAX_FORM_BYTES;

/// 413 for a request whose `Content-Length` is over its route's limit,
/// before anything else looks at it: 2 MiB, or more for the forms that
/// take files (tickets' attachments, a site's archive).
async fn declared_body_limit(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (method, path) = (request.method(), request.uri().path());
    let limit = if app::api::tickets::forms::takes_files(method, path) {
        app::api::tickets::forms::MAX_UPLOAD_BYTES
    } else if app::api::sites::forms::takes_archive(method, path) {
        app::api::sites::forms::MAX_FORM_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    next.run(request).await
}

/// The chart library's URL: the `vendor/echarts-<hash>.min.js` the set-up
/// scripts bundled (its name changes with its content).
fn echarts_url(options: &LeptosOptions) -> String {
    let dir = PathBuf::from(options.site_root.as_ref()).join("vendor");
    let found = std::fs::read_dir(&dir).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().to_string())
            .find(|name| name.starts_with("echarts-") && name.ends_with(".js"))
    });
    match found {
        Some(name) => format!("/vendor/{name}"),
        None => {
            tracing::warn!(dir = %dir.display(), "no ECharts build found: charts will not be drawn (their tables still show)");
            "/vendor/echarts.min.js".into()
        }
    }
}

/// What the services use, from the configuration.
pub fn deps(config: &Config, pool: PgPool, clock: Clock) -> Deps {
    Deps {
        pool,
        links: Links {
            site_url: config.site_url.clone(),
        },
        secret_key: config.secret_key.clone(),
        limits: config.limits,
        clock,
        support: services::tickets::SupportSettings {
            storage: services::tickets::files::Storage::local(&config.data_dir),
            address: config.support_email.clone(),
        },
        billing: config.billing.clone(),
        dns: config.dns.clone(),
        registrations: config.registrations.clone(),
        password_cost: config.password_hash,
    }
}

/// A bound, not yet running server. Binding first lets tests use port 0.
pub struct Application {
    listener: TcpListener,
    router: Router,
    hub: std::sync::Arc<services::realtime::Hub>,
}

impl Application {
    pub async fn build(config: &Config, pool: PgPool) -> std::io::Result<Self> {
        Self::build_with_clock(config, pool, Clock::system()).await
    }

    /// As `build`, deciding time-based matters (step-up age, codes) by
    /// `clock`: tests pass one they can move forward.
    pub async fn build_with_clock(config: &Config, pool: PgPool, clock: Clock) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.site_addr).await?;
        let hub = services::realtime::Hub::start(pool.clone());
        let state = AppState::new(app::api::Shared {
            leptos_options: config.leptos.clone(),
            deps: deps(config, pool, clock),
            hub: hub.clone(),
            settings: std::sync::Arc::new(Settings {
                dev_mode: config.is_dev(),
                secure_cookies: config.site_url.starts_with("https://"),
                site_url: config.site_url.clone(),
                ip_limit: config.ip_limit,
                trusted_proxies: config.trusted_proxies.clone(),
                staff_two_factor_required: config.staff_two_factor_required,
                echarts_url: echarts_url(&config.leptos),
                resend_webhook_secret: config.mail.webhook_secret.clone(),
            }),
        });
        let assets = Assets::load(
            &PathBuf::from(config.leptos.site_root.as_ref()),
            &config.leptos.site_pkg_dir,
            config.leptos.hash_files,
        )?;
        Ok(Self {
            listener,
            router: router(state, config, &assets),
            hub,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown`; then open live streams end, in-flight
    /// requests finish, and it returns.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let hub = self.hub.clone();
        let shutdown = async move {
            shutdown.await;
            tracing::info!("stopping: ending live streams and finishing requests in flight");
            hub.close();
        };
        axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
