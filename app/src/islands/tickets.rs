//! Support's one island: the Markdown preview button. A ticket's thread
//! and the staff queue need none: the server draws them and the page keeps
//! them fresh (`islands::fragment`).

use leptos::prelude::*;

/// "Preview": with JavaScript, shows how the text of `source` (a
/// textarea's id) will look, below the button; without, the button
/// submits the form, which comes back with the preview.
#[component]
pub fn MarkdownPreview(source: String) -> impl IntoView {
    view! {
        <PreviewOnClick>
            <button class="btn btn-secondary" type="submit" name="intent" value="preview" formnovalidate=true
                data-preview=source>"Preview"</button>
            <div class="preview-slot" aria-live="polite"></div>
        </PreviewOnClick>
    }
}

/// Asks the server to draw the preview (`PREVIEW_PATH`) and puts it in the
/// slot after the button. No props: the textarea's id is on the button.
#[island(lazy)]
fn PreviewOnClick(children: Children) -> impl IntoView {
    crate::islands::awake("PreviewOnClick");
    #[cfg(feature = "hydrate")]
    super::fragment::on_document("click", preview);
    view! { <div class="island-root">{children()}</div> }
}

#[cfg(feature = "hydrate")]
fn preview(ev: web_sys::Event) {
    use leptos::wasm_bindgen::JsCast;
    let Some(button) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest("[data-preview]").ok().flatten())
    else {
        return;
    };
    ev.prevent_default();
    if button.has_attribute("disabled") {
        return;
    }
    let text = button
        .get_attribute("data-preview")
        .and_then(|id| super::fragment::by_id(&id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default();
    let Some(slot) = button.next_element_sibling() else {
        return;
    };
    let _ = button.set_attribute("disabled", "");
    button.set_text_content(Some("Rendering…"));
    leptos::task::spawn_local(async move {
        let form = web_sys::UrlSearchParams::new().ok();
        if let Some(form) = &form {
            form.append("body", &text);
        }
        let answer = match &form {
            Some(form) => super::fragment::post(crate::api::tickets::PREVIEW_PATH, form).await,
            None => None,
        };
        match answer {
            Some(answer) => slot.replace_children_with_node_1(&answer),
            None => slot.set_inner_html(
                r#"<p class="error" role="alert">The preview could not be made. Try again.</p>"#,
            ),
        }
        let _ = button.remove_attribute("disabled");
        button.set_text_content(Some("Preview"));
    });
}
