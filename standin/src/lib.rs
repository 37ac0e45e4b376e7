//! A local stand-in for the parts of Stripe the portal uses, for
//! development and tests on machines without Stripe keys (the
//! `ksf-stripe-standin` binary, which production builds do not contain). The portal reaches it only through the Stripe
//! client's base URL, exactly as it reaches Stripe.
//!
//! Objects start from Stripe's own published example objects
//! (`fixtures.json`, MIT, see `FIXTURES-LICENSE`) with the fields that
//! matter overwritten, so the client parses them as it parses Stripe's.
//! Hosted pages (checkout, billing portal, invoice) say plainly that they
//! take test cards and no real money. Webhooks are signed with the
//! endpoint secret and retried until the portal acknowledges them; test
//! switches duplicate, delay and reorder them.

mod api;
mod hosted;
pub mod registrar;
pub mod resend;
mod store;
mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;

pub use store::{Card, Store};
pub use webhooks::Switches;

/// How the stand-in is reached and where it sends webhooks.
#[derive(Debug, Clone)]
pub struct StandinConfig {
    pub listen: SocketAddr,
    /// Its own address as browsers reach it (hosted pages' URLs).
    pub public_url: String,
    /// The portal's webhook endpoint, e.g. http://127.0.0.1:3000/webhooks/stripe.
    pub webhook_url: Option<String>,
    pub webhook_secret: String,
    /// Where objects are kept between restarts (none: memory only).
    pub state_file: Option<std::path::PathBuf>,
}

impl StandinConfig {
    /// From `STRIPE_STANDIN_ADDR`, `STRIPE_STANDIN_URL`,
    /// `STRIPE_STANDIN_WEBHOOK_URL`, `STRIPE_WEBHOOK_SECRET` and
    /// `STRIPE_STANDIN_STATE`.
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let listen: SocketAddr = var("STRIPE_STANDIN_ADDR")
            .unwrap_or_else(|| "127.0.0.1:12111".into())
            .parse()
            .map_err(|e| format!("STRIPE_STANDIN_ADDR: {e}"))?;
        Ok(Self {
            listen,
            public_url: var("STRIPE_STANDIN_URL")
                .unwrap_or_else(|| format!("http://{listen}"))
                .trim_end_matches('/')
                .to_string(),
            webhook_url: var("STRIPE_STANDIN_WEBHOOK_URL"),
            webhook_secret: var("STRIPE_WEBHOOK_SECRET").unwrap_or_else(|| DEV_WEBHOOK_SECRET.into()),
            state_file: var("STRIPE_STANDIN_STATE").map(Into::into),
        })
    }
}

/// The signing secret the scripts give both sides in development.
pub const DEV_WEBHOOK_SECRET: &str = "whsec_ksf_development_only";

/// What every handler shares.
#[derive(Clone)]
pub struct Standin {
    pub config: Arc<StandinConfig>,
    pub store: Arc<Mutex<Store>>,
    pub outbox: webhooks::Sender,
}

impl Standin {
    /// Loads the saved objects (if any) and starts the webhook sender.
    pub fn start(config: StandinConfig) -> Self {
        let mut store = config
            .state_file
            .as_deref()
            .and_then(Store::load)
            .unwrap_or_default();
        store.public_url = config.public_url.clone();
        let outbox = webhooks::start(config.webhook_url.clone(), config.webhook_secret.clone());
        Self {
            config: Arc::new(config),
            store: Arc::new(Mutex::new(store)),
            outbox,
        }
    }

    /// Runs `f` on the objects, saves them, and sends the events it made.
    pub fn change<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let (value, events) = {
            let mut store = match self.store.lock() {
                Ok(store) => store,
                Err(poisoned) => poisoned.into_inner(),
            };
            let value = f(&mut store);
            let events = std::mem::take(&mut store.unsent);
            if let Some(path) = &self.config.state_file {
                store.save(path);
            }
            (value, events)
        };
        self.outbox.send(events);
        value
    }

    /// Reads the objects.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        match self.store.lock() {
            Ok(store) => f(&store),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }
}

pub fn router(standin: Standin) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(hosted::routes())
        .merge(webhooks::routes())
        .with_state(standin)
}

/// Serves the stand-in on `listener` until `stop` completes. Answers go
/// out at once (no Nagle delay: a small answer would otherwise wait ~40 ms
/// for the client's delayed ACK).
pub async fn serve(
    listener: tokio::net::TcpListener,
    standin: Standin,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router(standin))
        .with_graceful_shutdown(stop)
        .await
}

/// `ksf-stripe-standin`: serves until interrupted.
pub async fn run(config: StandinConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(addr = %config.listen, "Stripe stand-in listening (test payments only)");
    let standin = Standin::start(config);
    serve(listener, standin, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
