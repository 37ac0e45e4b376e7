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

/// The confirmation of what the user just did, from `?done=` (see
/// `api::Notice`); shown by the layout on every page.
#[component]
pub fn NoticeToast() -> impl IntoView {
    let notice = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("done"))
        .and_then(|code| crate::api::Notice::from_code(&code));
    notice.map(|n| view! { <Toast message=n.message().to_string() tone=n.tone().as_str().to_string()/> })
}
