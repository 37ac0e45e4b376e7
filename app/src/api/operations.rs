//! The staff System page's data: what `/metrics` says, in words.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One line of the page: what, its value, and whether it needs a look.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub attention: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobLine {
    pub name: String,
    pub last_success: String,
    pub failures: u64,
    pub last_failure: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorLine {
    pub at: String,
    pub reference: Option<String>,
    pub target: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SystemView {
    pub process: Vec<Figure>,
    pub database: Vec<Figure>,
    pub queues: Vec<Figure>,
    pub jobs: Vec<JobLine>,
    pub errors: Vec<ErrorLine>,
}

#[server(endpoint = "staff/system")]
pub async fn staff_system() -> Result<SystemView, ApiError> {
    use super::edge::error::api_error;
    let (deps, actor) = super::edge::auth::actor()?;
    let system = services::operations::system::system(&deps.pool, &actor)
        .await
        .map_err(api_error)?;
    let streams = use_context::<super::AppState>().map_or(0, |s| s.hub.open_streams());
    Ok(figures::view(system, &deps.pool, streams, deps.clock.now()))
}

#[cfg(feature = "ssr")]
mod figures {
    use services::hosting::usage::format_bytes;
    use services::operations::system::System;

    use super::{ErrorLine, Figure, JobLine, SystemView};
    use crate::api::when;

    fn figure(label: &str, value: impl Into<String>, attention: bool) -> Figure {
        Figure {
            label: label.into(),
            value: value.into(),
            attention,
        }
    }

    fn duration(seconds: f64) -> String {
        let s = seconds.max(0.0) as i64;
        match s {
            0..=119 => format!("{s} s"),
            120..=7199 => format!("{} min", s / 60),
            7200..=172_799 => format!("{} h", s / 3600),
            _ => format!("{} days", s / 86_400),
        }
    }

    fn rate(r: Option<f64>) -> String {
        r.map_or("no reports yet".into(), |r| format!("{:.1} %", r * 100.0))
    }

    pub fn view(
        system: System,
        pool: &sqlx::PgPool,
        streams: usize,
        now: time::OffsetDateTime,
    ) -> SystemView {
        let idle = pool.num_idle() as u32;
        let process = vec![
            figure("Version", system.version, false),
            figure(
                "Running for",
                duration((now - system.started).as_seconds_f64()),
                false,
            ),
            figure(
                "Database connections",
                format!(
                    "{} in use, {} idle, at most {}",
                    pool.size().saturating_sub(idle),
                    idle,
                    pool.options().get_max_connections()
                ),
                false,
            ),
            figure("Live streams open", streams.to_string(), false),
        ];
        let database = match &system.database {
            Err(e) => vec![figure("Database", format!("unreachable: {e}"), true)],
            Ok(db) => vec![
                figure(
                    "PostgreSQL",
                    db.server_version.split(" on ").next().unwrap_or_default(),
                    false,
                ),
                figure("Size", format_bytes(db.size_bytes), false),
                figure(
                    "Migrations",
                    match db.migrations_missing {
                        0 => format!(
                            "all {} applied (newest {})",
                            db.migrations_known,
                            db.newest_applied.unwrap_or_default()
                        ),
                        n => format!("{n} of {} not applied: run ksf migrate", db.migrations_known),
                    },
                    db.migrations_missing > 0,
                ),
            ],
        };
        let queues = match &system.queues {
            Err(e) => vec![figure("Queues", format!("could not be read: {e}"), true)],
            Ok(q) => vec![
                figure(
                    "Emails waiting",
                    format!(
                        "{} (oldest {})",
                        q.outbox_pending,
                        duration(q.outbox_oldest_seconds)
                    ),
                    q.outbox_oldest_seconds > 600.0,
                ),
                figure(
                    "Emails in the last 24 h",
                    format!("{} sent, {} given up", q.emails_sent_24h, q.emails_failed_24h),
                    q.emails_failed_24h > 0,
                ),
                figure(
                    "Delivered",
                    format!(
                        "{} in 24 h, {} in 30 days",
                        rate(q.delivery_rate_24h),
                        rate(q.delivery_rate_30d)
                    ),
                    q.delivery_rate_24h.is_some_and(|r| r < 0.98),
                ),
                figure(
                    "Addresses no longer mailed",
                    q.suppressed_addresses.to_string(),
                    false,
                ),
                figure(
                    "Stripe events waiting",
                    format!(
                        "{} (oldest {}, {} retrying)",
                        q.webhooks_pending,
                        duration(q.webhooks_oldest_seconds),
                        q.webhooks_retrying
                    ),
                    q.webhooks_oldest_seconds > 600.0,
                ),
            ],
        };
        let jobs = system
            .jobs
            .into_iter()
            .map(|(name, run)| JobLine {
                name: name.replace('_', " "),
                last_success: run.last_success.map_or("not yet".into(), when),
                failures: run.failures,
                last_failure: run.last_failure.map(|(at, e)| format!("{}: {e}", when(at))),
            })
            .collect();
        let errors = system
            .errors
            .into_iter()
            .map(|e| ErrorLine {
                at: when(e.at),
                reference: e.reference,
                target: e.target,
                message: e.message,
            })
            .collect();
        SystemView {
            process,
            database,
            queues,
            jobs,
            errors,
        }
    }
}
