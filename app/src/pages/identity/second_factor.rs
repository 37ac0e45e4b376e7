use leptos::prelude::*;

use super::{query, AuthCard};
use crate::components::form::{Field, FormMessages};
use domain::NextPath;

/// The code step of signing in, after a correct password.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let next = NextPath::or_dashboard(query("next").as_deref());
    view! {
        <AuthCard title="Two-factor authentication">
            <FormMessages/>
            <p>"Enter the 6-digit code your authenticator app shows for " {crate::PRODUCT_NAME} "."</p>
            <form class="form" method="post" action="/login/two-factor">
                <input type="hidden" name="next" value=next.as_str().to_string()/>
                <Field label="Code" name="code" autocomplete="one-time-code" hint="No phone? Enter one of your recovery codes instead."/>
                <button class="btn btn-primary" type="submit">"Verify"</button>
            </form>
            <p class="auth-links"><a href="/login">"Cancel and sign in again"</a></p>
        </AuthCard>
    }
}

/// Step-up: the password again (and a code with two-factor on) before a
/// sensitive change; then back to `next`.
#[component]
pub fn ConfirmIdentityPage() -> impl IntoView {
    let Some(user) = crate::api::require_user() else {
        return ().into_any();
    };
    let next = NextPath::or_dashboard(query("next").as_deref());
    view! {
        <AuthCard title="Confirm it's you">
            <FormMessages/>
            <p>"Enter your password to continue. You won't be asked again for 10 minutes."</p>
            <form class="form" method="post" action="/confirm-identity">
                <input type="hidden" name="next" value=next.as_str().to_string()/>
                <input type="text" name="username" autocomplete="username" value=user.email.clone() hidden=true readonly=true/>
                <Field label="Password" name="password" kind="password" autocomplete="current-password"/>
                {user.two_factor.then(|| view! {
                    <Field label="Code from your app, or a recovery code" name="code" autocomplete="one-time-code"/>
                })}
                <button class="btn btn-primary" type="submit">"Continue"</button>
            </form>
            <p class="auth-links"><a href=next.as_str().to_string()>"Cancel"</a></p>
        </AuthCard>
    }
    .into_any()
}
