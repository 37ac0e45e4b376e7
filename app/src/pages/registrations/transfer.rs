//! `/domains/transfer?name=…`: moving a name registered elsewhere here.
//! First the name (its price shows), then its auth code and the account,
//! then Stripe; the order's page follows the transfer.

use leptos::prelude::*;

use super::{AccountPicker, NoAccountToPayFrom};

use crate::api::registrations::{domain_transfer_form, TransferView};
use crate::api::require_user;
use crate::components::form::{use_form, FormMessages};
use crate::components::page_header::PageHeader;
use crate::pages::billing::TestModeNote;
use crate::pages::hosting::set_status;
use crate::pages::identity::query;

#[component]
pub fn TransferDomainPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let name = query("name").unwrap_or_default();
    let form = Resource::new(move || name.clone(), domain_transfer_form);
    view! {
        <PageHeader title="Transfer a domain to us" subtitle="Keep your name, move its registration here: one year is added, and its DNS is served by our name servers."/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading the price…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Err(e) => {
                        set_status(e.status());
                        view! { <p class="form-error" role="alert">{e.explained()}</p> }.into_any()
                    }
                    Ok(v) => view! { <TransferForm v/> }.into_any(),
                }
            })}
        </Suspense>
        <p><a href="/domains/search">"← Search for a new name instead"</a></p>
    }
    .into_any()
}

#[component]
fn TransferForm(v: TransferView) -> impl IntoView {
    let form = use_form();
    let name_error = form.error("name");
    let code_error = form.error("auth_code");
    let price_error = form.error("price");
    // Step one: which name (a GET form, so it works without JavaScript).
    let ask_name = view! {
        <form class="card" method="get" action="/domains/transfer">
            <div class="field">
                <label for="f-name">"Domain name"</label>
                <input class="input" id="f-name" name="name" type="text" required=true autocomplete="off"
                    placeholder="my-shop.com" value=v.name.clone()
                    aria-invalid=name_error.is_some().then_some("true")
                    aria-describedby=name_error.is_some().then_some("f-name-error")/>
                {name_error.clone().map(|e| view! { <p class="error" id="f-name-error" role="alert">{e}</p> })}
            </div>
            <button class="btn btn-secondary" type="submit">"Check the price"</button>
        </form>
    };
    let Some((display, minor, price)) = v.priced.clone() else {
        let unknown = (!v.name.trim().is_empty() && name_error.is_none()).then(|| view! {
            <p class="form-error" role="alert">"We cannot take transfers of this name: enter a name like example.com under one of the extensions we sell."</p>
        });
        return view! { {unknown} {ask_name} }.into_any();
    };
    if v.accounts.is_empty() {
        return view! { <NoAccountToPayFrom/> }.into_any();
    }
    view! {
        <TestModeNote test_mode=v.test_mode/>
        <form class="card buy-domain" method="post" action="/domains/transfer" autocomplete="off">
            <h2 class="buy-name">{display}</h2>
            <p class="buy-price"><strong>{price}</strong>" — transfer with one year added"</p>
            {name_error.map(|e| view! { <p class="form-error" role="alert" id="f-name-error">{e}</p> })}
            {price_error.map(|e| view! { <p class="form-error" role="alert" id="f-price-error">{e}</p> })}
            <input type="hidden" name="name" value=v.name.clone()/>
            <input type="hidden" name="price" value=minor.to_string()/>
            <div class="field">
                <label for="f-auth_code">"Transfer code (auth code)"</label>
                <input class="input" id="f-auth_code" name="auth_code" type="text" required=true
                    autocomplete="off" spellcheck="false" maxlength="64"
                    aria-invalid=code_error.is_some().then_some("true")
                    aria-describedby=if code_error.is_some() { "f-auth_code-error" } else { "f-auth_code-hint" }/>
                <p class="hint" id="f-auth_code-hint">"Your current registrar gives it to you (also called EPP code). Unlock the name there first."</p>
                {code_error.map(|e| view! { <p class="error" id="f-auth_code-error" role="alert">{e}</p> })}
            </div>
            <AccountPicker accounts=v.accounts.clone()/>
            <p class="hint">"You pay on Stripe's secure page. The transfer is asked for once the payment is confirmed and takes up to 7 days; we email you at each step. If it is cancelled (a wrong code, a locked name), you are refunded in full."</p>
            <button class="btn btn-primary" type="submit">"Continue to payment"</button>
        </form>
    }
    .into_any()
}
