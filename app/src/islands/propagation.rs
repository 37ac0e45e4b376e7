//! "Check propagation" in the browser: asks every server at once and puts
//! each row in place as its answer arrives. The server draws the form and
//! every row (`components::dns::propagation`); without JavaScript the form
//! is a plain GET that the page answers with every row filled.

use leptos::prelude::*;

/// The check's form and table (drawn by the server), asking in place.
#[island(lazy)]
pub fn PropagationCheck(children: Children) -> impl IntoView {
    crate::islands::awake("PropagationCheck");
    #[cfg(feature = "hydrate")]
    super::fragment::on_document("submit", check);
    view! { <div class="island-root">{children()}</div> }
}

#[cfg(feature = "hydrate")]
fn check(ev: web_sys::Event) {
    use leptos::wasm_bindgen::JsCast;

    use super::fragment::{all, by_id, request, swap};

    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        .filter(|f| f.class_list().contains("propagation-form"))
    else {
        return;
    };
    ev.prevent_default();
    let (Some(base), Some(query)) = (
        form.get_attribute("data-probe"),
        web_sys::FormData::new_with_form(&form)
            .ok()
            .and_then(|d| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&d).ok()),
    ) else {
        return;
    };
    let query = String::from(query.to_string());
    let rows = all(".propagation-table tr[data-state]");
    let (button, summary) = (
        form.query_selector("button").ok().flatten(),
        by_id("propagation-summary"),
    );
    if let Some(b) = &button {
        let _ = b.set_attribute("disabled", "");
    }
    if let Some(s) = &summary {
        s.set_text_content(Some(&format!("Asking {} servers…", rows.len())));
    }
    let pending = std::rc::Rc::new(std::cell::Cell::new(rows.len()));
    for (i, row) in rows.into_iter().enumerate() {
        let _ = row.set_attribute("data-state", "asking");
        if let Some(answer) = row.query_selector("td[data-label=Answer]").ok().flatten() {
            answer.set_text_content(Some("Asking…"));
        }
        let (path, pending, button, summary) = (
            format!("{base}{i}?{query}"),
            pending.clone(),
            button.clone(),
            summary.clone(),
        );
        leptos::task::spawn_local(async move {
            match request(&path, None).await {
                Some((_, answer)) => swap(&answer),
                None => {
                    if let Some(answer) = row.query_selector("td[data-label=Answer]").ok().flatten() {
                        answer
                            .set_text_content(Some("No answer: the portal could not be reached. Try again."));
                    }
                    let _ = row.set_attribute("data-state", "differs");
                }
            }
            // The name's error, if the server found one, is now by its field.
            let refused = by_id("check-name-error")
                .and_then(|e| e.text_content())
                .is_some_and(|t| !t.is_empty());
            if let Some(input) = by_id("check-name") {
                if refused {
                    let _ = input.set_attribute("aria-invalid", "true");
                    let _ = input.set_attribute("aria-describedby", "check-name-error");
                } else {
                    let _ = input.remove_attribute("aria-invalid");
                    let _ = input.remove_attribute("aria-describedby");
                }
            }
            pending.set(pending.get().saturating_sub(1));
            if pending.get() == 0 {
                if let Some(b) = &button {
                    let _ = b.remove_attribute("disabled");
                }
                if let Some(s) = &summary {
                    s.set_text_content(Some(if refused {
                        "Not asked: the name is not valid."
                    } else {
                        "Every server was asked."
                    }));
                }
            }
        });
    }
}
