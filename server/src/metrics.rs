//! `/metrics` for Prometheus: requests by route template, the database
//! pool, queues, live streams and the housekeeping jobs. Served only to
//! an allowed address that is not behind a proxy, or with the bearer token.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;

const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder: installed once (every server in a test process
/// shares it), rendered by each `/metrics`.
pub fn recorder() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
                .and_then(|b| b.install_recorder());
            match built {
                Ok(handle) => {
                    metrics::gauge!("ksf_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
                    Some(handle)
                }
                Err(error) => {
                    tracing::warn!(%error, "metrics: no recorder; /metrics answers 503");
                    None
                }
            }
        })
        .clone()
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Peers allowed without a token (requests through a proxy never are).
    pub allow: Vec<ipnet::IpNet>,
    /// `Authorization: Bearer …` for anyone else.
    pub token: Option<String>,
}

#[derive(Clone)]
struct Scrape {
    handle: Option<PrometheusHandle>,
    pool: PgPool,
    hub: Arc<services::realtime::Hub>,
    access: Arc<Access>,
}

pub fn routes<S>(pool: PgPool, hub: Arc<services::realtime::Hub>, access: Access) -> Router<S> {
    Router::new().route("/metrics", get(metrics)).with_state(Scrape {
        handle: recorder(),
        pool,
        hub,
        access: Arc::new(access),
    })
}

fn same(a: &[u8], b: &[u8]) -> bool {
    // Constant time for equal lengths: the token is not guessed byte by byte.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn allowed(access: &Access, peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let (Some(token), Some(given)) = (&access.token, bearer) {
        return same(token.as_bytes(), given.trim().as_bytes());
    }
    let proxied = headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
    !proxied && peer.is_some_and(|p| access.allow.iter().any(|net| net.contains(&p.ip())))
}

