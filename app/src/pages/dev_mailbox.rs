use leptos::prelude::*;

use crate::api::mailbox::list_mailbox;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use crate::pages::identity::query;

/// Development only: the emails the app would have sent, newest first.
#[component]
pub fn DevMailboxPage() -> impl IntoView {
    let to = query("to");
    let emails = Resource::new(move || to.clone(), list_mailbox);
    view! {
        <PageHeader title="Dev mailbox" subtitle="Emails kept in the outbox because no Resend key is configured."/>
        <form class="form" method="get" action="/dev/mailbox">
            <div class="field">
                <label for="mailbox-to">"Recipient"</label>
                <input class="input" id="mailbox-to" name="to" type="email" value=query("to").unwrap_or_default()/>
            </div>
            <button class="btn btn-secondary" type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match emails.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No emails yet"><p>"Sign up or ask for a password reset to see an email here."</p></EmptyState>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="mail-list" aria-label="Emails">
                            {list.into_iter().map(|m| view! {
                                <li class="card mail">
                                    <h2 class="mail-subject">{m.subject}</h2>
                                    <p class="muted">"To " <span class="mail-to">{m.to}</span> " · " {m.created} " · " <span class="badge">{m.status}</span></p>
                                    <pre class="mail-text">{m.text}</pre>
                                    <a href=format!("/dev/mailbox/{}/html", m.id) rel="external">"View as HTML"</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
