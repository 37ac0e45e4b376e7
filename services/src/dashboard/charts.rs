//! Usage over time and per account, from the rollups: hourly for a week,
//! daily for longer. Customers see their own accounts (all, or one of
//! them); staff see the platform, or any one account.

use sqlx::PgPool;
use uuid::Uuid;

use super::{date_of, Audience, ChartFuture, ChartScope, ChartSource, Viewer};
use crate::failure::Internal;
use domain::dashboard::{day_string, ChartData, ChartId, ChartKind, Range, Series, Unit};

pub const STORAGE: ChartSource = ChartSource {
    id: ChartId::Storage,
    title: "Storage used",
    audience: Audience::Customers,
    data: storage_future,
};

pub const BANDWIDTH: ChartSource = ChartSource {
    id: ChartId::Bandwidth,
    title: "Bandwidth served",
    audience: Audience::Customers,
    data: bandwidth_future,
};

pub const BANDWIDTH_PER_ACCOUNT: ChartSource = ChartSource {
    id: ChartId::BandwidthPerAccount,
    title: "Bandwidth per account",
    audience: Audience::Customers,
    data: per_account_future,
};

/// The same charts for staff, over the whole platform.
pub const PLATFORM_STORAGE: ChartSource = ChartSource {
    audience: Audience::Staff,
    ..STORAGE
};
pub const PLATFORM_BANDWIDTH: ChartSource = ChartSource {
    audience: Audience::Staff,
    ..BANDWIDTH
};
pub const BUSIEST_ACCOUNTS: ChartSource = ChartSource {
    title: "Busiest accounts",
    audience: Audience::Staff,
    ..BANDWIDTH_PER_ACCOUNT
};

fn storage_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(over_time(pool, viewer, scope, Measure::Storage))
}

fn bandwidth_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(over_time(pool, viewer, scope, Measure::Bandwidth))
}

fn per_account_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(per_account(pool, viewer, scope))
}

