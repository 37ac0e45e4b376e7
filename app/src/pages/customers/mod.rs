//! `/staff/customers`: the customer directory. One search box (name,
//! email, domain, hosting account, invoice number, Stripe customer id,
//! ticket number), filters, sorting and pages; each customer links to
//! their whole picture (`customer`).

mod actions;
pub mod customer;

use leptos::prelude::*;

use crate::api::customers::{staff_customers, Directory, DirectoryQuery};
use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;
use crate::pages::identity::query;
use crate::pages::staff::{staff_only, NotStaff};
use domain::customers::Sort;

fn ticked(name: &'static str) -> bool {
    matches!(query(name).as_deref(), Some("on" | "yes" | "true"))
}

/// The directory's address for `page`, keeping the filters.
fn page_link(q: &DirectoryQuery, page: i64) -> String {
    let mut parts = vec![("q", q.q.clone()), ("verified", q.verified.clone())];
    for (name, on) in [
        ("two_factor", q.two_factor),
        ("locked", q.locked),
        ("unpaid", q.unpaid),
    ] {
        if on {
            parts.push((name, "on".into()));
        }
    }
    parts.extend([
        ("from", q.from.clone()),
        ("to", q.to.clone()),
        ("sort", q.sort.clone()),
    ]);
    let parts: Vec<(&str, &str)> = parts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    query_link("/staff/customers", &parts, page)
}

/// `base` at `page`, with the `parts` that are not empty.
pub(crate) fn query_link(base: &str, parts: &[(&str, &str)], page: i64) -> String {
    let mut link = format!("{base}?page={page}");
    for (name, value) in parts.iter().filter(|(_, v)| !v.is_empty()) {
        link.push_str(&format!("&{name}={}", encode(value)));
    }
    link
}

/// Percent-encodes a query value (all but unreserved characters).
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let asked = DirectoryQuery {
        q: query("q").unwrap_or_default(),
        verified: query("verified").unwrap_or_default(),
        two_factor: ticked("two_factor"),
        locked: ticked("locked"),
        unpaid: ticked("unpaid"),
        from: query("from").unwrap_or_default(),
        to: query("to").unwrap_or_default(),
        sort: query("sort").unwrap_or_default(),
        page: query("page").and_then(|p| p.parse().ok()).unwrap_or(1),
    };
    let q = asked.clone();
    let found = Resource::new(move || asked.clone(), staff_customers);
    view! {
        <PageHeader title="Customers" subtitle="Find anyone by name, email, domain, hosting account, invoice number, Stripe customer id or ticket number."/>
        <form class="card filters customer-search" method="get" action="/staff/customers" role="search">
            <div class="field">
                <label for="f-q">"Search"</label>
                <input class="input" id="f-q" name="q" type="search" value=q.q.clone()
                    placeholder="ana@example.com, shop.example.com, #1042, cus_…"/>
            </div>
            <div class="field">
                <label for="f-verified">"Email"</label>
                <select class="input" id="f-verified" name="verified">
                    <option value="" selected=q.verified.is_empty()>"Any"</option>
                    <option value="yes" selected=q.verified == "yes">"Confirmed"</option>
                    <option value="no" selected=q.verified == "no">"Not confirmed"</option>
                </select>
            </div>
            <fieldset class="field checks">
                <legend>"Only"</legend>
                <label><input type="checkbox" name="two_factor" checked=q.two_factor/> " Two-factor on"</label>
                <label><input type="checkbox" name="locked" checked=q.locked/> " Locked"</label>
                <label><input type="checkbox" name="unpaid" checked=q.unpaid/> " With an unpaid invoice"</label>
            </fieldset>
            <div class="field">
                <label for="f-from">"Joined from"</label>
                <input class="input" id="f-from" name="from" type="date" value=q.from.clone()/>
            </div>
            <div class="field">
                <label for="f-to">"Joined until"</label>
                <input class="input" id="f-to" name="to" type="date" value=q.to.clone()/>
            </div>
            <div class="field">
                <label for="f-sort">"Sort"</label>
                <select class="input" id="f-sort" name="sort">
                    {Sort::ALL.into_iter().map(|sort| view! {
                        <option value=sort.as_str() selected=q.sort == sort.as_str()>{sort.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button class="btn btn-primary" type="submit">"Search"</button>
        </form>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Searching…"</p> }>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(d) => view! { <Results d q/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Results(d: Directory, q: DirectoryQuery) -> impl IntoView {
    let page = d.page;
    view! {
        {d.problems.into_iter().map(|p| view! { <p class="notice notice-warning" role="status">{p}</p> }).collect_view()}
        {if d.rows.is_empty() {
            view! { <EmptyState title="No customer matches"><p>"Try part of a name or an email, a domain, or fewer filters."</p></EmptyState> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table stack customers">
                        <thead><tr><th>"Customer"</th><th>"Email"</th><th>"Joined"</th><th>"Accounts"</th><th>"State"</th></tr></thead>
                        <tbody>
                            {d.rows.into_iter().map(|c| view! {
                                <tr class="customer">
                                    <td class="stack-title" data-label="Customer"><a href=format!("/staff/customers/{}", c.id)>{c.name}</a></td>
                                    <td data-label="Email" class="wrap-anywhere">{c.email}</td>
                                    <td data-label="Joined">{c.joined}</td>
                                    <td data-label="Accounts">{c.accounts}</td>
                                    <td data-label="State">{c.badges.into_iter().map(|(label, class)| view! { <span class=class>{label}</span> " " }).collect_view()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| view! { <a class="btn btn-secondary" href=page_link(&q, page - 1)>"Previous"</a> })}
            <span class="muted">{format!("Page {page}")}</span>
            {d.has_next.then(|| view! { <a class="btn btn-secondary" href=page_link(&q, page + 1)>"Next"</a> })}
        </nav>
    }
}
