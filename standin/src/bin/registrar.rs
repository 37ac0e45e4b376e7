//! `ksf-registrar-standin`: serves the registrar stand-in (Namecheap's XML
//! API, see `standin::registrar`) until Ctrl-C. From the environment:
//! `REGISTRAR_STANDIN_ADDR` (default 127.0.0.1:12115),
//! `REGISTRAR_STANDIN_API_KEY` (the key the portal must send),
//! `REGISTRAR_STANDIN_DELAY_MS` (how long a registration takes, default
//! 2000) and `REGISTRAR_STANDIN_STATE` (the file its domains are kept in).

use std::time::Duration;

use standin::registrar::{router, RegistrarStandin, DEV_API_KEY};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let listen = var("REGISTRAR_STANDIN_ADDR").unwrap_or_else(|| "127.0.0.1:12115".into());
    let delay = var("REGISTRAR_STANDIN_DELAY_MS")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(2000)
        .min(60_000);
    let key = var("REGISTRAR_STANDIN_API_KEY").unwrap_or_else(|| DEV_API_KEY.into());
    let standin = RegistrarStandin::new(
        &key,
        Duration::from_millis(delay),
        var("REGISTRAR_STANDIN_STATE").map(Into::into),
    );
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(error) => {
            eprintln!("ksf-registrar-standin: cannot listen on {listen}: {error}");
            std::process::exit(1);
        }
    };
    tracing::info!(%listen, "registrar stand-in listening (no real domains are registered)");
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(error) = axum::serve(listener, router(standin))
        .with_graceful_shutdown(stop)
        .await
    {
        eprintln!("ksf-registrar-standin: {error}");
        std::process::exit(1);
    }
}
