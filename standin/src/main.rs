//! `ksf-stripe-standin`: serves the Stripe stand-in until Ctrl-C. Settings
//! from the environment (see `StandinConfig::from_env`).

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = match standin::StandinConfig::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("ksf-stripe-standin: {message}");
            std::process::exit(2);
        }
    };
    if let Err(error) = standin::run(config).await {
        eprintln!("ksf-stripe-standin: {error}");
        std::process::exit(1);
    }
}
