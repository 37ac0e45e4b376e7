//! Usage samples from hosting nodes: storage in use and bandwidth served,
//! per account and time. A batch is checked row by row and written whole
//! or not at all; a sample sent twice is stored once.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use time::{format_description::well_known::Rfc3339, Duration, OffsetDateTime};
use uuid::Uuid;

use super::access::Access;
use super::ServiceError;
use domain::Permission;

/// Most rows one request may carry.
pub const MAX_BATCH: usize = 5_000;
/// The largest figure one sample may report (1 PiB): far above any account,
/// and small enough that a month of samples cannot overflow a sum.
pub const MAX_SAMPLE_BYTES: i64 = 1 << 50;
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
    #[error("this node token has no region; create a new token for the node's region")]
    NoRegion,
    #[error("a batch holds 1 to {MAX_BATCH} samples")]
    BatchSize,
    #[error("{} row(s) refused; nothing was stored", .0.len())]
    Rows(Vec<RowError>),
    #[error("internal error; retry the batch")]
    Internal(#[source] sqlx::Error),
}

impl From<sqlx::Error> for IngestError {
    fn from(e: sqlx::Error) -> Self {
        IngestError::Internal(e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReport {
    /// Rows stored now.
    pub stored: u64,
    /// Rows already stored before (same account and time).
    pub duplicates: u64,
}

/// Authenticates the node, then stores the batch: only samples of
/// accounts in the node's region that no other node serves.
pub async fn ingest(
    pool: &PgPool,
    node_token: &str,
    rows: &[RawSample],
    now: OffsetDateTime,
) -> Result<IngestReport, IngestError> {
    let node = super::node_tokens::authenticate(pool, node_token)
        .await?
        .ok_or(IngestError::Unauthorized)?;
    let region = node.region.ok_or(IngestError::NoRegion)?;
    store(pool, &region, node.id, rows, now).await
}

/// A batch's valid rows, column by column (as `unnest` takes them).
#[derive(Default)]
struct Columns {
    accounts: Vec<Uuid>,
    times: Vec<OffsetDateTime>,
    storage: Vec<i64>,
    bandwidth: Vec<i64>,
}

async fn store(
    pool: &PgPool,
    region: &str,
    node: Uuid,
    rows: &[RawSample],
    now: OffsetDateTime,
) -> Result<IngestReport, IngestError> {
    if rows.is_empty() || rows.len() > MAX_BATCH {
        return Err(IngestError::BatchSize);
    }
    let (columns, mut errors) = validate(rows, now);
    errors.extend(unknown_accounts(pool, region, node, rows, &columns.accounts).await?);
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(IngestError::Rows(errors));
    }
    let stored = insert(pool, &columns).await?;
    Ok(IngestReport {
        stored,
        duplicates: rows.len() as u64 - stored,
    })
}

/// Each row checked on its own: the valid ones as columns, and what is
/// wrong with the others.
fn validate(rows: &[RawSample], now: OffsetDateTime) -> (Columns, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut c = Columns::default();
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
        if !(0..=MAX_SAMPLE_BYTES).contains(&r.storage_bytes) {
            problems.push("storage_bytes must be from 0 to 1 PiB (1125899906842624)");
        }
        if !(0..=MAX_SAMPLE_BYTES).contains(&r.bandwidth_bytes) {
            problems.push("bandwidth_bytes must be from 0 to 1 PiB (1125899906842624)");
        }
        match (account, time) {
            (Ok(a), Ok(t)) if problems.is_empty() => {
                c.accounts.push(a);
                c.times.push(t);
                c.storage.push(r.storage_bytes);
                c.bandwidth.push(r.bandwidth_bytes);
            }
            _ => errors.push(RowError {
                row: i,
                error: problems.join("; "),
            }),
        }
    }
    (c, errors)
}

/// Rows naming an account that is not in the node's region, or that
/// another node serves (usage can pause a site: no node may speak for
/// another's): one query for the batch's distinct ids.
async fn unknown_accounts(
    pool: &PgPool,
    region: &str,
    node: Uuid,
    rows: &[RawSample],
    accounts: &[Uuid],
) -> Result<Vec<RowError>, sqlx::Error> {
    let distinct: Vec<Uuid> = accounts
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known: HashSet<Uuid> = sqlx::query_scalar!(
        "SELECT id FROM hosting_accounts WHERE id = ANY($1) AND region = $2 AND (node_id IS NULL OR node_id = $3)",
        &distinct,
        region,
        node
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    if known.len() == distinct.len() {
        return Ok(Vec::new());
    }
    Ok(rows
        .iter()
        .enumerate()
        .filter(|(_, r)| Uuid::parse_str(r.account_id.trim()).is_ok_and(|id| !known.contains(&id)))
        .map(|(i, _)| RowError {
            row: i,
            error: format!(
                "no hosting account in this node's region ({region}) has this account_id, or another node serves it"
            ),
        })
        .collect())
}

/// Stores the samples; answers how many were new.
async fn insert(pool: &PgPool, c: &Columns) -> Result<u64, sqlx::Error> {
    // One statement: the samples, the hourly and daily rollups of the
    // samples that were new (a resent sample adds nothing), and an event
    // per account for live dashboards — all or nothing. Rollup rows are
    // written in time order: their triggers add to one platform row per
    // hour and day, and concurrent batches taking those row locks in the
    // same order cannot deadlock.
    let stored = sqlx::query_scalar!(
        r#"WITH new AS (
               INSERT INTO usage_samples (account_id, sampled_at, storage_bytes, bandwidth_bytes)
               SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int8[], $4::int8[])
               ON CONFLICT (account_id, sampled_at) DO NOTHING
               RETURNING account_id, sampled_at, storage_bytes, bandwidth_bytes
           ), hourly AS (
               INSERT INTO usage_hourly AS h (account_id, hour, bandwidth_bytes, storage_bytes, storage_at)
               SELECT account_id, date_trunc('hour', sampled_at),
                      LEAST(sum(bandwidth_bytes), 9223372036854775807)::int8,
                      (array_agg(storage_bytes ORDER BY sampled_at DESC))[1], max(sampled_at)
               FROM new GROUP BY 1, 2 ORDER BY 2, 1
               ON CONFLICT (account_id, hour) DO UPDATE SET
                   bandwidth_bytes = LEAST(h.bandwidth_bytes::numeric + EXCLUDED.bandwidth_bytes, 9223372036854775807)::int8,
                   storage_bytes = CASE WHEN EXCLUDED.storage_at > h.storage_at THEN EXCLUDED.storage_bytes ELSE h.storage_bytes END,
                   storage_at = GREATEST(h.storage_at, EXCLUDED.storage_at)
           ), daily AS (
               INSERT INTO usage_daily AS d (account_id, day, bandwidth_bytes, storage_bytes, storage_at)
               SELECT account_id, (sampled_at AT TIME ZONE 'UTC')::date,
                      LEAST(sum(bandwidth_bytes), 9223372036854775807)::int8,
                      (array_agg(storage_bytes ORDER BY sampled_at DESC))[1], max(sampled_at)
               FROM new GROUP BY 1, 2 ORDER BY 2, 1
               ON CONFLICT (account_id, day) DO UPDATE SET
                   bandwidth_bytes = LEAST(d.bandwidth_bytes::numeric + EXCLUDED.bandwidth_bytes, 9223372036854775807)::int8,
                   storage_bytes = CASE WHEN EXCLUDED.storage_at > d.storage_at THEN EXCLUDED.storage_bytes ELSE d.storage_bytes END,
                   storage_at = GREATEST(d.storage_at, EXCLUDED.storage_at)
           ), latest AS (
               INSERT INTO usage_latest AS l (account_id, storage_bytes, storage_at)
               SELECT DISTINCT ON (account_id) account_id, storage_bytes, sampled_at
               FROM new ORDER BY account_id, sampled_at DESC
               ON CONFLICT (account_id) DO UPDATE SET
                   storage_bytes = EXCLUDED.storage_bytes, storage_at = EXCLUDED.storage_at
               WHERE EXCLUDED.storage_at > l.storage_at
           ), monthly AS (
               INSERT INTO usage_monthly AS m (account_id, month, bandwidth_bytes)
               SELECT account_id, date_trunc('month', sampled_at AT TIME ZONE 'UTC')::date,
                      LEAST(sum(bandwidth_bytes), 9223372036854775807)::int8
               FROM new GROUP BY 1, 2
               ON CONFLICT (account_id, month) DO UPDATE SET
                   bandwidth_bytes = LEAST(m.bandwidth_bytes::numeric + EXCLUDED.bandwidth_bytes, 9223372036854775807)::int8
           ), announced AS (
               INSERT INTO events (kind, account_id) SELECT DISTINCT 'usage', account_id FROM new
           )
           SELECT count(*) AS "stored!" FROM new"#,
        &c.accounts,
        &c.times,
        &c.storage,
        &c.bandwidth
    )
    .fetch_one(pool)
    .await?;
    Ok(stored as u64)
}

