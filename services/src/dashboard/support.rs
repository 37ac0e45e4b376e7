//! Support on the dashboard: customers' open tickets (those awaiting their
//! reply highlighted), the staff queue's state (unassigned, awaiting
//! staff, oldest waiting, median first response), tickets by state, and
//! for staff tickets opened and resolved per day.

use sqlx::PgPool;

use super::{date_of, Audience, ChartFuture, ChartScope, ChartSource, TileSource, TilesFuture, Viewer};
use crate::failure::Internal;
use crate::tickets::access::support_roles;
use domain::dashboard::{day_string, ChartData, ChartId, ChartKind, Series, Tile, Unit};
use domain::tickets::{ticket_label, TicketState};

pub const CUSTOMER_TILES: TileSource = TileSource {
    id: "support",
    title: "Support",
    audience: Audience::Customers,
    tiles: customer_future,
};

pub const STAFF_TILES: TileSource = TileSource {
    id: "support-queue",
    title: "Support queue",
    audience: Audience::Staff,
    tiles: staff_future,
};

pub const TICKET_STATUS: ChartSource = ChartSource {
    id: ChartId::TicketStatus,
    title: "Tickets by state (opened in the period)",
    audience: Audience::Everyone,
    data: status_future,
};

pub const TICKETS_PER_DAY: ChartSource = ChartSource {
    id: ChartId::TicketsPerDay,
    title: "Tickets opened and resolved per day",
    audience: Audience::Staff,
    data: per_day_future,
};

fn customer_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(customer_tiles(pool, viewer))
}

fn staff_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(staff_tiles(pool, viewer))
}

fn status_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(by_state(pool, viewer, scope))
}

fn per_day_future<'a>(pool: &'a PgPool, viewer: &'a Viewer, scope: ChartScope) -> ChartFuture<'a> {
    Box::pin(per_day(pool, viewer, scope))
}

fn tile(id: &str, label: &str, value: i64, detail: Option<String>) -> Tile {
    Tile {
        id: id.into(),
        label: label.into(),
        value: value.to_string(),
        detail,
        change: None,
        href: Some("/support".into()),
        percent: None,
        raw: value,
        attention: false,
    }
}

async fn customer_tiles(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE state NOT IN ('resolved', 'closed')) AS "open!",
                  count(*) FILTER (WHERE state = 'awaiting_customer') AS "awaiting!"
           FROM tickets
           WHERE author_id = $1
              OR account_id IN (SELECT account_id FROM hosting_members WHERE user_id = $1 AND role = ANY($2))"#,
        viewer.user_id,
        &support_roles()
    )
    .fetch_one(pool)
    .await?;
    let mut open = tile(
        "open-tickets",
        "Open tickets",
        row.open,
        Some(match row.awaiting {
            0 => "None awaiting your reply".to_string(),
            1 => "1 awaiting your reply".to_string(),
            n => format!("{n} awaiting your reply"),
        }),
    );
    open.attention = row.awaiting > 0;
    Ok(vec![open])
}

/// "3 h 20 min", "2 d 4 h": how long something has waited.
pub fn waited(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} d {} h", m / (24 * 60), (m / 60) % 24),
    }
}

async fn staff_tiles(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE assignee_id IS NULL) AS "unassigned!",
                  count(*) FILTER (WHERE state IN ('open', 'awaiting_staff')) AS "awaiting!"
           FROM tickets WHERE state NOT IN ('resolved', 'closed')"#
    )
    .fetch_one(pool)
    .await?;
    let oldest = sqlx::query!(
        r#"SELECT number, subject, waiting_since FROM tickets
           WHERE state IN ('open', 'awaiting_staff') ORDER BY waiting_since LIMIT 1"#
    )
    .fetch_optional(pool)
    .await?;
    let median = sqlx::query_scalar!(
        r#"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first_response_at - created_at))
           FROM tickets WHERE first_response_at IS NOT NULL AND created_at >= $1"#,
        viewer.now - time::Duration::days(30)
    )
    .fetch_one(pool)
    .await?;
    let mut unassigned = tile(
        "tickets-unassigned",
        "Unassigned tickets",
        counts.unassigned,
        Some("open, nobody assigned".into()),
    );
    unassigned.href = Some("/staff/tickets?assignee=none".into());
    unassigned.attention = counts.unassigned > 0;
    let mut awaiting = tile("tickets-awaiting-staff", "Awaiting staff", counts.awaiting, None);
    awaiting.href = Some("/staff/tickets?sort=waiting".into());
    let oldest_tile = match oldest {
        Some(t) => {
            let secs = (viewer.now - t.waiting_since).whole_seconds();
            Tile {
                value: waited(secs),
                detail: Some(format!("{} {}", ticket_label(t.number), t.subject)),
                href: Some(format!("/support/{}", t.number)),
                raw: secs,
                ..tile("tickets-oldest", "Oldest waiting", 0, None)
            }
        }
        None => Tile {
            value: "—".into(),
            detail: Some("Nobody is waiting".into()),
            ..tile("tickets-oldest", "Oldest waiting", 0, None)
        },
    };
    let median_tile = match median {
        Some(secs) => Tile {
            value: waited(secs as i64),
            detail: Some("tickets opened in the last 30 days".into()),
            href: None,
            raw: secs as i64,
            ..tile("first-response", "Median first response", 0, None)
        },
        None => Tile {
            value: "—".into(),
            detail: Some("no answered tickets in the last 30 days".into()),
            href: None,
            ..tile("first-response", "Median first response", 0, None)
        },
    };
    Ok(vec![unassigned, awaiting, oldest_tile, median_tile])
}

