//! Staff tools: the plan catalogue and hosting nodes' API tokens.

use leptos::prelude::*;

use crate::api::require_user;
use crate::api::staff::{staff_node_tokens, staff_plans, NewNodeToken};
use crate::components::form::{use_form, Field, FormMessages, RegionSelect};
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
                            view! {
                                <div class="table-wrap">
                                    <table class="table stack plans">
                                        <thead><tr><th>"Code"</th><th>"Name"</th><th>"Storage"</th><th>"Bandwidth / month"</th><th>"Sites"</th><th>"Price / month"</th><th>"Offered"</th><th></th></tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|p| view! {
                                                <tr class="plan">
                                                    <td data-label="Code">{p.code.clone()}</td><td class="stack-title" data-label="Name">{p.name.clone()}</td>
                                                    <td data-label="Storage">{format!("{} GB", p.storage_gb)}</td><td data-label="Bandwidth / month">{format!("{} GB", p.bandwidth_gb)}</td>
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

#[component]
pub fn NodeTokensPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let tokens = Resource::new(|| (), |_| staff_node_tokens());
    let new_token = use_context::<NewNodeToken>();
    let form = use_form();
    view! {
        <PageHeader title="Hosting nodes" subtitle="API tokens that hosting nodes use to report usage (POST /api/usage)."/>
        <FormMessages/>
        {new_token.map(|NewNodeToken(secret)| view! {
            <section class="card new-token" role="status">
                <h2>"Copy the new token now"</h2>
                <p>"It is shown only this once. Give it to the node as " <code>"Authorization: Bearer …"</code></p>
                <p><code class="token">{secret}</code></p>
            </section>
        })}
        <section class="card">
            <h2>"Add a node"</h2>
            <form class="form inline-form" method="post" action="/staff/node-tokens">
                <Field label="Node name" name="name" hint="e.g. web-fra-1"/>
                <RegionSelect selected=form.value("region") error=form.error("region")/>
                <button class="btn btn-primary" type="submit">"Create token"</button>
            </form>
        </section>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="table stack node-tokens">
                                <thead><tr><th>"Node"</th><th>"Region"</th><th>"Sites"</th><th>"Agent"</th><th>"Created"</th><th>"Last used"</th><th>"State"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! {
                                        <tr>
                                            <td class="stack-title" data-label="Node">{t.name.clone()}</td><td data-label="Region">{t.region.clone()}</td>
                                            <td data-label="Sites">{t.sites.clone()}</td>
                                            <td data-label="Agent">
                                                {t.agent.clone()}
                                                {t.silent.then(|| view! { <p class="notice notice-warning" role="status" data-testid="agent-silent">"Not seen for over 2 minutes: its sites get no changes. Check ksf-node on the node."</p> })}
                                            </td>
                                            <td data-label="Created">{t.created}</td>
                                            <td data-label="Last used">{t.last_used.unwrap_or_else(|| "never".into())}</td>
                                            <td data-label="State">{if t.revoked { "Revoked" } else { "Active" }}</td>
                                            <td class="stack-actions">{(!t.revoked).then(|| view! {
                                                <form method="post" action="/staff/node-tokens/revoke">
                                                    <input type="hidden" name="id" value=t.id/>
                                                    <button class="btn btn-danger btn-sm" type="submit">{format!("Revoke {}", t.name)}</button>
                                                </form>
                                            })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
