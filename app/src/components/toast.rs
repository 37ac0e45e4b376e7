use leptos::prelude::*;

/// A short notice after an action ("Your name was saved"), announced to
/// screen readers. Plain server HTML, not an island: the islands router
/// updates it like any other text when the next page arrives (it leaves
/// islands as they are). The close button works through the page-wide
/// listener in `islands::nav_toggle`. `tone` is "success", "error" or "info".
#[component]
pub fn Toast(message: String, tone: String) -> impl IntoView {
    view! {
        <div class=format!("toast toast-{tone}") role="status" aria-live="polite">
            <span>{message}</span>
            <button type="button" class="toast-close" aria-label="Dismiss">"×"</button>
        </div>
    }
}
