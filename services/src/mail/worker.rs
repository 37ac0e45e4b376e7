//! Delivers the outbox. Rows are claimed with `FOR UPDATE SKIP LOCKED` and a
//! lease, so several server processes can run workers on one queue and each
//! row is sent once; the row id is Resend's idempotency key, so a worker that
//! dies after sending but before recording it cannot cause a second email.

use std::time::Duration;

use resend_rs::{idempotent::IdempotentTrait, types::CreateEmailBaseOptions, Resend};
use sqlx::PgPool;
use uuid::Uuid;

use crate::clock::Clock;
use crate::tokens::random_below;

#[derive(Clone, Debug)]
pub struct MailerSettings {
    /// Without a key nothing is sent: mail is kept as "captured" for the dev mailbox.
    pub resend_api_key: Option<String>,
    /// Resend's API base URL (tests point it at a local sink).
    pub resend_base_url: Option<String>,
    /// Verifies Resend's delivery webhooks; unset, they are refused.
    pub webhook_secret: Option<super::delivery::WebhookSecret>,
    pub from: String,
    pub reply_to: Option<String>,
    pub max_attempts: i32,
    /// First retry delay; doubles with each attempt (plus jitter), up to an hour.
    pub retry_base: Duration,
    /// How long a claimed row stays reserved for the worker that claimed it.
    pub lease: Duration,
    pub poll_interval: Duration,
    pub batch_size: i64,
}

impl Default for MailerSettings {
    fn default() -> Self {
        Self {
            resend_api_key: None,
            resend_base_url: None,
            webhook_secret: None,
            from: format!("{} <no-reply@ksfoundation.test>", domain::PRODUCT_NAME),
            reply_to: None,
            // 5 s doubling to an hour: the last attempt comes about six
            // hours after the first, so a provider's outage of minutes or
            // hours delays mail but loses none.
            max_attempts: 16,
            retry_base: Duration::from_secs(5),
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            batch_size: 20,
        }
    }
}

/// A claimed outbox row.
#[derive(Debug)]
pub struct Claimed {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub attempts: i32,
}

/// What happened to one send.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        provider_id: String,
    },
    /// Worth trying again (network, 5xx, 429); `not_before` from a rate limit.
    Retry {
        error: String,
        not_before: Option<Duration>,
    },
    /// The provider refused the message itself (4xx): retrying cannot help.
    Fail {
        error: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("invalid RESEND_BASE_URL: {0}")]
    BaseUrl(String),
}

pub struct Mailer {
    pool: PgPool,
    settings: MailerSettings,
    resend: Option<Resend>,
    /// Decides when a row is due and when its lease ends.
    clock: Clock,
}

impl Mailer {
    pub fn new(pool: PgPool, settings: MailerSettings) -> Result<Self, MailerError> {
        let resend = match &settings.resend_api_key {
            None => None,
            Some(key) => {
                let mut builder = resend_rs::ConfigBuilder::new(key.clone());
                if let Some(url) = &settings.resend_base_url {
                    builder = builder.base_url(
                        url.parse()
                            .map_err(|e| MailerError::BaseUrl(format!("{url}: {e}")))?,
                    );
                }
                Some(Resend::with_config(builder.build()))
            }
        };
        Ok(Self {
            pool,
            settings,
            resend,
            clock: Clock::system(),
        })
    }

