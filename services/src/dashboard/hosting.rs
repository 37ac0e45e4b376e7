//! A customer's hosting figures: their accounts by status, storage used now
//! against the sum of their quotas, and bandwidth this month against
//! quota, each with its change against the previous period.

use sqlx::PgPool;

use super::{date_of, signed, Audience, TileSource, TilesFuture, Viewer};
use crate::failure::Internal;
use crate::hosting::usage::format_bytes;
use domain::dashboard::{Change, Tile, Trend};
use domain::AccountStatus;

pub const TILES: TileSource = TileSource {
    id: "hosting",
    title: "Hosting",
    audience: Audience::Customers,
    tiles: tiles_future,
};

fn tiles_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(tiles(pool, viewer))
}

async fn tiles(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    Ok(vec![
        accounts(pool, viewer).await?,
        storage(pool, viewer).await?,
        bandwidth(pool, viewer).await?,
    ])
}

/// A share of a quota, 0–100.
pub(crate) fn percent(used: i64, quota: i64) -> u8 {
    if quota <= 0 {
        return 0;
    }
    ((used as f64 / quota as f64) * 100.0).clamp(0.0, 100.0).round() as u8
}

async fn accounts(pool: &PgPool, viewer: &Viewer) -> Result<Tile, Internal> {
    let rows = sqlx::query!(
        r#"SELECT status AS "status: AccountStatus", count(*) AS "n!",
                  count(*) FILTER (WHERE created_at > $2) AS "recent!"
           FROM hosting_accounts WHERE id = ANY($1) GROUP BY status"#,
        &viewer.accounts,
        viewer.now - time::Duration::days(30)
    )
    .fetch_all(pool)
    .await?;
    let count = |status: AccountStatus| rows.iter().find(|r| r.status == status).map_or(0, |r| r.n);
    let open: i64 = rows
        .iter()
        .filter(|r| r.status != AccountStatus::Cancelled)
        .map(|r| r.n)
        .sum();
    let recent: i64 = rows.iter().map(|r| r.recent).sum();
    let mut parts = vec![format!("{} active", count(AccountStatus::Active))];
    for status in [
        AccountStatus::Pending,
        AccountStatus::Suspended,
        AccountStatus::Cancelled,
    ] {
        let n = count(status);
        if n > 0 {
            parts.push(format!("{n} {}", status.as_str()));
        }
    }
    Ok(Tile {
        id: "accounts".into(),
        label: "Hosting accounts".into(),
        value: open.to_string(),
        detail: Some(parts.join(" · ")),
        change: Some(Change {
            text: format!("{recent} new in the last 30 days"),
            trend: Trend::of(recent as f64),
        }),
        href: Some("/hosting".into()),
        percent: None,
        raw: open,
        attention: false,
    })
}

async fn storage(pool: &PgPool, viewer: &Viewer) -> Result<Tile, Internal> {
    let row = sqlx::query!(
        r#"SELECT coalesce(sum(l.storage_bytes), 0)::int8 AS "used!",
                  coalesce(sum(p.storage_quota_bytes), 0)::int8 AS "quota!",
                  (SELECT coalesce(sum(d.storage_bytes), 0)::int8 FROM usage_daily d
                    WHERE d.account_id = ANY($1) AND d.day = $2) AS "before!"
           FROM hosting_accounts a
           JOIN plans p ON p.id = a.plan_id
           LEFT JOIN usage_latest l ON l.account_id = a.id
           WHERE a.id = ANY($1) AND a.status <> 'cancelled'"#,
        &viewer.accounts,
        date_of(viewer.today() - 30)
    )
    .fetch_one(pool)
    .await?;
    let delta = row.used - row.before;
    Ok(Tile {
        id: "storage".into(),
        label: "Storage".into(),
        value: format_bytes(row.used),
        detail: Some(format!(
            "of {} ({}%)",
            format_bytes(row.quota),
            percent(row.used, row.quota)
        )),
        change: Some(Change {
            text: format!(
                "{} vs 30 days ago",
                signed(delta as f64, format_bytes(delta.abs()))
            ),
            trend: Trend::of(delta as f64),
        }),
        href: Some("/hosting".into()),
        percent: Some(percent(row.used, row.quota)),
        raw: row.used,
        attention: false,
    })
}

async fn bandwidth(pool: &PgPool, viewer: &Viewer) -> Result<Tile, Internal> {
    let today = viewer.now.date();
    let month_start = today.replace_day(1).unwrap_or(today);
    let elapsed = (today - month_start).whole_days();
    // The same days of the previous month.
    let previous_start = (month_start - time::Duration::days(1))
        .replace_day(1)
        .unwrap_or(month_start);
    let previous_end = previous_start + time::Duration::days(elapsed);
    let row = sqlx::query!(
        r#"SELECT
             (SELECT coalesce(sum(bandwidth_bytes), 0)::int8 FROM usage_monthly
               WHERE account_id = ANY($1) AND month = $2) AS "used!",
             (SELECT coalesce(sum(p.bandwidth_quota_bytes), 0)::int8 FROM hosting_accounts a
               JOIN plans p ON p.id = a.plan_id WHERE a.id = ANY($1) AND a.status <> 'cancelled') AS "quota!",
             (SELECT LEAST(coalesce(sum(bandwidth_bytes), 0), 9223372036854775807)::int8 FROM usage_daily
               WHERE account_id = ANY($1) AND day BETWEEN $3 AND $4) AS "before!""#,
        &viewer.accounts,
        month_start,
        previous_start,
        previous_end.min(month_start - time::Duration::days(1))
    )
    .fetch_one(pool)
    .await?;
    let change = if row.before > 0 {
        let pct = (row.used as f64 - row.before as f64) / row.before as f64 * 100.0;
        Change {
            text: format!(
                "{} vs the same days last month",
                signed(pct, format!("{:.0}%", pct.abs()))
            ),
            trend: Trend::of(pct.round()),
        }
    } else {
        Change {
            text: "nothing the same days last month".into(),
            trend: Trend::of(row.used as f64),
        }
    };
    Ok(Tile {
        id: "bandwidth".into(),
        label: "Bandwidth this month".into(),
        value: format_bytes(row.used),
        detail: Some(format!(
            "of {} ({}%)",
            format_bytes(row.quota),
            percent(row.used, row.quota)
        )),
        change: Some(change),
        href: Some("/hosting".into()),
        percent: Some(percent(row.used, row.quota)),
        raw: row.used,
        attention: false,
    })
}
