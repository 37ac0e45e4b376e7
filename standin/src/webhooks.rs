//! Signed webhook delivery, retried until acknowledged, and the test
//! switches: duplicate every event, reorder a change's events, delay them;
//! plus test helpers that do what Stripe's clock would (renew a period,
//! pay a checkout with months of history).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Json, Router,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::store::Card;
use super::Standin;

/// How the next deliveries misbehave (tests set them).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Switches {
    #[serde(default)]
    pub duplicate: bool,
    #[serde(default)]
    pub reorder: bool,
    #[serde(default)]
    pub delay_ms: u64,
}

#[derive(Clone)]
pub struct Sender {
    queue: mpsc::UnboundedSender<Vec<Value>>,
    pub switches: Arc<Mutex<Switches>>,
}

impl Sender {
    pub fn send(&self, events: Vec<Value>) {
        if !events.is_empty() {
            let _ = self.queue.send(events);
        }
    }
}

/// Starts the sender: each change's events go out in order (or reversed,
/// or twice), each retried with backoff until the portal answers 2xx.
pub fn start(url: Option<String>, secret: String) -> Sender {
    let (queue, mut rx) = mpsc::unbounded_channel::<Vec<Value>>();
    let switches = Arc::new(Mutex::new(Switches::default()));
    let sender = Sender {
        queue,
        switches: switches.clone(),
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    tokio::spawn(async move {
        while let Some(mut batch) = rx.recv().await {
            let Some(url) = url.clone() else { continue };
            let now = switches.lock().map(|s| *s).unwrap_or_default();
            if now.reorder {
                batch.reverse();
            }
            let copies = if now.duplicate { 2 } else { 1 };
            let (client, secret) = (client.clone(), secret.clone());
            // Each change's batch is delivered by its own task, so one
            // unreachable delivery does not hold the others back.
            tokio::spawn(async move {
                if now.delay_ms > 0 {
                    tokio::time::sleep(Duration::from_millis(now.delay_ms.min(60_000))).await;
                }
                for event in batch {
                    for _ in 0..copies {
                        deliver(&client, &url, &secret, &event).await;
                    }
                }
            });
        }
    });
    sender
}

async fn deliver(client: &reqwest::Client, url: &str, secret: &str, event: &Value) {
    let payload = event.to_string();
    let mut wait = Duration::from_millis(250);
    for attempt in 1..=60 {
        // Signed at each attempt, as Stripe does: the timestamp is the send time.
        let signature = stripe_webhook::Webhook::generate_test_header(&payload, secret, None);
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(payload.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => {
                tracing::info!(status = %r.status(), attempt, id = %event["id"], "webhook refused; retrying")
            }
            Err(error) => tracing::debug!(%error, attempt, "webhook endpoint unreachable; retrying"),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(5));
    }
    tracing::warn!(id = %event["id"], "webhook given up after 60 attempts");
}

pub fn routes() -> Router<Standin> {
    Router::new()
        .route("/_standin/health", get(|| async { "ok" }))
        .route("/_standin/switches", post(set_switches))
        .route("/_standin/events", get(events))
        .route("/_standin/subscriptions/{id}/renew", post(renew))
        .route("/_standin/checkout/{id}/pay", post(pay))
}

async fn set_switches(State(s): State<Standin>, Json(switches): Json<Switches>) -> Json<Switches> {
    if let Ok(mut now) = s.outbox.switches.lock() {
        *now = switches;
    }
    Json(switches)
}

async fn events(State(s): State<Standin>) -> Json<Value> {
    Json(json!({ "object": "list", "data": s.read(|store| store.events.clone()) }))
}

#[derive(Deserialize)]
struct RenewForm {
    /// `paid` (default) or `failed`.
    #[serde(default)]
    outcome: String,
}

async fn renew(State(s): State<Standin>, Path(id): Path<String>, Form(form): Form<RenewForm>) -> Response {
    let pays = form.outcome != "failed";
    s.change(|store| store.renew(&id, pays)).map(Json).into_response()
}

#[derive(Deserialize)]
struct PayForm {
    card: String,
    #[serde(default)]
    months_ago: i64,
}

/// Pays a checkout session as the hosted page would, optionally with
/// `months_ago` months of paid history (the demo seed's).
async fn pay(State(s): State<Standin>, Path(id): Path<String>, Form(form): Form<PayForm>) -> Response {
    let card = match Card::parse(&form.card) {
        Ok(card) => card,
        Err(message) => return (axum::http::StatusCode::BAD_REQUEST, message).into_response(),
    };
    match s.change(|store| store.pay_session(&id, card, "4242", form.months_ago)) {
        Ok(success) => Json(json!({ "success_url": success })).into_response(),
        Err(message) => (axum::http::StatusCode::PAYMENT_REQUIRED, message).into_response(),
    }
}
