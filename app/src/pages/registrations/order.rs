//! `/domains/orders/:id`: paying for a name, then waiting while it is
//! registered (the page updates by itself), then where it is live.

use leptos::prelude::*;

use crate::api::registrations::{domain_order, DomainOrderView};
use crate::api::require_user;
use crate::components::form::FormMessages;
use crate::components::page_header::PageHeader;
use crate::islands::billing::ReloadOnBilling;
use crate::pages::billing::TestModeNote;
use crate::pages::hosting::{param, set_status};
use crate::pages::identity::query;

#[component]
pub fn DomainOrderPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let id = param("id");
    let order = Resource::new(move || id.clone(), domain_order);
    let returned = query("session_id").is_some();
    let cancelled = query("cancelled").is_some();
    view! {
        <PageHeader title="Your domain order"/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading the order…"</p> }>
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
fn Order(o: DomainOrderView, returned: bool, cancelled: bool) -> impl IntoView {
    // Waiting for Stripe or the registrar: the page follows the order.
    let waiting = o.in_progress || (o.status == "awaiting_payment" && returned);
    let summary = view! {
        <dl class="summary">
            <dt>"Domain"</dt><dd class="order-domain">{o.display.clone()}</dd>
            <dt>"Hosting account"</dt><dd><a href=format!("/hosting/{}", o.account_id)>{o.account_name.clone()}</a></dd>
            <dt>"Order"</dt><dd>{o.kind_label.clone()}</dd>
            <dt>"Years"</dt><dd>{o.years}</dd>
            <dt>"Total"</dt><dd>{o.price.clone()}</dd>
            <dt>"WHOIS privacy"</dt><dd>{if o.whois_privacy { "On" } else { "Off" }}</dd>
            <dt>"Auto-renew"</dt><dd>{if o.auto_renew { "On" } else { "Off" }}</dd>
            <dt>"Status"</dt><dd><span class="badge" data-status=o.status.clone()>{o.status_label.clone()}</span></dd>
        </dl>
    };
    let state = match o.status.as_str() {
        "registered" => view! {
            <div class="order-state" role="status">
                <h2>{if o.renewal { format!("{} is renewed", o.display) } else { format!("{} is yours", o.display) }}</h2>
                {o.transfer.then(|| view! { <p>"The transfer is complete."</p> })}
                <p class="registered-until">{format!("Registered until {}.", o.expires.clone().unwrap_or_default())}</p>
                <p>"Its DNS is live on our name servers:"</p>
                <ul class="nameservers">{o.nameservers.iter().map(|n| view! { <li><code>{n.clone()}</code></li> }).collect_view()}</ul>
                <p class="form-actions"><a class="btn btn-primary" href=format!("/domains/{}", o.name)>"Edit its DNS"</a></p>
            </div>
        }
        .into_any(),
        "refunded" | "refunding" => view! {
            <div class="order-state" role="status">
                <h2>{format!("We could not {} {}", verb(&o), o.display)}</h2>
                <p>{o.failure.clone().unwrap_or_default()}</p>
                <p>{if o.status == "refunded" { "Your payment was refunded in full." } else { "Your payment is being refunded in full." }}</p>
                <p><a class="btn btn-secondary" href="/domains/search">"Search for another name"</a></p>
            </div>
        }
        .into_any(),
        "failed" => view! {
            <div class="order-state" role="status">
                <h2>"Our team is looking at this order"</h2>
                <p>{format!("We could not confirm with the registrar that {} was {}. Nothing more is charged; our team finishes it or refunds it and writes to you.", o.display, match (o.renewal, o.transfer) { (true, _) => "renewed", (_, true) => "transferred", _ => "registered" })}</p>
                {o.failure.clone().map(|f| view! { <p class="muted">{f}</p> })}
                <p><a href="/support/new">"Contact support"</a></p>
            </div>
        }
        .into_any(),
        "awaiting_payment" if !returned => view! {
            <div class="order-state">
                {cancelled.then(|| view! {
                    <p class="notice notice-info" role="status">"The payment was not completed and nothing was charged. You can pay whenever you are ready."</p>
                })}
                <h2>"Review and pay"</h2>
                <p>{match (o.renewal, o.transfer) {
                    (true, _) => "The name is renewed as soon as the payment is confirmed.",
                    (_, true) => "The transfer is asked for as soon as the payment is confirmed.",
                    _ => "The name is registered as soon as the payment is confirmed.",
                }}</p>
                {match o.checkout_url.clone() {
                    Some(url) => view! { <a class="btn btn-primary pay" href=url rel="external">{format!("Pay {} with Stripe", o.price)}</a> }.into_any(),
                    None => view! {
                        <form method="post" action=format!("/domains/orders/{}/checkout", o.id)>
                            <button class="btn btn-primary" type="submit">{if o.expired { "Open a new payment page" } else { "Pay with Stripe" }}</button>
                        </form>
                    }.into_any(),
                }}
            </div>
        }
        .into_any(),
        "staff_task" => view! {
            <div class="order-state waiting" role="status" aria-live="polite">
                <h2>"Our team is on it"</h2>
                <p>{format!("Your payment is confirmed. Our team {} {} by hand, usually within one working day, and emails you when it is done. If the registry refuses it, you are refunded in full.", match (o.renewal, o.transfer) { (true, _) => "renews", (_, true) => "transfers", _ => "registers" }, o.display)}</p>
            </div>
        }
        .into_any(),
        "transferring" => view! {
            <div class="order-state waiting" role="status" aria-live="polite">
                <h2><span class="spinner"></span>" Transferring your domain…"</h2>
                <p class="transfer-status">{format!("The registrar says: {}.", o.transfer_status.clone().unwrap_or_else(|| "submitted".into()))}</p>
                <p>"A transfer takes up to 7 days. Your current registrar may email you to approve it: approving it makes it faster. We email you at each step, and this page updates by itself."</p>
            </div>
        }
        .into_any(),
        _ => view! {
            <div class="order-state waiting" role="status" aria-live="polite">
                <h2><span class="spinner"></span>{match (o.in_progress, o.renewal, o.transfer) {
                    (true, true, _) => " Renewing your domain…",
                    (true, _, true) => " Asking for the transfer…",
                    (true, _, _) => " Registering your domain…",
                    _ => " Confirming your payment…",
                }}</h2>
                <p>"This page updates by itself (usually within a minute)."</p>
                <p><a href=format!("/domains/orders/{}?session_id=returned", o.id)>"Check again"</a></p>
            </div>
        }
        .into_any(),
    };
    view! {
        <TestModeNote test_mode=o.test_mode/>
        <ReloadOnBilling order=None domain_order=waiting.then(|| (o.id.clone(), o.status.clone()))>
            <section class="card">
                {summary}
                {state}
            </section>
        </ReloadOnBilling>
        <p><a href="/domains">"← Your domains"</a></p>
    }
}

fn verb(o: &DomainOrderView) -> &'static str {
    match (o.renewal, o.transfer) {
        (true, _) => "renew",
        (_, true) => "transfer",
        _ => "register",
    }
}
