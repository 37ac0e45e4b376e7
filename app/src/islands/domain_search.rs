//! The domain search: with JavaScript, a search asks the registry without
//! leaving the page, shows the results as soon as they come, then the
//! other free names (a second question) when one is taken. The server
//! draws the form and every answer (`components::domain_search`); before
//! hydration (or without JavaScript) the form is a plain GET that the page
//! answers with everything filled in.

use leptos::prelude::*;

/// The search's form and answers (drawn by the server), searching in
/// place. No props: the query is the form's.
#[island(lazy)]
pub fn DomainSearch(children: Children) -> impl IntoView {
    crate::islands::awake("DomainSearch");
    #[cfg(feature = "hydrate")]
    super::fragment::on_document("submit", search);
    view! { <div class="island-root">{children()}</div> }
}

#[cfg(feature = "hydrate")]
fn search(ev: web_sys::Event) {
    use leptos::wasm_bindgen::JsCast;

    use crate::components::domain_search::{MORE_PATH, RESULTS_PATH};

    let Some(_) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        .filter(|f| f.class_list().contains("search-form"))
    else {
        return;
    };
    let find = |selector: &str| {
        super::fragment::document()?
            .query_selector(selector)
            .ok()
            .flatten()
    };
    let (Some(input), Some(button), Some(results), Some(more)) = (
        find("#f-q").and_then(|i| i.dyn_into::<web_sys::HtmlInputElement>().ok()),
        find(".search-form button[type=submit]"),
        find(".search-results"),
        find(".search-more"),
    ) else {
        return;
    };
    let q = input.value();
    if q.trim().is_empty() {
        // The browser's own "required" message.
        return;
    }
    ev.prevent_default();
    remember(&q);
    let _ = button.set_attribute("disabled", "");
    results.set_inner_html(r#"<p role="status"><span class="spinner"></span> Asking the registry…</p>"#);
    more.set_inner_html("");
    let encoded = String::from(js_sys::encode_uri_component(&q));
    leptos::task::spawn_local(async move {
        match super::fragment::fetch(&format!("{RESULTS_PATH}?q={encoded}")).await {
            Some(answer) => results.replace_children_with_node_1(&answer),
            None => results.set_inner_html(
                r#"<p class="form-error" role="alert" id="f-q-error">The search could not be made. Try again.</p>"#,
            ),
        }
        let failed = results.query_selector("#f-q-error").ok().flatten().is_some();
        if failed {
            let _ = input.set_attribute("aria-invalid", "true");
            let _ = input.set_attribute("aria-describedby", "f-q-error f-q-hint");
        } else {
            let _ = input.remove_attribute("aria-invalid");
            let _ = input.set_attribute("aria-describedby", "f-q-hint");
        }
        let _ = button.remove_attribute("disabled");
        if results.query_selector("[data-taken]").ok().flatten().is_none() {
            return;
        }
        more.set_inner_html(
            r#"<p role="status"><span class="spinner"></span> Looking for other free names…</p>"#,
        );
        match super::fragment::fetch(&format!("{MORE_PATH}?q={encoded}")).await {
            Some(answer) => more.replace_children_with_node_1(&answer),
            None => more.set_inner_html(""),
        }
    });
}

/// Puts the search in the address bar, so reloading or sharing the page
/// shows the same search.
#[cfg(feature = "hydrate")]
fn remember(q: &str) {
    if let Some(window) = web_sys::window() {
        let url = format!(
            "/domains/search?q={}",
            String::from(js_sys::encode_uri_component(q))
        );
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}
