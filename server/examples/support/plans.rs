//! The query plans behind a page, at the benchmark's data size: a second
//! server on the same database whose connections load PostgreSQL's
//! `auto_explain` (every statement's plan sent back as a notice), one
//! request, and the notices sqlx logs collected here. Needs a superuser
//! connection (`session_preload_libraries`); says so otherwise.

use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

const NOTICES: &str = "sqlx::postgres::notice";

#[derive(Clone)]
pub struct Plans {
    recording: Arc<AtomicBool>,
    notices: Arc<Mutex<Vec<String>>>,
}

struct Collect(Plans);

impl<S: tracing::Subscriber> Layer<S> for Collect {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if !self.0.recording.load(Ordering::Relaxed) {
            return;
        }
        struct Message(Option<String>);
        impl Visit for Message {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "message" {
                    self.0 = Some(value.to_string());
                }
            }
            fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
                if field.name() == "message" && self.0.is_none() {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut message = Message(None);
        event.record(&mut message);
        if let (Some(text), Ok(mut notices)) = (message.0, self.0.notices.lock()) {
            notices.push(text);
        }
    }
}

/// One statement's plan, as auto_explain reported it.
pub struct Plan {
    pub query: String,
    /// How long it ran, as PostgreSQL timed it.
    pub ms: f64,
    /// Each table read and how: "Index Scan usage_daily (usage_daily_pkey)".
    pub reads: Vec<String>,
    /// The big tables read by a sequential scan.
    pub sequential: Vec<String>,
}

impl Plans {
    /// Listens to PostgreSQL notices only (a per-layer filter: the server
    /// under load emits nothing more than without it).
    pub fn install() -> Plans {
        let plans = Plans {
            recording: Arc::new(AtomicBool::new(false)),
            notices: Arc::new(Mutex::new(Vec::new())),
        };
        let filter = tracing_subscriber::filter::filter_fn(|m| m.target() == NOTICES);
        let _ = tracing_subscriber::registry()
            .with(Collect(plans.clone()).with_filter(filter))
            .try_init();
        plans
    }

    /// The database URL whose connections explain every statement.
    pub fn explaining(url: &str) -> String {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!(
            "{url}{sep}options[session_preload_libraries]=auto_explain\
             &options[auto_explain.log_min_duration]=0&options[auto_explain.log_level]=notice\
             &options[auto_explain.log_format]=json"
        )
    }

    /// GETs `url` with `cookie` and returns the plan of every statement the
    /// request ran, in order.
    pub async fn of(&self, url: &str, cookie: &str, big: &[&str]) -> Result<Vec<Plan>, String> {
        if let Ok(mut n) = self.notices.lock() {
            n.clear();
        }
        self.recording.store(true, Ordering::Relaxed);
        let res = reqwest::Client::new()
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .and_then(|r| r.error_for_status());
        // The last statements' notices arrive with their results.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        self.recording.store(false, Ordering::Relaxed);
        res.map_err(|e| format!("{url}: {e}"))?;
        let notices = self.notices.lock().map(|n| n.clone()).unwrap_or_default();
        Ok(notices.iter().filter_map(|n| parse(n, big)).collect())
    }
}

fn parse(notice: &str, big: &[&str]) -> Option<Plan> {
    let json: serde_json::Value = serde_json::from_str(&notice[notice.find('{')?..]).ok()?;
    // "duration: 0.123 ms  plan: {…}"
    let ms = notice
        .split_once("duration:")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    let mut reads = Vec::new();
    let mut stack = vec![&json["Plan"]];
    while let Some(node) = stack.pop() {
        if let Some(table) = node["Relation Name"].as_str() {
            let how = node["Node Type"].as_str().unwrap_or("?");
            reads.push(match node["Index Name"].as_str() {
                Some(index) => format!("{how} {table} ({index})"),
                None => format!("{how} {table}"),
            });
        }
        stack.extend(node["Plans"].as_array().into_iter().flatten());
    }
    let sequential = reads
        .iter()
        .filter_map(|r| r.strip_prefix("Seq Scan "))
        .filter(|t| big.contains(t))
        .map(str::to_string)
        .collect();
    Some(Plan {
        ms,
        query: json["Query Text"]
            .as_str()?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        reads,
        sequential,
    })
}
