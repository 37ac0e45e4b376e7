//! The browser entry point: hydrates the islands on each page.

/// Wakes the islands (they are `#[wasm_bindgen]` exports of `app`), then
/// lets the islands router take over links and forms.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    app::mark_ready();
}
