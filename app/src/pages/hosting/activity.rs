use leptos::prelude::*;

use super::{param, AccountUnavailable, Pager};
use crate::api::hosting::queries::hosting_activity;
use crate::api::require_user;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use crate::pages::identity::query;

#[component]
fn Feed(account: Option<String>, base: String, with_account: bool) -> impl IntoView {
    let one_account = account.is_some();
    let page = query("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let feed = Resource::new(move || (account.clone(), page), |(a, p)| hosting_activity(a, p));
    view! {
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || {
                let base = base.clone();
                Suspend::new(async move {
                    match feed.await {
                        Err(e) if one_account => view! { <AccountUnavailable error=e/> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! { <EmptyState title="No activity yet"/> }.into_any(),
                        Ok(p) => view! {
                            <ul class="feed card">
                                {p.items.into_iter().map(|e| view! {
                                    <li class="feed-item">
                                        {with_account.then(|| view! { <a href=format!("/hosting/{}", e.account_id)>{e.account_name.clone()}</a> ": " })}
                                        <span>{e.sentence}</span> " " <span class="muted">{e.when}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <Pager base page=p.page has_next=p.has_next/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Everything that happened in one hosting account.
#[component]
pub fn AccountActivityPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let id = param("id");
    let base = format!("/hosting/{id}/activity");
    view! {
        <PageHeader title="Account activity"/>
        <p><a href=format!("/hosting/{id}")>"← Back to the account"</a></p>
        <Feed account=Some(id) base with_account=false/>
    }
    .into_any()
}

/// Everything that happened in every account the user can see.
#[component]
pub fn ActivityFeedPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    view! {
        <PageHeader title="Activity" subtitle="Changes in all the hosting accounts you can see, newest first."/>
        <Feed account=None base="/activity".to_string() with_account=true/>
    }
    .into_any()
}