async fn metrics(State(scrape): State<Scrape>, request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if !allowed(&scrape.access, peer, request.headers()) {
        return (
            StatusCode::FORBIDDEN,
            "Forbidden: see KSF_METRICS_ALLOW and KSF_METRICS_TOKEN\n",
        )
            .into_response();
    }
    let Some(handle) = scrape.handle else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no metrics recorder\n").into_response();
    };
    let pool = &scrape.pool;
    let idle = pool.num_idle() as f64;
    metrics::gauge!("ksf_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("ksf_db_pool_connections", "state" => "in_use").set(f64::from(pool.size()) - idle);
    metrics::gauge!("ksf_db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    // How long a request would wait for a connection right now (the pool
    // reports no waits of its own): near zero until the pool is exhausted.
    let asked = std::time::Instant::now();
    if let Ok(connection) = pool.acquire().await {
        metrics::gauge!("ksf_db_pool_acquire_seconds").set(asked.elapsed().as_secs_f64());
        drop(connection);
    }
    metrics::gauge!("ksf_live_streams").set(scrape.hub.open_streams() as f64);
    match services::operations::queues(pool).await {
        Ok(q) => {
            metrics::gauge!("ksf_outbox_pending").set(q.outbox_pending as f64);
            metrics::gauge!("ksf_outbox_oldest_pending_seconds").set(q.outbox_oldest_seconds);
            metrics::gauge!("ksf_emails_24h", "status" => "sent").set(q.emails_sent_24h as f64);
            metrics::gauge!("ksf_emails_24h", "status" => "failed").set(q.emails_failed_24h as f64);
            metrics::gauge!("ksf_stripe_webhooks_pending").set(q.webhooks_pending as f64);
            metrics::gauge!("ksf_stripe_webhooks_oldest_pending_seconds").set(q.webhooks_oldest_seconds);
            metrics::gauge!("ksf_stripe_webhooks_retrying").set(q.webhooks_retrying as f64);
            // Unset until the provider has reported on an email.
            for (window, rate) in [("24h", q.delivery_rate_24h), ("30d", q.delivery_rate_30d)] {
                if let Some(rate) = rate {
                    metrics::gauge!("ksf_email_delivery_rate", "window" => window).set(rate);
                }
            }
            metrics::gauge!("ksf_email_suppressed_addresses").set(q.suppressed_addresses as f64);
            metrics::gauge!("ksf_domain_orders_pending").set(q.domain_orders_pending as f64);
            metrics::gauge!("ksf_domain_orders_oldest_pending_seconds").set(q.domain_orders_oldest_seconds);
            metrics::gauge!("ksf_domains_registered").set(q.domains_registered as f64);
            metrics::gauge!("ksf_sites", "placed" => "yes").set(q.sites_placed as f64);
            metrics::gauge!("ksf_sites", "placed" => "no").set(q.sites_unplaced as f64);
            metrics::gauge!("ksf_nodes_silent").set(q.nodes_silent as f64);
            metrics::gauge!("ksf_sites_down").set(q.sites_down as f64);
            metrics::gauge!("ksf_site_certificates_attention").set(q.certificates_attention as f64);
            metrics::gauge!("ksf_site_deploys_pending").set(q.deploys_pending as f64);
            metrics::gauge!("ksf_site_removals_pending").set(q.site_removals_pending as f64);
            metrics::gauge!("ksf_sites_bandwidth_paused").set(q.sites_bandwidth_paused as f64);
            metrics::gauge!("ksf_users_locked").set(q.users_locked as f64);
            metrics::gauge!("ksf_two_factor_resets_waiting").set(q.two_factor_resets_waiting as f64);
            metrics::gauge!("ksf_staff_viewing_as_customer").set(q.views_as_customer as f64);
            metrics::gauge!("ksf_data_exports_pending").set(q.data_exports_pending as f64);
            metrics::gauge!("ksf_database_up").set(1.0);
        }
        Err(error) => {
            tracing::warn!(%error, "metrics: could not read the queues");
            metrics::gauge!("ksf_database_up").set(0.0);
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        handle.render(),
    )
        .into_response()
}

/// Counts each request and times it, by method, route template (never the
/// raw path: ids would make a series per account) and status.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let path = request.uri().path();
    // The built assets and files from the site root are one series.
    let static_file = path.starts_with("/pkg/")
        || path.starts_with("/vendor/")
        || matches!(
            path,
            "/favicon.svg" | "/favicon.ico" | "/router-guard.js" | "/error-report.js"
        );
    let route = match request.extensions().get::<MatchedPath>() {
        _ if static_file => "static".to_string(),
        Some(matched) => matched.as_str().to_string(),
        None => "unmatched".to_string(),
    };
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("ksf_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("ksf_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A housekeeping job's outcome: its failures counted, its last success
/// timed, so an alert can say "nothing ran for an hour".
pub fn job<T, E: std::fmt::Display>(name: &'static str, result: &Result<T, E>) {
    services::operations::process::job(name, result);
    match result {
        Ok(_) => metrics::gauge!("ksf_job_last_success_timestamp_seconds", "job" => name).set(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        ),
        Err(_) => metrics::counter!("ksf_job_failures_total", "job" => name).increment(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_peers_not_behind_a_proxy_or_the_token_may_read() {
        let access = Access {
            allow: vec!["127.0.0.0/8".parse().unwrap()],
            token: Some("s3cret-token-for-prometheus".into()),
        };
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let far: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        assert!(allowed(&access, Some(local), &headers));
        assert!(!allowed(&access, Some(far), &headers));
        assert!(!allowed(&access, None, &headers));
        headers.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert!(
            !allowed(&access, Some(local), &headers),
            "a proxied request is not local"
        );
        headers.insert(
            header::AUTHORIZATION,
            "Bearer s3cret-token-for-prometheus".parse().unwrap(),
        );
        assert!(allowed(&access, Some(far), &headers));
        headers.insert(
            header::AUTHORIZATION,
            "Bearer s3cret-token-for-prometheuz".parse().unwrap(),
        );
        assert!(
            !allowed(&access, Some(local), &headers),
            "a wrong token is refused"
        );
    }
}
