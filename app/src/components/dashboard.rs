//! The dashboard's parts, drawn by the server: in the page, and again at
//! their own paths when a live event concerns them (the islands in
//! `islands::dashboard` swap the fresh drawing in). Each part's outer
//! element carries `data-refresh`, the path it is drawn at.

use leptos::prelude::*;

use crate::api::dashboard::{ChartView, FEED_PATH, TILES_PATH};
use crate::api::hosting::FeedRow;
use crate::islands::fragment::events;
use domain::dashboard::{ChartData, ChartKind, Range, Section, Tile};
use domain::live::EventKind;

/// What the KPI tiles refresh on (every tile group's source changes with
/// one of these; DNS changes log account activity).
pub const TILE_EVENTS: &[EventKind] = &[
    EventKind::Usage,
    EventKind::Site,
    EventKind::Activity,
    EventKind::SignUp,
    EventKind::Ticket,
    EventKind::Billing,
];
/// What the activity feed refreshes on.
pub const FEED_EVENTS: &[EventKind] = &[EventKind::Activity];

/// The KPI tiles, by section.
#[component]
pub fn Tiles(sections: Vec<Section>) -> impl IntoView {
    view! {
        <div class="tile-sections" data-live="tiles" data-refresh=TILES_PATH data-events=events(TILE_EVENTS)>
            {sections.into_iter().map(|s| view! { <TileSection section=s/> }).collect_view()}
        </div>
    }
}

#[component]
fn TileSection(section: Section) -> impl IntoView {
    let title = section.title.clone();
    view! {
        <section class="tile-section" aria-label=title>
            {match section.tiles {
                Ok(tiles) => view! {
                    <div class="tiles">{tiles.into_iter().map(|t| view! { <TileCard tile=t/> }).collect_view()}</div>
                }.into_any(),
                Err(message) => view! { <ErrorCard title=section.title message/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn TileCard(tile: Tile) -> impl IntoView {
    let level = match tile.percent {
        Some(p) if p >= 90 => "danger",
        Some(p) if p >= 75 => "warning",
        _ => "ok",
    };
    let body = view! {
        <p class="tile-label">{tile.label.clone()}</p>
        <p class="tile-value">{tile.value.clone()}</p>
        {tile.detail.clone().map(|d| view! { <p class="tile-detail muted">{d}</p> })}
        {tile.percent.map(|p| view! {
            <div class="progress" data-level=level role="progressbar" aria-label=tile.label.clone()
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=p>
                <span style=format!("width: {p}%")></span>
            </div>
        })}
        {tile.change.clone().map(|c| view! {
            <p class="tile-change" data-trend=format!("{:?}", c.trend).to_lowercase()>
                <span aria-hidden="true">{c.trend.symbol()}</span> " " {c.text}
            </p>
        })}
    };
    view! {
        <article class="card tile" class:tile-attention=tile.attention data-tile=tile.id.clone()>
            {match tile.href.clone() {
                Some(href) => view! { <a class="tile-link" href=href>{body}</a> }.into_any(),
                None => body.into_any(),
            }}
        </article>
    }
}

/// What a part of the page shows when it could not be loaded.
#[component]
fn ErrorCard(title: String, message: String) -> impl IntoView {
    view! {
        <div class="card error-card" role="alert">
            <p><strong>{title}</strong></p>
            <p>{message}</p>
            <p><a class="btn btn-secondary btn-sm" href="" rel="external">"Try again"</a></p>
        </div>
    }
}

/// The newest activity across the user's accounts.
#[component]
pub fn Feed(feed: Result<Vec<FeedRow>, String>) -> impl IntoView {
    view! {
        <div data-live="feed" data-refresh=FEED_PATH data-events=events(FEED_EVENTS)>
            {match feed {
                Err(message) => view! { <ErrorCard title="Activity".to_string() message/> }.into_any(),
                Ok(rows) if rows.is_empty() => view! {
                    <p class="muted">"Nothing has happened yet. Changes to your hosting accounts show here."</p>
                }.into_any(),
                Ok(rows) => view! {
                    <ul class="feed">
                        {rows.into_iter().map(|e| view! {
                            <li class="feed-item">
                                <span class="feed-sentence">
                                    <a href=format!("/hosting/{}", e.account_id)>{e.account_name}</a> ": " {e.sentence}
                                </span>
                                <span class="feed-when muted">{e.when}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </div>
    }
}

/// One chart's card: its title, the data-table toggle (shown once the
/// page is live), and the chart itself (`ChartBody`).
#[component]
pub fn ChartCard(
    view: ChartView,
    range: Range,
    account: Option<String>,
    echarts_url: String,
) -> impl IntoView {
    let id = view.chart.id;
    let title_id = format!("chart-{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="card chart-card" aria-labelledby=labelled_by>
            <div class="chart-head">
                <h2 id=title_id>{view.chart.title.clone()}</h2>
                <button type="button" class="btn btn-ghost btn-sm chart-table-toggle"
                    aria-controls=format!("chart-{id}-table") aria-expanded="false">
                    "Show data table"
                </button>
            </div>
            <ChartBody view range account echarts_url/>
        </section>
    }
}

/// What a chart shows (an error, "no data", or the chart's box with its
/// ECharts options for a light and a dark page), and its data table
/// (the chart without JavaScript; behind the toggle with it).
#[component]
pub fn ChartBody(
    view: ChartView,
    range: Range,
    account: Option<String>,
    echarts_url: String,
) -> impl IntoView {
    let ChartView { chart, draw } = view;
    let id = chart.id;
    let refresh = crate::api::dashboard::chart_path(id, range, account.as_deref());
    let title = chart.title.clone();
    view! {
        <div class="chart-body" data-refresh=refresh data-events=events(id.changed_by()) data-chart=id.as_str()>
            {match &chart.data {
                Err(message) => view! { <ErrorCard title=title.clone() message=message.clone()/> }.into_any(),
                Ok(d) if d.is_empty() => view! {
                    <p class="chart-empty muted">"No data for this period yet. Figures appear once the hosting nodes report usage."</p>
                }.into_any(),
                Ok(_) => view! {
                    <div class="chart-canvas" id=format!("chart-{id}") role="img"
                        aria-label=format!("{title} (the data table has the figures)")
                        data-light=draw.light data-dark=draw.dark data-echarts=echarts_url></div>
                }.into_any(),
            }}
            <div class="chart-table table-wrap" id=format!("chart-{id}-table") data-open="false">
                {chart.data.ok().map(|d| view! { <DataTable data=d/> })}
            </div>
        </div>
    }
}

/// A chart's figures as a table (screen readers, no JavaScript, copying).
#[component]
fn DataTable(data: ChartData) -> impl IntoView {
    let unit = data.unit;
    let heading = match data.kind {
        ChartKind::Pie | ChartKind::Bar if data.times.is_empty() => "Name",
        _ if data.labels.first().is_some_and(|l| l.contains(':')) => "Hour",
        _ => "Day (UTC)",
    };
    let rows: Vec<(String, Vec<f64>)> = data
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let values = data
                .series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                .collect();
            (label.clone(), values)
        })
        .collect();
    view! {
        <table class="table data-table">
            <caption class="visually-hidden">{format!("{} — figures", data.title)}</caption>
            <thead><tr><th scope="col">{heading}</th>{data.series.iter().map(|s| view! { <th scope="col">{s.name.clone()}</th> }).collect_view()}</tr></thead>
            <tbody>
                {rows.into_iter().map(|(label, values)| view! {
                    <tr><th scope="row">{label}</th>{values.into_iter().map(|v| view! { <td>{unit.format(v)}</td> }).collect_view()}</tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
