use leptos::prelude::*;

use crate::api::notifications::{NotificationRow, Notifications};

/// The notifications bell: unread count and the newest few, fetched once
/// the page has loaded and updated live. A `<details>`, so it opens
/// without JavaScript (then it links to `/notifications`, the full list).
#[island]
pub fn NotificationBell() -> impl IntoView {
    let state = RwSignal::new(Notifications::default());
    #[cfg(feature = "hydrate")]
    {
        let fetch = move || {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = crate::api::notifications::my_notifications().await {
                    state.set(fresh);
                }
            });
        };
        fetch();
        let refresh = super::live::debounced(200, fetch);
        super::live::subscribe(&[domain::live::EventKind::Notification], move |_| refresh());
    }
    let label = move || match state.with(|s| s.unread) {
        0 => "Notifications".to_string(),
        1 => "Notifications: 1 unread".to_string(),
        n => format!("Notifications: {n} unread"),
    };
    view! {
        <details class="bell">
            <summary class="btn btn-ghost btn-sm" aria-label=label>
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M6 8a6 6 0 1112 0c0 7 3 9 3 9H3s3-2 3-9M10 21a2 2 0 004 0"/>
                </svg>
                {move || {
                    let unread = state.with(|s| s.unread);
                    (unread > 0).then(|| view! { <span class="bell-count">{unread.min(99)}</span> })
                }}
            </summary>
            <div class="bell-panel">
                {move || {
                    let items: Vec<NotificationRow> = state.with(|s| s.items.clone());
                    if items.is_empty() {
                        view! { <p class="muted">"No notifications."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="bell-list">
                                {items.into_iter().map(|n| view! {
                                    <li class:unread=!n.read>
                                        <a href=n.link>{n.title}</a>
                                        <span class="muted">{n.when}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
                <p><a href="/notifications">"All notifications"</a></p>
            </div>
        </details>
    }
}
