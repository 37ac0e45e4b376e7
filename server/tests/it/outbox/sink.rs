//! A local HTTP sink standing in for Resend: it answers the batch endpoint
//! as scripted and, once an email is accepted, reports what happened to it
//! through signed webhooks to the portal, as Resend does (retrying a report
//! the portal did not take). Where it goes depends on the address:
//! `bounce…@` bounces for good, `complain…@` is delivered and then marked
//! as spam, anything else is delivered. Like Resend, a request with an
//! idempotency key it has already sent is answered again without sending
//! (counted in `repeats`) once it reports to a portal.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use services::mail::delivery::WebhookSecret;

/// What the sink answers, in order; after the script it answers 200.
#[derive(Clone, Copy)]
pub enum Answer {
    Ok,
    ServerError,
    TooManyRequests { reset_secs: u64 },
    BadRequest,
}

/// Where the sink reports deliveries, and the secret it signs them with.
#[derive(Clone)]
pub struct Webhooks {
    pub url: String,
    pub secret: WebhookSecret,
}

#[derive(Default)]
struct SinkState {
    script: Vec<Answer>,
    /// Deliveries that were accepted, by idempotency key.
    delivered: HashMap<String, usize>,
    requests: usize,
    repeats: usize,
    webhooks: Option<Webhooks>,
    /// Each accepted email is answered this late (to stop a process
    /// between the send and its answer).
    delay: std::time::Duration,
}

#[derive(Clone, Default)]
pub struct Sink(Arc<Mutex<SinkState>>);

impl Sink {
    pub fn delivered(&self) -> HashMap<String, usize> {
        self.0.lock().unwrap().delivered.clone()
    }
    pub fn requests(&self) -> usize {
        self.0.lock().unwrap().requests
    }
    /// Requests for an email already sent (its key seen before).
    pub fn repeats(&self) -> usize {
        self.0.lock().unwrap().repeats
    }
    /// Where reports go from now on (a restarted portal has a new address).
    pub fn report_to(&self, webhooks: Webhooks) {
        self.0.lock().unwrap().webhooks = Some(webhooks);
    }
    pub fn take_time(&self, delay: std::time::Duration) {
        self.0.lock().unwrap().delay = delay;
    }
}

async fn batch(State(sink): State<Sink>, headers: HeaderMap, body: Bytes) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (answer, reporting, delay) = {
        let mut s = sink.0.lock().unwrap();
        s.requests += 1;
        let answer = if s.script.is_empty() {
            Answer::Ok
        } else {
            s.script.remove(0)
        };
        (answer, s.webhooks.is_some(), s.delay)
    };
    match answer {
        Answer::Ok => {
            let email_id = format!("re_{key}");
            // Without reports (the outbox's own tests) every acceptance
            // counts, so a second send of one email shows as 2.
            let first = {
                let mut s = sink.0.lock().unwrap();
                let repeat = reporting && !key.is_empty() && s.delivered.contains_key(&key);
                if repeat {
                    s.repeats += 1;
                } else {
                    *s.delivered.entry(key.clone()).or_default() += 1;
                }
                !repeat
            };
            if reporting && first {
                tokio::spawn(report(sink.clone(), email_id.clone(), recipient(&body)));
            }
            // Sent, but slow to say so: a process stopped now never hears
            // of it, and its reports may arrive before the answer does.
            tokio::time::sleep(delay).await;
            (StatusCode::OK, axum::Json(serde_json::json!({ "data": [{ "id": email_id }] }))).into_response()
        }
        Answer::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({ "statusCode": 500, "message": "boom", "name": "internal_server_error" })),
        )
            .into_response(),
        Answer::TooManyRequests { reset_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [("ratelimit-reset", reset_secs.to_string()), ("ratelimit-limit", "2".into()), ("ratelimit-remaining", "0".into())],
            axum::Json(serde_json::json!({ "statusCode": 429, "message": "slow down", "name": "rate_limit_exceeded" })),
        )
            .into_response(),
        Answer::BadRequest => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "statusCode": 400, "message": "invalid to address", "name": "validation_error" })),
        )
            .into_response(),
    }
}

/// The first recipient of the first email in a batch request.
fn recipient(body: &[u8]) -> String {
    let emails: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    emails[0]["to"][0].as_str().unwrap_or_default().to_string()
}

/// A Resend event as its webhook carries it.
pub fn event(kind: &str, email_id: &str, to: &str) -> serde_json::Value {
    let mut data = serde_json::json!({
        "email_id": email_id,
        "to": [to],
        "from": "KSFoundation <no-reply@ksfoundation.test>",
        "subject": "Hello",
        "created_at": "2026-12-03T10:00:00.000Z",
    });
    if kind == "email.bounced" {
        data["bounce"] = serde_json::json!({
            "type": "Permanent",
            "subType": "General",
            "message": "550 5.1.1 The email account that you tried to reach does not exist.",
        });
    }
    serde_json::json!({ "type": kind, "created_at": "2026-12-03T10:00:01.000Z", "data": data })
}

/// Posts one event, signed as Svix signs; answers the portal's status.
pub async fn post_event(webhooks: &Webhooks, id: &str, body: &[u8]) -> u16 {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    reqwest::Client::new()
        .post(&webhooks.url)
        .header("svix-id", id)
        .header("svix-timestamp", now.to_string())
        .header("svix-signature", webhooks.secret.sign(id, now, body))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// Reports an email's fate; each report is retried (with the same id)
/// until the portal takes it, to whatever address the portal has by then.
async fn report(sink: Sink, email_id: String, to: String) {
    let mut kinds = vec!["email.sent"];
    if to.starts_with("bounce") {
        kinds.push("email.bounced");
    } else {
        kinds.push("email.delivered");
        if to.starts_with("complain") {
            kinds.push("email.complained");
        }
    }
    for kind in kinds {
        let body = serde_json::to_vec(&event(kind, &email_id, &to)).unwrap();
        let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        for _ in 0..300 {
            let Some(webhooks) = sink.0.lock().unwrap().webhooks.clone() else {
                return;
            };
            if post_event(&webhooks, &id, &body).await == 200 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

pub async fn start_sink(script: Vec<Answer>) -> (Sink, String) {
    start_sink_reporting(script, None).await
}

/// A sink that reports each accepted email's fate to `webhooks`.
pub async fn start_sink_reporting(script: Vec<Answer>, webhooks: Option<Webhooks>) -> (Sink, String) {
    let sink = Sink::default();
    {
        let mut state = sink.0.lock().unwrap();
        state.script = script;
        state.webhooks = webhooks;
    }
    let app = Router::new()
        .route("/emails/batch", post(batch))
        .with_state(sink.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (sink, url)
}
