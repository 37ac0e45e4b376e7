//! `/settings/export`: a copy of the customer's data, asked for here and
//! delivered by an emailed link (see `services::export`).

use leptos::prelude::*;

use crate::api::export::my_export;
use crate::api::require_user;
use crate::components::form::FormMessages;
use crate::components::page_header::PageHeader;

#[component]
pub fn ExportPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let latest = Resource::new(|| (), |_| my_export());
    view! {
        <PageHeader title="Export your data" subtitle="A copy of everything we hold about you, to keep or take elsewhere."/>
        <FormMessages/>
        <section class="card">
            <h2>"What you get"</h2>
            <p>"A ZIP of JSON files: your profile and open sessions, the hosting accounts you own with their members, domains, DNS records and invoices, your support tickets with their messages and the files you attached, and your account's activity."</p>
            <p class="muted">"We prepare it in the background and email you a link. The link works for 24 hours, once you are signed in. You can ask once an hour."</p>
            <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading…"</p> }>
                {move || Suspend::new(async move {
                    match latest.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(state) => view! {
                            {state.map(|s| {
                                let said = match s.status.as_str() {
                                    "pending" => format!("Asked for {}: being prepared. The link comes by email.", s.asked),
                                    "ready" => format!("Ready ({}), asked for {}: use the link we emailed you before {}.", s.size.unwrap_or_default(), s.asked, s.expires.unwrap_or_default()),
                                    "failed" => format!("Asked for {}: it could not be prepared (we emailed you why). Ask again, or contact support.", s.asked),
                                    _ => format!("Asked for {}: the link has expired. Ask for a new one.", s.asked),
                                };
                                view! { <p class="notice notice-info" role="status" data-testid="export-state">{said}</p> }
                            })}
                            <form method="post" action="/settings/export">
                                <button class="btn btn-primary" type="submit">"Prepare my data"</button>
                            </form>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}
