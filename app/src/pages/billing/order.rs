use leptos::prelude::*;

use super::TestModeNote;
use crate::api::billing::{billing_order, OrderView};
use crate::components::form::FormMessages;
use crate::components::page_header::PageHeader;
use crate::islands::billing::ReloadOnBilling;
use crate::pages::hosting::{param, set_status};
use crate::pages::identity::query;

/// `/billing/orders/:id`: what is being bought, the way to pay for it, and
/// (back from Stripe) the wait for Stripe's confirmation, which updates by
/// itself. Returning from Checkout alone activates nothing.
#[component]
pub fn OrderPage() -> impl IntoView {
    if crate::api::require_user().is_none() {
        return ().into_any();
    }
    let id = param("id");
    let order = Resource::new(move || id.clone(), billing_order);
    let returned = query("session_id").is_some();
    let cancelled = query("cancelled").is_some();
    view! {
        <PageHeader title="Your order"/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading the order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Err(e) => {
                        set_status(e.status());
                        view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                    }
                    Ok(o) => view! { <Order o returned cancelled/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Order(o: OrderView, returned: bool, cancelled: bool) -> impl IntoView {
    let account = format!("/hosting/{}", o.account_id);
    let summary = view! {
        <dl class="summary">
            <dt>"Hosting account"</dt><dd>{o.account_name.clone()}</dd>
            <dt>"Plan"</dt><dd>{o.plan_name.clone()}</dd>
            <dt>"Price"</dt><dd>{o.price.clone()}</dd>
            <dt>"Order"</dt><dd>{o.kind.clone()}</dd>
        </dl>
    };
    if o.paid && o.active {
        return view! {
            <section class="card order-state" role="status">
                <h2>"Payment confirmed"</h2>
                <p>{format!("Thank you. {} is active on the {} plan; the invoice is on your billing page.", o.account_name, o.plan_name)}</p>
                {summary}
                <p class="form-actions">
                    <a class="btn btn-primary" href=account>"Go to the account"</a>
                    <a class="btn btn-secondary" href="/billing">"See invoices"</a>
                </p>
            </section>
        }
        .into_any();
    }
    let pay = match o.checkout_url.clone() {
        Some(url) => view! {
            <a class="btn btn-primary pay" href=url rel="external">{format!("Pay {} with Stripe", o.price)}</a>
        }
        .into_any(),
        None if o.expired => view! {
            <p class="notice notice-info" role="status">"The payment page expired (Stripe keeps one for a day). Nothing was charged."</p>
            <form method="post" action=format!("/billing/orders/{}/checkout", o.id)>
                <button class="btn btn-primary" type="submit">"Open a new payment page"</button>
            </form>
        }
        .into_any(),
        None => view! {
            <p class="form-error" role="alert">"We could not reach the payment provider. Nothing was charged."</p>
            <form method="post" action=format!("/billing/orders/{}/checkout", o.id)>
                <button class="btn btn-primary" type="submit">"Try again"</button>
            </form>
        }
        .into_any(),
    };
    let waiting = o.paid || returned;
    let state = if waiting {
        view! {
            <div class="order-state waiting" role="status" aria-live="polite">
                <h2><span class="spinner"></span>" Confirming your payment…"</h2>
                <p>"Stripe is confirming the payment. This page updates by itself as soon as it does (usually within seconds)."</p>
                <p><a href=format!("/billing/orders/{}?session_id=returned", o.id)>"Check again"</a></p>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="order-state">
                {cancelled.then(|| view! {
                    <p class="notice notice-info" role="status">"The payment was not completed and nothing was charged. You can pay whenever you are ready."</p>
                })}
                <h2>"Review and pay"</h2>
                <p>"The account is pending until the payment is confirmed. You pay on Stripe's secure page and come back here."</p>
                {pay}
            </div>
        }
        .into_any()
    };
    view! {
        <TestModeNote test_mode=o.test_mode/>
        <ReloadOnBilling order=waiting.then(|| o.id.clone()) domain_order=None>
            <section class="card">
                {summary}
                {state}
            </section>
        </ReloadOnBilling>
        <p><a href=account>"← Back to the account"</a></p>
    }
    .into_any()
}
