use leptos::prelude::*;

use crate::api::billing::stripe_events;
use crate::components::form::FormMessages;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use crate::pages::hosting::set_status;
use crate::pages::identity::query;

/// `/staff/billing`: Stripe's webhook events as received, whether each was
/// applied (or why not yet), and a replay button.
#[component]
pub fn StaffBillingPage() -> impl IntoView {
    if crate::api::require_user().is_none() {
        return ().into_any();
    }
    let pending_only = query("pending").is_some();
    let events = Resource::new(move || pending_only, stripe_events);
    view! {
        <PageHeader title="Stripe events" subtitle="Webhooks received from Stripe and whether they were applied."/>
        <FormMessages/>
        <p>
            {if pending_only {
                view! { <a href="/staff/billing">"Show all events"</a> }.into_any()
            } else {
                view! { <a href="/staff/billing?pending=1">"Show only events not applied yet"</a> }.into_any()
            }}
        </p>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading events…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Err(e) => {
                        set_status(e.status());
                        view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                    }
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState title="No events">
                            <p>"Events appear here as Stripe sends them: payments, subscriptions, invoices."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap">
                            <table class="table stack stripe-events">
                                <thead><tr><th scope="col">"Type"</th><th scope="col">"Received"</th><th scope="col">"Object"</th><th scope="col">"State"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|e| view! {
                                        <tr>
                                            <td class="stack-title" data-label="Type"><code>{e.kind}</code></td>
                                            <td data-label="Received">{e.received}</td>
                                            <td data-label="Object"><code class="break">{e.object}</code></td>
                                            <td data-label="State">
                                                <span class=e.badge>{e.state}</span>
                                                {e.error.map(|m| view! { <br/><small class="form-error">{m}</small> })}
                                            </td>
                                            <td class="stack-actions">
                                                <form method="post" action=format!("/staff/billing/events/{}/replay", e.id)>
                                                    <button class="btn btn-secondary btn-sm" type="submit"
                                                        title="Apply the event again: it refetches the object from Stripe, and sends its emails again">"Replay"</button>
                                                </form>
                                            </td>
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
