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

/// Where the dashboard's live parts are drawn again (HTML, for the
/// islands in `islands::dashboard` to swap in).
pub const TILES_PATH: &str = "/dashboard/tiles";
pub const FEED_PATH: &str = "/dashboard/feed";

/// Where one chart is drawn again, for the same period and account.
pub fn chart_path(id: ChartId, range: Range, account: Option<&str>) -> String {
    let account = account.map(|a| format!("&account={a}")).unwrap_or_default();
    format!("/dashboard/chart/{id}?{}{account}", range.to_query())
}

#[cfg(feature = "ssr")]
pub use parts::routes;

/// The live parts' routes: each answers the part's HTML, drawn by the same
/// component as the page, for the signed-in user only.
#[cfg(feature = "ssr")]
mod parts {
    use axum::{
        extract::{Path, Query, State},
        http::StatusCode,
        response::{IntoResponse, Response},
        routing::get,
        Router,
    };
    use leptos::prelude::*;
    use serde::Deserialize;

    use super::{load, ChartView, FEED_PATH, TILES_PATH};
    use crate::api::edge::auth::Actor;
    use crate::api::edge::part::part;
    use crate::api::AppState;
    use crate::components::dashboard::{ChartBody, Feed, Tiles};
    use domain::dashboard::{ChartId, Range};

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route(TILES_PATH, get(tiles))
            .route(FEED_PATH, get(feed))
            .route("/dashboard/chart/{id}", get(chart))
    }

    /// A failure the island cannot show: it keeps what it has (the error
    /// is logged with the request's span).
    fn failed(error: impl std::fmt::Display) -> Response {
        tracing::error!(error = %error, "drawing a dashboard part");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }

    async fn tiles(State(state): State<AppState>, actor: Actor) -> Result<Response, Response> {
        let viewer = load::viewer(&state.deps, &actor).await.map_err(failed)?;
        let sections = load::sections(&state.deps.pool, &viewer).await;
        Ok(part(|| view! { <Tiles sections/> }.to_html()))
    }

    async fn feed(State(state): State<AppState>, actor: Actor) -> Response {
        let feed = load::feed(&state.deps, &actor).await;
        part(|| view! { <Feed feed/> }.to_html())
    }

    #[derive(Deserialize)]
    struct ChartQuery {
        range: Option<String>,
        from: Option<String>,
        to: Option<String>,
        account: Option<String>,
    }

    async fn chart(
        State(state): State<AppState>,
        actor: Actor,
        Path(id): Path<String>,
        Query(q): Query<ChartQuery>,
    ) -> Result<Response, Response> {
        let Some(id) = ChartId::from_name(&id) else {
            return Err(StatusCode::NOT_FOUND.into_response());
        };
        // The page checked the period; a bad one here is a hand-made URL.
        let range = Range::from_query(q.range.as_deref(), q.from.as_deref(), q.to.as_deref())
            .map_err(|_| StatusCode::BAD_REQUEST.into_response())?;
        let viewer = load::viewer(&state.deps, &actor).await.map_err(failed)?;
        let account = load::account(&viewer, q.account.as_deref());
        let Some(chart) = load::chart(&state.deps.pool, &viewer, id, load::scope(range, account)).await
        else {
            // Not a chart this viewer sees (staff and customers see others).
            return Err(StatusCode::NOT_FOUND.into_response());
        };
        let echarts_url = state.settings.echarts_url.clone();
        let view = ChartView::from(chart);
        let account = account.map(|a| a.to_string());
        Ok(part(|| {
            view! { <ChartBody view range account echarts_url/> }.to_html()
        }))
    }
}
