use leptos::prelude::*;

use super::{query, AuthCard};
use crate::components::form::{use_form, Field, FormMessages};
use crate::islands::password_input::NewPasswordInput;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! {
        <AuthCard title="Reset your password">
            <FormMessages/>
            <p>"Enter the email address of your account and we will send you a link to choose a new password."</p>
            <form class="form" method="post" action="/forgot-password">
                <Field label="Email" name="email" kind="email" autocomplete="email"/>
                <button class="btn btn-primary" type="submit">"Send reset link"</button>
            </form>
            <p class="auth-links"><a href="/login">"Back to sign in"</a></p>
        </AuthCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let form = use_form();
    let token = query("token").unwrap_or_default();
    view! {
        <AuthCard title="Choose a new password">
            <FormMessages/>
            <form class="form" method="post" action="/reset-password">
                <input type="hidden" name="token" value=token/>
                <NewPasswordInput name="password".to_string() label="New password".to_string() error=form.error("password").unwrap_or_default()/>
                <button class="btn btn-primary" type="submit">"Set new password"</button>
            </form>
            <p class="auth-links"><a href="/forgot-password">"Need a new link?"</a></p>
        </AuthCard>
    }
}
