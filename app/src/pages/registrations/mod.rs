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

use crate::api::registrations::{domain_sales, domain_search, FoundRow};
use crate::api::require_user;
use crate::components::page_header::PageHeader;
use crate::pages::hosting::set_status;
use crate::pages::identity::query;

/// `/domains/search?q=…`: a name under every extension on sale, its price
/// and a way to buy it; suggestions when it is taken.
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
                Ok(None)
            } else {
                domain_search(q).await.map(Some)
            }
        },
    );
    view! {
        <PageHeader title="Find a domain" subtitle="Search for a name, buy it, and it is live on our name servers within a minute."/>
        <form class="search-form card" method="get" action="/domains/search" role="search">
            <label for="f-q">"Domain name"</label>
            <div class="search-row">
                <input class="input" id="f-q" name="q" type="search" autocomplete="off" required=true
                    placeholder="my-shop or my-shop.com" value=query("q").unwrap_or_default()
                    aria-describedby="f-q-hint"/>
                <button class="btn btn-primary" type="submit">"Search"</button>
            </div>
            <p class="hint" id="f-q-hint">"Letters, digits and hyphens; international names work too (bücher)."</p>
        </form>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Asking the registry…"</p> }>
            {move || Suspend::new(async move {
                if let Ok(false) = sales.await {
                    return view! {
                        <p class="notice notice-info" role="status">"Domains are not sold on this portal yet. You can still "
                            <a href="/domains">"add a domain you registered elsewhere"</a>"."</p>
                    }.into_any();
                }
                match found.await {
                    Ok(None) => ().into_any(),
                    Err(e) => {
                        set_status(e.status());
                        view! { <p class="form-error" role="alert" id="f-q-error">{e.explained()}</p> }.into_any()
                    }
                    Ok(Some(v)) => view! {
                        <section aria-labelledby="results-title" aria-live="polite">
                            <h2 id="results-title">"Results"</h2>
                            <Results rows=v.results/>
                            {(!v.suggestions.is_empty()).then(|| view! {
                                <h2>"Other free names"</h2>
                                <Results rows=v.suggestions/>
                            })}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
        {(!asked).then(|| view! {
            <p class="muted">"Already have a domain elsewhere? "<a href="/domains/transfer">"Transfer it to us"</a>", or "<a href="/domains">"add it to a hosting account"</a>" and point it at our name servers."</p>
        })}
    }
    .into_any()
}

#[component]
fn Results(rows: Vec<FoundRow>) -> impl IntoView {
    view! {
        <ul class="domain-results" role="list">
            {rows.into_iter().map(|r| {
                let buy = format!("/domains/buy?name={}", r.name);
                let transfer = format!("/domains/transfer?name={}", r.name);
                let transferable = r.transferable;
                view! {
                    <li class="domain-result" data-name=r.name.clone() data-available=r.available.to_string()>
                        <span class="domain-result-name">{r.display}</span>
                        {match r.note {
                            Some(note) => view! {
                                <span class="badge badge-muted">{note}</span>
                                {transferable.then(|| view! { <a class="btn btn-secondary btn-small" href=transfer>"Yours? Transfer it"</a> })}
                            }.into_any(),
                            None => view! {
                                <span class="domain-result-price">{r.price}</span>
                                <a class="btn btn-primary btn-small" href=buy>"Buy"</a>
                            }.into_any(),
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
