use leptos::prelude::*;

use super::{Pager, StatusBadge};
use crate::api::hosting::queries::hosting_accounts;
use crate::api::require_user;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use crate::pages::identity::query;
use domain::next_path::encode_query_value;

/// The accounts the user can see, with search, sort and paging.
#[component]
pub fn HostingListPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let search = query("q").unwrap_or_default();
    let sort = query("sort").unwrap_or_else(|| "name".into());
    let page = query("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let args = (search.clone(), sort.clone(), page);
    let accounts = Resource::new(move || args.clone(), |(q, s, p)| hosting_accounts(q, s, p));
    let base = format!(
        "/hosting?q={}&sort={}",
        encode_query_value(&search),
        encode_query_value(&sort)
    );
    let searching = !search.is_empty();
    view! {
        <PageHeader title="Hosting" subtitle="Your hosting accounts, their plans and teams."/>
        <div class="toolbar">
            <form class="search-form" method="get" action="/hosting" role="search">
                <label class="visually-hidden" for="q">"Search by name or domain"</label>
                <input class="input" id="q" name="q" type="search" placeholder="Search by name or domain" value=search.clone()/>
                <label class="visually-hidden" for="sort">"Sort by"</label>
                <select class="input" id="sort" name="sort">
                    <option value="name" selected=sort == "name">"Name"</option>
                    <option value="newest" selected=sort == "newest">"Newest first"</option>
                    <option value="status" selected=sort == "status">"Status"</option>
                </select>
                <button class="btn btn-secondary" type="submit">"Search"</button>
            </form>
            <a class="btn btn-primary" href="/hosting/new">"New hosting account"</a>
        </div>
        <p><a href="/activity">"Activity across your accounts"</a> " · " <a href="/invitations">"Invitations for you"</a></p>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || {
                let base = base.clone();
                Suspend::new(async move {
                    match accounts.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.items.is_empty() && !searching && list.page == 1 => view! {
                            <EmptyState title="No hosting accounts yet">
                                <p>"Create your first hosting account: choose a plan, a primary domain and a region."</p>
                                <p><a class="btn btn-primary" href="/hosting/new">"New hosting account"</a></p>
                            </EmptyState>
                        }.into_any(),
                        Ok(list) if list.items.is_empty() => view! {
                            <EmptyState title="No hosting accounts match"><p><a href="/hosting">"Show all"</a></p></EmptyState>
                        }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="table stack hosting-accounts">
                                    <thead><tr><th>"Name"</th><th>"Primary domain"</th><th>"Plan"</th><th>"Status"</th><th>"Your role"</th><th>"Created"</th></tr></thead>
                                    <tbody>
                                        {list.items.into_iter().map(|a| view! {
                                            <tr class="hosting-account">
                                                <td class="stack-title" data-label="Name"><a href=format!("/hosting/{}", a.id)>{a.name}</a> " " <span class="stack-only"><StatusBadge status=a.status/></span></td>
                                                <td data-label="Primary domain">{a.primary_domain}</td>
                                                <td data-label="Plan">{a.plan}</td>
                                                <td class="stack-hide" data-label="Status"><StatusBadge status=a.status/></td>
                                                <td data-label="Your role">{a.role.map(|r| r.label()).unwrap_or("Staff view")}</td>
                                                <td data-label="Created">{a.created}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager base page=list.page has_next=list.has_next/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}
