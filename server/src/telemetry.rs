//! Logs: text for people or JSON lines for collectors (`KSF_LOG_FORMAT`),
//! filtered by `RUST_LOG`; each request's lines carry its request id, and
//! one access line per request says what was answered. Errors also go to a
//! Sentry-compatible collector when `SENTRY_DSN` is set.

use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::response::Response;
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing::Span;
use tracing_subscriber::{fmt, layer::SubscriberExt, EnvFilter};

const DEFAULT_FILTER: &str = "info,server=info,app=info,services=info,dns_server=info,sqlx=warn,tower_http=info,hickory_server=warn,hickory_proto=warn,hickory_net=warn,hickory_resolver=warn";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event
    Text,
    /// One JSON object per line, with the request's span fields
    Json,
}

/// The subscriber for `format`, writing to `writer` (stderr in the binary,
/// a buffer in tests). With `reporting`, ERROR events also go to the error
/// collector (and lower ones ride along as its breadcrumbs).
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    reporting: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let base = tracing_subscriber::registry()
        .with(filter)
        .with(collector(reporting))
        .with(KeepErrors);
    let lines = fmt::layer().with_target(true).with_writer(writer);
    match format {
        LogFormat::Text => Box::new(base.with(lines)),
        LogFormat::Json => Box::new(
            base.with(
                lines
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            ),
        ),
    }
}

/// Keeps each ERROR event for the staff System page
/// (`services::operations::process`), with its reference when it has one.
struct KeepErrors;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for KeepErrors {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() != tracing::Level::ERROR {
            return;
        }
        let mut fields = ErrorFields::default();
        event.record(&mut fields);
        let mut message = fields.message;
        if let Some(error) = fields.error {
            message = format!("{message}: {error}");
        }
        if let Some(causes) = fields.causes {
            message = format!("{message} {causes}");
        }
        services::operations::process::error(services::operations::process::RecentError {
            at: time::OffsetDateTime::now_utc(),
            reference: fields.reference,
            target: event.metadata().target().to_string(),
            message: message.chars().take(500).collect(),
        });
    }
}

#[derive(Default)]
struct ErrorFields {
    message: String,
    reference: Option<String>,
    error: Option<String>,
    causes: Option<String>,
}

impl tracing::field::Visit for ErrorFields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "reference" => self.reference = Some(format!("{value:?}")),
            "error" => self.error = Some(format!("{value:?}")),
            "causes" => self.causes = Some(format!("{value:?}")),
            _ => {}
        }
    }
}

/// ERROR events as the collector's error events (their fields, such as
/// the reference and causes, ride along).
fn collector<S>(on: bool) -> Option<impl tracing_subscriber::Layer<S>>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use tracing_subscriber::Layer;
    on.then(|| {
        sentry::integrations::tracing::ErrorLayer::new()
            .with_filter(tracing_subscriber::filter::LevelFilter::ERROR)
    })
}

/// Logs to stderr, filtered by `RUST_LOG` (default: info for our crates),
/// and starts error reporting when `SENTRY_DSN` is set. Keep the guard
/// until the process ends: dropping it sends what is still queued.
pub fn init(settings: &crate::config::Settings) -> Option<sentry::ClientInitGuard> {
    let guard = settings.sentry_dsn.clone().map(|dsn| {
        let mut options = sentry::ClientOptions::default();
        options.dsn = Some(dsn);
        options.release = Some(concat!("ksf@", env!("CARGO_PKG_VERSION")).into());
        options.environment = Some(settings.sentry_environment.clone().into());
        // Never cookies, addresses or bodies.
        options.send_default_pii = false;
        sentry::init(options)
    });
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing::subscriber::set_global_default(subscriber(
        settings.log_format,
        filter,
        std::io::stderr,
        guard.is_some(),
    ));
    guard
}

/// A fresh id for each request without one (a proxy's `X-Request-Id` is
/// kept, so one id follows the request through both).
#[derive(Clone, Copy, Default)]
pub struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::new_v4().simple().to_string())
            .ok()
            .map(RequestId::new)
    }
}

/// The request's span: its id, method and route template (never the query
/// string, which may hold an emailed token, nor cookies or bodies).
pub fn request_span(request: &Request) -> Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(64).collect::<String>())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| request.uri().path().to_string(), |m| m.as_str().to_string());
    tracing::info_span!("request", request_id = %id, method = %request.method(), route = %route)
}

/// The access line, in the request's span.
pub fn access_line(response: &Response, latency: Duration, _span: &Span) {
    tracing::info!(
        target: "ksf::access",
        status = response.status().as_u16(),
        duration_ms = latency.as_secs_f64() * 1000.0,
        "answered"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn json_lines_carry_the_request_id_route_and_status() {
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let subscriber = subscriber(
            LogFormat::Json,
            EnvFilter::new("info"),
            move || sink.clone(),
            false,
        );
        tracing::subscriber::with_default(subscriber, || {
            let request = axum::http::Request::builder()
                .uri("/tickets/42?token=secret")
                .header("x-request-id", "abc123")
                .header("cookie", "ksf_session=hunter2")
                .body(axum::body::Body::empty())
                .unwrap();
            let span = request_span(&request);
            let _entered = span.enter();
            let response = axum::http::Response::builder()
                .status(404)
                .body(axum::body::Body::empty())
                .unwrap();
            access_line(&response, Duration::from_millis(12), &span);
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or("")).unwrap();
        assert_eq!(line["status"], 404);
        assert_eq!(line["target"], "ksf::access");
        assert_eq!(line["span"]["request_id"], "abc123");
        assert_eq!(line["span"]["method"], "GET");
        assert_eq!(line["span"]["route"], "/tickets/42");
        assert!(!text.contains("secret") && !text.contains("hunter2"), "{text}");
    }
}
