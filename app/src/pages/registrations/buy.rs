//! `/domains/buy?name=…`: the order form (account, years, privacy,
//! auto-renew and the registrant contact, prefilled), then Stripe.

use leptos::prelude::*;

use super::{AccountPicker, NoAccountToPayFrom};

use crate::api::registrations::{domain_buy_form, BuyView};
use crate::api::require_user;
use crate::components::form::{use_form, Field, FormMessages};
use crate::components::page_header::PageHeader;
use crate::pages::billing::TestModeNote;
use crate::pages::hosting::set_status;
use crate::pages::identity::query;

#[component]
pub fn BuyDomainPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let name = query("name").unwrap_or_default();
    let form = Resource::new(move || name.clone(), domain_buy_form);
    view! {
        <PageHeader title="Buy a domain"/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading the price…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Err(e) => {
                        set_status(e.status());
                        view! {
                            <p class="form-error" role="alert" id="f-name-error">{e.explained()}</p>
                            <p><a href="/domains/search">"← Search for a name"</a></p>
                        }.into_any()
                    }
                    Ok(v) => view! { <BuyForm v/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn BuyForm(v: BuyView) -> impl IntoView {
    let form = use_form();
    // After a refused submit the form shows what was sent; before, the
    // contact saved from the last purchase (or the profile).
    let sent = !form.values.is_empty();
    let pick = |name: &str, prefill: &str| {
        if sent {
            form.value(name)
        } else {
            prefill.to_string()
        }
    };
    let c = v.contact.clone();
    let years = if sent { form.value("years") } else { "1".into() };
    let years_error = form.error("years");
    let price_error = form.error("price");
    let name_error = form.error("name");
    let privacy = !sent || form.value("whois_privacy") == "on";
    let auto_renew = !sent || form.value("auto_renew") == "on";
    if v.accounts.is_empty() {
        return view! { <NoAccountToPayFrom/> }.into_any();
    }
    view! {
        <TestModeNote test_mode=v.test_mode/>
        <form class="card buy-domain" method="post" action="/domains/buy">
            <h2 class="buy-name">{v.display.clone()}</h2>
            <p class="buy-price"><strong>{v.price_per_year.clone()}</strong>" per year"</p>
            {name_error.map(|e| view! { <p class="form-error" role="alert" id="f-name-error">{e}</p> })}
            {price_error.map(|e| view! { <p class="form-error" role="alert" id="f-price-error">{e}</p> })}
            <input type="hidden" name="name" value=v.name.clone()/>
            <input type="hidden" name="price" value=v.price_per_year_minor.to_string()/>
            <AccountPicker accounts=v.accounts.clone()/>
            <div class="field">
                <label for="f-years">"Years"</label>
                <select class="input" id="f-years" name="years" aria-invalid=years_error.is_some().then_some("true")>
                    {(1..=10).map(|y| {
                        let value = y.to_string();
                        let selected = value == years;
                        view! { <option value=value.clone() selected=selected>{format!("{y} year{}", if y == 1 { "" } else { "s" })}</option> }
                    }).collect_view()}
                </select>
                {years_error.map(|e| view! { <p class="error" id="f-years-error">{e}</p> })}
            </div>
            {v.whois_privacy_offered.then(|| view! {
                <label class="check"><input type="checkbox" name="whois_privacy" checked=privacy/>" WHOIS privacy: hide my address from public lookups (free)"</label>
            })}
            <label class="check"><input type="checkbox" name="auto_renew" checked=auto_renew aria-describedby="f-auto_renew-hint"/>" Renew automatically every year"</label>
            <p class="hint" id="f-auto_renew-hint">"Charged to the card you pay with now, 14 days before it expires; if that fails we email you and try again. Without it, we email the account's owners 30, 7 and 1 days before it expires. You can change this on the domain's page."</p>
            <fieldset class="contact">
                <legend>"Registrant"</legend>
                <p class="hint">"The registry requires the owner's real contact details. They are checked before you pay."</p>
                <Field label="First name" name="first_name" autocomplete="given-name" value=pick("first_name", &c.first_name)/>
                <Field label="Last name" name="last_name" autocomplete="family-name" value=pick("last_name", &c.last_name)/>
                <Field label="Organisation (optional)" name="organization" autocomplete="organization" required=false value=pick("organization", &c.organization)/>
                <Field label="Street address" name="address1" autocomplete="address-line1" value=pick("address1", &c.address1)/>
                <Field label="Address line 2 (optional)" name="address2" autocomplete="address-line2" required=false value=pick("address2", &c.address2)/>
                <Field label="City" name="city" autocomplete="address-level2" value=pick("city", &c.city)/>
                <Field label="State or province" name="state_province" autocomplete="address-level1" value=pick("state_province", &c.state_province)/>
                <Field label="Postal code" name="postal_code" autocomplete="postal-code" value=pick("postal_code", &c.postal_code)/>
                <Field label="Country code" name="country" autocomplete="country" hint="Two letters, like DE or US." value=pick("country", &c.country)/>
                <Field label="Phone" name="phone" kind="tel" autocomplete="tel" hint="With the country code, like +49 30 1234567." value=pick("phone", &c.phone)/>
                <Field label="Email" name="email" kind="email" autocomplete="email" value=pick("email", &c.email)/>
            </fieldset>
            <p class="hint">"You pay on Stripe's secure page. The name is registered only once the payment is confirmed; if the registry refuses it, you are refunded in full."</p>
            <button class="btn btn-primary" type="submit">"Continue to payment"</button>
        </form>
        <p><a href="/domains/search">"← Back to the search"</a></p>
    }
    .into_any()
}