/// The accounts a chart covers: None means every account (staff only).
/// A customer asking for an account that is not theirs gets all of theirs.
pub(crate) fn covered(viewer: &Viewer, account: Option<Uuid>) -> Option<Vec<Uuid>> {
    match account {
        Some(id) if viewer.staff || viewer.accounts.contains(&id) => Some(vec![id]),
        _ if viewer.staff => None,
        _ => Some(viewer.accounts.clone()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Measure {
    Storage,
    Bandwidth,
}

async fn over_time(
    pool: &PgPool,
    viewer: &Viewer,
    scope: ChartScope,
    measure: Measure,
) -> Result<ChartData, Internal> {
    let accounts = covered(viewer, scope.account);
    let (first, last) = scope.range.days(viewer.today());
    let hourly = matches!(scope.range, Range::Last(n) if n <= 7);
    // (unix seconds, storage, bandwidth) per bucket, zero where nothing was
    // reported. Customers' accounts by their index; the platform from its
    // own rollups (summing every account's rows was the slow part).
    let points = if hourly {
        hourly_points(pool, viewer, accounts.as_deref(), first).await?
    } else {
        daily_points(pool, accounts.as_deref(), first, last).await?
    };
    let raw: Vec<f64> = points
        .iter()
        .map(|(_, s, b)| if measure == Measure::Storage { *s } else { *b } as f64)
        .collect();
    let unit = Unit::bytes_for(raw.iter().copied().fold(0.0, f64::max));
    let (id, title, name) = match measure {
        Measure::Storage => (ChartId::Storage, "Storage used", "Storage"),
        Measure::Bandwidth if hourly => (ChartId::Bandwidth, "Bandwidth served", "Bandwidth per hour"),
        Measure::Bandwidth => (ChartId::Bandwidth, "Bandwidth served", "Bandwidth per day"),
    };
    Ok(ChartData {
        id,
        title: title.into(),
        kind: ChartKind::Line,
        unit,
        times: points.iter().map(|(t, _, _)| t * 1000).collect(),
        labels: points.iter().map(|(t, _, _)| label(*t, hourly)).collect(),
        series: vec![Series {
            name: name.into(),
            values: raw.into_iter().map(|v| unit.scale(v)).collect(),
        }],
    })
}

/// (unix seconds, storage, bandwidth) per hour from day `first` to now.
async fn hourly_points(
    pool: &PgPool,
    viewer: &Viewer,
    accounts: Option<&[Uuid]>,
    first: i32,
) -> Result<Vec<(i64, i64, i64)>, Internal> {
    let from = date_of(first).midnight().assume_utc();
    let rows: Vec<(time::OffsetDateTime, i64, i64)> = match accounts {
        Some(ids) => sqlx::query!(
            r#"SELECT hour AS "at!", coalesce(sum(storage_bytes), 0)::int8 AS "storage!",
                      LEAST(coalesce(sum(bandwidth_bytes), 0), 9223372036854775807)::int8 AS "bandwidth!"
               FROM usage_hourly
               WHERE account_id = ANY($1) AND hour >= $2 AND hour <= $3
               GROUP BY hour ORDER BY hour"#,
            ids,
            from,
            viewer.now
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.at, r.storage, r.bandwidth))
        .collect(),
        None => sqlx::query!(
            r#"SELECT hour AS "at!", LEAST(storage_bytes, 9223372036854775807)::int8 AS "storage!",
                      LEAST(bandwidth_bytes, 9223372036854775807)::int8 AS "bandwidth!"
               FROM usage_platform_hourly
               WHERE hour >= $1 AND hour <= $2
               ORDER BY hour"#,
            from,
            viewer.now
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.at, r.storage, r.bandwidth))
        .collect(),
    };
    let start = from.unix_timestamp();
    let hours = ((viewer.now.unix_timestamp() - start) / 3600).max(0) + 1;
    Ok(fill(
        (0..hours).map(|h| start + h * 3600),
        rows.into_iter().map(|(at, s, b)| (at.unix_timestamp(), s, b)),
    ))
}

/// (unix seconds, storage, bandwidth) per day from `first` to `last`.
async fn daily_points(
    pool: &PgPool,
    accounts: Option<&[Uuid]>,
    first: i32,
    last: i32,
) -> Result<Vec<(i64, i64, i64)>, Internal> {
    let (from, to) = (date_of(first), date_of(last));
    let rows: Vec<(time::Date, i64, i64)> = match accounts {
        Some(ids) => sqlx::query!(
            r#"SELECT day AS "day!", coalesce(sum(storage_bytes), 0)::int8 AS "storage!",
                      LEAST(coalesce(sum(bandwidth_bytes), 0), 9223372036854775807)::int8 AS "bandwidth!"
               FROM usage_daily
               WHERE account_id = ANY($1) AND day BETWEEN $2 AND $3
               GROUP BY day ORDER BY day"#,
            ids,
            from,
            to
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.day, r.storage, r.bandwidth))
        .collect(),
        None => sqlx::query!(
            r#"SELECT day AS "day!", LEAST(storage_bytes, 9223372036854775807)::int8 AS "storage!",
                      LEAST(bandwidth_bytes, 9223372036854775807)::int8 AS "bandwidth!"
               FROM usage_platform_daily
               WHERE day BETWEEN $1 AND $2
               ORDER BY day"#,
            from,
            to
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.day, r.storage, r.bandwidth))
        .collect(),
    };
    let at = |d: time::Date| d.midnight().assume_utc().unix_timestamp();
    Ok(fill(
        (first..=last).map(|d| at(date_of(d))),
        rows.into_iter().map(|(day, s, b)| (at(day), s, b)),
    ))
}

/// Every bucket of the period, with the rows' figures where there are some.
fn fill(
    buckets: impl Iterator<Item = i64>,
    rows: impl Iterator<Item = (i64, i64, i64)>,
) -> Vec<(i64, i64, i64)> {
    let found: std::collections::HashMap<i64, (i64, i64)> = rows.map(|(t, s, b)| (t, (s, b))).collect();
    buckets
        .map(|t| {
            let (s, b) = found.get(&t).copied().unwrap_or((0, 0));
            (t, s, b)
        })
        .collect()
}

/// "2026-11-20", or "2026-11-20 14:00 UTC" for hours.
fn label(unix: i64, hourly: bool) -> String {
    let day = day_string(unix.div_euclid(86_400) as i32);
    if hourly {
        format!("{day} {:02}:00 UTC", unix.rem_euclid(86_400) / 3600)
    } else {
        day
    }
}

