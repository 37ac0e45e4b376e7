//! Billing on the dashboard. Customers (for the accounts whose billing
//! they see): spent this month, the next charge, anything past due, and
//! spend per month. Staff: monthly recurring revenue, new and churned
//! subscriptions, past-due accounts, and revenue per day. Amounts are
//! summed per currency, never converted.

use sqlx::PgPool;

use super::{date_of, Audience, ChartFuture, ChartScope, ChartSource, TileSource, TilesFuture, Viewer};
use crate::failure::Internal;
use domain::dashboard::{day_string, ChartData, ChartId, ChartKind, Series, Tile, Unit};
use domain::money::{decimals, format_minor};

/// Roles that see an account's billing (as `Permission::ViewBilling`).
const BILLING_ROLES: &[&str] = &["owner", "admin", "billing"];

pub const CUSTOMER_TILES: TileSource = TileSource {
    id: "billing",
    title: "Billing",
    audience: Audience::Customers,
    tiles: customer_future,
};

pub const STAFF_TILES: TileSource = TileSource {
    id: "revenue",
    title: "Revenue",
    audience: Audience::Staff,
    tiles: staff_future,
};

pub const SPEND_PER_MONTH: ChartSource = ChartSource {
    id: ChartId::SpendPerMonth,
    title: "Spend per month",
    audience: Audience::Customers,
    data: spend_future,
};

pub const REVENUE_PER_DAY: ChartSource = ChartSource {
    id: ChartId::RevenuePerDay,
    title: "Revenue per day",
    audience: Audience::Staff,
    data: revenue_future,
};

fn customer_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(customer_tiles(pool, viewer))
}

fn staff_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(staff_tiles(pool, viewer))
}

fn spend_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(spend_per_month(pool, viewer, scope))
}

fn revenue_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(revenue_per_day(pool, viewer, scope))
}

fn tile(id: &str, label: &str, value: String, detail: Option<String>, href: &str) -> Tile {
    Tile {
        id: id.into(),
        label: label.into(),
        value,
        detail,
        change: None,
        href: Some(href.into()),
        percent: None,
        raw: 0,
        attention: false,
    }
}

/// "14.99 EUR + 1200 JPY", or "—" for nothing.
fn amounts(rows: &[(String, i64)]) -> String {
    if rows.is_empty() {
        return "—".into();
    }
    rows.iter()
        .map(|(currency, minor)| format_minor(*minor, currency))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Minor units as a chart value in major units.
fn major(minor: i64, currency: &str) -> f64 {
    minor as f64 / 10f64.powi(decimals(currency) as i32)
}

fn month_start(viewer: &Viewer) -> time::OffsetDateTime {
    let today = viewer.now.date();
    today.replace_day(1).unwrap_or(today).midnight().assume_utc()
}

async fn customer_tiles(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let spent = sqlx::query!(
        r#"SELECT i.currency, sum(i.amount_paid_minor)::bigint AS "paid!" FROM invoices i
           JOIN hosting_members m ON m.account_id = i.account_id AND m.user_id = $1 AND m.role = ANY($2)
           WHERE i.status = 'paid' AND i.paid_at >= $3 GROUP BY 1 ORDER BY 2 DESC"#,
        viewer.user_id,
        BILLING_ROLES as &[&str],
        month_start(viewer)
    )
    .fetch_all(pool)
    .await?;
    let next = sqlx::query!(
        r#"SELECT s.amount_minor, s.currency, s.current_period_end, a.name
           FROM subscriptions s JOIN hosting_accounts a ON a.id = s.account_id
           JOIN hosting_members m ON m.account_id = s.account_id AND m.user_id = $1 AND m.role = ANY($2)
           WHERE s.status IN ('active', 'trialing', 'past_due') AND NOT s.cancel_at_period_end
           ORDER BY s.current_period_end NULLS LAST"#,
        viewer.user_id,
        BILLING_ROLES as &[&str]
    )
    .fetch_all(pool)
    .await?;
    let overdue = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM subscriptions s
           JOIN hosting_members m ON m.account_id = s.account_id AND m.user_id = $1 AND m.role = ANY($2)
           WHERE s.status IN ('past_due', 'unpaid')"#,
        viewer.user_id,
        BILLING_ROLES as &[&str]
    )
    .fetch_one(pool)
    .await?;
    if spent.is_empty() && next.is_empty() && overdue == 0 {
        // Nothing billed: free plans only, or no account whose billing this user sees.
        return Ok(Vec::new());
    }
    let spent: Vec<(String, i64)> = spent.into_iter().map(|r| (r.currency, r.paid)).collect();
    let mut tiles = vec![tile(
        "spend-month",
        "Spent this month",
        amounts(&spent),
        None,
        "/billing",
    )];
    let next_tile = match next.first() {
        Some(n) => tile(
            "next-charge",
            "Next charge",
            format_minor(n.amount_minor, &n.currency),
            Some(match n.current_period_end {
                Some(at) => format!("{} on {}", n.name, at.date()),
                None => n.name.clone(),
            }),
            "/billing",
        ),
        None => tile(
            "next-charge",
            "Next charge",
            "—".into(),
            Some("no renewing subscription".into()),
            "/billing",
        ),
    };
    tiles.push(next_tile);
    if overdue > 0 {
        let mut due = tile(
            "past-due",
            "Past due",
            overdue.to_string(),
            Some("pay the open invoice to keep the account running".into()),
            "/billing",
        );
        due.attention = true;
        due.raw = overdue;
        tiles.push(due);
    }
    Ok(tiles)
}

