use leptos::prelude::*;

use super::TestModeNote;
use crate::api::billing::{
    billing_overview, BillingView, InvoiceView, OpenOrderView, SpendView, SubscriptionView,
};
use crate::components::form::FormMessages;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};

/// `/billing`: what the user pays for, what was billed, and their card.
#[component]
pub fn BillingPage() -> impl IntoView {
    if crate::api::require_user().is_none() {
        return ().into_any();
    }
    let data = Resource::new(|| (), |_| billing_overview());
    view! {
        <PageHeader title="Billing" subtitle="Subscriptions, invoices and payment methods of your hosting accounts."/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading billing…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => {
                        crate::pages::hosting::set_status(e.status());
                        view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                    }
                    Ok(b) => view! { <Billing b/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Billing(b: BillingView) -> impl IntoView {
    if !b.payments_enabled {
        return view! {
            <EmptyState title="Payments are not set up">
                <p>"This portal does not take payments yet, so only free plans can be chosen. Ask support if you need a paid plan."</p>
            </EmptyState>
        }
        .into_any();
    }
    let BillingView {
        test_mode,
        has_customer,
        subscriptions,
        invoices,
        spending,
        open_orders,
        ..
    } = b;
    view! {
        <TestModeNote test_mode/>
        <OpenOrders open_orders/>
        <Subscriptions subscriptions has_customer/>
        <Invoices invoices/>
        <Spending spending/>
    }
    .into_any()
}

/// Orders started but not paid yet (none: nothing shown).
#[component]
fn OpenOrders(open_orders: Vec<OpenOrderView>) -> impl IntoView {
    view! {
    {(!open_orders.is_empty()).then(|| view! {
        <section class="card" aria-labelledby="orders-title">
            <h2 id="orders-title">"Waiting for payment"</h2>
            <ul class="plain-list">
                {open_orders.into_iter().map(|o| view! {
                    <li><a href=format!("/billing/orders/{}", o.id)>{format!("{} — {}", o.account_name, o.plan_name)}</a></li>
                }).collect_view()}
            </ul>
        </section>
    })}
    }
}

#[component]
fn Subscriptions(subscriptions: Vec<SubscriptionView>, has_customer: bool) -> impl IntoView {
    view! {
    <section class="card" aria-labelledby="subs-title">
        <div class="card-header">
            <h2 id="subs-title">"Subscriptions"</h2>
            {has_customer.then(|| view! {
                <a class="btn btn-secondary" href="/billing/portal" rel="external">"Manage payment methods"</a>
            })}
        </div>
        {if subscriptions.is_empty() {
            view! { <p class="muted">"No paid subscriptions. Accounts on a paid plan show here with their next charge."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table stack">
                            <thead><tr><th scope="col">"Account"</th><th scope="col">"Plan"</th><th scope="col">"Price"</th><th scope="col">"Status"</th><th scope="col">"Next"</th></tr></thead>
                        <tbody>
                            {subscriptions.into_iter().map(|s| view! {
                                <tr class="subscription-row" class:row-attention=s.overdue>
                                    <td class="stack-title" data-label="Account"><a href=format!("/hosting/{}", s.account_id)>{s.account_name}</a></td>
                                    <td data-label="Plan">{s.plan}</td>
                                    <td data-label="Price">{s.amount}</td>
                                    <td data-label="Status"><span class=s.badge>{s.status}</span></td>
                                    <td data-label="Next">{s.next}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    </section>
    }
}

#[component]
fn Invoices(invoices: Vec<InvoiceView>) -> impl IntoView {
    view! {
    <section class="card" aria-labelledby="invoices-title">
        <h2 id="invoices-title">"Invoices"</h2>
        {if invoices.is_empty() {
            view! { <p class="muted">"No invoices yet. Each payment's invoice shows here with a link to it and its PDF."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table stack invoices">
                        <thead><tr><th scope="col">"Date"</th><th scope="col">"Number"</th><th scope="col">"Account"</th><th scope="col">"Amount"</th><th scope="col">"Status"</th><th scope="col">"Links"</th></tr></thead>
                        <tbody>
                            {invoices.into_iter().map(|i| view! {
                                <tr class="invoice-row">
                                    <td class="stack-title" data-label="Date">{i.date}</td>
                                    <td data-label="Number">{i.number}</td>
                                    <td data-label="Account">{i.account_name}</td>
                                    <td data-label="Amount">{i.amount}</td>
                                    <td data-label="Status"><span class=i.badge>{i.status}</span></td>
                                    <td class="stack-actions links">
                                        {i.hosted_url.map(|u| view! { <a href=u rel="external noopener">{if i.payable { "Pay now" } else { "View" }}</a> })}
                                        " "
                                        {i.pdf_url.map(|u| view! { <a href=u rel="external noopener">"PDF"</a> })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    </section>
    }
}

/// What each account cost over the last 12 months.
#[component]
fn Spending(spending: Vec<SpendView>) -> impl IntoView {
    view! {
    <section class="card" aria-labelledby="spend-title">
        <h2 id="spend-title">"Spending by account"</h2>
        {if spending.is_empty() {
            view! { <p class="muted">"Nothing paid in the last 12 months."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table stack">
                        <thead><tr><th scope="col">"Account"</th><th scope="col">"Month"</th><th scope="col">"Paid"</th></tr></thead>
                        <tbody>
                            {spending.into_iter().map(|s| view! {
                                <tr>
                                    <td class="stack-title" data-label="Account">{s.account_name}</td>
                                    <td data-label="Month">{s.month}</td>
                                    <td data-label="Paid">{s.amount}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    </section>
    }
}
