use std::time::Duration;

use leptos::prelude::*;

/// A short notice after an action ("Password changed"). It announces itself
/// to screen readers, can be dismissed, and leaves on its own after a while.
#[island]
pub fn Toast(message: String, #[prop(optional)] tone: Option<String>) -> impl IntoView {
    let visible = RwSignal::new(true);
    Effect::new(move || {
        set_timeout(move || visible.set(false), Duration::from_secs(8));
    });
    let class = format!("toast toast-{}", tone.as_deref().unwrap_or("info"));
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
