use leptos::prelude::*;

use super::{query, AuthCard};
use crate::components::form::FormMessages;

/// The link in the confirmation email lands here; confirming is a button
/// press (a POST), so mail scanners that open links do not use it up.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = query("token").unwrap_or_default();
    view! {
        <AuthCard title="Confirm your email address">
            <FormMessages/>
            <form class="form" method="post" action="/verify-email">
                <input type="hidden" name="token" value=token/>
                <p>"Confirm this address to activate your account and sign in."</p>
                <button class="btn btn-primary" type="submit">"Confirm my email"</button>
            </form>
            <p class="auth-links"><a href="/signup/sent">"Need a new link?"</a></p>
        </AuthCard>
    }
}

/// The link sent to a new address when a user changes theirs.
#[component]
pub fn ConfirmEmailChangePage() -> impl IntoView {
    let token = query("token").unwrap_or_default();
    view! {
        <AuthCard title="Confirm your new email address">
            <FormMessages/>
            <form class="form" method="post" action="/confirm-email">
                <input type="hidden" name="token" value=token/>
                <p>"Confirm to sign in with this address from now on."</p>
                <button class="btn btn-primary" type="submit">"Confirm new address"</button>
            </form>
        </AuthCard>
    }
}
