//! Domain registration: searching for a name (`/domains/search`), buying
//! it (`buy`), transferring one registered elsewhere (`transfer`) and
//! following the order until the name is live (`order`).
//! Every page works without JavaScript.

mod buy;
mod order;
mod staff;
mod transfer;

pub use buy::BuyDomainPage;
pub use order::DomainOrderPage;
pub use staff::StaffDomainsPage;
pub use transfer::TransferDomainPage;

use leptos::prelude::*;

use crate::api::registrations::{domain_sales, domain_search, domain_suggestions};
use crate::api::require_user;
use crate::components::domain_search::{MoreNames, SearchForm, SearchResults};
use crate::components::page_header::PageHeader;
use crate::islands::domain_search::DomainSearch;
use crate::pages::hosting::set_status;
use crate::pages::identity::query;

/// `/domains/search?q=…`: a name under every extension on sale, its price
/// and a way to buy it; other free names when it is taken. The search
/// itself is an island (results show as they come); without JavaScript
/// this page answers the form with everything filled in.
#[component]
pub fn DomainSearchPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let q = query("q").unwrap_or_default();
    let asked = !q.trim().is_empty();
    let sales = Resource::new(|| (), |_| domain_sales());
    let found = Resource::new(
        move || q.clone(),
        |q| async move {
            if q.trim().is_empty() {
                return (q, None, Vec::new());
            }
            match domain_search(q.clone()).await {
                Err(e) => (q, Some(Err(e)), Vec::new()),
                Ok(v) => {
                    // The second question, only when a name is taken.
                    let more = if v.any_taken() {
                        domain_suggestions(q.clone()).await.unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    (q, Some(Ok(v)), more)
                }
            }
        },
    );
    view! {
        <PageHeader title="Find a domain" subtitle="Search for a name, buy it, and it is live on our name servers within a minute."/>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Asking the registry…"</p> }>
            {move || Suspend::new(async move {
                if let Ok(false) = sales.await {
                    return view! {
                        <p class="notice notice-info" role="status">"Domains are not sold on this portal yet. You can still "
                            <a href="/domains">"add a domain you registered elsewhere"</a>"."</p>
                    }.into_any();
                }
                let (q, found, suggestions) = found.await;
                let found = found.map(|r| r.map_err(|e| {
                    set_status(e.status());
                    e.explained()
                }));
                let failed = matches!(found, Some(Err(_)));
                view! {
                    <DomainSearch>
                        <SearchForm q failed/>
                        <div aria-live="polite">
                            <div class="search-results"><SearchResults found/></div>
                            <div class="search-more"><MoreNames rows=Ok(suggestions)/></div>
                        </div>
                    </DomainSearch>
                }.into_any()
            })}
        </Suspense>
        {(!asked).then(|| view! {
            <p class="muted">"Already have a domain elsewhere? "<a href="/domains/transfer">"Transfer it to us"</a>", or "<a href="/domains">"add it to a hosting account"</a>" and point it at our name servers."</p>
        })}
    }
    .into_any()
}

/// Where a domain bought or transferred belongs: the accounts the user may
/// pay for, the one sent last chosen, its error next to it.
#[component]
fn AccountPicker(accounts: Vec<(String, String)>) -> impl IntoView {
    let form = crate::components::form::use_form();
    let account = form.value("account");
    let error = form.error("account");
    view! {
        <div class="field">
            <label for="f-account">"Hosting account"</label>
            <select class="input" id="f-account" name="account" aria-invalid=error.is_some().then_some("true")>
                {accounts.into_iter().map(|(id, label)| {
                    let selected = id == account;
                    view! { <option value=id selected=selected>{label}</option> }
                }).collect_view()}
            </select>
            {error.map(|e| view! { <p class="error" id="f-account-error">{e}</p> })}
        </div>
    }
}

/// The user may pay for no open account: a domain needs one.
#[component]
fn NoAccountToPayFrom() -> impl IntoView {
    view! {
        <p class="notice notice-info" role="status">"A domain belongs to a hosting account. You need one where your role may pay (owner or billing). "
            <a href="/hosting/new">"New hosting account"</a></p>
    }
}
