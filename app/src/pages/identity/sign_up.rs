use leptos::prelude::*;

use super::AuthCard;
use crate::components::form::{use_form, Field, FormMessages};
use crate::islands::password_input::NewPasswordInput;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let form = use_form();
    view! {
        <AuthCard title="Create your account">
            <FormMessages/>
            <form class="form" method="post" action="/signup">
                <Field label="Your name" name="name" autocomplete="name"/>
                <Field label="Email" name="email" kind="email" autocomplete="email"/>
                <NewPasswordInput name="password".to_string() label="Password".to_string() error=form.error("password").unwrap_or_default()/>
                <button class="btn btn-primary" type="submit">"Create account"</button>
            </form>
            <p class="auth-links">
                <span>"Already have an account? " <a href="/login">"Sign in"</a></span>
            </p>
        </AuthCard>
    }
}

/// After sign-up: the account waits for its address to be confirmed.
#[component]
pub fn SignUpSentPage() -> impl IntoView {
    view! {
        <AuthCard title="Check your inbox">
            <FormMessages/>
            <p>"We sent you a link to confirm your email address. It works once and expires in 24 hours."</p>
            <p class="muted">"No email? Check your spam folder, or ask for a new link:"</p>
            <form class="form" method="post" action="/verify-email/resend">
                <Field label="Email" name="email" kind="email" autocomplete="email"/>
                <button class="btn btn-secondary" type="submit">"Send a new link"</button>
            </form>
        </AuthCard>
    }
}
