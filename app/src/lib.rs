//! The KSFoundation web app: pages rendered on the server, with small
//! WebAssembly islands where a page must be interactive.
//!
//! Compiled twice: with `ssr` into the server, with `hydrate` into the wasm
//! bundle. `services` exists only on the server.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod islands;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod services;
mod shell;

pub use shell::{shell, App};

/// The product name as customers see it.
pub const PRODUCT_NAME: &str = "KSFoundation";

/// Tells `public/router-guard.js` that the islands can be woken: from now
/// on the islands router may take over links and forms.
#[cfg(feature = "hydrate")]
pub fn mark_ready() {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__ksfReady".into(), &wasm_bindgen::JsValue::TRUE);
    }
}
