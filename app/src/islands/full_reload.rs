use leptos::prelude::*;

/// Submits the GET forms inside it with a full page load. The islands
/// router would swap the new page in but leave islands as they were (it
/// never updates an island's contents), so a page whose islands show what
/// the query asks for (the dashboard's charts) must load whole. Without
/// JavaScript the forms submit as usual.
#[island]
pub fn FullReload(children: Children) -> impl IntoView {
    crate::islands::awake("FullReload");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            let Ok(params) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else {
                return;
            };
            ev.prevent_default();
            let path = web_sys::Url::new(&form.action())
                .map(|u| u.pathname())
                .unwrap_or_else(|_| "/".into());
            if let Some(window) = web_sys::window() {
                let _ = window
                    .location()
                    .assign(&format!("{path}?{}", String::from(params.to_string())));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! { <div class="full-reload" on:submit=submit>{children()}</div> }
}
