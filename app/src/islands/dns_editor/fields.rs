//! The record form's fields: shown for the record's type, each with the
//! error the shared validation finds once it was typed in, or the
//! server's error for the last attempt.

use leptos::prelude::*;

use crate::api::dns::RecordRow;
use domain::dns::{zone, CaaTag, RecordInput, RecordType, Ttl};
use domain::DomainName;

type Errors = Vec<(String, String)>;

pub(super) fn client_errors(
    zone: Option<&DomainName>,
    input: &RecordInput,
    records: &[RecordRow],
    editing: &str,
) -> Errors {
    let Some(zone) = zone else {
        return Vec::new();
    };
    match input.parse(zone) {
        Err(errors) => errors.into_iter().map(|(f, m)| (f.to_string(), m)).collect(),
        Ok(record) => zone::conflict(
            records.iter().filter(|r| r.id != editing).map(|r| &r.record),
            &record,
        )
        .map(|m| vec![("name".to_string(), m)])
        .unwrap_or_default(),
    }
}

/// One record form (add or edit): its fields and their errors.
#[derive(Clone, Copy)]
pub(super) struct FormSignals {
    pub(super) input: RwSignal<RecordInput>,
    /// Fields typed in (their errors show from then on).
    pub(super) touched: RwSignal<Vec<&'static str>>,
    /// The server's errors for the last attempt.
    pub(super) server: RwSignal<Errors>,
    pub(super) message: RwSignal<Option<String>>,
    pub(super) busy: RwSignal<bool>,
}

impl FormSignals {
    /// A field typed in: its server error goes, and its own errors show.
    fn set(self, field: &'static str, value: String) {
        self.server.update(|s| s.retain(|(f, _)| f != field));
        self.touched.update(|t| {
            if !t.contains(&field) {
                t.push(field);
            }
        });
        self.input.update(|i| match field {
            "type" => i.kind = value,
            "name" => i.name = value,
            "ttl" => i.ttl = value,
            "content" => i.content = value,
            "priority" => i.priority = value,
            "weight" => i.weight = value,
            "port" => i.port = value,
            "tag" => i.tag = value,
            _ => {}
        });
    }

