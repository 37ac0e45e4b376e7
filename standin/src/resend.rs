//! The Resend stand-in (the `ksf-resend-standin` binary, and the tests'
//! sink): it answers Resend's batch endpoint as scripted and, once an
//! email is accepted, reports what happened to it through webhooks signed
//! as Svix signs Resend's, retrying a report the portal did not take.
//! Where an email goes depends on its address, like Resend's test
//! addresses: `bounce…@` (or `bounced@resend.dev`) bounces for good,
//! `complain…@` is delivered and then marked as spam, anything else is
//! delivered. A request with an idempotency key already sent is answered
//! again without sending (counted in `repeats`), as Resend does. The
//! portal reaches it only through `RESEND_BASE_URL`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What the stand-in answers, in order; after the script it answers 200.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Ok,
    ServerError,
    TooManyRequests { reset_secs: u64 },
    BadRequest,
}

/// Where reports go, and the endpoint secret (`whsec_…`) they are signed with.
#[derive(Clone, Debug)]
pub struct Webhooks {
    pub url: String,
    pub secret: String,
}

impl Webhooks {
    /// The `v1,…` signature of a body, as Svix writes it.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let key = self.secret.strip_prefix("whsec_").unwrap_or(&self.secret);
        let key = STANDARD.decode(key).unwrap_or_else(|_| key.as_bytes().to_vec());
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else {
            return String::new();
        };
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Answer>,
    /// Accepted sends by idempotency key.
    delivered: HashMap<String, usize>,
    requests: usize,
    repeats: usize,
    webhooks: Option<Webhooks>,
    /// Each accepted email is answered this late (to stop a process
    /// between the send and its answer).
    delay: Duration,
    /// Every request is answered 500 until then.
    outage_until: Option<Instant>,
}

#[derive(Clone, Default)]
pub struct ResendStandin(Arc<Mutex<Inner>>);

impl ResendStandin {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere never leaves this state half-changed.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
    /// Accepted sends by idempotency key (an email sent twice shows 2).
    pub fn delivered(&self) -> HashMap<String, usize> {
        self.lock().delivered.clone()
    }
    pub fn requests(&self) -> usize {
        self.lock().requests
    }
    /// Requests for an email already sent (its key seen before).
    pub fn repeats(&self) -> usize {
        self.lock().repeats
    }
    /// Where reports go from now on (a restarted portal has a new address).
    pub fn report_to(&self, webhooks: Webhooks) {
        self.lock().webhooks = Some(webhooks);
    }
    pub fn take_time(&self, delay: Duration) {
        self.lock().delay = delay;
    }
    /// Answers every request with 500 for `length` from now.
    pub fn outage(&self, length: Duration) {
        self.lock().outage_until = Some(Instant::now() + length);
    }
}

/// The stand-in's routes: Resend's batch endpoint and its own controls.
pub fn router(standin: ResendStandin) -> Router {
    Router::new()
        .route("/emails/batch", post(batch))
        .route("/_standin/health", get(|| async { "ok" }))
        .route("/_standin/emails", get(sent))
        .route("/_standin/outage", post(outage))
        .with_state(standin)
}

/// A stand-in on a free local port with `script` and `webhooks`: itself and its URL.
pub async fn start(
    script: Vec<Answer>,
    webhooks: Option<Webhooks>,
) -> std::io::Result<(ResendStandin, String)> {
    let standin = ResendStandin::default();
    {
        let mut inner = standin.lock();
        inner.script = script.into();
        inner.webhooks = webhooks;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = router(standin.clone());
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "resend stand-in stopped");
        }
    });
    Ok((standin, url))
}

/// `GET /_standin/emails`: what was sent, for scripts that check "once".
async fn sent(State(standin): State<ResendStandin>) -> Json<serde_json::Value> {
    let inner = standin.lock();
    Json(serde_json::json!({
        "requests": inner.requests,
        "repeats": inner.repeats,
        "sent": inner.delivered.len(),
        "sent_twice": inner.delivered.values().filter(|n| **n > 1).count(),
    }))
}

