//! What the notifications bell shows: drawn empty in the page, then by
//! the server (`GET /notifications/bell`) each time it may have changed.

use leptos::prelude::*;

use crate::api::notifications::{NotificationRow, Notifications};

/// The bell's summary (the unread count) and its panel (the newest few).
#[component]
pub fn BellContents(notifications: Notifications) -> impl IntoView {
    let Notifications { unread, items } = notifications;
    let label = match unread {
        0 => "Notifications".to_string(),
        1 => "Notifications: 1 unread".to_string(),
        n => format!("Notifications: {n} unread"),
    };
    let list = if items.is_empty() {
        view! { <p class="muted">"No notifications."</p> }.into_any()
    } else {
        view! {
            <ul class="bell-list">
                {items.into_iter().map(|n: NotificationRow| view! {
                    <li class:unread=!n.read>
                        <a href=n.link>{n.title}</a>
                        <span class="muted">{n.when}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <summary class="btn btn-ghost btn-sm" aria-label=label>
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M6 8a6 6 0 1112 0c0 7 3 9 3 9H3s3-2 3-9M10 21a2 2 0 004 0"/>
            </svg>
            {(unread > 0).then(|| view! { <span class="bell-count">{unread.min(99)}</span> })}
        </summary>
        <div class="bell-panel">
            {list}
            <p><a href="/notifications">"All notifications"</a></p>
        </div>
    }
}
