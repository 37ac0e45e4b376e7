use leptos::prelude::*;

use super::{query, AuthCard};
use crate::components::form::{use_form, Field, FormMessages};
use domain::NextPath;

#[component]
pub fn SignInPage() -> impl IntoView {
    let form = use_form();
    let next = NextPath::or_dashboard(query("next").as_deref());
    let action = format!(
        "/login?next={}",
        domain::next_path::encode_query_value(next.as_str())
    );
    let unverified = form.unverified;
    let email = form.value("email");
    view! {
        <AuthCard title="Sign in">
            <FormMessages/>
            <form class="form" method="post" action=action>
                <input type="hidden" name="next" value=next.as_str().to_string()/>
                <Field label="Email" name="email" kind="email" autocomplete="username"/>
                <Field label="Password" name="password" kind="password" autocomplete="current-password"/>
                <button class="btn btn-primary" type="submit">"Sign in"</button>
            </form>
            {unverified.then(|| view! {
                <form class="form" method="post" action="/verify-email/resend">
                    <input type="hidden" name="email" value=email.clone()/>
                    <button class="btn btn-secondary" type="submit">"Send me a new confirmation link"</button>
                </form>
            })}
            <p class="auth-links">
                <a href="/forgot-password">"Forgot your password?"</a>
                <a href="/signup">"Create an account"</a>
            </p>
        </AuthCard>
    }
}
