use leptos::prelude::*;

/// Copies `text` to the clipboard and says whether it worked. Without
/// JavaScript (or clipboard access) the text stays on the page to select.
#[island(lazy)]
pub fn CopyButton(text: String, label: String) -> impl IntoView {
    crate::islands::awake("CopyButton");
    // "" before any click, then the outcome.
    let outcome = RwSignal::new("");
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let text = text.clone();
            leptos::task::spawn_local(async move {
                let written = match web_sys::window() {
                    Some(window) => {
                        let promise = window.navigator().clipboard().write_text(&text);
                        wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
                    }
                    None => false,
                };
                outcome.set(if written {
                    "Copied."
                } else {
                    "Could not copy: select the text and copy it yourself."
                });
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&text, outcome);
    };
    view! {
        <button type="button" class="btn btn-secondary" on:click=copy>{label}</button>
        <span class="copy-outcome" role="status" aria-live="polite">{move || outcome.get()}</span>
    }
}
