use leptos::prelude::*;

use super::{param, AccountUnavailable};
use crate::api::hosting::queries::{hosting_account, plan_options};
use crate::api::require_user;
use crate::components::form::{use_form, Field, FormMessages, RegionSelect};
use crate::components::page_header::PageHeader;

/// Region choices, keeping `selected`.
/// Create a hosting account: name, plan, primary domain, region.
#[component]
pub fn NewHostingAccountPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let form = use_form();
    let plans = Resource::new(|| (), |_| plan_options());
    let chosen = form.value("plan");
    let region = form.value("region");
    let plan_error = form.error("plan");
    let region_error = form.error("region");
    view! {
        <PageHeader title="New hosting account" subtitle="A place for your sites, with its own plan and team."/>
        <p><a href="/hosting">"← Back to hosting"</a></p>
        <FormMessages/>
        <section class="card">
            <form class="form" method="post" action="/hosting/new">
                <Field label="Name" name="name" hint="For you and your team, e.g. \"Shop\" or \"Client: Acme\"."/>
                <fieldset class="field plan-choice">
                    <legend>"Plan"</legend>
                    <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading plans…"</p> }>
                        {move || {
                            let chosen = chosen.clone();
                            Suspend::new(async move {
                                match plans.await {
                                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                                    Ok(list) if list.is_empty() => view! { <p class="form-error">"No plans are offered right now. Please contact support."</p> }.into_any(),
                                    Ok(list) => {
                                        let first = list.first().map(|p| p.id.clone()).unwrap_or_default();
                                        let chosen = if chosen.is_empty() { first } else { chosen };
                                        list.into_iter().map(|p| {
                                            let id = format!("plan-{}", p.id);
                                            let label_for = id.clone();
                                            view! {
                                                <label class="plan-option" for=label_for>
                                                    <input type="radio" id=id name="plan" value=p.id.clone() checked=chosen == p.id required=true/>
                                                    <strong>{p.name}</strong>
                                                    <span class="muted">{p.summary}</span>
                                                </label>
                                            }
                                        }).collect_view().into_any()
                                    }
                                }
                            })
                        }}
                    </Suspense>
                    {plan_error.map(|e| view! { <p class="error">{e}</p> })}
                </fieldset>
                <Field label="Primary domain" name="primary_domain" hint="The main domain of the account, e.g. example.com. You can add more later."/>
                <RegionSelect selected=region error=region_error/>
                <button class="btn btn-primary" type="submit">"Create hosting account"</button>
            </form>
        </section>
    }
    .into_any()
}

/// Edit name, primary domain and region (owner, admin).
#[component]
pub fn EditHostingAccountPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let id = param("id");
    let form = use_form();
    let account = Resource::new(move || id.clone(), hosting_account);
    view! {
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || {
                let form = form.clone();
                Suspend::new(async move {
                    match account.await {
                        Err(e) => view! { <AccountUnavailable error=e/> }.into_any(),
                        Ok(a) if !a.can_edit => {
                            use domain::AccountStatus;
                            let (status, why) = match a.status {
                                AccountStatus::Suspended => (409, "This account is suspended: it is read-only until it is resumed."),
                                AccountStatus::Cancelled => (409, "A cancelled account cannot be changed."),
                                _ => (403, "Your role in this hosting account does not allow editing it."),
                            };
                            super::set_status(status);
                            view! {
                                <PageHeader title="Edit hosting account"/>
                                <p class="form-error" role="alert">{why}</p>
                                <p><a href=format!("/hosting/{}", a.id)>"← Back to the account"</a></p>
                            }.into_any()
                        }
                        Ok(a) => {
                            let value = |name: &str, current: &str| {
                                let typed = form.value(name);
                                if form.values.is_empty() { current.to_string() } else { typed }
                            };
                            let name = value("name", &a.name);
                            let domain = value("primary_domain", &a.primary_domain);
                            let region = value("region", &a.region);
                            view! {
                                <PageHeader title="Edit hosting account"/>
                                <p><a href=format!("/hosting/{}", a.id)>"← Back to the account"</a></p>
                                <FormMessages/>
                                <section class="card">
                                    <form class="form" method="post" action=format!("/hosting/{}/edit", a.id)>
                                        <Field label="Name" name="name" value=name/>
                                        <Field label="Primary domain" name="primary_domain" value=domain/>
                                        <RegionSelect selected=region error=form.error("region")/>
                                        <button class="btn btn-primary" type="submit">"Save changes"</button>
                                    </form>
                                </section>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}
