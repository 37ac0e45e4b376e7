//! The dashboard's live parts: KPI tiles, charts drawn by ECharts through
//! `charming`, and the activity feed. Each renders on the server first (so
//! the page has every number and data table with JavaScript off), then
//! fetches itself again when a live event concerns it.

use leptos::prelude::*;

use crate::api::dashboard::ChartView;
use crate::api::hosting::FeedRow;
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

/// The KPI tiles, updated when usage, accounts or activity change.
#[island(lazy)]
pub fn LiveTiles(sections: Vec<Section>) -> impl IntoView {
    crate::islands::awake("LiveTiles");
    let sections = RwSignal::new(sections);
    #[cfg(feature = "hydrate")]
    {
        let refresh = super::live::debounced(300, move || {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = crate::api::dashboard::dashboard_tiles().await {
                    sections.set(fresh);
                }
            });
        });
        super::live::subscribe(TILE_EVENTS, move |_| refresh());
    }
    view! {
        <div class="tile-sections" data-live="tiles">
            {move || sections.get().into_iter().map(|s| view! { <TileSection section=s/> }).collect_view()}
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

/// The newest activity across the user's accounts, updated live.
#[island(lazy)]
pub fn LiveFeed(feed: Result<Vec<FeedRow>, String>) -> impl IntoView {
    crate::islands::awake("LiveFeed");
    let feed = RwSignal::new(feed);
    #[cfg(feature = "hydrate")]
    {
        let refresh = super::live::debounced(300, move || {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = crate::api::dashboard::dashboard_feed().await {
                    feed.set(Ok(fresh));
                }
            });
        });
        super::live::subscribe(FEED_EVENTS, move |_| refresh());
    }
    view! {
        <div data-live="feed">
            {move || match feed.get() {
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

/// One chart: drawn by ECharts in the browser, with its data as a table
/// (shown without JavaScript; a button shows it with). Fetches itself
/// again when usage changes.
#[island(lazy)]
pub fn ChartPanel(
    view: ChartView,
    range: Range,
    account: Option<String>,
    echarts_url: String,
) -> impl IntoView {
    crate::islands::awake("ChartPanel");
    let ChartView { chart, draw } = view;
    let id = chart.id;
    let canvas_id = format!("chart-{id}");
    let table_id = format!("chart-{id}-table");
    let data = RwSignal::new(chart.data);
    let draw = RwSignal::new(draw);
    let show_table = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        draw::when_changed(canvas_id.clone(), echarts_url, data, draw);
        let refresh = super::live::debounced(500, move || {
            let (chart_id, account) = (id, account.clone());
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = crate::api::dashboard::dashboard_chart(chart_id, range, account).await {
                    draw.set(fresh.draw);
                    data.set(fresh.chart.data);
                }
            });
        });
        super::live::subscribe(id.changed_by(), move |_| refresh());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (range, account, echarts_url, draw);
    let title_id = format!("{canvas_id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="card chart-card" aria-labelledby=labelled_by>
            <div class="chart-head">
                <h2 id=title_id>{chart.title.clone()}</h2>
                <button type="button" class="btn btn-ghost btn-sm chart-table-toggle"
                    aria-controls=table_id.clone()
                    aria-expanded=move || if show_table.get() { "true" } else { "false" }
                    on:click=move |_| show_table.update(|s| *s = !*s)>
                    {move || if show_table.get() { "Hide data table" } else { "Show data table" }}
                </button>
            </div>
            {move || match data.get() {
                Err(message) => view! { <ErrorCard title=chart.title.clone() message/> }.into_any(),
                Ok(d) if d.is_empty() => view! {
                    <p class="chart-empty muted">"No data for this period yet. Figures appear once the hosting nodes report usage."</p>
                }.into_any(),
                Ok(_) => view! { <div class="chart-canvas" id=canvas_id.clone() role="img" aria-label=format!("{} (the data table has the figures)", chart.title)></div> }.into_any(),
            }}
            <div class="chart-table table-wrap" id=table_id data-open=move || if show_table.get() { "true" } else { "false" }>
                {move || data.get().ok().map(|d| view! { <DataTable data=d/> })}
            </div>
        </section>
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

#[cfg(feature = "hydrate")]
mod draw {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use wasm_bindgen::prelude::wasm_bindgen;

    use crate::api::dashboard::DrawOptions;
    use domain::dashboard::ChartData;

    // The few ECharts calls the island makes; `echarts` is the global the
    // served build defines (loaded on demand, below).
    #[wasm_bindgen]
    extern "C" {
        type ECharts;
        #[wasm_bindgen(js_namespace = echarts, js_name = init)]
        fn init(element: &web_sys::Element) -> ECharts;
        #[wasm_bindgen(method, js_name = setOption)]
        fn set_option(this: &ECharts, option: &JsValue, not_merge: bool);
        #[wasm_bindgen(method)]
        fn resize(this: &ECharts);
        #[wasm_bindgen(method)]
        fn dispose(this: &ECharts);
    }

    fn dark_query() -> Option<web_sys::MediaQueryList> {
        web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
    }

    fn echarts_loaded() -> bool {
        web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w, &"echarts".into()).ok())
            .is_some_and(|e| !e.is_undefined())
    }

    /// Loads the chart library once per page, then calls `then`.
    fn with_echarts(url: &str, then: impl FnOnce() + 'static) {
        if echarts_loaded() {
            then();
            return;
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let script = match document.get_element_by_id("echarts-script") {
            Some(existing) => existing,
            None => {
                let Ok(script) = document.create_element("script") else {
                    return;
                };
                let _ = script.set_attribute("id", "echarts-script");
                let _ = script.set_attribute("src", url);
                // At the end of the body, not in the head: the islands router
                // walks the old and new documents node by node, and an extra
                // node in the head would put every later node out of step.
                if let Some(body) = document.body() {
                    let _ = body.append_child(&script);
                }
                script
            }
        };
        let callback = Closure::once(then);
        let _ = script.add_event_listener_with_callback("load", callback.as_ref().unchecked_ref());
        callback.forget();
    }

    /// Draws the chart in `canvas_id` now and whenever its options change
    /// (new data, or the page switching between light and dark), and keeps
    /// it sized to its box.
    pub fn when_changed(
        canvas_id: String,
        url: String,
        data: RwSignal<Result<ChartData, String>>,
        draw: RwSignal<DrawOptions>,
    ) {
        let instance: StoredValue<Option<ECharts>, LocalStorage> = StoredValue::new_local(None);
        let dark = RwSignal::new(dark_query().is_some_and(|q| q.matches()));
        if let Some(query) = dark_query() {
            let on_change =
                Closure::<dyn Fn()>::new(move || dark.set(dark_query().is_some_and(|q| q.matches())));
            let _ = query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            on_change.forget();
        }
        Effect::new(move |_| {
            let drawable = data.with(|d| d.as_ref().is_ok_and(|d| !d.is_empty()));
            let json = draw.with(|d| {
                if dark.get() {
                    d.dark.clone()
                } else {
                    d.light.clone()
                }
            });
            if !drawable || json.is_empty() {
                // The canvas element is gone (empty or error state).
                instance.update_value(|i| {
                    if let Some(chart) = i.take() {
                        chart.dispose();
                    }
                });
                return;
            }
            let Ok(option) = js_sys::JSON::parse(&json) else {
                return;
            };
            let canvas_id = canvas_id.clone();
            with_echarts(&url, move || {
                if instance.with_value(|i| i.is_none()) {
                    let Some(element) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id(&canvas_id))
                    else {
                        return;
                    };
                    instance.set_value(Some(init(&element)));
                }
                instance.with_value(|i| {
                    if let Some(chart) = i {
                        chart.set_option(&option, true);
                    }
                });
            });
        });
        let on_resize = Closure::<dyn Fn()>::new(move || {
            instance.with_value(|i| {
                if let Some(chart) = i {
                    chart.resize();
                }
            });
        });
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
        }
        on_resize.forget();
    }
}

#[cfg(test)]
mod tests {
    use domain::dashboard::ChartId;
    use domain::live::EventKind;

    #[test]
    fn the_dns_chart_follows_dns_changes_not_usage() {
        let kinds = ChartId::DnsChangesPerDay.changed_by();
        assert!(kinds.contains(&EventKind::Activity) && !kinds.contains(&EventKind::Usage));
        assert_eq!(ChartId::AccountsByPlan.changed_by(), &[EventKind::Activity]);
    }

    #[test]
    fn every_chart_refreshes_on_something() {
        for id in ChartId::ALL {
            assert!(!id.changed_by().is_empty(), "{id}");
        }
    }
}