/// `POST /_standin/outage` `{"seconds": 600}`: answer 500 for that long.
async fn outage(State(standin): State<ResendStandin>, body: Bytes) -> StatusCode {
    let seconds = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["seconds"].as_u64())
        .filter(|s| *s <= 86_400);
    match seconds {
        Some(s) => {
            standin.outage(Duration::from_secs(s));
            tracing::info!(seconds = s, "resend stand-in: answering 500 from now");
            StatusCode::NO_CONTENT
        }
        None => StatusCode::BAD_REQUEST,
    }
}

async fn batch(State(standin): State<ResendStandin>, headers: HeaderMap, body: Bytes) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (answer, reporting, delay) = {
        let mut inner = standin.lock();
        inner.requests += 1;
        let down = inner.outage_until.is_some_and(|until| Instant::now() < until);
        let answer = match inner.script.pop_front() {
            _ if down => Answer::ServerError,
            Some(answer) => answer,
            None => Answer::Ok,
        };
        (answer, inner.webhooks.is_some(), inner.delay)
    };
    match answer {
        Answer::Ok => {
            let email_id = format!("re_{key}");
            // Without reports (the outbox's own tests) every acceptance
            // counts, so a second send of one email shows as 2.
            let first = {
                let mut inner = standin.lock();
                let repeat = reporting && !key.is_empty() && inner.delivered.contains_key(&key);
                if repeat {
                    inner.repeats += 1;
                } else {
                    *inner.delivered.entry(key.clone()).or_default() += 1;
                }
                !repeat
            };
            if reporting && first {
                tokio::spawn(report(standin.clone(), email_id.clone(), recipient(&body)));
            }
            // Sent, but slow to say so: a process stopped now never hears
            // of it, and its reports may arrive before the answer does.
            tokio::time::sleep(delay).await;
            (StatusCode::OK, Json(serde_json::json!({ "data": [{ "id": email_id }] }))).into_response()
        }
        Answer::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({ "statusCode": 500, "message": "boom", "name": "internal_server_error" })),
        )
            .into_response(),
        Answer::TooManyRequests { reset_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [
                ("ratelimit-reset", reset_secs.to_string()),
                ("ratelimit-limit", "2".into()),
                ("ratelimit-remaining", "0".into()),
            ],
            Json(serde_json::json!({ "statusCode": 429, "message": "slow down", "name": "rate_limit_exceeded" })),
        )
            .into_response(),
        Answer::BadRequest => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "statusCode": 400, "message": "invalid to address", "name": "validation_error" })),
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
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut data = serde_json::json!({
        "email_id": email_id,
        "to": [to],
        "from": "KSFoundation <no-reply@ksfoundation.test>",
        "subject": "Hello",
        "created_at": now,
    });
    if kind == "email.bounced" {
        data["bounce"] = serde_json::json!({
            "type": "Permanent",
            "subType": "General",
            "message": "550 5.1.1 The email account that you tried to reach does not exist.",
        });
    }
    serde_json::json!({ "type": kind, "created_at": now, "data": data })
}

/// Posts one event, signed as Svix signs; answers the portal's status (0:
/// not reached).
pub async fn post_event(webhooks: &Webhooks, id: &str, body: &[u8]) -> u16 {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    reqwest::Client::new()
        .post(&webhooks.url)
        .header("svix-id", id)
        .header("svix-timestamp", now.to_string())
        .header("svix-signature", webhooks.sign(id, now, body))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// Reports an email's fate; each report is retried (with the same id) for
/// up to a minute until the portal takes it, to whatever address the
/// portal has by then.
async fn report(standin: ResendStandin, email_id: String, to: String) {
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
        let body = event(kind, &email_id, &to).to_string().into_bytes();
        let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        for _ in 0..600 {
            let Some(webhooks) = standin.lock().webhooks.clone() else {
                return;
            };
            if post_event(&webhooks, &id, &body).await == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