/// Sums each account's bandwidth over the last 7, 30 and 90 days afresh
/// when the day has changed since they were last summed (the staff
/// dashboard's busiest accounts read them); true if it did. Cheap otherwise:
/// run it every minute.
pub async fn roll_windows(pool: &PgPool, today: time::Date) -> Result<bool, sqlx::Error> {
    let rolled = sqlx::query_scalar!(r#"SELECT usage_windows_roll($1) AS "rolled!""#, today)
        .fetch_one(pool)
        .await?;
    // A new month gives paused sites their bandwidth back.
    let month = today.replace_day(1).unwrap_or(today);
    sqlx::query!(
        "SELECT bandwidth_pause_refresh(array(SELECT id FROM hosting_accounts WHERE bandwidth_paused ORDER BY id), $1)",
        month
    )
    .execute(pool)
    .await?;
    Ok(rolled)
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
    access: &Access,
    now: OffsetDateTime,
) -> Result<UsageSummary, ServiceError> {
    access.require(Permission::View)?;
    let month_start = now
        .replace_day(1)
        .map(|d| d.replace_time(time::Time::MIDNIGHT))
        .unwrap_or(now);
    // From the rollups: the newest storage figure, this month's bandwidth.
    let row = sqlx::query!(
        r#"SELECT
             (SELECT storage_bytes FROM usage_latest WHERE account_id = $1) AS storage,
             (SELECT storage_at FROM usage_latest WHERE account_id = $1) AS last_at,
             (SELECT coalesce(sum(bandwidth_bytes), 0)::int8 FROM usage_monthly
               WHERE account_id = $1 AND month = $2) AS "bandwidth!""#,
        access.account_id(),
        month_start.date()
    )
    .fetch_one(pool)
    .await?;
    Ok(UsageSummary {
        storage_bytes: row.storage.unwrap_or(0),
        bandwidth_month_bytes: row.bandwidth,
        last_sample_at: row.last_at,
    })
}

pub use domain::hosting::format_bytes;

/// The shape of a demo site's usage: storage at the start, bandwidth a
/// day, and the seed its wiggle repeats from.
#[derive(Debug, Clone, Copy)]
pub struct DemoSite {
    pub base_storage: i64,
    pub daily_bandwidth: i64,
    pub seed: u64,
}

/// Plausible hourly samples for the demo: a site that grows slowly, with
/// daily and weekly traffic rhythms, for `days` up to `end`. Deterministic
/// from the site's seed.
pub fn demo_samples(account_id: Uuid, end: OffsetDateTime, days: i64, site: &DemoSite) -> Vec<RawSample> {
    let DemoSite {
        base_storage,
        daily_bandwidth,
        seed,
    } = *site;
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
        let site = DemoSite {
            base_storage: 5_000_000_000,
            daily_bandwidth: 2_000_000_000,
            seed: 7,
        };
        let samples = demo_samples(Uuid::nil(), end, 90, &site);
        assert_eq!(samples.len(), 90 * 24);
        assert!(samples
            .iter()
            .all(|s| s.storage_bytes > 0 && s.bandwidth_bytes >= 0));
        let times: HashSet<_> = samples.iter().map(|s| s.time.clone()).collect();
        assert_eq!(times.len(), samples.len(), "one sample per hour");
    }
}
