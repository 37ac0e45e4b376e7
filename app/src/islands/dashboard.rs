//! The dashboard's charts, drawn by ECharts from the options the server
//! put on each chart's box (`components::dashboard::ChartBody`). The tiles
//! and the feed need no island: the page keeps them fresh
//! (`islands::fragment`), and this draws each chart again when its part
//! comes back.

use leptos::prelude::*;

/// The charts (`components::dashboard::ChartCard`s): drawn once the
/// island is awake, drawn again when their data or the page's colours
/// change, resized with the page, and their data tables shown on request.
/// No props: everything is read from the document.
#[island(lazy)]
pub fn Charts(children: Children) -> impl IntoView {
    crate::islands::awake("Charts");
    #[cfg(feature = "hydrate")]
    super::fragment::on_mount(draw::start);
    view! { <div class="island-root">{children()}</div> }
}

#[cfg(feature = "hydrate")]
mod draw {
    use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use wasm_bindgen::prelude::wasm_bindgen;
    use web_sys::Element;

    use crate::islands::fragment::{after_refresh, all, on_document, property};

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

    /// A chart's ECharts instance, kept on its box.
    const INSTANCE: &str = "__ksfChart";

    fn instance(canvas: &Element) -> Option<ECharts> {
        property(canvas, INSTANCE).map(JsCast::unchecked_into)
    }

    fn dark() -> bool {
        dark_query().is_some_and(|q| q.matches())
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

    /// Once per page load: the listeners; then every chart on the page.
    pub fn start() {
        thread_local! {
            static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if !STARTED.with(|s| s.replace(true)) {
            after_refresh(redrawn);
            on_document("click", toggle_table);
            if let Some(query) = dark_query() {
                let on_change = Closure::<dyn Fn()>::new(draw_all);
                let _ = query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
                on_change.forget();
            }
            let on_resize = Closure::<dyn Fn()>::new(|| {
                for canvas in all(".chart-canvas") {
                    if let Some(chart) = instance(&canvas) {
                        chart.resize();
                    }
                }
            });
            if let Some(window) = web_sys::window() {
                let _ = window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
            }
            on_resize.forget();
        }
        draw_all();
    }

    fn draw_all() {
        for canvas in all(".chart-canvas") {
            draw(canvas);
        }
    }

    /// Draws `canvas` with its options for the page's colours.
    fn draw(canvas: Element) {
        let json = canvas
            .get_attribute(if dark() { "data-dark" } else { "data-light" })
            .unwrap_or_default();
        let Ok(option) = js_sys::JSON::parse(&json) else {
            return;
        };
        let url = canvas.get_attribute("data-echarts").unwrap_or_default();
        with_echarts(&url, move || {
            // Replaced by a refresh while the library loaded.
            if !canvas.is_connected() {
                return;
            }
            let chart = instance(&canvas).unwrap_or_else(|| {
                let chart = init(&canvas);
                let _ = js_sys::Reflect::set(&canvas, &INSTANCE.into(), &chart);
                chart
            });
            chart.set_option(&option, true);
        });
    }

    /// A chart's part came back: its old drawing goes, the new box is
    /// drawn, and its table shows as the toggle says.
    fn redrawn(old: &Element, new: &Element) {
        let Some(id) = new.get_attribute("data-chart") else {
            return;
        };
        if let Ok(Some(canvas)) = old.query_selector(".chart-canvas") {
            if let Some(chart) = instance(&canvas) {
                chart.dispose();
            }
        }
        if let Ok(Some(canvas)) = new.query_selector(".chart-canvas") {
            draw(canvas);
        }
        let shown = toggle_of(&id)
            .and_then(|t| t.get_attribute("aria-expanded"))
            .as_deref()
            == Some("true");
        show_table(&id, shown);
    }

    fn toggle_of(id: &str) -> Option<Element> {
        all(".chart-table-toggle")
            .into_iter()
            .find(|t| t.get_attribute("aria-controls").as_deref() == Some(&format!("chart-{id}-table")))
    }

    fn show_table(id: &str, shown: bool) {
        let value = if shown { "true" } else { "false" };
        if let Some(button) = toggle_of(id) {
            let _ = button.set_attribute("aria-expanded", value);
            button.set_text_content(Some(if shown {
                "Hide data table"
            } else {
                "Show data table"
            }));
        }
        if let Some(table) = crate::islands::fragment::by_id(&format!("chart-{id}-table")) {
            let _ = table.set_attribute("data-open", value);
        }
    }

    fn toggle_table(ev: web_sys::Event) {
        let Some(button) = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest(".chart-table-toggle").ok().flatten())
        else {
            return;
        };
        let Some(id) = button
            .get_attribute("aria-controls")
            .and_then(|c| Some(c.strip_prefix("chart-")?.strip_suffix("-table")?.to_string()))
        else {
            return;
        };
        let shown = button.get_attribute("aria-expanded").as_deref() == Some("true");
        show_table(&id, !shown);
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
