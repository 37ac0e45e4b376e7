use leptos::prelude::*;

use crate::components::page_header::PageHeader;

/// Shown for any path no route matches, with status 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <PageHeader title="Page not found"/>
        <section class="error-page">
            <p class="error-code">"404"</p>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <p><a class="btn btn-primary" href="/">"Go to the dashboard"</a></p>
        </section>
    }
}

/// What a page that failed to render shows instead of a blank screen. The
/// details are logged on the server; the visitor gets a friendly message.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let count = errors.read_untracked().iter().count();
    #[cfg(feature = "ssr")]
    {
        for (_, error) in errors.read_untracked().iter() {
            tracing::error!(%error, "page failed to render");
        }
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
    view! {
        <PageHeader title="Something went wrong"/>
        <section class="error-page" role="alert">
            <p>"This page could not be shown. Please try again in a moment; if it keeps happening, contact support."</p>
            <p class="muted">{format!("{count} error(s) were recorded.")}</p>
            <p><a class="btn btn-primary" href="/">"Go to the dashboard"</a></p>
        </section>
    }
}
