//! The platform view for staff: customers and sign-ups, accounts by
//! status and plan, platform storage and bandwidth, accounts near quota.
//! Counts and storage come from `platform_counts`, bandwidth from the
//! platform rollups and the accounts near quota from `accounts_near_quota`,
//! all kept by triggers: no render reads every account.

use sqlx::PgPool;

use super::hosting::percent;
use super::{date_of, Audience, ChartFuture, ChartScope, ChartSource, TileSource, TilesFuture, Viewer};
use crate::failure::Internal;
use crate::hosting::usage::format_bytes;
use domain::dashboard::{day_string, Change, ChartData, ChartId, ChartKind, Series, Tile, Trend, Unit};
use domain::AccountStatus;

pub const TILES: TileSource = TileSource {
    id: "platform",
    title: "Platform",
    audience: Audience::Staff,
    tiles: tiles_future,
};

pub const SIGN_UPS: ChartSource = ChartSource {
    id: ChartId::SignUps,
    title: "Sign-ups per day",
    audience: Audience::Staff,
    data: sign_ups_future,
};

pub const ACCOUNTS_BY_PLAN: ChartSource = ChartSource {
    id: ChartId::AccountsByPlan,
    title: "Accounts by plan",
    audience: Audience::Staff,
    data: by_plan_future,
};

fn tiles_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(tiles(pool, viewer))
}

fn sign_ups_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(sign_ups(pool, viewer, scope))
}

fn by_plan_future<'a>(pool: &'a PgPool, _viewer: &'a Viewer, _scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(by_plan(pool))
}

struct People {
    customers: i64,
    week: i64,
    today: i64,
}

struct StatusCount {
    status: AccountStatus,
    n: i64,
}

struct Usage {
    storage: i64,
    bandwidth: i64,
}

struct Near {
    name: String,
    share: f64,
}

struct NearQuota {
    total: i64,
    top: Vec<Near>,
}

async fn tiles(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let month = viewer.now.date().replace_day(1).unwrap_or(viewer.now.date());
    let (people, statuses, usage, near, mail) = futures::try_join!(
        people(pool, viewer),
        statuses(pool),
        usage(pool, month),
        near_quota(pool, month),
        crate::operations::delivery(pool)
    )?;
    let mut tiles = platform_tiles(&people, &statuses, &usage, &near);
    tiles.push(delivery_tile(&mail));
    Ok(tiles)
}

async fn people(pool: &PgPool, viewer: &Viewer) -> Result<People, sqlx::Error> {
    sqlx::query_as!(
        People,
        r#"SELECT (SELECT coalesce(sum(n), 0) FROM platform_counts WHERE key = 'customers')::int8 AS "customers!",
                  count(*) FILTER (WHERE created_at > $1) AS "week!",
                  count(*) FILTER (WHERE created_at >= $2) AS "today!"
           FROM users WHERE role = 'customer' AND created_at >= LEAST($1, $2)"#,
        viewer.now - time::Duration::days(7),
        date_of(viewer.today()).midnight().assume_utc()
    )
    .fetch_one(pool)
    .await
}

async fn statuses(pool: &PgPool) -> Result<Vec<StatusCount>, sqlx::Error> {
    sqlx::query_as!(
        StatusCount,
        r#"SELECT split_part(key, ':', 2) AS "status!: AccountStatus", n FROM platform_counts WHERE key LIKE 'accounts:%'"#
    )
    .fetch_all(pool)
    .await
}

async fn usage(pool: &PgPool, month: time::Date) -> Result<Usage, sqlx::Error> {
    // 'storage' sums every account's latest storage; the cancelled ones,
    // few and behind a partial index, are taken off here.
    sqlx::query_as!(
        Usage,
        r#"SELECT
             GREATEST((SELECT coalesce(sum(n), 0) FROM platform_counts WHERE key = 'storage')
               - (SELECT coalesce(sum(l.storage_bytes), 0) FROM hosting_accounts a
                  JOIN usage_latest l ON l.account_id = a.id WHERE a.status = 'cancelled'), 0)::int8 AS "storage!",
             (SELECT LEAST(coalesce(sum(bandwidth_bytes), 0), 9223372036854775807)::int8
               FROM usage_platform_daily WHERE day >= $1 AND day < ($1 + interval '1 month')::date) AS "bandwidth!""#,
        month
    )
    .fetch_one(pool)
    .await
}

/// How many open accounts are at or above 90 % of a quota this month, and
/// the five closest to (or furthest past) it. Reads `accounts_near_quota`,
/// kept by triggers; bandwidth counts only when its month is this one.
async fn near_quota(pool: &PgPool, month: time::Date) -> Result<NearQuota, sqlx::Error> {
    let (total, top) = futures::try_join!(
        sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM accounts_near_quota
               WHERE storage_share >= 0.9 OR (month = $1 AND bandwidth_share >= 0.9)"#,
            month
        )
        .fetch_one(pool),
        sqlx::query_as!(
            Near,
            r#"SELECT name, GREATEST(storage_share, CASE WHEN month = $1 THEN bandwidth_share ELSE 0 END) AS "share!"
               FROM accounts_near_quota
               WHERE storage_share >= 0.9 OR (month = $1 AND bandwidth_share >= 0.9)
               ORDER BY 2 DESC, lower(name) LIMIT 5"#,
            month
        )
        .fetch_all(pool)
    )?;
    Ok(NearQuota { total, top })
}

