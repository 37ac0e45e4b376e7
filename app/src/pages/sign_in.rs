use leptos::prelude::*;

use crate::components::{empty_state::EmptyState, page_header::PageHeader};

/// Sign-in lands with customer accounts; until then the page says so.
#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        <PageHeader title="Sign in"/>
        <EmptyState title="Sign-in is not available yet">
            <p>"Customer accounts are being built. Staff accounts can already be created with "
               <code>"ksf create-staff"</code> "."</p>
        </EmptyState>
    }
}
