//! Sites on the dashboard: for customers, how many of their sites answer
//! and how many hosts' HTTPS needs a look; for staff, sites down and
//! hosting nodes whose agent went silent, platform-wide.

use sqlx::PgPool;

use super::{Audience, TileSource, TilesFuture, Viewer};
use crate::failure::Internal;
use domain::dashboard::Tile;

pub const CUSTOMER_TILES: TileSource = TileSource {
    id: "sites",
    title: "Sites",
    audience: Audience::Customers,
    tiles: customer_future,
};

pub const STAFF_TILES: TileSource = TileSource {
    id: "nodes",
    title: "Hosting nodes",
    audience: Audience::Staff,
    tiles: staff_future,
};

fn customer_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(customer(pool, viewer))
}

fn staff_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(staff(pool, viewer))
}

/// A tile that links to where its figure comes from.
pub(super) fn tile(
    id: &str,
    label: &str,
    value: String,
    raw: i64,
    detail: Option<String>,
    href: &str,
) -> Tile {
    Tile {
        id: id.into(),
        label: label.into(),
        value,
        detail,
        change: None,
        href: Some(href.into()),
        percent: None,
        raw,
        attention: false,
    }
}

async fn customer(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE h.account_id IS NOT NULL) AS "checked!",
                  count(*) FILTER (WHERE h.answering) AS "up!",
                  (SELECT count(*) FROM site_certificates c WHERE c.account_id = ANY($1)) AS "hosts!",
                  (SELECT count(*) FROM site_certificates c WHERE c.account_id = ANY($1)
                      AND certificate_needs_look(c.issued_at, c.expires_at, $2)) AS "attention!"
           FROM hosting_accounts a LEFT JOIN site_health h ON h.account_id = a.id
           WHERE a.id = ANY($1) AND a.status = 'active' AND a.node_id IS NOT NULL"#,
        &viewer.accounts,
        viewer.now
    )
    .fetch_one(pool)
    .await?;
    if row.checked == 0 {
        return Ok(Vec::new());
    }
    let down = row.checked - row.up;
    let mut tiles = vec![Tile {
        attention: down > 0,
        ..tile(
            "sites-up",
            "Sites up",
            format!("{} of {}", row.up, row.checked),
            row.up,
            (down > 0).then(|| format!("{down} not answering")),
            "/hosting",
        )
    }];
    if row.hosts > 0 {
        tiles.push(Tile {
            attention: row.attention > 0,
            ..tile(
                "https-attention",
                "HTTPS to check",
                row.attention.to_string(),
                row.attention,
                Some(format!("of {} host names", row.hosts)),
                "/hosting",
            )
        });
    }
    Ok(tiles)
}

async fn staff(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let row = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM node_tokens WHERE revoked_at IS NULL AND region IS NOT NULL) AS "nodes!",
                  (SELECT count(*) FROM node_tokens WHERE revoked_at IS NULL AND region IS NOT NULL
                      AND (agent_seen_at IS NULL OR agent_seen_at < $1::timestamptz - interval '2 minutes')) AS "silent!",
                  (SELECT count(*) FROM site_health WHERE NOT answering) AS "down!",
                  (SELECT count(*) FROM site_health) AS "checked!""#,
        viewer.now
    )
    .fetch_one(pool)
    .await?;
    if row.nodes == 0 {
        return Ok(Vec::new());
    }
    Ok(vec![
        Tile {
            attention: row.silent > 0,
            ..tile(
                "nodes-silent",
                "Nodes silent",
                row.silent.to_string(),
                row.silent,
                Some(format!("of {} nodes", row.nodes)),
                "/staff/nodes",
            )
        },
        Tile {
            attention: row.down > 0,
            ..tile(
                "sites-down",
                "Sites down",
                row.down.to_string(),
                row.down,
                Some(format!("of {} checked", row.checked)),
                "/staff/nodes",
            )
        },
    ])
}
