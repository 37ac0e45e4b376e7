//! The browser entry point: hydrates the islands on each page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Keep `app` linked in so its islands are part of this bundle.
    use app::*;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
