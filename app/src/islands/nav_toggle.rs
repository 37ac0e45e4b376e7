use leptos::{ev, prelude::*, wasm_bindgen::JsCast, web_sys};

/// The id of the navigation this toggle opens (see `components::layout`).
pub const SIDEBAR_ID: &str = "sidebar";

fn sidebar() -> Option<web_sys::Element> {
    document().get_element_by_id(SIDEBAR_ID)
}

/// Opens or closes the sidebar. The state lives in the sidebar's
/// `data-open` attribute: the server renders it "false" on every page, so
/// the islands router closes the menu whenever the page changes.
fn set_sidebar_open(open: bool) {
    if let Some(nav) = sidebar() {
        let _ = nav.set_attribute("data-open", if open { "true" } else { "false" });
    }
}

fn sidebar_is_open() -> bool {
    sidebar()
        .and_then(|nav| nav.get_attribute("data-open"))
        .as_deref()
        == Some("true")
}

/// The "Menu" button that shows the navigation on phones. Without
/// JavaScript it never appears and the links stay in the page flow, so
/// every page remains reachable.
#[island]
pub fn NavToggle() -> impl IntoView {
    let open = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    Effect::new(move || {
        // Tells the CSS that the drawer can be opened, so it may hide it.
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-nav", "drawer");
        }
        hydrated.set(true);
    });

    let close = move || {
        set_sidebar_open(false);
        open.set(false);
    };
    let _ = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" && sidebar_is_open() {
            close();
        }
    });
    // Choosing a link in the menu closes it.
    let _ = window_event_listener(ev::click, move |e| {
        let in_menu_link = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(&format!("#{SIDEBAR_ID} a")).ok().flatten())
            .is_some();
        if in_menu_link {
            close();
        }
    });

    view! {
        <button
            type="button"
            class="nav-toggle btn btn-ghost"
            aria-controls=SIDEBAR_ID
            aria-expanded=move || open.get().to_string()
            data-hydrated=move || hydrated.get().to_string()
            on:click=move |_| {
                let now_open = !sidebar_is_open();
                set_sidebar_open(now_open);
                open.set(now_open);
            }
        >
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 6h16M4 12h16M4 18h16"/>
            </svg>
            <span>{move || if open.get() { "Close" } else { "Menu" }}</span>
        </button>
    }
}
