use leptos::prelude::*;

use crate::api::require_user;
use crate::api::sessions::list_my_sessions;
use crate::components::page_header::PageHeader;

/// Where the user is signed in, with a way to end any of it.
#[component]
pub fn SessionsPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let sessions = Resource::new(|| (), |_| list_my_sessions());
    view! {
        <PageHeader title="Sessions" subtitle="Where your account is signed in."/>
        <p><a href="/settings">"← Back to settings"</a></p>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) => {
                        let others = list.iter().filter(|s| !s.this_device).count();
                        view! {
                            <div class="table-wrap">
                                <table class="table stack sessions">
                                    <thead><tr><th>"Device"</th><th>"IP address"</th><th>"Signed in"</th><th>"Last active"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|s| view! {
                                            <tr class="session">
                                                <td class="stack-title" data-label="Device">{s.device.clone()} {s.this_device.then(|| view! { " " <span class="badge badge-info">"This device"</span> })}</td>
                                                <td data-label="IP address">{s.ip.clone()}</td>
                                                <td data-label="Signed in">{s.created.clone()}</td>
                                                <td data-label="Last active">{s.last_active.clone()}</td>
                                                <td class="stack-actions">
                                                    <form method="post" action="/settings/sessions/revoke">
                                                        <input type="hidden" name="session_id" value=s.id.clone()/>
                                                        <button class="btn btn-secondary btn-sm" type="submit">
                                                            {if s.this_device { "Sign out" } else { "Revoke" }}
                                                        </button>
                                                    </form>
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(others > 0).then(|| view! {
                                <form method="post" action="/settings/sessions/revoke-others" class="form">
                                    <button class="btn btn-danger" type="submit">"Sign out everywhere else"</button>
                                </form>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}