async fn by_state(pool: &PgPool, viewer: &Viewer, scope: ChartScope) -> Result<ChartData, Internal> {
    let (first, last) = scope.range.days(viewer.today());
    let rows = sqlx::query!(
        r#"SELECT state AS "state: TicketState", count(*) AS "n!" FROM tickets
           WHERE created_at >= $1 AND created_at < $2
             AND ($3 OR author_id = $4
                  OR account_id IN (SELECT account_id FROM hosting_members WHERE user_id = $4 AND role = ANY($5)))
           GROUP BY 1"#,
        date_of(first).midnight().assume_utc(),
        date_of(last + 1).midnight().assume_utc(),
        viewer.staff,
        viewer.user_id,
        &support_roles()
    )
    .fetch_all(pool)
    .await?;
    let states: Vec<TicketState> = TicketState::ALL
        .iter()
        .copied()
        .filter(|s| rows.iter().any(|r| r.state == *s))
        .collect();
    Ok(ChartData {
        id: ChartId::TicketStatus,
        title: "Tickets by state".into(),
        kind: ChartKind::Pie,
        unit: Unit::Count,
        times: Vec::new(),
        labels: states
            .iter()
            .map(|s| s.label_for(viewer.staff).to_string())
            .collect(),
        series: vec![Series {
            name: "Tickets".into(),
            values: states
                .iter()
                .map(|s| rows.iter().find(|r| r.state == *s).map_or(0.0, |r| r.n as f64))
                .collect(),
        }],
    })
}

async fn per_day(pool: &PgPool, viewer: &Viewer, scope: ChartScope) -> Result<ChartData, Internal> {
    let (first, last) = scope.range.days(viewer.today());
    let (from, to) = (
        date_of(first).midnight().assume_utc(),
        date_of(last + 1).midnight().assume_utc(),
    );
    let opened = sqlx::query!(
        r#"SELECT (created_at AT TIME ZONE 'UTC')::date AS "day!", count(*) AS "n!" FROM tickets
           WHERE created_at >= $1 AND created_at < $2 GROUP BY 1"#,
        from,
        to
    )
    .fetch_all(pool)
    .await?;
    let resolved = sqlx::query!(
        r#"SELECT (resolved_at AT TIME ZONE 'UTC')::date AS "day!", count(*) AS "n!" FROM tickets
           WHERE resolved_at >= $1 AND resolved_at < $2 GROUP BY 1"#,
        from,
        to
    )
    .fetch_all(pool)
    .await?;
    let days: Vec<i32> = (first..=last).collect();
    let per_day = |rows: &[(time::Date, i64)]| -> Vec<f64> {
        days.iter()
            .map(|d| {
                rows.iter()
                    .find(|(day, _)| *day == date_of(*d))
                    .map_or(0.0, |(_, n)| *n as f64)
            })
            .collect()
    };
    let opened: Vec<(time::Date, i64)> = opened.into_iter().map(|r| (r.day, r.n)).collect();
    let resolved: Vec<(time::Date, i64)> = resolved.into_iter().map(|r| (r.day, r.n)).collect();
    Ok(ChartData {
        id: ChartId::TicketsPerDay,
        title: "Tickets opened and resolved per day".into(),
        kind: ChartKind::Bar,
        unit: Unit::Count,
        times: days.iter().map(|d| i64::from(*d) * 86_400_000).collect(),
        labels: days.iter().map(|d| day_string(*d)).collect(),
        series: vec![
            Series {
                name: "Opened".into(),
                values: per_day(&opened),
            },
            Series {
                name: "Resolved".into(),
                values: per_day(&resolved),
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::waited;

    #[test]
    fn waits_read_naturally() {
        assert_eq!(waited(59), "0 min");
        assert_eq!(waited(3 * 3600 + 20 * 60), "3 h 20 min");
        assert_eq!(waited(2 * 86_400 + 4 * 3600), "2 d 4 h");
    }
}
