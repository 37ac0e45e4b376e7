use leptos::prelude::*;
use leptos_meta::Title;

/// The title block of a page; also sets the document title.
#[component]
pub fn PageHeader(title: &'static str, #[prop(optional)] subtitle: Option<&'static str>) -> impl IntoView {
    view! {
        <Title text=title/>
        <div class="page-header">
            <h1>{title}</h1>
            {subtitle.map(|s| view! { <p class="page-subtitle">{s}</p> })}
        </div>
    }
}
