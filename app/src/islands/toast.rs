use std::time::Duration;

use leptos::prelude::*;

/// A short notice after an action ("Your name was saved"). It announces
/// itself to screen readers, can be dismissed, and leaves on its own after a
/// while. `tone` is "success", "error" or "info".
#[island]
pub fn Toast(message: String, tone: String) -> impl IntoView {
    let visible = RwSignal::new(true);
    Effect::new(move || {
        set_timeout(move || visible.set(false), Duration::from_secs(8));
    });
    let class = format!("toast toast-{tone}");
    view! {
        <Show when=move || visible.get()>
            <div class=class.clone() role="status" aria-live="polite">
                <span>{message.clone()}</span>
                <button type="button" class="toast-close" aria-label="Dismiss" on:click=move |_| visible.set(false)>
                    "×"
                </button>
            </div>
        </Show>
    }
}