    /// The same worker deciding time by `clock` (tests move it on).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        tracing::info!(capturing = self.resend.is_none(), "email worker started");
        loop {
            let handled = match self.tick().await {
                Ok(n) => n,
                Err(error) => {
                    tracing::error!(%error, "email worker: database error");
                    0
                }
            };
            if handled == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(self.settings.poll_interval) => {},
                    _ = shutdown.changed() => {},
                }
            }
            if *shutdown.borrow() {
                tracing::info!("email worker stopped");
                return;
            }
        }
    }

    /// Handles one batch of due rows; returns how many.
    pub async fn tick(&self) -> Result<usize, sqlx::Error> {
        let Some(resend) = &self.resend else {
            let captured =
                sqlx::query!("UPDATE email_outbox SET status = 'captured' WHERE status = 'pending'")
                    .execute(&self.pool)
                    .await?;
            return Ok(captured.rows_affected() as usize);
        };
        let rows = self.claim().await?;
        let n = rows.len();
        for row in rows {
            let outcome = self.send(resend, &row).await;
            self.record(&row, outcome).await?;
        }
        Ok(n)
    }

    /// Reserves up to a batch of due rows for this worker.
    pub async fn claim(&self) -> Result<Vec<Claimed>, sqlx::Error> {
        sqlx::query_as!(
            Claimed,
            r#"UPDATE email_outbox
               SET locked_until = $3::timestamptz + make_interval(secs => $2), attempts = attempts + 1
               WHERE id IN (
                   SELECT id FROM email_outbox
                   WHERE status = 'pending' AND next_attempt_at <= $3
                     AND (locked_until IS NULL OR locked_until < $3)
                   ORDER BY next_attempt_at
                   LIMIT $1
                   FOR UPDATE SKIP LOCKED)
               RETURNING id, to_address, subject, html_body, text_body, attempts"#,
            self.settings.batch_size,
            self.settings.lease.as_secs_f64(),
            self.clock.now(),
        )
        .fetch_all(&self.pool)
        .await
    }

    #[tracing::instrument(skip_all, fields(outbox_id = %row.id, attempt = row.attempts))]
    async fn send(&self, resend: &Resend, row: &Claimed) -> Outcome {
        let mut email = CreateEmailBaseOptions::new(
            self.settings.from.as_str(),
            [row.to_address.as_str()],
            row.subject.as_str(),
        )
        .with_html(&row.html_body)
        .with_text(&row.text_body);
        if let Some(reply_to) = &self.settings.reply_to {
            email = email.with_reply(reply_to);
        }
        match resend
            .batch
            .send(vec![email].with_idempotency_key(&row.id.to_string()))
            .await
        {
            Ok(mut sent) => match sent.pop() {
                Some(r) => Outcome::Sent {
                    provider_id: r.id.to_string(),
                },
                None => Outcome::Retry {
                    error: "empty response from the provider".into(),
                    not_before: None,
                },
            },
            Err(error) => classify(error),
        }
    }

    async fn record(&self, row: &Claimed, outcome: Outcome) -> Result<(), sqlx::Error> {
        match outcome {
            Outcome::Sent { provider_id } => {
                tracing::info!(outbox_id = %row.id, "email sent");
                // The provider's reports can arrive before its answer does:
                // whatever was reported already is taken over here, under
                // the lock `delivery::receive` takes for the same email.
                let mut tx = self.pool.begin().await?;
                super::delivery::lock(&mut tx, &provider_id).await?;
                sqlx::query!(
                    r#"UPDATE email_outbox SET status = 'sent', sent_at = now(), provider_id = $2,
                           locked_until = NULL, last_error = NULL,
                           html_body = coalesce(redacted_html, html_body),
                           text_body = coalesce(redacted_text, text_body),
                           redacted_html = NULL, redacted_text = NULL,
                           (delivery, delivery_at) = (
                               SELECT CASE type WHEN 'email.complained' THEN 'complained'
                                                WHEN 'email.bounced' THEN 'bounced'
                                                WHEN 'email.delivered' THEN 'delivered'
                                                ELSE 'delayed' END,
                                      received_at
                               FROM email_events
                               WHERE email_id = $2 AND type IN ('email.complained', 'email.bounced',
                                                               'email.delivered', 'email.delivery_delayed')
                               ORDER BY CASE type WHEN 'email.complained' THEN 4 WHEN 'email.bounced' THEN 3
                                                  WHEN 'email.delivered' THEN 2 ELSE 1 END DESC
                               LIMIT 1)
                       WHERE id = $1"#,
                    row.id,
                    provider_id
                )
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            Outcome::Retry { error, .. } | Outcome::Fail { error }
                if row.attempts >= self.settings.max_attempts =>
            {
                tracing::warn!(outbox_id = %row.id, %error, "email failed after its last attempt");
                self.mark_failed(row.id, &error).await?;
            }
            Outcome::Fail { error } => {
                tracing::warn!(outbox_id = %row.id, %error, "email refused by the provider");
                self.mark_failed(row.id, &error).await?;
            }
            Outcome::Retry { error, not_before } => {
                let delay =
                    retry_delay(self.settings.retry_base, row.attempts).max(not_before.unwrap_or_default());
                tracing::info!(outbox_id = %row.id, %error, delay_ms = delay.as_millis() as u64, "email will be retried");
                sqlx::query!(
                    r#"UPDATE email_outbox SET next_attempt_at = $4::timestamptz + make_interval(secs => $2),
                           locked_until = NULL, last_error = $3 WHERE id = $1"#,
                    row.id,
                    delay.as_secs_f64(),
                    error,
                    self.clock.now()
                )
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }

    async fn mark_failed(&self, id: Uuid, error: &str) -> Result<(), sqlx::Error> {
        sqlx::query!(
            r#"UPDATE email_outbox SET status = 'failed', locked_until = NULL, last_error = $2,
                   html_body = coalesce(redacted_html, html_body),
                   text_body = coalesce(redacted_text, text_body),
                   redacted_html = NULL, redacted_text = NULL
               WHERE id = $1"#,
            id,
            error
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Exponential backoff with jitter: base·2^(attempt-1), capped at an hour,
/// plus up to half of that at random so retries of many rows spread out.
pub fn retry_delay(base: Duration, attempt: i32) -> Duration {
    let exp = attempt.clamp(1, 20) as u32 - 1;
    let delay = base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(3600));
    let jitter_ms = random_below(delay.as_millis() as u64 / 2);
    delay + Duration::from_millis(jitter_ms)
}

fn classify(error: resend_rs::Error) -> Outcome {
    match error {
        resend_rs::Error::RateLimit { ratelimit_reset, .. } => Outcome::Retry {
            error: "rate limited by the provider (429)".into(),
            not_before: ratelimit_reset.map(Duration::from_secs),
        },
        resend_rs::Error::Http(e) => Outcome::Retry {
            error: format!("network: {e}"),
            not_before: None,
        },
        resend_rs::Error::Resend(r) if r.status_code >= 500 || r.status_code == 429 => Outcome::Retry {
            error: format!("provider error {}: {}", r.status_code, r.message),
            not_before: None,
        },
        resend_rs::Error::Resend(r) => Outcome::Fail {
            error: format!("refused ({}): {}", r.status_code, r.message),
        },
        // An unreadable answer may still mean a server fault: try again.
        other => Outcome::Retry {
            error: other.to_string(),
            not_before: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter_and_a_cap() {
        let base = Duration::from_secs(5);
        for (attempt, floor) in [(1, 5), (2, 10), (3, 20), (4, 40)] {
            let d = retry_delay(base, attempt);
            assert!(
                d >= Duration::from_secs(floor) && d <= Duration::from_secs(floor) * 3 / 2,
                "{attempt}: {d:?}"
            );
        }
        assert!(retry_delay(base, 30) <= Duration::from_secs(5400));
    }

    #[test]
    fn mail_outlives_a_provider_outage_of_hours() {
        let settings = MailerSettings::default();
        // The soonest the last attempt can come (jitter only adds).
        let waited: Duration = (1..settings.max_attempts)
            .map(|attempt| retry_delay(settings.retry_base, attempt))
            .sum();
        assert!(
            waited >= Duration::from_secs(5 * 3600),
            "given up after {waited:?}"
        );
        assert!(waited <= Duration::from_secs(12 * 3600), "kept for {waited:?}");
    }
}
