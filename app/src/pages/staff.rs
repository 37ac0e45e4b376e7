//! Staff tools: the plan catalogue (hosting nodes are in `pages::sites::nodes`).

use leptos::prelude::*;

use crate::api::require_user;
use crate::api::staff::staff_plans;
use crate::components::form::{use_form, Field, FormMessages};
use crate::components::page_header::PageHeader;
use crate::pages::identity::query;
use domain::Role;

/// Staff only; others see the 404 page.
pub(crate) fn staff_only() -> bool {
    match require_user() {
        Some(user) if user.role == Role::Staff => true,
        Some(_) => {
            crate::pages::hosting::set_status(404);
            false
        }
        None => false,
    }
}

#[component]
pub(crate) fn NotStaff() -> impl IntoView {
    view! { <crate::pages::errors::NotFoundPage/> }
}

#[component]
pub fn StaffPlansPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let plans = Resource::new(|| (), |_| staff_plans());
    let editing = query("code").unwrap_or_default();
    let form = use_form();
    view! {
        <PageHeader title="Plans" subtitle="The catalogue customers choose from. Changes apply to every account on the plan."/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || {
                let editing = editing.clone();
                let form = form.clone();
                Suspend::new(async move {
                    match plans.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) => {
                            let current = list.iter().find(|p| p.code == editing).cloned();
                            let v = |name: &str, from_plan: Option<String>| {
                                if !form.values.is_empty() { form.value(name) } else { from_plan.unwrap_or_default() }
                            };
                            let c = current.clone();
                            let available = c.as_ref().map(|p| p.available).unwrap_or(true);
                            let pauses = c.as_ref().map(|p| p.pauses_over_bandwidth).unwrap_or(false);
                            view! {
                                <div class="table-wrap">
                                    <table class="table stack plans">
                                        <thead><tr><th>"Code"</th><th>"Name"</th><th>"Storage"</th><th>"Bandwidth / month"</th><th>"Sites"</th><th>"Price / month"</th><th>"Offered"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|p| view! {
                                                <tr class="plan">
                                                    <td data-label="Code">{p.code.clone()}</td><td class="stack-title" data-label="Name">{p.name.clone()}</td>
                                                    <td data-label="Storage">{format!("{} GB", p.storage_gb)}</td><td data-label="Bandwidth / month">{format!("{} GB{}", p.bandwidth_gb, if p.pauses_over_bandwidth { ", then paused" } else { "" })}</td>
                                                    <td data-label="Sites">{p.max_sites}</td><td data-label="Price / month">{format!("{} {}", p.price, p.currency)}</td>
                                                    <td data-label="Offered">{if p.available { "Yes" } else { "No" }}</td>
                                                    <td class="stack-actions"><a href=format!("/staff/plans?code={}", p.code)>{format!("Edit {}", p.name)}</a></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <section class="card">
                                    <h2>{if current.is_some() { "Edit plan" } else { "Add a plan" }}</h2>
                                    <form class="form" method="post" action="/staff/plans">
                                        <Field label="Code" name="code" hint="Identifies the plan; saving an existing code updates it." value=v("code", c.as_ref().map(|p| p.code.clone()))/>
                                        <Field label="Name" name="name" value=v("name", c.as_ref().map(|p| p.name.clone()))/>
                                        <Field label="Storage (GB)" name="storage_gb" kind="number" value=v("storage_gb", c.as_ref().map(|p| p.storage_gb.to_string()))/>
                                        <Field label="Bandwidth per month (GB)" name="bandwidth_gb" kind="number" value=v("bandwidth_gb", c.as_ref().map(|p| p.bandwidth_gb.to_string()))/>
                                        <Field label="Sites" name="max_sites" kind="number" value=v("max_sites", c.as_ref().map(|p| p.max_sites.to_string()))/>
                                        <Field label="Price per month" name="price" hint="e.g. 14.99" value=v("price", c.as_ref().map(|p| p.price.clone()))/>
                                        <Field label="Currency" name="currency" hint="Three letters, e.g. EUR" value=v("currency", c.as_ref().map(|p| p.currency.clone()).or(Some("EUR".into())))/>
                                        <div class="field"><label><input type="checkbox" name="available" value="yes" checked=available/> " Offered to customers"</label></div>
                                        <div class="field"><label><input type="checkbox" name="pause_over_bandwidth" value="yes" checked=pauses/> " Pause sites that use up the month's bandwidth (otherwise it is only shown)"</label></div>
                                        <button class="btn btn-primary" type="submit">"Save plan"</button>
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
