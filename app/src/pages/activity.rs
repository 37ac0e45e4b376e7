use leptos::prelude::*;

use crate::api::activity::my_activity;
use crate::api::require_user;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use crate::pages::identity::query;

/// The user's own security events, newest first, 20 to a page.
#[component]
pub fn ActivityPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let page = query("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let activity = Resource::new(move || page, my_activity);
    view! {
        <PageHeader title="Security activity" subtitle="Sign-ins and changes to your account, newest first."/>
        <p><a href="/settings">"← Back to settings"</a></p>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match activity.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(p) if p.entries.is_empty() => view! {
                        <EmptyState title="No activity on this page"><p><a href="/settings/activity">"Go to the newest events"</a></p></EmptyState>
                    }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap">
                            <table class="table stack activity">
                                <thead><tr><th>"What"</th><th>"When"</th><th>"Device"</th><th>"IP address"</th></tr></thead>
                                <tbody>
                                    {p.entries.into_iter().map(|e| view! {
                                        <tr class="event"><td class="stack-title" data-label="What">{e.what}</td><td data-label="When">{e.when}</td><td data-label="Device">{e.device}</td><td data-label="IP address">{e.ip}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav class="pager" aria-label="Pages">
                            {(p.page > 1).then(|| view! { <a class="btn btn-secondary btn-sm" href=format!("/settings/activity?page={}", p.page - 1)>"Newer"</a> })}
                            <span class="muted">{format!("Page {}", p.page)}</span>
                            {p.has_next.then(|| view! { <a class="btn btn-secondary btn-sm" href=format!("/settings/activity?page={}", p.page + 1)>"Older"</a> })}
                        </nav>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
