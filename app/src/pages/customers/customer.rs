//! `/staff/customers/<id>`: one customer's whole picture for support —
//! security, hosting accounts, domains, invoices, tickets, emails,
//! activity — with staff's notes and actions (each needs a reason and is
//! audited).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::customers::{staff_customer, CustomerView};
use crate::components::form::{use_form, FormMessages};
use crate::components::page_header::PageHeader;
use crate::pages::staff::{staff_only, NotStaff};

#[component]
pub fn CustomerPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let params = use_params_map();
    let id = params.read_untracked().get("customer").unwrap_or_default();
    let customer = Resource::new(move || id.clone(), staff_customer);
    view! {
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading the customer…"</p> }>
            {move || Suspend::new(async move {
                match customer.await {
                    Err(e) => {
                        crate::pages::hosting::set_status(404);
                        view! {
                            <PageHeader title="Customer not found"/>
                            <p class="form-error" role="alert">{e.to_string()}</p>
                            <p><a href="/staff/customers">"Back to the customers"</a></p>
                        }.into_any()
                    }
                    Ok(c) => view! { <Customer c/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// A titled list, with a sentence when it is empty.
#[component]
fn Part(title: &'static str, empty: &'static str, rows: Vec<String>) -> impl IntoView {
    view! {
        <section class="card customer-part">
            <h2>{title}</h2>
            {if rows.is_empty() {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! { <ul class="plain-list">{rows.into_iter().map(|r| view! { <li class="wrap-anywhere">{r}</li> }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Customer(c: CustomerView) -> impl IntoView {
    let base = format!("/staff/customers/{}", c.id);
    view! {
        <leptos_meta::Title text=c.name.clone()/>
        <div class="page-header">
            <h1>{c.name.clone()}</h1>
            <p class="page-subtitle">{c.email.clone()}</p>
        </div>
        <p><a href="/staff/customers">"← All customers"</a></p>
        <FormMessages/>
        {c.locked.clone().map(|l| view! { <p class="notice notice-warning" role="status" data-testid="locked">{l}</p> })}
        <section class="card">
            <h2>"Profile and security"</h2>
            <dl class="facts">
                {c.facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd class="wrap-anywhere">{v}</dd> }).collect_view()}
            </dl>
            <h3>"Open sessions"</h3>
            {if c.sessions.is_empty() {
                view! { <p class="muted">"No open session."</p> }.into_any()
            } else {
                view! { <ul class="plain-list">{c.sessions.into_iter().map(|s| view! { <li class="wrap-anywhere">{s}</li> }).collect_view()}</ul> }.into_any()
            }}
            <h3>"Recent sign-ins"</h3>
            {if c.sign_ins.is_empty() {
                view! { <p class="muted">"No sign-in yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {c.sign_ins.into_iter().map(|(ok, s)| view! {
                            <li class="wrap-anywhere">
                                <span class=if ok { "badge badge-success" } else { "badge badge-danger" }>{if ok { "Signed in" } else { "Failed" }}</span>
                                " " {s}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <super::actions::Actions
            base=base.clone()
            locked=c.locked.is_some()
            verified=c.verified
            two_factor=c.two_factor
            reset=c.reset.clone()
            may_support=c.may_support
            may_view_as=c.may_view_as
            may_reset=c.may_reset
        />
        <section class="card customer-part">
            <h2>"Hosting accounts"</h2>
            {if c.accounts.is_empty() {
                view! { <p class="muted">"No hosting account."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {c.accounts.into_iter().map(|a| view! {
                            <li class="wrap-anywhere">
                                <a href=a.href>{a.name}</a> " " <span class="muted">{a.summary}</span>
                                <br/> <span class="muted">{a.usage}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <Part title="Domains" empty="No domain." rows=c.domains/>
        <Part title="Invoices" empty="No invoice." rows=c.invoices/>
        <section class="card customer-part">
            <h2>"Tickets"</h2>
            {if c.tickets.is_empty() {
                view! { <p class="muted">"No ticket."</p> }.into_any()
            } else {
                view! { <ul class="plain-list">{c.tickets.into_iter().map(|(href, t)| view! { <li class="wrap-anywhere"><a href=href>{t}</a></li> }).collect_view()}</ul> }.into_any()
            }}
        </section>
        <Part title="Emails sent" empty="No email sent." rows=c.emails/>
        <Part title="Activity" empty="No activity yet." rows=c.activity/>
        <Notes base=base.clone() notes=c.notes/>
        <Part title="Staff actions" empty="No staff action yet." rows=c.audit/>
    }
}

#[component]
fn Notes(base: String, notes: Vec<(String, String)>) -> impl IntoView {
    let form = use_form();
    let error = form.error("body");
    view! {
        <section class="card customer-notes">
            <h2>"Staff notes"</h2>
            <p class="muted">"Only staff see these."</p>
            {notes.into_iter().map(|(by, body)| view! {
                <blockquote class="note wrap-anywhere"><p>{body}</p><footer class="muted">{by}</footer></blockquote>
            }).collect_view()}
            <form class="form" method="post" action=format!("{base}/notes") data-full-page="">
                <div class="field">
                    <label for="f-body">"Add a note"</label>
                    <textarea class="input" id="f-body" name="body" rows="3" maxlength="4000" required=true
                        aria-invalid=error.is_some().then_some("true")>{form.value("body")}</textarea>
                    {error.map(|e| view! { <p class="error" id="f-body-error" role="alert">{e}</p> })}
                </div>
                <button class="btn btn-secondary" type="submit">"Add note"</button>
            </form>
        </section>
    }
}
