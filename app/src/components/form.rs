//! Forms that work without JavaScript: labelled fields, the user's input
//! kept after an error, and each error next to its field.

use leptos::prelude::*;

/// What a re-rendered form shows: the values typed (never passwords), the
/// error of each field, and a message for the whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormState {
    pub values: Vec<(String, String)>,
    pub errors: Vec<(String, String)>,
    /// An error about the whole form ("The email or password is incorrect").
    pub message: Option<String>,
    /// A success notice ("We sent you a link").
    pub notice: Option<String>,
    /// Sign-in refused because the address is not confirmed yet.
    pub unverified: bool,
}

impl FormState {
    /// The values of a typed form, to show again. Fields the form marks
    /// `#[serde(skip_serializing)]` (passwords, codes) are left out.
    pub fn keeping(form: &impl serde::Serialize) -> Self {
        let values = match serde_json::to_value(form) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(name, value)| match value {
                    serde_json::Value::String(s) => Some((name, s)),
                    serde_json::Value::Number(n) => Some((name, n.to_string())),
                    serde_json::Value::Bool(b) => Some((name, b.to_string())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Self {
            values,
            ..Self::default()
        }
    }

    pub fn value(&self, name: &str) -> String {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn error(&self, name: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.clone())
    }
}

/// The form state of this render: set when a POST re-renders its page.
pub fn use_form() -> FormState {
    use_context::<FormState>().unwrap_or_default()
}

/// A labelled input with its error. Password inputs never get a value back.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] value: Option<String>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let form = use_form();
    let error = form.error(name);
    let value = if kind == "password" {
        String::new()
    } else {
        value.unwrap_or_else(|| form.value(name))
    };
    let id = format!("f-{name}");
    let error_id = format!("f-{name}-error");
    let hint_id = format!("f-{name}-hint");
    let describedby = match (error.is_some(), hint.is_some()) {
        (true, _) => Some(error_id.clone()),
        (false, true) => Some(hint_id.clone()),
        _ => None,
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                class="input"
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                required=required
                aria-invalid=error.is_some().then_some("true")
                aria-describedby=describedby
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {error.map(|e| view! { <p class="error" id=error_id>{e}</p> })}
        </div>
    }
}

/// The form-level error or notice, announced to screen readers.
#[component]
pub fn FormMessages() -> impl IntoView {
    let form = use_form();
    view! {
        {form.message.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        {form.notice.map(|n| view! { <p class="form-notice" role="status">{n}</p> })}
    }
}

/// Our regions as a select, with its error.
#[component]
pub fn RegionSelect(selected: String, error: Option<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="f-region">"Region"</label>
            <select class="input" id="f-region" name="region" required=true aria-invalid=error.is_some().then_some("true")>
                {domain::hosting::REGIONS.iter().map(|(code, label)| view! {
                    <option value=*code selected=selected == *code>{*label}</option>
                }).collect_view()}
            </select>
            {error.map(|e| view! { <p class="error" id="f-region-error">{e}</p> })}
        </div>
    }
}
