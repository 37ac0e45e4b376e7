//! The browser entry point: hydrates the islands on each page.

/// Wakes the islands (they are `#[wasm_bindgen]` exports of `app`), then
/// lets the islands router take over links and forms.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic is written to the console and reported to the portal.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        app::report_panic(&info.to_string());
    }));
    leptos::mount::hydrate_islands();
    app::mark_ready();
}
