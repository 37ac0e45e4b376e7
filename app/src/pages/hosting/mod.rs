//! Hosting accounts: list, create, the account page (usage, members,
//! invitations, activity), edit, and activity feeds.

pub mod account;
pub mod activity;
pub mod list;
pub mod new;

use leptos::prelude::*;

use domain::AccountStatus;

/// A route parameter of the current URL.
pub(crate) fn param(name: &'static str) -> String {
    leptos_router::hooks::use_params_map().with_untracked(|p| p.get(name).unwrap_or_default())
}

/// Sets the response status while rendering on the server (404 for an
/// account the user may not see, the same as for a missing one).
pub(crate) fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub(crate) fn StatusBadge(status: AccountStatus) -> impl IntoView {
    view! { <span class=status.badge()>{status.label()}</span> }
}

/// What a page shows when its account cannot be shown: "not found" for
/// an account the user may not see (the same as for a missing one), or
/// the error with its reference (the status is set where it was made).
#[component]
pub(crate) fn AccountUnavailable(error: crate::api::ApiError) -> impl IntoView {
    match error {
        crate::api::ApiError::NotFound(message) => view! { <AccountNotFound message/> }.into_any(),
        other => view! {
            <leptos_meta::Title text="Hosting account"/>
            <div class="page-header"><h1>"Hosting account"</h1></div>
            <section class="card error-card" role="alert">
                <p>{other.to_string()}</p>
                <p><a class="btn btn-secondary" href="">"Try again"</a></p>
            </section>
        }
        .into_any(),
    }
}

/// What a page shows for an account the user may not see.
#[component]
pub(crate) fn AccountNotFound(message: String) -> impl IntoView {
    set_status(404);
    view! {
        <leptos_meta::Title text="Hosting account not found"/>
        <div class="page-header"><h1>"Hosting account not found"</h1></div>
        <section class="error-page">
            <p>{message}</p>
            <p><a class="btn btn-primary" href="/hosting">"Back to your hosting accounts"</a></p>
        </section>
    }
}

/// A progress bar with its figures in words.
#[component]
pub(crate) fn UsageMeter(label: &'static str, meter: crate::api::hosting::Meter) -> impl IntoView {
    let level = if meter.over || meter.percent >= 90 {
        "danger"
    } else if meter.percent >= 75 {
        "warning"
    } else {
        "ok"
    };
    let text = format!("{} of {} ({}%)", meter.used, meter.quota, meter.percent);
    view! {
        <div class="meter">
            <div class="meter-head"><span>{label}</span><span class="muted">{text.clone()}</span></div>
            <div class="progress" data-level=level role="progressbar" aria-label=label
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=meter.percent aria-valuetext=text>
                <span style=format!("width: {}%", meter.percent)></span>
            </div>
            {meter.over.then(|| view! { <p class="error">"Over the plan's quota."</p> })}
        </div>
    }
}

/// Newer/older links of a paged list.
#[component]
pub(crate) fn Pager(base: String, page: i64, has_next: bool) -> impl IntoView {
    let sep = if base.contains('?') { '&' } else { '?' };
    let newer = format!("{base}{sep}page={}", page - 1);
    let older = format!("{base}{sep}page={}", page + 1);
    view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| view! { <a class="btn btn-secondary btn-sm" href=newer>"Previous"</a> })}
            <span class="muted">{format!("Page {page}")}</span>
            {has_next.then(|| view! { <a class="btn btn-secondary btn-sm" href=older>"Next"</a> })}
        </nav>
    }
}
