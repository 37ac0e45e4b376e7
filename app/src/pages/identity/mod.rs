//! Sign up, sign in, email confirmation and password reset.

pub mod password;
pub mod second_factor;
pub mod sign_in;
pub mod sign_up;
pub mod verify;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A query parameter of the current URL.
pub(crate) fn query(name: &'static str) -> Option<String> {
    use_query_map().with_untracked(|q| q.get(name))
}

/// The narrow card the account pages sit in.
#[component]
pub(crate) fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title/>
        <section class="card auth-card">
            <h1>{title}</h1>
            {children()}
        </section>
    }
}
