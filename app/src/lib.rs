//! The KSFoundation web app: pages rendered on the server, with small
//! WebAssembly islands where a page must be interactive.
//!
//! Compiled twice: with `ssr` into the server, with `hydrate` into the wasm
//! bundle. It reads the `domain` crate in both; the `services` crate only
//! on the server.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod islands;
pub mod pages;
mod shell;

pub use shell::{shell, App};

pub use domain::PRODUCT_NAME;

/// Reports a panic in an island through `public/error-report.js` (which
/// bounds how many a page sends).
#[cfg(feature = "hydrate")]
pub fn report_panic(message: &str) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let report = js_sys::Reflect::get(&window, &"__ksfReportError".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(report) = report {
        let _ = report.call2(&wasm_bindgen::JsValue::NULL, &"panic".into(), &message.into());
    }
}

/// Tells `public/router-guard.js` that the islands can be woken: from now
/// on the islands router may take over links and forms.
#[cfg(feature = "hydrate")]
pub fn mark_ready() {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__ksfReady".into(), &wasm_bindgen::JsValue::TRUE);
    }
}
