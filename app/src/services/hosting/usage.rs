//! Usage samples from hosting nodes: storage in use and bandwidth served,
//! per account and time. A batch is checked row by row and written whole
//! or not at all; a sample sent twice is stored once.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use time::{format_description::well_known::Rfc3339, Duration, OffsetDateTime};
use uuid::Uuid;

use super::access::authorize;
use super::HostingError;
use crate::domain::{CurrentUser, Permission};

/// Most rows one request may carry.
pub const MAX_BATCH: usize = 5_000;
/// Samples from further ahead than this are refused (clock skew allowance).
const FUTURE_SLACK: Duration = Duration::minutes(5);

/// One row as a node sends it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RawSample {
    pub account_id: String,
    /// RFC 3339, e.g. "2026-11-26T13:00:00Z".
    pub time: String,
    pub storage_bytes: i64,
    pub bandwidth_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Index of the row in the batch, from 0.
    pub row: usize,
    pub error: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("missing or invalid node token")]
    Unauthorized,
    #[error("a batch holds 1 to {MAX_BATCH} samples")]
    BatchSize,
    #[error("{} row(s) refused; nothing was stored", .0.len())]
    Rows(Vec<RowError>),
    #[error("internal error")]
    Internal(String),
}

impl From<sqlx::Error> for IngestError {
    fn from(e: sqlx::Error) -> Self {
        IngestError::Internal(e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReport {
    /// Rows stored now.
    pub stored: u64,
    /// Rows already stored before (same account and time).
    pub duplicates: u64,
}

/// Authenticates the node, then stores the batch.
pub async fn ingest(
    pool: &PgPool,
    node_token: &str,
    rows: &[RawSample],
    now: OffsetDateTime,
) -> Result<IngestReport, IngestError> {
    if super::node_tokens::authenticate(pool, node_token)
        .await?
        .is_none()
    {
        return Err(IngestError::Unauthorized);
    }
    store(pool, rows, now).await
}

async fn store(pool: &PgPool, rows: &[RawSample], now: OffsetDateTime) -> Result<IngestReport, IngestError> {
    if rows.is_empty() || rows.len() > MAX_BATCH {
        return Err(IngestError::BatchSize);
    }
    let mut errors = Vec::new();
    let mut accounts = Vec::with_capacity(rows.len());
    let mut times = Vec::with_capacity(rows.len());
    let mut storage = Vec::with_capacity(rows.len());
    let mut bandwidth = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let mut problems = Vec::new();
        let account =
            Uuid::parse_str(r.account_id.trim()).map_err(|_| problems.push("account_id is not a UUID"));
        let time = OffsetDateTime::parse(r.time.trim(), &Rfc3339)
            .map_err(|_| problems.push("time is not an RFC 3339 timestamp"));
        if let Ok(t) = time {
            if t > now + FUTURE_SLACK {
                problems.push("time is in the future");
            }
        }
        if r.storage_bytes < 0 {
            problems.push("storage_bytes is negative");
        }
        if r.bandwidth_bytes < 0 {
            problems.push("bandwidth_bytes is negative");
        }
        match (account, time) {
            (Ok(a), Ok(t)) if problems.is_empty() => {
                accounts.push(a);
                times.push(t);
                storage.push(r.storage_bytes);
                bandwidth.push(r.bandwidth_bytes);
            }
            _ => errors.push(RowError {
                row: i,
                error: problems.join("; "),
            }),
        }
    }
    // Unknown accounts: one query for the batch's distinct ids.
    let distinct: Vec<Uuid> = accounts
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known: HashSet<Uuid> =
        sqlx::query_scalar!("SELECT id FROM hosting_accounts WHERE id = ANY($1)", &distinct)
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
    if known.len() < distinct.len() {
        for (i, r) in rows.iter().enumerate() {
            if let Ok(id) = Uuid::parse_str(r.account_id.trim()) {
                if !known.contains(&id) {
                    errors.push(RowError {
                        row: i,
                        error: "no hosting account has this account_id".into(),
                    });
                }
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(IngestError::Rows(errors));
    }
    let stored = sqlx::query!(
        r#"INSERT INTO usage_samples (account_id, sampled_at, storage_bytes, bandwidth_bytes)
           SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int8[], $4::int8[])
           ON CONFLICT (account_id, sampled_at) DO NOTHING"#,
        &accounts,
        &times,
        &storage,
        &bandwidth
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(IngestReport {
        stored,
        duplicates: rows.len() as u64 - stored,
    })
}

/// An account's usage against its plan, as the account page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageSummary {
    /// Storage in the newest sample.
    pub storage_bytes: i64,
    /// Bandwidth served since the start of this calendar month (UTC).
    pub bandwidth_month_bytes: i64,
    pub last_sample_at: Option<OffsetDateTime>,
}

pub async fn summary(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    now: OffsetDateTime,
) -> Result<UsageSummary, HostingError> {
    let mut conn = pool.acquire().await?;
    let access = authorize(&mut conn, user, account_id, Permission::View).await?;
    let month_start = now
        .replace_day(1)
        .map(|d| d.replace_time(time::Time::MIDNIGHT))
        .unwrap_or(now);
    let row = sqlx::query!(
        r#"SELECT
             (SELECT storage_bytes FROM usage_samples WHERE account_id = $1 ORDER BY sampled_at DESC LIMIT 1) AS storage,
             (SELECT max(sampled_at) FROM usage_samples WHERE account_id = $1) AS last_at,
             (SELECT coalesce(sum(bandwidth_bytes), 0)::int8 FROM usage_samples
               WHERE account_id = $1 AND sampled_at >= $2) AS "bandwidth!""#,
        access.account_id,
        month_start
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(UsageSummary {
        storage_bytes: row.storage.unwrap_or(0),
        bandwidth_month_bytes: row.bandwidth,
        last_sample_at: row.last_at,
    })
}

/// "12.3 GB": decimal units, as plans are sold.
pub fn format_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{} B", bytes.max(0))
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Plausible hourly samples for the demo: a site that grows slowly, with
/// daily and weekly traffic rhythms. Deterministic from `seed`.
pub fn demo_samples(
    account_id: Uuid,
    end: OffsetDateTime,
    days: i64,
    base_storage: i64,
    daily_bandwidth: i64,
    seed: u64,
) -> Vec<RawSample> {
    let hours = days * 24;
    let start = end
        .replace_minute(0)
        .and_then(|t| t.replace_second(0))
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(end)
        - Duration::hours(hours);
    let mut state = seed | 1;
    let mut noise = move || {
        // xorshift: repeatable, good enough for demo wiggle.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 1000) as f64 / 1000.0
    };
    (1..=hours)
        .map(|h| {
            let at = start + Duration::hours(h);
            let growth = 1.0 + 0.25 * (h as f64 / hours as f64);
            let hour_of_day = at.hour() as f64;
            let daily = 0.55
                + 0.45
                    * ((hour_of_day - 6.0) / 24.0 * std::f64::consts::TAU)
                        .sin()
                        .max(-0.8);
            let weekend = if at.weekday().number_from_monday() >= 6 {
                0.7
            } else {
                1.0
            };
            let per_hour = daily_bandwidth as f64 / 24.0 * daily * weekend * (0.8 + 0.4 * noise());
            RawSample {
                account_id: account_id.to_string(),
                time: at.format(&Rfc3339).unwrap_or_default(),
                storage_bytes: (base_storage as f64 * growth * (0.99 + 0.02 * noise())) as i64,
                bandwidth_bytes: per_hour.max(0.0) as i64,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_decimal_units() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1_500), "1.5 KB");
        assert_eq!(format_bytes(12_300_000_000), "12.3 GB");
        assert_eq!(format_bytes(-5), "0 B");
    }

    #[test]
    fn demo_samples_are_hourly_and_sane() {
        let end = OffsetDateTime::now_utc();
        let samples = demo_samples(Uuid::nil(), end, 90, 5_000_000_000, 2_000_000_000, 7);
        assert_eq!(samples.len(), 90 * 24);
        assert!(samples
            .iter()
            .all(|s| s.storage_bytes > 0 && s.bandwidth_bytes >= 0));
        let times: HashSet<_> = samples.iter().map(|s| s.time.clone()).collect();
        assert_eq!(times.len(), samples.len(), "one sample per hour");
    }
}
