use leptos::prelude::*;

use super::{categories, priorities, Choice, FilesField, MarkdownField};
use crate::api::require_user;
use crate::api::tickets::queries::{attachment_use, ticket_accounts};
use crate::components::form::{use_form, Field, FormMessages};
use crate::components::page_header::PageHeader;
use crate::islands::tickets::MarkdownPreview;
use crate::pages::identity::query;

/// Open a ticket: subject, category, priority, the hosting account it is
/// about (optional), the message and files.
#[component]
pub fn NewTicketPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let form = use_form();
    let accounts = Resource::new(|| (), |_| ticket_accounts());
    let quota = Resource::new(|| (), |_| attachment_use());
    let or = |name: &str, default: &str| {
        let v = form.value(name);
        if v.is_empty() {
            default.to_string()
        } else {
            v
        }
    };
    // A link from an account page preselects it (`?account=`).
    let chosen_account = if form.values.is_empty() {
        query("account").unwrap_or_default()
    } else {
        form.value("account")
    };
    let account_error = form.error("account");
    view! {
        <PageHeader title="New ticket" subtitle="Tell us what happened and what you expected. The more detail, the faster we can help."/>
        <p><a href="/support">"← Back to your tickets"</a></p>
        <FormMessages/>
        <section class="card">
            <form class="form" method="post" action="/support/new" enctype="multipart/form-data">
                <Field label="Subject" name="subject" hint="A few words, e.g. \"Emails to Gmail bounce\"."/>
                <div class="form-row">
                    <Choice label="Category" name="category" options=categories() selected=or("category", "technical") error=form.error("category")/>
                    <Choice label="Priority" name="priority" options=priorities() selected=or("priority", "normal") error=form.error("priority")/>
                </div>
                <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading your hosting accounts…"</p> }>
                    {move || {
                        let (chosen, error) = (chosen_account.clone(), account_error.clone());
                        Suspend::new(async move {
                            let mut options = vec![(String::new(), "Not about a hosting account".to_string())];
                            match accounts.await {
                                Ok(list) => options.extend(list),
                                Err(e) => return view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                            }
                            view! { <Choice label="Hosting account" name="account" options selected=chosen error/> }.into_any()
                        })
                    }}
                </Suspense>
                <MarkdownField label="Message" value=form.value("body") error=form.error("body")/>
                <FilesField error=form.error("files")/>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        quota.await.ok().flatten().map(|text| view! { <p class="hint" id="f-files-usage">{text}</p> })
                    })}
                </Suspense>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" name="intent" value="send">"Send ticket"</button>
                    <MarkdownPreview source="f-body".to_string()/>
                </div>
            </form>
        </section>
    }
    .into_any()
}