    /// The field's error: the server's for the last attempt, else what
    /// the browser finds once the field was typed in.
    fn error(self, errors: Memo<Errors>, field: &'static str) -> Option<String> {
        if let Some((_, m)) = self.server.with(|s| s.iter().find(|(f, _)| f == field).cloned()) {
            return Some(m);
        }
        if !self.touched.with(|t| t.contains(&field)) {
            return None;
        }
        errors.with(|e| e.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
    }

    pub(super) fn new(input: RecordInput, server: Errors, message: Option<String>) -> Self {
        let touched = if server.is_empty() {
            Vec::new()
        } else {
            FIELDS.to_vec()
        };
        Self {
            input: RwSignal::new(input),
            touched: RwSignal::new(touched),
            server: RwSignal::new(server),
            message: RwSignal::new(message),
            busy: RwSignal::new(false),
        }
    }

    pub(super) fn reset(&self, input: RecordInput) {
        self.input.set(input);
        self.touched.set(Vec::new());
        self.server.set(Vec::new());
        self.message.set(None);
    }
}

pub(super) const FIELDS: [&str; 8] = [
    "type", "name", "ttl", "content", "priority", "weight", "port", "tag",
];

/// A text field's value in the form.
fn value_of(input: &RecordInput, field: &str) -> String {
    match field {
        "name" => input.name.clone(),
        "ttl" => input.ttl.clone(),
        "content" => input.content.clone(),
        "priority" => input.priority.clone(),
        "weight" => input.weight.clone(),
        "port" => input.port.clone(),
        _ => String::new(),
    }
}

/// The fields of a record form, shown for its type (all of them before
/// the page is interactive, so the plain form can carry any type).
#[component]
pub(super) fn RecordFields(
    prefix: &'static str,
    form: FormSignals,
    records: RwSignal<Vec<RecordRow>>,
    editing_id: String,
    domain: Option<DomainName>,
    hydrated: RwSignal<bool>,
) -> impl IntoView {
    let errors = Memo::new(move |_| {
        let input = form.input.get();
        records.with(|rs| client_errors(domain.as_ref(), &input, rs, &editing_id))
    });
    let kind = move || RecordType::parse(&form.input.with(|i| i.kind.clone()));
    let error_for = move |field: &'static str| move || form.error(errors, field);
    let set = move |field: &'static str, value: String| form.set(field, value);
    let shown = move |test: fn(RecordType) -> bool| move || !hydrated.get() || kind().is_some_and(test);
    let text = move |field: &'static str,
                     label: &'static str,
                     hint: &'static str,
                     mode: &'static str,
                     visible: Option<fn(RecordType) -> bool>| {
        let id = format!("{prefix}-{field}");
        let error_id = format!("{id}-error");
        let hint_id = format!("{id}-hint");
        let err = error_for(field);
        let err2 = error_for(field);
        let err3 = error_for(field);
        let described = {
            let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
            move || {
                if err2().is_some() {
                    error_id.clone()
                } else {
                    hint_id.clone()
                }
            }
        };
        let visible = move || visible.is_none_or(|test| shown(test)());
        view! {
            <div class="field" class:hidden=move || !visible()>
                <label for=id.clone()>{move || if field == "content" { kind().map(|k| k.content_label()).unwrap_or("Value") } else { label }}</label>
                <input class="input" id=id name=field inputmode=mode
                    list=(field == "ttl").then(|| format!("{prefix}-ttl-presets"))
                    placeholder=move || if field == "content" { kind().map(|k| k.content_placeholder()).unwrap_or("") } else { "" }
                    value=form.input.with_untracked(|i| value_of(i, field))
                    prop:value=move || form.input.with(|i| value_of(i, field))
                    aria-invalid=move || err3().is_some().then_some("true")
                    aria-describedby=described
                    on:input=move |ev| set(field, event_target_value(&ev))/>
                <p class="hint" id=hint_id>{hint}</p>
                <p class="error" id=error_id aria-live="polite">{err}</p>
            </div>
        }
    };
    let type_id = format!("{prefix}-type");
    view! {
        <p class="form-error" role="alert">{move || form.message.get()}</p>
        <div class="record-fields">
            <div class="field">
                <label for=type_id.clone()>"Type"</label>
                <select class="input" id=type_id name="type" on:change=move |ev| set("type", event_target_value(&ev))>
                    {RecordType::ALL.iter().map(|t| {
                        let t = *t;
                        view! { <option value=t.as_str() selected=move || kind() == Some(t)>{t.as_str()}</option> }
                    }).collect_view()}
                </select>
            </div>
            {text("name", "Name", "@ for the domain itself, or www, mail, _dmarc…", "text", None)}
            {text("content", "Value", "", "text", None)}
            {text("priority", "Priority", "MX and SRV: lower is preferred (0–65535).", "numeric", Some(RecordType::has_priority))}
            {text("weight", "Weight", "SRV: share among equal priorities (0–65535).", "numeric", Some(RecordType::has_weight_and_port))}
            {text("port", "Port", "SRV: the service's port (0–65535).", "numeric", Some(RecordType::has_weight_and_port))}
            {caa_fields(prefix, form, errors, move || shown(RecordType::has_tag)())}
            {text("ttl", "TTL", "Seconds or 5m, 1h, 1d — from 1 minute to 1 week.", "text", None)}
        </div>
        <datalist id=format!("{prefix}-ttl-presets")>
            {Ttl::PRESETS.iter().map(|(s, l)| view! { <option value=s.to_string()>{*l}</option> }).collect_view()}
        </datalist>
    }
}

/// A CAA record's tag and critical flag (shown for CAA only, once the page
/// is interactive).
fn caa_fields(
    prefix: &'static str,
    form: FormSignals,
    errors: Memo<Errors>,
    visible: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let tag_id = format!("{prefix}-tag");
    let critical_id = format!("{prefix}-critical");
    view! {
    <div class="field" class:hidden=move || !visible()>
        <label for=tag_id.clone()>"CAA tag"</label>
        <select class="input" id=tag_id name="tag" on:change=move |ev| form.set("tag", event_target_value(&ev))>
            {CaaTag::ALL.iter().map(|t| {
                let t = *t;
                view! { <option value=t.as_str() selected=move || form.input.with(|i| i.tag == t.as_str())>{t.label()}</option> }
            }).collect_view()}
        </select>
        <p class="error" aria-live="polite">{move || form.error(errors, "tag")}</p>
    </div>
    <div class="field checkbox" class:hidden=move || !visible()>
        <label>
            <input type="checkbox" id=critical_id name="critical" value="on"
                checked=form.input.with_untracked(|i| i.critical)
                prop:checked=move || form.input.with(|i| i.critical)
                on:change=move |ev| form.input.update(|i| i.critical = event_target_checked(&ev))/>
            " Critical (CAs that do not understand the tag must refuse)"
        </label>
    </div>
    }
}
