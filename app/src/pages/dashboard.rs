use leptos::prelude::*;

use crate::components::{empty_state::EmptyState, page_header::PageHeader};

/// The landing page. Its KPIs come with hosting accounts; until then it
/// points to what exists.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let Some(user) = crate::api::require_user() else {
        return ().into_any();
    };
    view! {
        <PageHeader title="Dashboard" subtitle="Your hosting at a glance."/>
        <p class="welcome">"Signed in as " <strong class="signed-in-name">{user.display_name}</strong></p>
        <EmptyState title="Nothing to show yet">
            <p>"Once you have hosting accounts, this page shows their storage, bandwidth, open tickets and spend, updated live."</p>
            <p><a class="btn btn-primary" href="/hosting">"Go to Hosting"</a></p>
        </EmptyState>
    }
    .into_any()
}
