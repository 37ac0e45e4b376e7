use leptos::prelude::*;

use crate::api::notifications::my_notifications;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};

/// Every recent notification of the signed-in user.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    if crate::api::require_user().is_none() {
        return ().into_any();
    }
    let list = Resource::new(|| (), |_| my_notifications());
    view! {
        <PageHeader title="Notifications" subtitle="Invitations and changes to your hosting accounts."/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(n) if n.items.is_empty() => view! {
                        <EmptyState title="No notifications">
                            <p>"When someone invites you, or one of your hosting accounts changes state, it shows here."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(n) => view! {
                        {(n.unread > 0).then(|| view! {
                            <form method="post" action="/notifications/read">
                                <button class="btn btn-secondary" type="submit">"Mark all as read"</button>
                            </form>
                        })}
                        <ul class="card notification-list">
                            {n.items.into_iter().map(|item| view! {
                                <li class="notification" class:unread=!item.read>
                                    <a href=item.link>{item.title}</a>
                                    " " <span class="muted">{item.when}</span>
                                    {(!item.read).then(|| view! { " " <span class="badge badge-info">"New"</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