async fn staff_tiles(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let mrr = sqlx::query!(
        r#"SELECT currency, sum(amount_minor)::bigint AS "mrr!" FROM subscriptions
           WHERE status IN ('active', 'trialing', 'past_due') GROUP BY 1 ORDER BY 2 DESC"#
    )
    .fetch_all(pool)
    .await?;
    let since = viewer.now - time::Duration::days(30);
    let moves = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE created_at >= $1) AS "new!",
                  count(*) FILTER (WHERE status = 'canceled' AND canceled_at >= $1) AS "churned!",
                  count(*) FILTER (WHERE status IN ('past_due', 'unpaid')) AS "past_due!"
           FROM subscriptions"#,
        since
    )
    .fetch_one(pool)
    .await?;
    let mrr: Vec<(String, i64)> = mrr.into_iter().map(|r| (r.currency, r.mrr)).collect();
    let mut past_due = tile(
        "past-due-accounts",
        "Past-due accounts",
        moves.past_due.to_string(),
        Some("a payment failed; suspended after the grace period".into()),
        "/staff/billing?pending=1",
    );
    past_due.attention = moves.past_due > 0;
    past_due.raw = moves.past_due;
    Ok(vec![
        tile(
            "mrr",
            "Monthly recurring revenue",
            amounts(&mrr),
            Some("active subscriptions".into()),
            "/staff/billing",
        ),
        Tile {
            raw: moves.new,
            ..tile(
                "new-subscriptions",
                "New subscriptions",
                moves.new.to_string(),
                Some("last 30 days".into()),
                "/staff/billing",
            )
        },
        Tile {
            raw: moves.churned,
            ..tile(
                "churned-subscriptions",
                "Churned subscriptions",
                moves.churned.to_string(),
                Some("last 30 days".into()),
                "/staff/billing",
            )
        },
        past_due,
    ])
}

/// Paid per month over the last 12 months (or the chart's account), one
/// series per currency.
async fn spend_per_month(pool: &PgPool, viewer: &Viewer, scope: ChartScope) -> Result<ChartData, Internal> {
    let start = month_start(viewer);
    let first = {
        let mut d = start.date();
        for _ in 0..11 {
            d = d
                .replace_day(1)
                .unwrap_or(d)
                .previous_day()
                .unwrap_or(d)
                .replace_day(1)
                .unwrap_or(d);
        }
        d
    };
    let rows = sqlx::query!(
        r#"SELECT to_char(date_trunc('month', i.paid_at), 'YYYY-MM') AS "month!", i.currency,
                  sum(i.amount_paid_minor)::bigint AS "paid!"
           FROM invoices i
           JOIN hosting_members m ON m.account_id = i.account_id AND m.user_id = $1 AND m.role = ANY($2)
           WHERE i.status = 'paid' AND i.paid_at >= $3 AND ($4::uuid IS NULL OR i.account_id = $4)
           GROUP BY 1, 2"#,
        viewer.user_id,
        BILLING_ROLES as &[&str],
        first.midnight().assume_utc(),
        scope.account
    )
    .fetch_all(pool)
    .await?;
    let mut months = Vec::new();
    let mut d = first;
    while d <= start.date() {
        months.push(format!("{}-{:02}", d.year(), u8::from(d.month())));
        d = d.replace_day(28).unwrap_or(d) + time::Duration::days(7);
        d = d.replace_day(1).unwrap_or(d);
    }
    let mut currencies: Vec<String> = rows.iter().map(|r| r.currency.clone()).collect();
    currencies.sort();
    currencies.dedup();
    Ok(ChartData {
        id: ChartId::SpendPerMonth,
        title: "Spend per month".into(),
        kind: ChartKind::Bar,
        unit: Unit::Money,
        times: Vec::new(),
        labels: months.clone(),
        series: currencies
            .iter()
            .map(|c| Series {
                name: c.clone(),
                values: months
                    .iter()
                    .map(|m| {
                        rows.iter()
                            .find(|r| &r.month == m && &r.currency == c)
                            .map_or(0.0, |r| major(r.paid, c))
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// The platform's takings per day in the chart's period, per currency.
async fn revenue_per_day(pool: &PgPool, viewer: &Viewer, scope: ChartScope) -> Result<ChartData, Internal> {
    let (first, last) = scope.range.days(viewer.today());
    let rows = sqlx::query!(
        r#"SELECT (paid_at AT TIME ZONE 'UTC')::date AS "day!", currency, sum(amount_paid_minor)::bigint AS "paid!"
           FROM invoices WHERE status = 'paid' AND paid_at >= $1 AND paid_at < $2 GROUP BY 1, 2"#,
        date_of(first).midnight().assume_utc(),
        date_of(last + 1).midnight().assume_utc()
    )
    .fetch_all(pool)
    .await?;
    let days: Vec<i32> = (first..=last).collect();
    let mut currencies: Vec<String> = rows.iter().map(|r| r.currency.clone()).collect();
    currencies.sort();
    currencies.dedup();
    Ok(ChartData {
        id: ChartId::RevenuePerDay,
        title: "Revenue per day".into(),
        kind: ChartKind::Bar,
        unit: Unit::Money,
        times: days.iter().map(|d| i64::from(*d) * 86_400_000).collect(),
        labels: days.iter().map(|d| day_string(*d)).collect(),
        series: currencies
            .iter()
            .map(|c| Series {
                name: c.clone(),
                values: days
                    .iter()
                    .map(|d| {
                        rows.iter()
                            .find(|r| r.day == date_of(*d) && &r.currency == c)
                            .map_or(0.0, |r| major(r.paid, c))
                    })
                    .collect(),
            })
            .collect(),
    })
}
