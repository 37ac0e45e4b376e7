//! `/staff/audit`: every staff action and every security event on the
//! platform, newest first, narrowed by who acted, whom it concerned, kind
//! and dates; the same filter downloads as CSV.

use leptos::prelude::*;

use crate::api::audit::{staff_audit, AuditQuery};
use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;
use crate::pages::customers::encode;
use crate::pages::identity::query;
use crate::pages::staff::{staff_only, NotStaff};

/// The filter as a query string (without the page cursor).
fn filter_query(q: &AuditQuery) -> String {
    [
        ("actor", &q.actor),
        ("customer", &q.customer),
        ("kind", &q.kind),
        ("from", &q.from),
        ("to", &q.to),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect::<Vec<_>>()
    .join("&")
}

#[component]
pub fn AuditPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let asked = AuditQuery {
        actor: query("actor").unwrap_or_default(),
        customer: query("customer").unwrap_or_default(),
        kind: query("kind").unwrap_or_default(),
        from: query("from").unwrap_or_default(),
        to: query("to").unwrap_or_default(),
        after: query("after").unwrap_or_default(),
    };
    let q = asked.clone();
    let filters = filter_query(&q);
    let export = if filters.is_empty() {
        "/staff/audit.csv".to_string()
    } else {
        format!("/staff/audit.csv?{filters}")
    };
    let found = Resource::new(move || asked.clone(), staff_audit);
    view! {
        <PageHeader title="Audit log" subtitle="Every staff action and every security event, newest first."/>
        <form class="card filters audit-filter" method="get" action="/staff/audit" role="search">
            <div class="field">
                <label for="f-actor">"Done by"</label>
                <input class="input" id="f-actor" name="actor" type="search" value=q.actor.clone() placeholder="name or email"/>
            </div>
            <div class="field">
                <label for="f-customer">"About"</label>
                <input class="input" id="f-customer" name="customer" type="search" value=q.customer.clone() placeholder="name or email"/>
            </div>
            <div class="field">
                <label for="f-kind">"Kind"</label>
                <Suspense fallback=|| view! { <select class="input" id="f-kind" name="kind"><option value="">"All kinds"</option></select> }>
                    {
                        let kind = q.kind.clone();
                        move || {
                            let kind = kind.clone();
                            Suspend::new(async move {
                                let kinds = found.await.map(|v| v.kinds).unwrap_or_default();
                                view! {
                                    <select class="input" id="f-kind" name="kind">
                                        <option value="">"All kinds"</option>
                                        {kinds.into_iter().map(|(v, l)| {
                                            let on = v == kind;
                                            view! { <option value=v selected=on>{l}</option> }
                                        }).collect_view()}
                                    </select>
                                }
                            })
                        }
                    }
                </Suspense>
            </div>
            <div class="field">
                <label for="f-from">"From"</label>
                <input class="input" id="f-from" name="from" type="date" value=q.from.clone()/>
            </div>
            <div class="field">
                <label for="f-to">"To"</label>
                <input class="input" id="f-to" name="to" type="date" value=q.to.clone()/>
            </div>
            <div class="form-actions">
                <button class="btn btn-primary" type="submit">"Filter"</button>
                <a class="btn btn-secondary" href=export download="audit.csv">"Export CSV"</a>
            </div>
        </form>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading the audit log…"</p> }>
            {move || {
                let filters = filters.clone();
                Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(v) if v.rows.is_empty() => view! {
                            {v.problems.into_iter().map(|p| view! { <p class="notice notice-warning" role="status">{p}</p> }).collect_view()}
                            <EmptyState title="Nothing recorded"><p>"No entry matches: widen the dates or clear a filter."</p></EmptyState>
                        }.into_any(),
                        Ok(v) => {
                            let newest = if filters.is_empty() { "/staff/audit".to_string() } else { format!("/staff/audit?{filters}") };
                            let next = v.next.map(|c| {
                                let sep = if filters.is_empty() { "" } else { "&" };
                                format!("/staff/audit?{filters}{sep}after={}", encode(&c))
                            });
                            view! {
                                {v.problems.into_iter().map(|p| view! { <p class="notice notice-warning" role="status">{p}</p> }).collect_view()}
                                <div class="table-wrap">
                                    <table class="table stack audit">
                                        <thead><tr><th>"When"</th><th>"What"</th><th>"Done by"</th><th>"About"</th><th>"Reason or address"</th></tr></thead>
                                        <tbody>
                                            {v.rows.into_iter().map(|r| view! {
                                                <tr class="audit-entry">
                                                    <td data-label="When">{r.at}</td>
                                                    <td class="stack-title" data-label="What">{r.kind}</td>
                                                    <td data-label="Done by" class="wrap-anywhere">{r.actor}</td>
                                                    <td data-label="About" class="wrap-anywhere">{match r.subject_href {
                                                        Some(href) => view! { <a href=href>{r.subject}</a> }.into_any(),
                                                        None => view! { <span>{r.subject}</span> }.into_any(),
                                                    }}</td>
                                                    <td data-label="Reason or address" class="wrap-anywhere">{r.detail}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <nav class="pager" aria-label="Pages">
                                    <a href=newest>"Newest"</a>
                                    {next.map(|n| view! { <a href=n rel="next">"Older entries"</a> })}
                                </nav>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}