fn platform_tiles(people: &People, statuses: &[StatusCount], usage: &Usage, near: &NearQuota) -> Vec<Tile> {
    let count = |s: AccountStatus| statuses.iter().find(|r| r.status == s).map_or(0, |r| r.n);
    let open = count(AccountStatus::Active) + count(AccountStatus::Pending) + count(AccountStatus::Suspended);
    vec![
        Tile {
            id: "customers".into(),
            label: "Customers".into(),
            value: people.customers.to_string(),
            detail: Some(format!("{} signed up today", people.today)),
            change: Some(Change {
                text: format!("+{} in the last 7 days", people.week),
                trend: Trend::of(people.week as f64),
            }),
            href: None,
            percent: None,
            raw: people.customers,
            attention: false,
        },
        Tile {
            id: "platform-accounts".into(),
            label: "Hosting accounts".into(),
            value: open.to_string(),
            detail: Some(format!(
                "{} active · {} suspended · {} cancelled",
                count(AccountStatus::Active),
                count(AccountStatus::Suspended),
                count(AccountStatus::Cancelled)
            )),
            change: None,
            href: Some("/hosting".into()),
            percent: None,
            raw: open,
            attention: false,
        },
        Tile {
            id: "platform-storage".into(),
            label: "Platform storage".into(),
            value: format_bytes(usage.storage),
            detail: Some("in use now, open accounts".into()),
            change: None,
            href: None,
            percent: None,
            raw: usage.storage,
            attention: false,
        },
        Tile {
            id: "platform-bandwidth".into(),
            label: "Platform bandwidth this month".into(),
            value: format_bytes(usage.bandwidth),
            detail: None,
            change: None,
            href: None,
            percent: None,
            raw: usage.bandwidth,
            attention: false,
        },
        Tile {
            id: "near-quota".into(),
            label: "Accounts near quota (≥ 90%)".into(),
            value: near.total.to_string(),
            detail: (!near.top.is_empty()).then(|| {
                near.top
                    .iter()
                    .map(|r| format!("{} ({}%)", r.name, percent((r.share * 1000.0) as i64, 1000)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            change: None,
            href: Some("/hosting".into()),
            percent: None,
            raw: near.total,
            attention: false,
        },
    ]
}

/// The seed's goal: more than 98 % of sent email delivered.
const DELIVERY_GOAL: f64 = 0.98;

fn delivery_tile(mail: &crate::operations::DeliveryFigures) -> Tile {
    let shown =
        |rate: Option<f64>| rate.map_or("no reports yet".to_string(), |r| format!("{:.1} %", r * 100.0));
    Tile {
        id: "email-delivery".into(),
        label: "Email delivered (24 h)".into(),
        value: shown(mail.rate_24h),
        detail: Some(format!(
            "30 days: {} · {} address{} no longer mailed",
            shown(mail.rate_30d),
            mail.suppressed,
            if mail.suppressed == 1 { "" } else { "es" }
        )),
        change: None,
        href: None,
        percent: None,
        raw: mail.rate_24h.map_or(0, |r| (r * 1000.0).round() as i64),
        attention: mail.rate_24h.is_some_and(|r| r < DELIVERY_GOAL),
    }
}

async fn sign_ups(pool: &PgPool, viewer: &Viewer, scope: ChartScope) -> Result<ChartData, Internal> {
    let (first, last) = scope.range.days(viewer.today());
    let rows = sqlx::query!(
        r#"SELECT (created_at AT TIME ZONE 'UTC')::date AS "day!", count(*) AS "n!" FROM users
           WHERE role = 'customer' AND created_at >= $1 AND created_at < $2
           GROUP BY 1"#,
        date_of(first).midnight().assume_utc(),
        date_of(last + 1).midnight().assume_utc()
    )
    .fetch_all(pool)
    .await?;
    let days: Vec<i32> = (first..=last).collect();
    let values = days
        .iter()
        .map(|d| {
            rows.iter()
                .find(|r| r.day == date_of(*d))
                .map_or(0.0, |r| r.n as f64)
        })
        .collect();
    Ok(ChartData {
        id: ChartId::SignUps,
        title: "Sign-ups per day".into(),
        kind: ChartKind::Bar,
        unit: Unit::Count,
        times: days.iter().map(|d| i64::from(*d) * 86_400_000).collect(),
        labels: days.iter().map(|d| day_string(*d)).collect(),
        series: vec![Series {
            name: "Sign-ups".into(),
            values,
        }],
    })
}

async fn by_plan(pool: &PgPool) -> Result<ChartData, Internal> {
    let rows = sqlx::query!(
        r#"SELECT p.name, coalesce(c.n, 0) AS "n!" FROM plans p
           LEFT JOIN platform_counts c ON c.key = 'plan:' || p.id
           ORDER BY p.sort_order, p.name"#
    )
    .fetch_all(pool)
    .await?;
    Ok(ChartData {
        id: ChartId::AccountsByPlan,
        title: "Accounts by plan".into(),
        kind: ChartKind::Pie,
        unit: Unit::Count,
        times: Vec::new(),
        labels: rows.iter().map(|r| r.name.clone()).collect(),
        series: vec![Series {
            name: "Accounts".into(),
            values: rows.iter().map(|r| r.n as f64).collect(),
        }],
    })
}
