use tracing_subscriber::{fmt, EnvFilter};

/// Logs to stderr, filtered by `RUST_LOG` (default: info for our crates).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,server=info,app=info,sqlx=warn,tower_http=info,hickory_server=warn,hickory_proto=warn,hickory_net=warn,hickory_resolver=warn"));
    let _ = fmt().with_env_filter(filter).with_target(true).try_init();
}
