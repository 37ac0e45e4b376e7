//! The dashboard: figures scoped to what the signed-in user may see (the
//! hosting accounts they are a member of; staff see the whole platform),
//! read from the usage rollups, never from raw samples.
//!
//! Areas add their tiles by adding a [`TileSource`] to [`TILES`] and their
//! charts to [`CHARTS`]: nothing else changes. Each source fails on its
//! own: an error shows as that tile group's or chart's error card.

pub mod billing;
pub mod charts;
pub mod customers;
pub mod dns;
pub mod hosting;
pub mod platform;
pub mod sites;
pub mod support;

use std::future::Future;
use std::pin::Pin;

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::failure::Internal;
use crate::Actor;
use domain::dashboard::{ChartData, ChartId, Range, Section, Tile};

/// Who is looking, and which accounts that covers.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: Uuid,
    pub staff: bool,
    /// The accounts the user is a member of (any role may see usage).
    pub accounts: Vec<Uuid>,
    pub now: OffsetDateTime,
}

impl Viewer {
    pub async fn of(pool: &PgPool, actor: &Actor) -> Result<Self, Internal> {
        let accounts = sqlx::query_scalar!(
            "SELECT account_id FROM hosting_members WHERE user_id = $1",
            actor.id()
        )
        .fetch_all(pool)
        .await?;
        Ok(Self {
            user_id: actor.id(),
            staff: actor.is_staff(),
            accounts,
            now: actor.now,
        })
    }

    /// Today as days since 1970-01-01 (UTC).
    pub fn today(&self) -> i32 {
        day_of(self.now)
    }
}

/// The accounts a customer's charts can be narrowed to, by name (staff
/// narrow by the account's own page instead: none).
pub async fn narrowable(pool: &PgPool, viewer: &Viewer) -> Result<Vec<(Uuid, String)>, Internal> {
    if viewer.staff {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        "SELECT id, name FROM hosting_accounts WHERE id = ANY($1) ORDER BY lower(name)",
        &viewer.accounts
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Days since 1970-01-01 of a moment (UTC).
pub fn day_of(t: OffsetDateTime) -> i32 {
    (t.unix_timestamp().div_euclid(86_400)) as i32
}

/// The date of a day number.
pub fn date_of(day: i32) -> time::Date {
    time::Date::from_julian_day(day + 2_440_588).unwrap_or(time::Date::MIN)
}

pub type TilesFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<Tile>, Internal>> + Send + 'a>>;
pub type ChartFuture<'a> = Pin<Box<dyn Future<Output = Result<ChartData, Internal>> + Send + 'a>>;

/// Whom a tile group or chart is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Customers,
    Staff,
    Everyone,
}

impl Audience {
    fn includes(self, viewer: &Viewer) -> bool {
        match self {
            Audience::Customers => !viewer.staff,
            Audience::Staff => viewer.staff,
            Audience::Everyone => true,
        }
    }
}

/// A group of tiles an area contributes.
pub struct TileSource {
    pub id: &'static str,
    pub title: &'static str,
    pub audience: Audience,
    pub tiles: for<'a> fn(&'a PgPool, &'a Viewer) -> TilesFuture<'a>,
}

/// What a chart covers: a period, and one account or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartScope {
    pub range: Range,
    pub account: Option<Uuid>,
}

/// A chart an area contributes.
pub struct ChartSource {
    pub id: ChartId,
    pub title: &'static str,
    pub audience: Audience,
    pub data: for<'a> fn(&'a PgPool, &'a Viewer, ChartScope) -> ChartFuture<'a>,
}

/// Every tile group, in page order. Later areas (support, billing) add theirs here.
pub const TILES: &[TileSource] = &[
    hosting::TILES,
    sites::CUSTOMER_TILES,
    platform::TILES,
    customers::STAFF_TILES,
    sites::STAFF_TILES,
    support::CUSTOMER_TILES,
    support::STAFF_TILES,
    billing::CUSTOMER_TILES,
    billing::STAFF_TILES,
    dns::TILES,
];

/// Every chart, in page order.
pub const CHARTS: &[ChartSource] = &[
    charts::STORAGE,
    charts::BANDWIDTH,
    charts::BANDWIDTH_PER_ACCOUNT,
    platform::SIGN_UPS,
    platform::ACCOUNTS_BY_PLAN,
    charts::PLATFORM_STORAGE,
    charts::PLATFORM_BANDWIDTH,
    charts::BUSIEST_ACCOUNTS,
    support::TICKET_STATUS,
    support::TICKETS_PER_DAY,
    billing::SPEND_PER_MONTH,
    billing::REVENUE_PER_DAY,
    dns::CHANGES_PER_DAY,
    dns::REGISTRATIONS_PER_DAY,
];

/// The tile groups for this viewer, each its tiles or its error. The
/// sources run at once, each on its own pooled connection: the page waits
/// for the slowest one, not for their sum.
pub async fn sections(pool: &PgPool, viewer: &Viewer) -> Vec<Section> {
    let sources = TILES.iter().filter(|s| s.audience.includes(viewer));
    futures::future::join_all(sources.map(|source| async move {
        Section {
            id: source.id.to_string(),
            title: source.title.to_string(),
            tiles: (source.tiles)(pool, viewer).await.map_err(shown),
        }
    }))
    .await
}

/// The charts for this viewer, each its data or its error; at once, as the
/// tiles are.
pub async fn charts(pool: &PgPool, viewer: &Viewer, scope: ChartScope) -> Vec<domain::dashboard::Chart> {
    let sources = CHARTS.iter().filter(|s| s.audience.includes(viewer));
    futures::future::join_all(sources.map(|source| async move {
        domain::dashboard::Chart {
            id: source.id,
            title: source.title.to_string(),
            data: (source.data)(pool, viewer, scope).await.map_err(shown),
        }
    }))
    .await
}

/// One chart by id (the live refresh of a single chart).
pub async fn chart(
    pool: &PgPool,
    viewer: &Viewer,
    id: ChartId,
    scope: ChartScope,
) -> Option<domain::dashboard::Chart> {
    let source = CHARTS
        .iter()
        .find(|s| s.id == id && s.audience.includes(viewer))?;
    let data = (source.data)(pool, viewer, scope).await.map_err(shown);
    Some(domain::dashboard::Chart {
        id: source.id,
        title: source.title.to_string(),
        data,
    })
}

/// A failed part of the dashboard: logged with its cause, shown with a
/// reference.
fn shown(error: Internal) -> String {
    let reference = crate::failure::log_with_reference(&error);
    format!("This could not be loaded (reference {reference}).")
}

/// "+3.1 GB", "−12%": a signed change in words.
pub(crate) fn signed(delta: f64, text: String) -> String {
    if delta > 0.0 {
        format!("+{text}")
    } else if delta < 0.0 {
        format!("−{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every chart the page can show has a source, and every source's data
    /// says it is the chart it is listed as.
    #[test]
    fn every_chart_id_has_a_source() {
        for id in ChartId::ALL {
            assert!(CHARTS.iter().any(|s| s.id == *id), "{id}");
        }
    }
}
