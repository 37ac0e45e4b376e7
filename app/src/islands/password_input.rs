use leptos::prelude::*;

use domain::{user::PasswordError, Password};

/// A new-password field that shows the rules as the user types. The label,
/// input and error are plain server HTML (so a form answered through the
/// islands router shows its new error: the router never re-renders an
/// island); only the rules list is an island, following the input by id.
/// Without JavaScript the rules are still listed and the server checks them.
#[component]
pub fn NewPasswordInput(name: String, label: String, error: String) -> impl IntoView {
    let error = Some(error).filter(|e| !e.is_empty());
    let id = format!("f-{name}");
    let rules_id = format!("f-{name}-rules");
    let error_id = format!("f-{name}-error");
    let has_error = error.is_some();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                class="input"
                id=id.clone()
                name=name
                type="password"
                autocomplete="new-password"
                required=true
                minlength=Password::MIN_CHARS
                aria-invalid=has_error.then_some("true")
                aria-describedby=if has_error { format!("{error_id} {rules_id}") } else { rules_id.clone() }
            />
            <PasswordRules input_id=id rules_id=rules_id/>
            {error.map(|e| view! { <p class="error" id=error_id>{e}</p> })}
        </div>
    }
}

/// The password rules, ticked as the input with `input_id` changes.
#[island(lazy)]
fn PasswordRules(input_id: String, rules_id: String) -> impl IntoView {
    crate::islands::awake("PasswordRules");
    let value = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    follow_input(&input_id, value);
    #[cfg(not(feature = "hydrate"))]
    let _ = input_id;
    let long_enough = move || value.with(|v| v.chars().count() >= Password::MIN_CHARS);
    let not_common =
        move || value.with(|v| !v.is_empty() && !matches!(Password::parse(v), Err(PasswordError::TooCommon)));
    view! {
        <ul class="rules" id=rules_id aria-live="polite">
            <li data-met=move || long_enough().to_string()>
                {format!("At least {} characters", Password::MIN_CHARS)}
            </li>
            <li data-met=move || not_common().to_string()>"Not a common, easily guessed password"</li>
        </ul>
    }
}

/// Copies the input's value into `value` on every keystroke (and once now,
/// for a value the browser filled in before the island woke up).
#[cfg(feature = "hydrate")]
fn follow_input(input_id: &str, value: RwSignal<String>) {
    use leptos::wasm_bindgen::{closure::Closure, JsCast};
    let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(input_id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    value.set(input.value());
    let source = input.clone();
    let on_input = Closure::<dyn Fn()>::new(move || value.set(source.value()));
    let _ = input.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
    // The listener lives as long as the input does.
    on_input.forget();
}
