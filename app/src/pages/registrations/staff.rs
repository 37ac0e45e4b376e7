//! `/staff/domains`: every domain order and its state, filtered by state
//! or searched by name or buyer; the registrar balance (with a warning
//! when low) and the prices on sale.

use leptos::prelude::*;

use crate::api::registrations::staff::{staff_domains, StaffDomainsView, TaskRow};
use crate::components::empty_state::EmptyState;
use crate::components::form::{Field, FormMessages};
use crate::components::page_header::PageHeader;
use crate::pages::identity::query;
use crate::pages::staff::{staff_only, NotStaff};
use domain::registration::DomainOrderStatus;

#[component]
pub fn StaffDomainsPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let status = query("status").unwrap_or_default();
    let q = query("q").unwrap_or_default();
    let (status_in, q_in) = (status.clone(), q.clone());
    let view = Resource::new(
        move || (status_in.clone(), q_in.clone()),
        |(s, q)| staff_domains(s, q),
    );
    view! {
        <PageHeader title="Domains registered here" subtitle="Every order, its state at the registrar, and the reseller balance."/>
        <FormMessages/>
        <form class="card filters" method="get" action="/staff/domains" role="search">
            <div class="field">
                <label for="f-status">"State"</label>
                <select class="input" id="f-status" name="status">
                    <option value="" selected=status.is_empty()>"All"</option>
                    {DomainOrderStatus::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                    <option value="expiring" selected=status == "expiring">"Registered, expiring within 30 days"</option>
                    <option value="past_expiry" selected=status == "past_expiry">"Registered, expired"</option>
                </select>
            </div>
            <div class="field">
                <label for="f-q">"Name or buyer's email"</label>
                <input class="input" id="f-q" name="q" type="search" value=q/>
            </div>
            <button class="btn btn-secondary" type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading…"</p> }>
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
fn Domains(v: StaffDomainsView) -> impl IntoView {
    let manual = v.manual;
    view! {
        {manual.then(|| view! { <Tasks tasks=v.tasks.clone()/> })}
        <section class="card" aria-labelledby="balance-title">
            <h2 id="balance-title">"Registrar balance"</h2>
            {match v.balance {
                Ok(b) if v.balance_low => view! {
                    <p class="notice notice-warning" role="alert" data-testid="balance">{format!("{b}: below the warning threshold. Top it up, or paid registrations will be refused and refunded.")}</p>
                }.into_any(),
                Ok(b) => view! { <p data-testid="balance">{b}</p> }.into_any(),
                Err(e) => view! { <p class="notice notice-warning" role="status" data-testid="balance">{e}</p> }.into_any(),
            }}
        </section>
        {if v.orders.is_empty() {
            view! { <EmptyState title="No domain orders"><p>"Orders show here once customers buy a name."</p></EmptyState> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table stack">
                        <thead><tr><th>"Domain"</th><th>"State"</th><th>"Customer"</th><th>"Account"</th><th>"Price"</th><th>"Ordered"</th><th>"Expires"</th></tr></thead>
                        <tbody>
                            {v.orders.into_iter().map(|o| view! {
                                <tr class="domain-order" data-status=o.status.clone()>
                                    <td class="stack-title" data-label="Domain"><a href=format!("/domains/orders/{}", o.id)>{o.display}</a></td>
                                    <td data-label="State">
                                        <span class=o.badge>{o.status_label}</span>
                                        {o.failure.map(|f| view! { <p class="muted">{f}</p> })}
                                    </td>
                                    <td data-label="Customer">{o.buyer}</td>
                                    <td data-label="Account"><a href=format!("/hosting/{}", o.account_id)>{o.account_name}</a></td>
                                    <td data-label="Price">{o.price}</td>
                                    <td data-label="Ordered">{o.created}</td>
                                    <td data-label="Expires">{o.expires.unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <section class="card" aria-labelledby="reconcile-title">
            <h2 id="reconcile-title">"Reconciliation"</h2>
            {if v.differences.is_empty() {
                view! { <p class="muted">"The registrar's list matched ours at the last daily check."</p> }.into_any()
            } else {
                view! {
                    <ul class="differences">
                        {v.differences.into_iter().map(|(name, what)| view! { <li><strong>{name}</strong>": "{what}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="tlds-title">
            <h2 id="tlds-title">"Extensions and prices"</h2>
            <p class="muted">"Customers pay the fixed price when one is set, otherwise the registrar's cost plus the margin (costs are refreshed daily)."</p>
            <div class="table-wrap">
                <table class="table stack tlds">
                    <thead><tr><th>"Extension"</th><th>"Cost"</th><th>"Customers pay"</th><th>"Change"</th></tr></thead>
                    <tbody>
                        {v.tlds.into_iter().map(|t| {
                            let id = |what: &str| format!("tld-{}-{what}", t.tld.replace('.', "-"));
                            view! {
                                <tr class="tld" data-tld=t.tld.clone()>
                                    <td class="stack-title" data-label="Extension"><strong>{format!(".{}", t.tld)}</strong>{(!t.on_sale).then(|| view! { " " <span class="badge badge-muted">"Not on sale"</span> })}</td>
                                    <td data-label="Cost">{t.cost.clone()}</td>
                                    <td data-label="Customers pay">{t.price.clone()}</td>
                                    <td data-label="Change">
                                        <form class="tld-form" method="post" action="/staff/domains/tlds">
                                            <input type="hidden" name="tld" value=t.tld.clone()/>
                                            <label class="check" for=id("sale")><input type="checkbox" id=id("sale") name="on_sale" checked=t.on_sale/>" On sale"</label>
                                            <label for=id("margin")>"Margin %"</label>
                                            <input class="input" id=id("margin") name="margin_percent" inputmode="numeric" value=t.margin_percent.to_string()/>
                                            <label for=id("fixed")>"Fixed price"</label>
                                            <input class="input" id=id("fixed") name="fixed_price" inputmode="decimal" placeholder="margin" value=t.fixed_price.clone()/>
                                            <button class="btn btn-secondary btn-small" type="submit">"Save"</button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <form class="tld-form add-tld" method="post" action="/staff/domains/tlds">
                <h3>"Sell another extension"</h3>
                <Field label="Extension" name="tld" hint="Like app or co.uk."/>
                <input type="hidden" name="on_sale" value="on"/>
                <Field label="Margin %" name="margin_percent" value="20".to_string()/>
                <Field label="Fixed price (optional)" name="fixed_price" required=false/>
                <button class="btn btn-primary" type="submit">"Add"</button>
            </form>
        </section>
    }
}

/// The manual registrar's queue: what to do at the registrar, and a form
/// each to mark it done (with the expiry) or refund it (with the reason).
#[component]
fn Tasks(tasks: Vec<TaskRow>) -> impl IntoView {
    let form = crate::components::form::use_form();
    let failed = form.value("order");
    let (expires_error, why_error) = (form.error("expires"), form.error("why"));
    view! {
        <section class="card tasks" aria-labelledby="tasks-title">
            <h2 id="tasks-title">{format!("To do at the registrar ({})", tasks.len())}</h2>
            {if tasks.is_empty() {
                view! { <p class="muted">"Nothing waiting: paid orders show here to be registered by hand."</p> }.into_any()
            } else {
                view! {
                    <ul class="task-list" role="list">
                        {tasks.into_iter().map(|t| {
                            let field = |what: &str| format!("task-{}-{what}", t.id);
                            let mine = failed == t.id;
                            let expires_error = expires_error.clone().filter(|_| mine);
                            let why_error = why_error.clone().filter(|_| mine);
                            view! {
                                <li class="task" data-order=t.id.clone()>
                                    <h3>{t.what.clone()}</h3>
                                    <p>{format!("For {} (account {}), paid {}. Registry name: ", t.customer, t.account, t.paid)}<code>{t.ascii.clone()}</code></p>
                                    {(!t.nameservers.is_empty()).then(|| view! {
                                        <p>"Name servers: " {t.nameservers.iter().map(|n| view! { <code>{n.clone()}</code>" " }).collect_view()}</p>
                                    })}
                                    {(!t.contact.is_empty()).then(|| view! {
                                        <details><summary>{format!("Registrant (WHOIS privacy {})", if t.whois_privacy { "on" } else { "off" })}</summary>
                                            <ul>{t.contact.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
                                        </details>
                                    })}
                                    <div class="task-actions">
                                        <form method="post" action=format!("/staff/domains/orders/{}/done", t.id)>
                                            <label for=field("expires")>"Expires at the registrar on"</label>
                                            <input class="input" type="date" id=field("expires") name="expires" required=true value=t.expires_guess.clone()
                                                aria-invalid=expires_error.is_some().then_some("true")/>
                                            {expires_error.map(|e| view! { <p class="error" role="alert" id="f-expires-error">{e}</p> })}
                                            <button class="btn btn-primary btn-small" type="submit">"Done"</button>
                                        </form>
                                        <form method="post" action=format!("/staff/domains/orders/{}/refund", t.id)>
                                            <label for=field("why")>"Cannot be done: why (the customer reads it)"</label>
                                            <input class="input" id=field("why") name="why" required=true maxlength="500"
                                                aria-invalid=why_error.is_some().then_some("true")/>
                                            {why_error.map(|e| view! { <p class="error" role="alert" id="f-why-error">{e}</p> })}
                                            <button class="btn btn-danger btn-small" type="submit">"Refund"</button>
                                        </form>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
