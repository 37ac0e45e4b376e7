//! `#[island]` components: the only parts of a page that ship to the browser
//! as WebAssembly. Everything else is server-rendered HTML.

pub mod bell;
pub mod billing;
pub mod copy_button;
pub mod dashboard;
pub mod dns;
pub mod domain_search;
pub mod fragment;
pub mod full_reload;
pub mod live;
pub mod nav_toggle;
pub mod password_input;
pub mod propagation;
pub mod tickets;

/// Marks the page's first not-yet-marked `<leptos-island>` of this name as
/// awake (`el.__ksfAwake`), once its island has hydrated: effects run after
/// the hydration that created them. Islands of one name wake in document
/// order, so this marks the right element. The browser tests and the page
/// benchmark wait for every island on the page to be marked: lazy islands
/// wake one by one as their modules arrive, and nothing else says when the
/// last one has.
pub fn awake(name: &'static str) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::Effect::new(move || {
        use wasm_bindgen::JsValue;
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(islands) = document.query_selector_all(&format!("leptos-island[data-component^=\"{name}_\"]"))
        else {
            return;
        };
        let mark = JsValue::from_str("__ksfAwake");
        for i in 0..islands.length() {
            let Some(island) = islands.item(i) else { continue };
            if !js_sys::Reflect::has(&island, &mark).unwrap_or(true) {
                let _ = js_sys::Reflect::set(&island, &mark, &JsValue::TRUE);
                return;
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = name;
}
