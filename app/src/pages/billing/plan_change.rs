use leptos::prelude::*;

use crate::api::billing::plan_change_preview;
use crate::components::form::FormMessages;
use crate::components::page_header::PageHeader;
use crate::pages::hosting::{param, set_status};
use crate::pages::identity::query;

/// `/hosting/:id/plan?plan=…`: what moving to another paid plan costs now
/// (Stripe's invoice preview, prorated), before the user confirms it.
#[component]
pub fn PlanChangePage() -> impl IntoView {
    if crate::api::require_user().is_none() {
        return ().into_any();
    }
    let account = param("id");
    let plan = query("plan").unwrap_or_default();
    let preview = Resource::new(
        move || (account.clone(), plan.clone()),
        |(a, p)| plan_change_preview(a, p),
    );
    view! {
        <PageHeader title="Change plan"/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Asking Stripe what the change costs…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Err(e) => {
                        set_status(e.status());
                        view! {
                            <p class="form-error" role="alert">{e.to_string()}</p>
                            <p><a href=format!("/hosting/{}", param("id"))>"← Back to the account"</a></p>
                        }.into_any()
                    }
                    Ok(p) => view! {
                        <section class="card plan-preview">
                            <h2>{format!("Move {} to {}", p.account_name, p.plan_name)}</h2>
                            <dl class="summary">
                                <dt>"Due now"</dt><dd class="due-now">{p.due_now.clone()}</dd>
                                <dt>"Then"</dt><dd>{p.new_price.clone()}</dd>
                            </dl>
                            <p class="muted">"The amount due now is the difference for the rest of this billing period, charged to your card on file. A move to a cheaper plan is credited to your next invoices."</p>
                            <form method="post" action=format!("/hosting/{}/plan/confirm", p.account_id) class="form-actions">
                                <input type="hidden" name="plan" value=p.plan_id.clone()/>
                                <button class="btn btn-primary" type="submit">{format!("Pay {} and change plan", p.due_now)}</button>
                                <a class="btn btn-secondary" href=format!("/hosting/{}", p.account_id)>"Keep the current plan"</a>
                            </form>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
