use leptos::prelude::*;

use crate::api::mail::my_email_suppression;
use crate::api::{recently_authenticated, require_user};
use crate::components::form::{use_form, Field, FormMessages};
use crate::components::page_header::PageHeader;
use crate::components::step_up::StepUpGate;
use crate::islands::password_input::NewPasswordInput;

/// Profile and account: name, email, password, deletion.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let Some(user) = require_user() else {
        return ().into_any();
    };
    let form = use_form();
    let fresh = recently_authenticated(&user);
    let password_error = form.error("new_password").unwrap_or_default();
    let confirm_error = form.error("confirm");
    view! {
        <PageHeader title="Settings" subtitle="Your profile and sign-in details."/>
        <FormMessages/>
        <div class="stack">
            <section class="card">
                <h2>"Profile"</h2>
                <form class="form" method="post" action="/settings/profile/name">
                    <Field label="Name" name="name" autocomplete="name" value=user.display_name.clone()/>
                    <button class="btn btn-primary" type="submit">"Save name"</button>
                </form>
            </section>
            <section class="card">
                <h2>"Email address"</h2>
                <p>"You sign in with " <strong>{user.email.clone()}</strong> "."</p>
                <MailStopped/>
                <StepUpGate fresh back="/settings" what="change your email address">
                    <form class="form" method="post" action="/settings/profile/email">
                        <Field label="New email address" name="new_email" kind="email" autocomplete="email"/>
                        <button class="btn btn-primary" type="submit">"Change email"</button>
                    </form>
                </StepUpGate>
            </section>
            <section class="card">
                <h2>"Password"</h2>
                <StepUpGate fresh back="/settings" what="change your password">
                    <form class="form" method="post" action="/settings/password">
                        <input type="text" name="username" autocomplete="username" value=user.email.clone() hidden=true readonly=true/>
                        <NewPasswordInput name="new_password".to_string() label="New password".to_string() error=password_error/>
                        <button class="btn btn-primary" type="submit">"Change password"</button>
                    </form>
                </StepUpGate>
            </section>
            <section class="card">
                <h2>"Two-factor authentication"</h2>
                {if user.two_factor {
                    view! { <p><span class="badge badge-success">"On"</span> " Signing in needs a code from your authenticator app after your password."</p> }.into_any()
                } else {
                    view! { <p><span class="badge badge-warning">"Off"</span> " Protect your account with a code from an authenticator app when you sign in."</p> }.into_any()
                }}
                <p><a class="btn btn-secondary" href="/settings/two-factor">
                    {if user.two_factor { "Manage two-factor" } else { "Set up two-factor" }}
                </a></p>
            </section>
            <section class="card">
                <h2>"Sessions"</h2>
                <p>"See every browser where your account is signed in, and sign any of them out."</p>
                <p>
                    <a class="btn btn-secondary" href="/settings/sessions">"Manage sessions"</a>
                    " "
                    <a class="btn btn-secondary" href="/settings/activity">"Security activity"</a>
                </p>
            </section>
            <section class="card">
                <h2>"Your data"</h2>
                <p>"Download a copy of your data: your profile, the hosting accounts you own with their domains and invoices, your support tickets and your activity."</p>
                <p><a class="btn btn-secondary" href="/settings/export">"Export your data"</a></p>
            </section>
            <section class="card danger-zone">
                <h2>"Delete account"</h2>
                <p>"This deletes your profile, your sessions and your sign-in history, and cannot be undone. Records we must keep by law, such as invoices, are kept."</p>
                <StepUpGate fresh back="/settings" what="delete your account">
                    <form class="form" method="post" action="/settings/delete">
                        <div class="field">
                            <label><input type="checkbox" name="confirm" value="yes" required=true/> " I understand that this cannot be undone"</label>
                            {confirm_error.map(|e| view! { <p class="error">{e}</p> })}
                        </div>
                        <button class="btn btn-danger" type="submit">"Delete my account"</button>
                    </form>
                </StepUpGate>
            </section>
        </div>
    }
    .into_any()
}

/// Shown when mail to the person's address stopped after a hard bounce or
/// a complaint: why, and the two ways out.
#[component]
fn MailStopped() -> impl IntoView {
    let suppression = Resource::new(|| (), |_| my_email_suppression());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // A failed lookup hides the notice; the rest of the page stands.
                suppression.await.ok().flatten().map(|s| view! {
                    <div class="notice notice-warning mail-stopped" role="status">
                        <p><strong>"We have stopped emailing this address."</strong> " " {s.reason.explained()} " (" {s.since} ")"</p>
                        {s.detail.map(|d| view! { <p>"The receiving server said: " {d}</p> })}
                        <p>"Security emails, such as password resets, still go to it. Change your address below, or, if the mailbox works again:"</p>
                        <form method="post" action="/settings/email/resume">
                            <button class="btn btn-secondary" type="submit">"Email this address again"</button>
                        </form>
                    </div>
                })
            })}
        </Suspense>
    }
}
