use leptos::prelude::*;

use crate::api::billing::{account_billing, AccountBillingView};
use crate::islands::billing::ReloadOnBilling;
use domain::AccountStatus;

/// The account page's billing: its subscription (next charge, cancel or
/// resume), a banner when a payment is overdue, "complete payment" for a
/// pending account and "reactivate" for a cancelled one. Shown to those
/// who see the account's billing (owner, admin, billing); changes need
/// the owner or a billing member.
#[component]
pub fn AccountBilling(account: String, status: AccountStatus) -> impl IntoView {
    let base = format!("/hosting/{account}");
    let billing = Resource::new(move || account.clone(), account_billing);
    view! {
        <Suspense fallback=|| ()>
            {move || { let base = base.clone(); Suspend::new(async move {
                match billing.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(b) if !b.may_see => ().into_any(),
                    Ok(b) => view! { <ReloadOnBilling order=None domain_order=None><BillingBox b status base/></ReloadOnBilling> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

#[component]
fn BillingBox(b: AccountBillingView, status: AccountStatus, base: String) -> impl IntoView {
    let overdue = b.overdue.then(|| {
        let days = b.grace_left_days.unwrap_or(0);
        view! {
            <p class="form-error past-due" role="alert">
                {format!("A payment failed: the account is past due. Pay the open invoice within {days} day(s) or the account will be suspended. ")}
                <a href="/billing">"Pay now"</a>
            </p>
        }
    });
    let pending = (status == AccountStatus::Pending).then(|| match b.open_order.clone() {
        Some(order) => view! {
            <p class="notice notice-info" role="status">"This account is waiting for its first payment. "
                <a class="btn btn-primary btn-sm" href=format!("/billing/orders/{order}")>"Complete payment"</a>
            </p>
        }
        .into_any(),
        None => view! { <p class="notice notice-info" role="status">"This account is waiting for its first payment."</p> }.into_any(),
    });
    view! {
        {overdue}
        {pending}
        {b.status.clone().map(|label| view! {
            <section class="card billing-box" aria-labelledby="billing-title">
                <h2 id="billing-title">"Subscription"</h2>
                <dl class="facts">
                    <dt>"Status"</dt><dd><span class=b.badge.clone().unwrap_or_default()>{label}</span></dd>
                    <dt>"Price"</dt><dd>{b.amount.clone()}</dd>
                    <dt>"Next"</dt><dd class="next-charge">{b.next.clone()}</dd>
                </dl>
                {b.may_pay.then(|| if b.cancel_at_period_end {
                    view! {
                        <form method="post" action=format!("{base}/subscription/resume") class="form-actions">
                            <button class="btn btn-secondary" type="submit">"Keep the subscription"</button>
                        </form>
                    }.into_any()
                } else {
                    view! {
                        <details class="confirm">
                            <summary class="btn btn-secondary">"Cancel at the end of the period"</summary>
                            <form method="post" action=format!("{base}/subscription/cancel") class="form-actions">
                                <p>"The account keeps working until the period ends, then it is cancelled. You can change your mind until then."</p>
                                <button class="btn btn-danger" type="submit">"Yes, cancel at period end"</button>
                            </form>
                        </details>
                    }.into_any()
                })}
                <p><a href="/billing">"Invoices and payment methods"</a></p>
            </section>
        })}
        {(status == AccountStatus::Cancelled && b.may_pay && b.payments_enabled).then(|| view! {
            <section class="card">
                <h2>"Reactivate"</h2>
                <p>"Start the subscription again on the account's plan; the account is active as soon as the payment is confirmed."</p>
                <form method="post" action=format!("{base}/reactivate")>
                    <button class="btn btn-primary" type="submit">"Reactivate and pay"</button>
                </form>
            </section>
        })}
    }
}
