//! The staff console on the staff dashboard: two-factor resets waiting for
//! a second staff member (highlighted: someone must act), locked users,
//! and the sessions open now.

use sqlx::PgPool;

use super::{Audience, TileSource, TilesFuture, Viewer};
use crate::failure::Internal;
use domain::dashboard::Tile;

pub const STAFF_TILES: TileSource = TileSource {
    id: "customers",
    title: "Customers",
    audience: Audience::Staff,
    tiles: staff_future,
};

fn staff_future<'a>(pool: &'a PgPool, viewer: &'a Viewer) -> TilesFuture<'a> {
    Box::pin(staff(pool, viewer))
}

fn tile(id: &str, label: &str, raw: i64, detail: &str, href: &str) -> Tile {
    super::sites::tile(id, label, raw.to_string(), raw, Some(detail.into()), href)
}

async fn staff(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Tile>, Internal> {
    let row = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM two_factor_resets WHERE approved_at IS NULL AND cancelled_at IS NULL) AS "resets!",
                  (SELECT count(*) FROM users WHERE locked_at IS NOT NULL) AS "locked!",
                  (SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE u.role = 'customer' AND s.revoked_at IS NULL
                       AND s.idle_expires_at > $1 AND s.absolute_expires_at > $1) AS "sessions!""#,
        viewer.now
    )
    .fetch_one(pool)
    .await?;
    let mut resets = tile(
        "two-factor-resets",
        "Two-factor resets waiting",
        row.resets,
        "each needs a second staff member to approve",
        "/staff/audit?kind=two_factor_reset_requested",
    );
    resets.attention = row.resets > 0;
    Ok(vec![
        resets,
        tile(
            "locked-users",
            "Locked users",
            row.locked,
            "cannot sign in until unlocked",
            "/staff/customers?locked=on",
        ),
        tile(
            "open-sessions",
            "Customers signed in",
            row.sessions,
            "open sessions now",
            "/staff/accounts",
        ),
    ])
}
