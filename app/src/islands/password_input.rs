use leptos::prelude::*;

use crate::domain::{user::PasswordError, Password};

/// A new-password input that shows the rules as the user types. Without
/// JavaScript the rules are still listed and the server checks them.
#[island]
pub fn NewPasswordInput(name: String, label: String, error: String) -> impl IntoView {
    // Empty when the field has no error (island props must be plain data).
    let error = Some(error).filter(|e| !e.is_empty());
    let value = RwSignal::new(String::new());
    let long_enough = move || value.with(|v| v.chars().count() >= Password::MIN_CHARS);
    let not_common =
        move || value.with(|v| !v.is_empty() && !matches!(Password::parse(v), Err(PasswordError::TooCommon)));
    let id = format!("f-{name}");
    let rules_id = format!("f-{name}-rules");
    let error_id = format!("f-{name}-error");
    let has_error = error.is_some();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                class="input"
                id=id
                name=name
                type="password"
                autocomplete="new-password"
                required=true
                minlength=Password::MIN_CHARS
                aria-invalid=has_error.then_some("true")
                aria-describedby=if has_error { error_id.clone() } else { rules_id.clone() }
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <ul class="rules" id=rules_id aria-live="polite">
                <li data-met=move || long_enough().to_string()>
                    {format!("At least {} characters", Password::MIN_CHARS)}
                </li>
                <li data-met=move || not_common().to_string()>"Not a common, easily guessed password"</li>
            </ul>
            {error.map(|e| view! { <p class="error" id=error_id>{e}</p> })}
        </div>
    }
}
