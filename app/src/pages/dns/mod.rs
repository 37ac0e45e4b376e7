//! Domains: the list with the form to add one, and a domain's page (its
//! DNS editor, templates, import and export, history).

mod propagation;
pub mod zone;

use leptos::prelude::*;

use crate::api::dns::queries::list_domains;
use crate::api::dns::{DomainRow, DomainsView};
use crate::api::require_user;
use crate::components::empty_state::EmptyState;
use crate::components::form::{use_form, Field, FormMessages};
use crate::components::page_header::PageHeader;
use domain::dns::DomainStatus;

#[component]
pub fn DomainStatusBadge(status: DomainStatus) -> impl IntoView {
    view! { <span class=status.badge() data-status=status.as_str()>{status.label()}</span> }
}

/// The user's domains across their hosting accounts, and adding one.
#[component]
pub fn DomainsPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let view = Resource::new(|| (), |_| list_domains());
    view! {
        <PageHeader title="Domains" subtitle="Your domains and their DNS, served by our name servers."/>
        <p class="page-actions"><a class="btn btn-primary" href="/domains/search">"Find a domain to buy"</a><a class="btn btn-secondary" href="/domains/transfer">"Transfer a domain in"</a></p>
        <FormMessages/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match view.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(v) => view! { <Domains v/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Domains(v: DomainsView) -> impl IntoView {
    let form = use_form();
    let chosen = form.value("account");
    let account_error = form.error("account");
    view! {
        {if v.items.is_empty() {
            view! {
                <EmptyState title="No domains yet">
                    <p>"Add a domain to a hosting account, then point it at our name servers at your registrar."</p>
                </EmptyState>
            }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table stack domains">
                        <thead><tr><th>"Domain"</th><th>"Hosting account"</th><th>"Status"</th><th>"Records"</th><th>"Last change"</th></tr></thead>
                        <tbody>{v.items.into_iter().map(|d| view! { <DomainRowView d/> }).collect_view()}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {if v.accounts.is_empty() {
            view! {
                <p class="muted">"To add a domain you need a hosting account where your role can edit DNS (owner, admin or developer). "
                    <a href="/hosting/new">"New hosting account"</a></p>
            }.into_any()
        } else {
            view! {
                <section class="card narrow" aria-labelledby="add-domain-title">
                    <h2 id="add-domain-title">"Add a domain"</h2>
                    <form method="post" action="/domains/new">
                        <div class="field">
                            <label for="f-account">"Hosting account"</label>
                            <select class="input" id="f-account" name="account" aria-invalid=account_error.is_some().then_some("true")>
                                {v.accounts.into_iter().map(|(id, label)| {
                                    let selected = id == chosen;
                                    view! { <option value=id selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                            {account_error.map(|e| view! { <p class="error" id="f-account-error">{e}</p> })}
                        </div>
                        <Field label="Domain name" name="name" hint="Like example.com; international names work too (bücher.de)." autocomplete="off"/>
                        <p class="hint">"It gets two name servers of its own, shown on its page: set them at your registrar, and it goes live once the registry points at exactly those. The account's primary domain also gets records for its web server."</p>
                        <button class="btn btn-primary" type="submit">"Add domain"</button>
                    </form>
                </section>
            }.into_any()
        }}
    }
}

#[component]
fn DomainRowView(d: DomainRow) -> impl IntoView {
    view! {
        <tr class="domain">
            <td class="stack-title" data-label="Domain"><a href=format!("/domains/{}", d.name)>{d.display}</a></td>
            <td data-label="Hosting account"><a href=format!("/hosting/{}", d.account_id)>{d.account_name}</a></td>
            <td data-label="Status">
                <DomainStatusBadge status=d.status/>
                {d.delegation_lost.then(|| view! { " " <span class="badge badge-warning">"Delegation changed"</span> })}
            </td>
            <td data-label="Records">{d.records}</td>
            <td data-label="Last change">{d.last_change}</td>
        </tr>
    }
}
