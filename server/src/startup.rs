//! The HTTP application: router, middleware and the listening server.

use std::{future::Future, net::SocketAddr, path::PathBuf, time::Duration};

use app::api::{AppState, Settings};
use app::services::clock::Clock;
use app::{shell, App};
use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::IntoResponse,
    routing::get,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use sqlx::{postgres::PgPoolOptions, PgPool};
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer, services::ServeDir,
    set_header::SetResponseHeaderLayer, timeout::TimeoutLayer, trace::TraceLayer,
};

use crate::config::Config;

/// Largest request body we accept (forms, server functions).
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A pool that connects on first use, so the server starts (and reports
/// "not ready") while the database is down.
pub fn connection_pool(config: &Config) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy(&config.database_url)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let check = tokio::time::timeout(
        Duration::from_secs(3),
        app::services::health::database_ready(&state.pool),
    );
    match check.await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
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

/// Compiled assets under `/pkg` carry a content hash in their names, and
/// vendored files a version, so browsers may keep them for a year.
fn static_assets(options: &LeptosOptions) -> Router<AppState> {
    let site_root = PathBuf::from(options.site_root.as_ref());
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new()
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            ServeDir::new(site_root.join(options.site_pkg_dir.as_ref()))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .nest_service(
            "/vendor",
            ServeDir::new(site_root.join("vendor")).precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache),
        ))
}

/// Headers every response carries. HTML pages set their own CSP with the
/// nonce of their hydration scripts (see `app::shell`); everything else
/// gets this one, which allows no inline script at all.
fn security_headers(router: Router, https: bool) -> Router {
    let router = router
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

pub fn router(state: AppState, config: &Config) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let pool = state.pool.clone();
        move || provide_context(pool.clone())
    };
    let options = state.leptos_options.clone();
    let mut pages = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .merge(app::api::accounts::routes(state.settings.ip_limit))
        .merge(app::api::sessions::routes())
        .merge(app::api::two_factor::routes())
        .merge(app::api::hosting::routes())
        .merge(app::api::staff::routes());
    if state.settings.dev_mode {
        pages = pages.merge(app::api::mailbox::routes());
    }
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(pages)
        .merge(static_assets(&state.leptos_options))
        // Anything else: a file from the site root (favicon) or the 404 page.
        .fallback(file_and_error_handler_with_context::<AppState, _>(context, shell))
        // Every page and form (the 404 page too) knows who is signed in.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            app::api::session::resolve_session,
        ))
        // Outside the session layer: a forged request never reaches it.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            app::api::csrf::refuse_cross_site,
        ))
        // The hosting nodes' API authenticates by bearer token only, never
        // by cookie: it needs neither the session nor the CSRF guard.
        .merge(app::api::usage::routes())
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        // Spans carry the path only: query strings hold emailed tokens.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state);
    security_headers(router, config.site_url.starts_with("https://"))
}

/// A bound, not yet running server. Binding first lets tests use port 0.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub async fn build(config: &Config, pool: PgPool) -> std::io::Result<Self> {
        Self::build_with_clock(config, pool, Clock::system()).await
    }

    /// As `build`, deciding time-based matters (step-up age, codes) by
    /// `clock`: tests pass one they can move forward.
    pub async fn build_with_clock(config: &Config, pool: PgPool, clock: Clock) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.site_addr).await?;
        let state = AppState {
            leptos_options: config.leptos.clone(),
            pool,
            settings: std::sync::Arc::new(Settings {
                site_url: config.site_url.clone(),
                dev_mode: config.is_dev(),
                ip_limit: config.ip_limit,
                secret_key: config.secret_key.clone(),
                clock,
                staff_two_factor_required: config.staff_two_factor_required,
            }),
        };
        Ok(Self {
            listener,
            router: router(state, config),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
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
