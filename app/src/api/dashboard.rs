//! The dashboard's server functions: the whole page's data at once, and
//! the parts the live islands fetch again when something changes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::hosting::FeedRow;
use super::ApiError;
use domain::dashboard::{Chart, ChartId, Range, Section};

/// Everything the dashboard page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub staff: bool,
    pub range: Range,
    /// Why the from–to dates in the URL were not used.
    pub range_error: Option<String>,
    /// The account the charts are narrowed to, if any.
    pub account: Option<String>,
    /// The accounts the charts can be narrowed to: (id, name).
    pub accounts: Vec<(String, String)>,
    pub sections: Vec<Section>,
    pub charts: Vec<ChartView>,
    pub feed: Result<Vec<FeedRow>, String>,
    /// Where the chart library is served from (hashed, cached for a year).
    pub echarts_url: String,
}

/// A chart with what ECharts needs to draw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    #[serde(flatten)]
    pub chart: Chart,
    pub draw: DrawOptions,
}

/// A chart's ECharts options as JSON, for a light and a dark page. Made on
/// the server with `charming` (see `chart_options`), so the browser's
/// island only hands one to ECharts and its WebAssembly stays small.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DrawOptions {
    pub light: String,
    pub dark: String,
}

#[cfg(feature = "ssr")]
impl From<Chart> for ChartView {
    fn from(chart: Chart) -> Self {
        let draw = chart
            .data
            .as_ref()
            .map(super::chart_options::draw_options)
            .unwrap_or_default();
        ChartView { chart, draw }
    }
}

/// How many feed entries the dashboard shows.
pub const FEED_SIZE: usize = 10;

#[cfg(feature = "ssr")]
mod load {
    use uuid::Uuid;

    use super::*;
    use crate::api::edge::error::api_error;
    use services::dashboard::{self, ChartScope, Viewer};
    use services::{Actor, Deps};

    pub async fn viewer(deps: &Deps, actor: &Actor) -> Result<Viewer, ApiError> {
        Viewer::of(&deps.pool, actor).await.map_err(api_error)
    }

    /// The account id of the URL, if it is one the viewer may narrow to.
    pub fn account(viewer: &Viewer, raw: Option<&str>) -> Option<Uuid> {
        let id = Uuid::parse_str(raw?.trim()).ok()?;
        (viewer.staff || viewer.accounts.contains(&id)).then_some(id)
    }

    pub async fn feed(deps: &Deps, actor: &Actor) -> Result<Vec<FeedRow>, String> {
        match services::hosting::feed::for_user(&deps.pool, actor, 1).await {
            Ok(page) => Ok(page
                .items
                .into_iter()
                .take(FEED_SIZE)
                .map(|e| FeedRow {
                    account_id: e.account_id.to_string(),
                    account_name: e.account_name,
                    sentence: e.sentence,
                    when: crate::api::when(e.at),
                })
                .collect()),
            Err(error) => {
                let reference = services::failure::log_with_reference(&error);
                Err(format!(
                    "The activity could not be loaded (reference {reference})."
                ))
            }
        }
    }

    pub async fn accounts(deps: &Deps, viewer: &Viewer) -> Result<Vec<(String, String)>, ApiError> {
        let accounts = dashboard::narrowable(&deps.pool, viewer)
            .await
            .map_err(api_error)?;
        Ok(accounts
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect())
    }

    pub fn scope(range: Range, account: Option<Uuid>) -> ChartScope {
        ChartScope { range, account }
    }

    pub use dashboard::{chart, charts, sections};
}

/// The dashboard of the signed-in user: tiles, charts over `range`
/// (narrowed to `account` if given) and the newest activity.
#[server(endpoint = "dashboard", input = server_fn::codec::Json)]
pub async fn dashboard(
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
    account: Option<String>,
) -> Result<DashboardView, ApiError> {
    let (deps, actor) = super::edge::auth::actor()?;
    let viewer = load::viewer(&deps, &actor).await?;
    let (range, range_error) = match Range::from_query(range.as_deref(), from.as_deref(), to.as_deref()) {
        Ok(range) => (range, None),
        Err(e) => (Range::default(), Some(e.to_string())),
    };
    let account = load::account(&viewer, account.as_deref());
    let scope = load::scope(range, account);
    let echarts_url = use_context::<super::AppState>()
        .map(|s| s.settings.echarts_url.clone())
        .unwrap_or_default();
    // The page's four parts at once: it waits for the slowest of them.
    let (accounts, sections, charts, feed) = futures::join!(
        load::accounts(&deps, &viewer),
        load::sections(&deps.pool, &viewer),
        load::charts(&deps.pool, &viewer, scope),
        load::feed(&deps, &actor),
    );
    Ok(DashboardView {
        staff: viewer.staff,
        range,
        range_error,
        account: account.map(|a| a.to_string()),
        accounts: accounts?,
        sections,
        charts: charts.into_iter().map(ChartView::from).collect(),
        feed,
        echarts_url,
    })
}

/// The tiles again (a live update).
#[server(endpoint = "dashboard/tiles")]
pub async fn dashboard_tiles() -> Result<Vec<Section>, ApiError> {
    let (deps, actor) = super::edge::auth::actor()?;
    let viewer = load::viewer(&deps, &actor).await?;
    Ok(load::sections(&deps.pool, &viewer).await)
}

/// One chart again (a live update).
#[server(endpoint = "dashboard/chart", input = server_fn::codec::Json)]
pub async fn dashboard_chart(
    id: ChartId,
    range: Range,
    account: Option<String>,
) -> Result<ChartView, ApiError> {
    let (deps, actor) = super::edge::auth::actor()?;
    let viewer = load::viewer(&deps, &actor).await?;
    let account = load::account(&viewer, account.as_deref());
    load::chart(&deps.pool, &viewer, id, load::scope(range, account))
        .await
        .map(ChartView::from)
        .ok_or_else(|| ApiError::NotFound("No such chart.".into()))
}

/// The newest activity again (a live update).
#[server(endpoint = "dashboard/feed")]
pub async fn dashboard_feed() -> Result<Vec<FeedRow>, ApiError> {
    let (deps, actor) = super::edge::auth::actor()?;
    Ok(load::feed(&deps, &actor).await.unwrap_or_default())
}
