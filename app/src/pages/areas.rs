//! Areas of the product whose features have not landed yet. Each says so
//! plainly and what it will hold, instead of showing made-up data.

use leptos::prelude::*;

use crate::components::{empty_state::EmptyState, page_header::PageHeader};

#[component]
fn NotAvailableYet(title: &'static str, coming: &'static str) -> impl IntoView {
    if crate::api::require_user().is_none() {
        return ().into_any();
    }
    view! {
        <PageHeader title/>
        <EmptyState title="Not available yet">
            <p>{coming}</p>
            <p><a class="btn btn-secondary" href="/">"Back to the dashboard"</a></p>
        </EmptyState>
    }
    .into_any()
}

#[component]
pub fn DomainsPage() -> impl IntoView {
    view! {
        <NotAvailableYet
            title="Domains"
            coming="Registering and adding domains and editing their DNS records will happen here."
        />
    }
}
