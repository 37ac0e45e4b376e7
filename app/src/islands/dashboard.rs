//! The dashboard's live parts: KPI tiles, charts drawn by ECharts, and
//! the activity feed. The server draws each (`components::dashboard`), so
//! the page has every number and data table with JavaScript off; these
//! islands fetch a part's fresh drawing when a live event concerns it
//! (`islands::fragment`), and the chart island hands the chart's options
//! to ECharts.

use leptos::prelude::*;

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
/// What any chart refreshes on (each its own, `ChartId::changed_by`).
pub const CHART_EVENTS: &[EventKind] = &[
    EventKind::Usage,
    EventKind::SignUp,
    EventKind::Activity,
    EventKind::Ticket,
    EventKind::Billing,
];
/// What the activity feed refreshes on.
pub const FEED_EVENTS: &[EventKind] = &[EventKind::Activity];

/// The KPI tiles (`components::dashboard::Tiles`), kept fresh.
#[island(lazy)]
pub fn LiveTiles(children: Children) -> impl IntoView {
    crate::islands::awake("LiveTiles");
    let root = NodeRef::new();
    #[cfg(feature = "hydrate")]
    super::fragment::live(root, TILE_EVENTS, 300, |_, _| true, |_| {});
    view! { <div class="island-root" node_ref=root>{children()}</div> }
}

/// The newest activity (`components::dashboard::Feed`), kept fresh.
#[island(lazy)]
pub fn LiveFeed(children: Children) -> impl IntoView {
    crate::islands::awake("LiveFeed");
    let root = NodeRef::new();
    #[cfg(feature = "hydrate")]
    super::fragment::live(root, FEED_EVENTS, 300, |_, _| true, |_| {});
    view! { <div class="island-root" node_ref=root>{children()}</div> }
}

/// One chart (`components::dashboard::ChartCard`): drawn by ECharts from
/// the options the server put on its box, drawn again when its data
/// comes back changed, and its data table shown on request.
#[island(lazy)]
pub fn ChartPanel(children: Children) -> impl IntoView {
    crate::islands::awake("ChartPanel");
    let root = NodeRef::new();
    #[cfg(feature = "hydrate")]
    {
        super::fragment::on_mount(root, draw::watch);
        super::fragment::live(root, CHART_EVENTS, 500, draw::wants, draw::draw);
    }
    view! { <div class="island-root" node_ref=root>{children()}</div> }
}

#[cfg(feature = "hydrate")]
mod draw {
    use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use wasm_bindgen::prelude::wasm_bindgen;
    use web_sys::Element;

    use crate::islands::live::Live;
    use domain::dashboard::ChartId;

    // The few ECharts calls the island makes; `echarts` is the global the
    // served build defines (loaded on demand, below).
    #[wasm_bindgen]
    extern "C" {
        type ECharts;
        #[wasm_bindgen(js_namespace = echarts, js_name = init)]
        fn init(element: &Element) -> ECharts;
        #[wasm_bindgen(method, js_name = setOption)]
        fn set_option(this: &ECharts, option: &JsValue, not_merge: bool);
        #[wasm_bindgen(method)]
        fn resize(this: &ECharts);
        #[wasm_bindgen(method)]
        fn dispose(this: &ECharts);
    }

    /// The chart's ECharts instance, kept on the island's root element.
    const INSTANCE: &str = "__ksfChart";

    fn instance(root: &Element) -> Option<ECharts> {
        js_sys::Reflect::get(root, &INSTANCE.into())
            .ok()
            .filter(|i| i.is_object())
            .map(JsCast::unchecked_into)
    }

    fn dark_query() -> Option<web_sys::MediaQueryList> {
        web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
    }

    fn echarts_loaded() -> bool {
        web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w, &"echarts".into()).ok())
            .is_some_and(|e| !e.is_undefined())
    }

    /// Whether `event` changes the chart in `root`.
    pub fn wants(event: &Live, root: &Element) -> bool {
        let id = super::super::fragment::part(root)
            .and_then(|p| p.get_attribute("data-chart"))
            .and_then(|id| ChartId::from_name(&id));
        match (event.kind, id) {
            (None, _) => true,
            (Some(kind), Some(id)) => id.changed_by().contains(&kind),
            (Some(_), None) => false,
        }
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

    /// Draws the chart in `root` afresh (its box is new after a refresh),
    /// or lets the old drawing go when the chart shows no box (no data, an
    /// error). Also puts the data table back as the toggle says.
    pub fn draw(root: &Element) {
        if let Some(old) = instance(root) {
            old.dispose();
            let _ = js_sys::Reflect::set(root, &INSTANCE.into(), &JsValue::UNDEFINED);
        }
        show_table(root, table_shown(root));
        let Ok(Some(canvas)) = root.query_selector(".chart-canvas") else {
            return;
        };
        let dark = dark_query().is_some_and(|q| q.matches());
        let json = canvas
            .get_attribute(if dark { "data-dark" } else { "data-light" })
            .unwrap_or_default();
        let Ok(option) = js_sys::JSON::parse(&json) else {
            return;
        };
        let url = canvas.get_attribute("data-echarts").unwrap_or_default();
        let root = root.clone();
        with_echarts(&url, move || {
            // A refresh may have replaced the box while the library loaded.
            if !root.contains(Some(&canvas)) || instance(&root).is_some() {
                return;
            }
            let chart = init(&canvas);
            chart.set_option(&option, true);
            let _ = js_sys::Reflect::set(&root, &INSTANCE.into(), &chart);
        });
    }

    fn toggle(root: &Element) -> Option<Element> {
        root.query_selector(".chart-table-toggle").ok().flatten()
    }

    fn table_shown(root: &Element) -> bool {
        toggle(root)
            .and_then(|t| t.get_attribute("aria-expanded"))
            .as_deref()
            == Some("true")
    }

    fn show_table(root: &Element, shown: bool) {
        let value = if shown { "true" } else { "false" };
        if let Some(button) = toggle(root) {
            let _ = button.set_attribute("aria-expanded", value);
            button.set_text_content(Some(if shown {
                "Hide data table"
            } else {
                "Show data table"
            }));
        }
        if let Ok(Some(table)) = root.query_selector(".chart-table") {
            let _ = table.set_attribute("data-open", value);
        }
    }

    /// Once per chart: the data-table toggle, and drawing again when the
    /// page turns light or dark or changes size.
    pub fn watch(root: Element) {
        if let Some(button) = toggle(&root) {
            let at = root.clone();
            let on_click = Closure::<dyn Fn()>::new(move || show_table(&at, !table_shown(&at)));
            let _ = button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
            on_click.forget();
        }
        if let Some(query) = dark_query() {
            let at = root.clone();
            let on_change = Closure::<dyn Fn()>::new(move || draw(&at));
            let _ = query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            on_change.forget();
        }
        let on_resize = Closure::<dyn Fn()>::new(move || {
            if let Some(chart) = instance(&root) {
                chart.resize();
            }
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
    fn every_chart_refreshes_on_something_the_island_hears() {
        for id in ChartId::ALL {
            assert!(!id.changed_by().is_empty(), "{id}");
            for kind in id.changed_by() {
                assert!(super::CHART_EVENTS.contains(kind), "{id} {kind:?}");
            }
        }
    }
}
