use leptos::prelude::*;

/// The main navigation. On wide screens it is a fixed sidebar; on phones it
/// collapses behind a "Menu" button once this island has hydrated. Without
/// JavaScript the links stay visible, so every page remains reachable.
#[island]
pub fn NavDrawer(children: Children) -> impl IntoView {
    let open = RwSignal::new(false);
    // Effects run only in the browser: this marks the island as interactive
    // (the CSS collapses the menu only then, and browser tests wait on it).
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));

    let state = move || {
        if !hydrated.get() {
            "static"
        } else if open.get() {
            "open"
        } else {
            "closed"
        }
    };

    view! {
        <button
            type="button"
            class="nav-toggle btn btn-ghost"
            aria-controls="sidebar"
            aria-expanded=move || open.get().to_string()
            data-hydrated=move || hydrated.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 6h16M4 12h16M4 18h16"/>
            </svg>
            <span>{move || if open.get() { "Close" } else { "Menu" }}</span>
        </button>
        <nav
            id="sidebar"
            class="sidebar"
            aria-label="Main"
            data-state=state
            on:click=move |_| open.set(false)
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    open.set(false);
                }
            }
        >
            {children()}
        </nav>
    }
}
