use leptos::prelude::*;

/// A button that copies `text` to the clipboard and says whether it
/// worked. Without JavaScript (or clipboard access) the text stays on the
/// page to select.
#[component]
pub fn CopyButton(text: String, label: String) -> impl IntoView {
    view! {
        <CopyOnClick>
            <button type="button" class="btn btn-secondary" data-copy=text>{label}</button>
            <span class="copy-outcome" role="status" aria-live="polite"></span>
        </CopyOnClick>
    }
}

/// Copies a clicked `[data-copy]` button's text and writes the outcome in
/// the element after the button. No props: what to copy is on the button.
#[island(lazy)]
fn CopyOnClick(children: Children) -> impl IntoView {
    crate::islands::awake("CopyOnClick");
    #[cfg(feature = "hydrate")]
    super::fragment::on_document("click", copy);
    view! { <div class="island-root">{children()}</div> }
}

#[cfg(feature = "hydrate")]
fn copy(ev: web_sys::Event) {
    use leptos::wasm_bindgen::JsCast;
    let Some(button) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest("[data-copy]").ok().flatten())
    else {
        return;
    };
    let text = button.get_attribute("data-copy").unwrap_or_default();
    let outcome = button.next_element_sibling();
    leptos::task::spawn_local(async move {
        let written = match web_sys::window() {
            Some(window) => {
                let promise = window.navigator().clipboard().write_text(&text);
                wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
            }
            None => false,
        };
        if let Some(outcome) = outcome {
            outcome.set_text_content(Some(if written {
                "Copied."
            } else {
                "Could not copy: select the text and copy it yourself."
            }));
        }
    });
}