async fn per_account(pool: &PgPool, viewer: &Viewer, scope: ChartScope) -> Result<ChartData, Internal> {
    let accounts = covered(viewer, None);
    let (first, last) = scope.range.days(viewer.today());
    let rows: Vec<(String, i64)> = match &accounts {
        Some(ids) => sqlx::query!(
            r#"SELECT a.name, LEAST(coalesce(sum(d.bandwidth_bytes), 0), 9223372036854775807)::int8 AS "bandwidth!"
               FROM hosting_accounts a
               LEFT JOIN usage_daily d ON d.account_id = a.id AND d.day BETWEEN $2 AND $3
               WHERE a.id = ANY($1) AND a.status <> 'cancelled'
               GROUP BY a.id, a.name ORDER BY 2 DESC, lower(a.name) LIMIT 20"#,
            ids,
            date_of(first),
            date_of(last)
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.name, r.bandwidth))
        .collect(),
        // The platform's busiest: from the kept per-period totals when they
        // are summed up to today, otherwise from every account's days.
        None => match busiest(pool, scope.range, viewer.today()).await? {
            Some(rows) => rows,
            None => sqlx::query!(
            r#"SELECT a.name, LEAST(coalesce(sum(d.bandwidth_bytes), 0), 9223372036854775807)::int8 AS "bandwidth!"
               FROM hosting_accounts a
               LEFT JOIN usage_daily d ON d.account_id = a.id AND d.day BETWEEN $1 AND $2
               WHERE a.status <> 'cancelled'
               GROUP BY a.id, a.name ORDER BY 2 DESC, lower(a.name) LIMIT 20"#,
            date_of(first),
            date_of(last)
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.name, r.bandwidth))
        .collect(),
        },
    };
    let unit = Unit::bytes_for(rows.iter().map(|(_, b)| *b as f64).fold(0.0, f64::max));
    Ok(ChartData {
        id: ChartId::BandwidthPerAccount,
        title: "Bandwidth per account".into(),
        kind: ChartKind::Bar,
        unit,
        times: Vec::new(),
        labels: rows.iter().map(|(name, _)| name.clone()).collect(),
        series: vec![Series {
            name: "Bandwidth".into(),
            values: rows.iter().map(|(_, b)| unit.scale(*b as f64)).collect(),
        }],
    })
}

/// The 20 busiest accounts of the platform over the last 7, 30 or 90 days,
/// from the totals `usage_windows` keeps per account (read through their
/// index, highest first); accounts without traffic follow by name, as the
/// full sum orders them. None for another period, or while the totals are
/// not yet summed up to `today` (the minute after midnight).
async fn busiest(pool: &PgPool, range: Range, today: i32) -> Result<Option<Vec<(String, i64)>>, Internal> {
    const SHOWN: i64 = 20;
    let days = match range {
        Range::Last(days @ (7 | 30 | 90)) => days as i16,
        _ => return Ok(None),
    };
    let summed_to = sqlx::query_scalar!("SELECT day FROM usage_windows_state")
        .fetch_optional(pool)
        .await?;
    if summed_to != Some(date_of(today)) {
        return Ok(None);
    }
    let mut rows: Vec<(String, i64)> = sqlx::query!(
        r#"SELECT a.name, LEAST(w.bandwidth_bytes, 9223372036854775807)::int8 AS "bandwidth!"
           FROM usage_windows w JOIN hosting_accounts a ON a.id = w.account_id
           WHERE w.days = $1 AND w.bandwidth_bytes > 0 AND a.status <> 'cancelled'
           ORDER BY w.bandwidth_bytes DESC, lower(a.name) LIMIT $2"#,
        days,
        SHOWN
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.name, r.bandwidth))
    .collect();
    if (rows.len() as i64) < SHOWN {
        let quiet = sqlx::query_scalar!(
            r#"SELECT a.name FROM hosting_accounts a
               WHERE a.status <> 'cancelled' AND NOT EXISTS (
                   SELECT 1 FROM usage_windows w
                   WHERE w.days = $1 AND w.account_id = a.id AND w.bandwidth_bytes > 0)
               ORDER BY lower(a.name) LIMIT $2"#,
            days,
            SHOWN - rows.len() as i64
        )
        .fetch_all(pool)
        .await?;
        rows.extend(quiet.into_iter().map(|name| (name, 0)));
    }
    Ok(Some(rows))
}
