//! Platform lists for staff: `/staff/accounts` (every hosting account
//! across customers, with the open sessions count) and `/staff/zones`
//! (every DNS zone), each with filters that work as plain GET forms.

use leptos::prelude::*;

use crate::api::platform::{staff_accounts, staff_zones, AccountsQuery, ZonesQuery};
use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;
use crate::pages::customers::query_link as link;
use crate::pages::identity::query;
use crate::pages::staff::{staff_only, NotStaff};
use domain::hosting::REGIONS;

#[component]
fn Pager(prev: Option<String>, next: Option<String>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {prev.map(|p| view! { <a href=p rel="prev">"Previous"</a> })}
            {next.map(|n| view! { <a href=n rel="next">"Next"</a> })}
        </nav>
    }
}

#[component]
pub fn StaffAccountsPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let asked = AccountsQuery {
        q: query("q").unwrap_or_default(),
        status: query("status").unwrap_or_default(),
        plan: query("plan").unwrap_or_default(),
        region: query("region").unwrap_or_default(),
        node: query("node").unwrap_or_default(),
        page: query("page").and_then(|p| p.parse().ok()).unwrap_or(1),
    };
    let q = asked.clone();
    let found = Resource::new(move || asked.clone(), staff_accounts);
    view! {
        <PageHeader title="Hosting accounts" subtitle="Every hosting account across customers."/>
        <form class="card filters audit-filter" method="get" action="/staff/accounts" role="search">
            <div class="field">
                <label for="f-q">"Search"</label>
                <input class="input" id="f-q" name="q" type="search" value=q.q.clone() placeholder="name, domain or owner email"/>
            </div>
            <div class="field">
                <label for="f-status">"Status"</label>
                <select class="input" id="f-status" name="status">
                    <option value="">"Any"</option>
                    {["pending", "active", "suspended", "cancelled"].into_iter().map(|s| view! {
                        <option value=s selected=q.status == s>{domain::AccountStatus::parse(s).map(|x| x.label()).unwrap_or(s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-region">"Region"</label>
                <select class="input" id="f-region" name="region">
                    <option value="">"Any"</option>
                    {REGIONS.iter().map(|(code, label)| view! { <option value=*code selected=q.region == *code>{*label}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-plan">"Plan code"</label>
                <input class="input" id="f-plan" name="plan" value=q.plan.clone()/>
            </div>
            <div class="field">
                <label for="f-node">"Node"</label>
                <input class="input" id="f-node" name="node" value=q.node.clone() placeholder="name, or none"/>
            </div>
            <div class="form-actions"><button class="btn btn-primary" type="submit">"Filter"</button></div>
        </form>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading accounts…"</p> }>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(v) => {
                            let parts = [("q", q.q.as_str()), ("status", q.status.as_str()), ("plan", q.plan.as_str()), ("region", q.region.as_str()), ("node", q.node.as_str())];
                            let prev = (v.page > 1).then(|| link("/staff/accounts", &parts, v.page - 1));
                            let next = v.has_next.then(|| link("/staff/accounts", &parts, v.page + 1));
                            let plans = v.plans.iter().map(|(c, n)| format!("{c} ({n})")).collect::<Vec<_>>().join(", ");
                            view! {
                                <p class="muted" data-testid="open-sessions">{format!("Open sessions now: {} customers, {} staff.", v.sessions.0, v.sessions.1)}</p>
                                <p class="muted">"Plan codes: " {plans}</p>
                                {if v.rows.is_empty() {
                                    view! { <EmptyState title="No account matches"><p>"Clear a filter or search for less."</p></EmptyState> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table class="table stack platform-accounts">
                                                <thead><tr><th>"Account"</th><th>"Owner"</th><th>"Status"</th><th>"Plan"</th><th>"Region and node"</th><th>"Storage"</th><th>"Created"</th></tr></thead>
                                                <tbody>
                                                    {v.rows.into_iter().map(|a| view! {
                                                        <tr class="platform-account">
                                                            <td class="stack-title wrap-anywhere" data-label="Account"><a href=a.href>{a.name}</a><br/><span class="muted">{a.domain}</span></td>
                                                            <td class="wrap-anywhere" data-label="Owner">{match a.owner {
                                                                Some((href, email)) => view! { <a href=href>{email}</a> }.into_any(),
                                                                None => view! { <span class="muted">"—"</span> }.into_any(),
                                                            }}</td>
                                                            <td data-label="Status"><span class=a.badge>{a.status}</span></td>
                                                            <td data-label="Plan">{a.plan}</td>
                                                            <td data-label="Region and node">{a.place}</td>
                                                            <td data-label="Storage">{a.storage}</td>
                                                            <td data-label="Created">{a.created}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                <Pager prev next/>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
pub fn StaffZonesPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let asked = ZonesQuery {
        q: query("q").unwrap_or_default(),
        status: query("status").unwrap_or_default(),
        page: query("page").and_then(|p| p.parse().ok()).unwrap_or(1),
    };
    let q = asked.clone();
    let found = Resource::new(move || asked.clone(), staff_zones);
    view! {
        <PageHeader title="DNS zones" subtitle="Every zone our name servers hold, across customers."/>
        <form class="card filters audit-filter" method="get" action="/staff/zones" role="search">
            <div class="field">
                <label for="f-q">"Search"</label>
                <input class="input" id="f-q" name="q" type="search" value=q.q.clone() placeholder="zone or account name"/>
            </div>
            <div class="field">
                <label for="f-status">"State"</label>
                <select class="input" id="f-status" name="status">
                    <option value="">"Any"</option>
                    {[("pending", "Waiting for delegation"), ("active", "Active"), ("suspended", "Suspended"), ("problem", "Needs a look")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=q.status == v>{l}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="form-actions"><button class="btn btn-primary" type="submit">"Filter"</button></div>
        </form>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading zones…"</p> }>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(v) if v.rows.is_empty() => view! { <EmptyState title="No zone matches"><p>"Clear a filter or search for less."</p></EmptyState> }.into_any(),
                        Ok(v) => {
                            let parts = [("q", q.q.as_str()), ("status", q.status.as_str())];
                            let prev = (v.page > 1).then(|| link("/staff/zones", &parts, v.page - 1));
                            let next = v.has_next.then(|| link("/staff/zones", &parts, v.page + 1));
                            view! {
                                <div class="table-wrap">
                                    <table class="table stack platform-zones">
                                        <thead><tr><th>"Zone"</th><th>"Account"</th><th>"State"</th><th>"Records"</th><th>"Added"</th></tr></thead>
                                        <tbody>
                                            {v.rows.into_iter().map(|z| view! {
                                                <tr class="platform-zone">
                                                    <td class="stack-title wrap-anywhere" data-label="Zone"><a href=z.href>{z.name}</a></td>
                                                    <td class="wrap-anywhere" data-label="Account"><a href=z.account_href>{z.account}</a></td>
                                                    <td class="wrap-anywhere" data-label="State">{z.status}{z.problem.map(|p| view! { <br/><span class="muted">{p}</span> })}</td>
                                                    <td data-label="Records">{z.records}</td>
                                                    <td data-label="Added">{z.created}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pager prev next/>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}
