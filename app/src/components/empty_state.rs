use leptos::prelude::*;

/// What a page shows when there is nothing to list yet, with the next step.
#[component]
pub fn EmptyState(title: &'static str, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <section class="empty-state">
            <h2>{title}</h2>
            {children.map(|c| c())}
        </section>
    }
}
