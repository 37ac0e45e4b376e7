//! Domains on the dashboard: for customers, their domains (and how many
//! wait for delegation), records and DNS changes this week, and changes
//! per day; an account filter narrows the chart to that account's zones.

use sqlx::PgPool;

use super::{date_of, Audience, ChartFuture, ChartScope, ChartSource, TileSource, TilesFuture, Viewer};
use crate::failure::Internal;
use domain::dashboard::{day_string, ChartData, ChartId, ChartKind, Series, Tile, Unit};

pub const TILES: TileSource = TileSource {
    id: "domains",
    title: "Domains",
    audience: Audience::Customers,
    tiles: tiles_future,
};

pub const CHANGES_PER_DAY: ChartSource = ChartSource {
    id: ChartId::DnsChangesPerDay,
    title: "DNS changes per day",
    audience: Audience::Customers,
    data: changes_future,
};

/// Staff: names registered (and renewed) here per day.
pub const REGISTRATIONS_PER_DAY: ChartSource = ChartSource {
    id: ChartId::RegistrationsPerDay,
    title: "Domains registered per day",
    audience: Audience::Staff,
    data: registrations_future,
};

fn registrations_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(registrations_per_day(pool, viewer, scope))
}

fn tiles_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(tiles(pool, viewer))
}

fn changes_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(changes_per_day(pool, viewer, scope))
}

fn tile(id: &str, label: &str, raw: i64, detail: Option<String>) -> Tile {
    Tile {
        id: id.into(),
        label: label.into(),
        value: raw.to_string(),
        detail,
        change: None,
        href: Some("/domains".into()),
        percent: None,
        raw,
        attention: false,
    }
}

async fn tiles(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "domains!",
                  count(*) FILTER (WHERE d.status = 'pending') AS "pending!",
                  COALESCE(sum((SELECT count(*) FROM dns_records r WHERE r.domain_id = d.id)), 0)::bigint AS "records!",
                  COALESCE(sum((SELECT count(*) FROM dns_changes c WHERE c.domain_id = d.id
                                AND c.created_at >= $2::timestamptz - interval '7 days')), 0)::bigint AS "changes!",
                  (SELECT count(*) FROM registered_domains g WHERE g.account_id = ANY($1)) AS "registered!",
                  (SELECT count(*) FROM registered_domains g WHERE g.account_id = ANY($1)
                      AND g.expires_at < $2::timestamptz + interval '30 days') AS "expiring!"
           FROM domains d WHERE d.account_id = ANY($1)"#,
        &viewer.accounts,
        viewer.now
    )
    .fetch_one(pool)
    .await?;
    if row.domains == 0 {
        return Ok(Vec::new());
    }
    let mut tiles = vec![
        tile(
            "domains",
            "Domains",
            row.domains,
            (row.pending > 0).then(|| format!("{} waiting for delegation", row.pending)),
        ),
        tile("dns-records", "DNS records", row.records, None),
        tile("dns-changes", "DNS changes this week", row.changes, None),
    ];
    // Names bought here: how many expire within a month.
    if row.registered > 0 {
        tiles.push(Tile {
            attention: row.expiring > 0,
            ..tile(
                "domains-expiring",
                "Expiring within 30 days",
                row.expiring,
                Some(format!("of {} registered here", row.registered)),
            )
        });
    }
    Ok(tiles)
}

async fn changes_per_day(pool: &PgPool, viewer: &Viewer, scope: ChartScope) -> Result<ChartData, Internal> {
    let (first, last) = scope.range.days(viewer.today());
    let (from, to) = (
        date_of(first).midnight().assume_utc(),
        date_of(last + 1).midnight().assume_utc(),
    );
    let accounts: Vec<uuid::Uuid> = match scope.account {
        Some(a) if viewer.accounts.contains(&a) => vec![a],
        Some(_) => Vec::new(),
        None => viewer.accounts.clone(),
    };
    let rows = sqlx::query!(
        r#"SELECT (c.created_at AT TIME ZONE 'UTC')::date AS "day!", count(*) AS "n!"
           FROM dns_changes c JOIN domains d ON d.id = c.domain_id
           WHERE d.account_id = ANY($1) AND c.created_at >= $2 AND c.created_at < $3 GROUP BY 1"#,
        &accounts,
        from,
        to
    )
    .fetch_all(pool)
    .await?;
    let days: Vec<i32> = (first..=last).collect();
    Ok(ChartData {
        id: ChartId::DnsChangesPerDay,
        title: "DNS changes per day".into(),
        kind: ChartKind::Bar,
        unit: Unit::Count,
        times: days.iter().map(|d| i64::from(*d) * 86_400_000).collect(),
        labels: days.iter().map(|d| day_string(*d)).collect(),
        series: vec![Series {
            name: "Changes".into(),
            values: days
                .iter()
                .map(|d| {
                    rows.iter()
                        .find(|r| r.day == date_of(*d))
                        .map_or(0.0, |r| r.n as f64)
                })
                .collect(),
        }],
    })
}

async fn registrations_per_day(
    pool: &PgPool,
    viewer: &Viewer,
    scope: ChartScope,
) -> Result<ChartData, Internal> {
    let (first, last) = scope.range.days(viewer.today());
    let (from, to) = (
        date_of(first).midnight().assume_utc(),
        date_of(last + 1).midnight().assume_utc(),
    );
    let rows = sqlx::query!(
        r#"SELECT (finished_at AT TIME ZONE 'UTC')::date AS "day!",
                  count(*) FILTER (WHERE kind = 'register') AS "registered!",
                  count(*) FILTER (WHERE kind = 'renew') AS "renewed!"
           FROM domain_orders
           WHERE status = 'registered' AND finished_at >= $1 AND finished_at < $2 GROUP BY 1"#,
        from,
        to
    )
    .fetch_all(pool)
    .await?;
    let days: Vec<i32> = (first..=last).collect();
    let series = |name: &str, pick: fn(i64, i64) -> i64| Series {
        name: name.into(),
        values: days
            .iter()
            .map(|d| {
                rows.iter()
                    .find(|r| r.day == date_of(*d))
                    .map_or(0.0, |r| pick(r.registered, r.renewed) as f64)
            })
            .collect(),
    };
    Ok(ChartData {
        id: ChartId::RegistrationsPerDay,
        title: "Domains registered per day".into(),
        kind: ChartKind::Bar,
        unit: Unit::Count,
        times: days.iter().map(|d| i64::from(*d) * 86_400_000).collect(),
        labels: days.iter().map(|d| day_string(*d)).collect(),
        series: vec![series("Registered", |r, _| r), series("Renewed", |_, n| n)],
    })
}
