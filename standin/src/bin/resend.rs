//! `ksf-resend-standin`: serves the Resend stand-in until Ctrl-C (see
//! `standin::resend`). From the environment: `RESEND_STANDIN_ADDR` (default
//! 127.0.0.1:12112), `RESEND_STANDIN_WEBHOOK_URL` (the portal's
//! `/webhooks/resend`; unset: no reports) and `RESEND_WEBHOOK_SECRET`.

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let listen = var("RESEND_STANDIN_ADDR").unwrap_or_else(|| "127.0.0.1:12112".into());
    let webhooks = match (var("RESEND_STANDIN_WEBHOOK_URL"), var("RESEND_WEBHOOK_SECRET")) {
        (Some(url), Some(secret)) => Some(standin::resend::Webhooks { url, secret }),
        (Some(_), None) => {
            eprintln!(
                "ksf-resend-standin: RESEND_STANDIN_WEBHOOK_URL needs RESEND_WEBHOOK_SECRET to sign with"
            );
            std::process::exit(2);
        }
        _ => None,
    };
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(error) => {
            eprintln!("ksf-resend-standin: cannot listen on {listen}: {error}");
            std::process::exit(1);
        }
    };
    let standin = standin::resend::ResendStandin::default();
    if let Some(webhooks) = webhooks {
        standin.report_to(webhooks);
    }
    tracing::info!(%listen, "resend stand-in listening");
    let app = standin::resend::router(standin);
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(stop).await {
        eprintln!("ksf-resend-standin: {error}");
        std::process::exit(1);
    }
}
