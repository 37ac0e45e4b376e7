//! The browser entry point: hydrates the islands on each page.

// The islands are `#[wasm_bindgen]` exports of `app`; naming the crate keeps
// it linked into this bundle.
use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
