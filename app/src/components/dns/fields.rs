//! A record form's fields, each with its error. The fields a type does not
//! use are hidden by the stylesheet from the chosen type (`data-types`), so
//! the form shows the right fields with or without JavaScript.

use leptos::prelude::*;

use domain::dns::{CaaTag, RecordInput, RecordType, Ttl};

/// What a record form shows: its input, and its errors from the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormState {
    pub input: RecordInput,
    pub errors: Vec<(String, String)>,
    pub message: Option<String>,
}

impl FormState {
    pub fn of(input: RecordInput) -> Self {
        FormState {
            input,
            ..Default::default()
        }
    }

    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }
}

/// The record types (space-separated) that use a field.
fn types_where(uses: fn(RecordType) -> bool) -> String {
    RecordType::ALL
        .into_iter()
        .filter(|t| uses(*t))
        .map(RecordType::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fields of a record form, ids prefixed with `prefix`.
#[component]
pub fn RecordFields(prefix: &'static str, form: FormState) -> impl IntoView {
    let kind = RecordType::parse(&form.input.kind).unwrap_or(RecordType::A);
    let text = |field: &'static str,
                label: &'static str,
                hint: &'static str,
                mode: &'static str,
                types: Option<String>| {
        let id = format!("{prefix}-{field}");
        let error = form.error(field);
        let value = match field {
            "name" => form.input.name.clone(),
            "ttl" => form.input.ttl.clone(),
            "content" => form.input.content.clone(),
            "priority" => form.input.priority.clone(),
            "weight" => form.input.weight.clone(),
            "port" => form.input.port.clone(),
            _ => String::new(),
        };
        let content = field == "content";
        // What the add form goes back to after a record is added.
        let blank = if field == "ttl" {
            Ttl::DEFAULT.seconds().to_string()
        } else {
            String::new()
        };
        view! {
            <div class="field" data-types=types>
                <label for=id.clone() id=format!("{id}-label")>{if content { kind.content_label() } else { label }}</label>
                <input class="input" id=id.clone() name=field inputmode=mode value=value data-blank=blank
                    list=(field == "ttl").then(|| format!("{prefix}-ttl-presets"))
                    placeholder=content.then(|| kind.content_placeholder())
                    aria-invalid=error.is_some().then_some("true")
                    aria-describedby=if error.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") }/>
                <p class="hint" id=format!("{id}-hint")>{hint}</p>
                <p class="error" id=format!("{id}-error")>{error}</p>
            </div>
        }
    };
    let type_id = format!("{prefix}-type");
    let tag_id = format!("{prefix}-tag");
    let caa = types_where(RecordType::has_tag);
    let tag_error = form.error("tag");
    view! {
        <p class="form-error" role="alert">{form.message.clone()}</p>
        <div class="record-fields">
            <div class="field">
                <label for=type_id.clone()>"Type"</label>
                <select class="input" id=type_id name="type">
                    {RecordType::ALL.iter().map(|t| view! {
                        <option value=t.as_str() selected=*t == kind
                            data-label=t.content_label() data-placeholder=t.content_placeholder()>{t.as_str()}</option>
                    }).collect_view()}
                </select>
            </div>
            {text("name", "Name", "@ for the domain itself, or www, mail, _dmarc…", "text", None)}
            {text("content", "Value", "", "text", None)}
            {text("priority", "Priority", "MX and SRV: lower is preferred (0–65535).", "numeric", Some(types_where(RecordType::has_priority)))}
            {text("weight", "Weight", "SRV: share among equal priorities (0–65535).", "numeric", Some(types_where(RecordType::has_weight_and_port)))}
            {text("port", "Port", "SRV: the service's port (0–65535).", "numeric", Some(types_where(RecordType::has_weight_and_port)))}
            <div class="field" data-types=caa.clone()>
                <label for=tag_id.clone()>"CAA tag"</label>
                <select class="input" id=tag_id.clone() name="tag"
                    aria-invalid=tag_error.is_some().then_some("true")
                    aria-describedby=if tag_error.is_some() { format!("{tag_id}-hint {tag_id}-error") } else { format!("{tag_id}-hint") }>
                    {CaaTag::ALL.iter().map(|t| view! {
                        <option value=t.as_str() selected=form.input.tag == t.as_str()>{t.label()}</option>
                    }).collect_view()}
                </select>
                <p class="hint" id=format!("{tag_id}-hint")>"Which certificates the authority may issue, or where it reports."</p>
                <p class="error" id=format!("{tag_id}-error")>{tag_error.clone()}</p>
            </div>
            <div class="field checkbox" data-types=caa>
                <label>
                    <input type="checkbox" id=format!("{prefix}-critical") name="critical" value="true" checked=form.input.critical/>
                    " Critical (CAs that do not understand the tag must refuse)"
                </label>
            </div>
            {text("ttl", "TTL", "Seconds or 5m, 1h, 1d — from 1 minute to 1 week.", "text", None)}
        </div>
        <datalist id=format!("{prefix}-ttl-presets")>
            {Ttl::PRESETS.iter().map(|(s, l)| view! { <option value=s.to_string()>{*l}</option> }).collect_view()}
        </datalist>
    }
}

/// A record form's errors by field, for the editor to put next to its
/// fields (the answer to a check as it is typed, or to a refused save).
#[component]
pub fn RecordErrors(errors: Vec<(String, String)>, message: Option<String>) -> impl IntoView {
    view! {
        <ul class="record-errors" data-message=message>
            {errors.into_iter().map(|(field, m)| view! { <li data-field=field>{m}</li> }).collect_view()}
        </ul>
    }
}
