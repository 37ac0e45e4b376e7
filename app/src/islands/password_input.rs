use leptos::prelude::*;

use domain::Password;

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
            <PasswordRules>
                <ul class="rules" id=rules_id aria-live="polite" data-input=id>
                    <li data-rule="length" data-met="false">{format!("At least {} characters", Password::MIN_CHARS)}</li>
                    <li data-rule="common" data-met="false">"Not a common, easily guessed password"</li>
                </ul>
            </PasswordRules>
            {error.map(|e| view! { <p class="error" id=error_id>{e}</p> })}
        </div>
    }
}

/// Ticks the rules (`[data-input]`, drawn by the server) as the input they
/// name changes. No props: the island reads what it needs from its rules.
#[island(lazy)]
fn PasswordRules(children: Children) -> impl IntoView {
    crate::islands::awake("PasswordRules");
    #[cfg(feature = "hydrate")]
    super::fragment::on_mount(|| {
        for rules in super::fragment::all("ul.rules[data-input]") {
            follow_input(rules);
        }
    });
    view! { <div class="island-root">{children()}</div> }
}

/// Ticks `rules` on every keystroke in their input (and once now, for a
/// value the browser filled in before the island woke up). Once per input.
#[cfg(feature = "hydrate")]
fn follow_input(rules: web_sys::Element) {
    use leptos::wasm_bindgen::{closure::Closure, JsCast};
    let Some(input) = rules
        .get_attribute("data-input")
        .and_then(|id| super::fragment::by_id(&id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let tick = move |value: &str| {
        let long_enough = value.chars().count() >= Password::MIN_CHARS;
        let not_common = !value.is_empty()
            && !matches!(
                Password::parse(value),
                Err(domain::user::PasswordError::TooCommon)
            );
        for (rule, met) in [("length", long_enough), ("common", not_common)] {
            if let Ok(Some(li)) = rules.query_selector(&format!("[data-rule={rule}]")) {
                let _ = li.set_attribute("data-met", if met { "true" } else { "false" });
            }
        }
    };
    if super::fragment::property(&input, "__ksfRules").is_some() {
        return;
    }
    let _ = js_sys::Reflect::set(&input, &"__ksfRules".into(), &js_sys::Object::new());
    tick(&input.value());
    let source = input.clone();
    let on_input = Closure::<dyn Fn()>::new(move || tick(&source.value()));
    let _ = input.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
    // The listener lives as long as the input does.
    on_input.forget();
}
