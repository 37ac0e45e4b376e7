//! "Check propagation": asks every server at once and fills each row as
//! its answer arrives. Before hydration (or without JavaScript) the form
//! is a plain GET that the page answers with every row filled.

use leptos::prelude::*;

use crate::api::dns::propagation::{ProbeAnswer, ProbeRow};
use domain::dns::RecordType;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Row {
    Idle,
    Asking,
    Answered(ProbeRow),
    Failed(String),
}

fn answer_text(row: &ProbeRow) -> String {
    if let Some(problem) = &row.problem {
        return problem.clone();
    }
    let values = if row.values.is_empty() {
        "no such record".to_string()
    } else {
        row.values.join(", ")
    };
    if row.matches {
        format!("Up to date: {values}")
    } else {
        format!("Differs: {values}")
    }
}

fn serial_text(row: &ProbeRow) -> String {
    match (row.serial, row.serial_current) {
        (Some(s), true) => format!("{s} (current)"),
        (Some(s), false) => format!("{s} (behind)"),
        (None, _) => "—".into(),
    }
}

#[island(lazy)]
pub fn PropagationCheck(
    zone: String,
    servers: Vec<String>,
    name: String,
    kind: String,
    answers: Vec<ProbeAnswer>,
) -> impl IntoView {
    crate::islands::awake("PropagationCheck");
    let name = RwSignal::new(name);
    let kind = RwSignal::new(if kind.is_empty() { "A".to_string() } else { kind });
    let expected = RwSignal::new(
        answers
            .first()
            .map(|a| (a.qname.clone(), a.expected.clone(), a.serial)),
    );
    let rows: Vec<RwSignal<Row>> = servers
        .iter()
        .enumerate()
        .map(|(i, _)| RwSignal::new(answers.get(i).map_or(Row::Idle, |a| Row::Answered(a.row.clone()))))
        .collect();
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(0usize);
    let rows_for_submit = rows.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        pending.set(rows_for_submit.len());
        for (i, row) in rows_for_submit.iter().copied().enumerate() {
            row.set(Row::Asking);
            let (zone, n, k) = (zone.clone(), name.get_untracked(), kind.get_untracked());
            leptos::task::spawn_local(async move {
                match crate::api::dns::propagation::check_propagation(zone, n, k, i).await {
                    Ok(answer) => {
                        expected.set(Some((answer.qname, answer.expected, answer.serial)));
                        row.set(Row::Answered(answer.row));
                    }
                    Err(e) => {
                        if let crate::api::ApiError::Invalid { fields, .. } = &e {
                            error.set(fields.first().map(|(_, m)| m.clone()));
                        }
                        row.set(Row::Failed(e.to_string()));
                    }
                }
                pending.update(|p| *p = p.saturating_sub(1));
            });
        }
    };
    let summary = move || {
        if pending.get() > 0 {
            format!("Asking {} servers…", pending.get())
        } else {
            String::new()
        }
    };
    view! {
        <form method="get" class="toolbar propagation-form" on:submit=on_submit>
            <div class="field">
                <label for="check-name">"Name"</label>
                <input id="check-name" name="check" type="text" placeholder="@ or www" autocomplete="off"
                    value=name.get_untracked() prop:value=name
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=move || error.get().is_some().then_some("check-name-error")
                    on:input=move |ev| name.set(event_target_value(&ev))/>
                {move || error.get().map(|e| view! { <p id="check-name-error" class="error">{e}</p> })}
            </div>
            <div class="field">
                <label for="check-type">"Type"</label>
                <select id="check-type" name="check_type" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {RecordType::ALL.iter().map(|t| {
                        let t = t.as_str();
                        view! { <option value=t selected=move || kind.get() == t>{t}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="btn btn-secondary" disabled=move || { pending.get() > 0 }>"Check propagation"</button>
        </form>
        {move || expected.get().map(expected_line)}
        {server_table(servers, rows)}
        <p class="visually-hidden" aria-live="polite">{summary}</p>
    }
}

/// One row per name server, each filled in as its answer arrives.
fn server_table(servers: Vec<String>, rows: Vec<RwSignal<Row>>) -> impl IntoView {
    view! {
    <div class="table-wrap">
        <table class="table stack propagation-table">
            <thead><tr><th>"Server"</th><th>"Answer"</th><th>"Zone serial"</th></tr></thead>
            <tbody>
                {servers.into_iter().zip(rows).map(|(server, row)| view! {
                    <tr data-state=move || match row.get() {
                        Row::Idle => "idle",
                        Row::Asking => "asking",
                        Row::Answered(r) if r.matches && r.problem.is_none() => "matches",
                        Row::Answered(_) | Row::Failed(_) => "differs",
                    }>
                        <td data-label="Server">
                            <strong>{server}</strong>
                            {move || match row.get() {
                                Row::Answered(ProbeRow { address: Some(a), .. }) => Some(view! { <br/><span class="muted">{a}</span> }),
                                _ => None,
                            }}
                        </td>
                        <td data-label="Answer" class="record-value">{move || match row.get() {
                            Row::Idle => "Not asked yet".to_string(),
                            Row::Asking => "Asking…".to_string(),
                            Row::Answered(r) => answer_text(&r),
                            Row::Failed(e) => e,
                        }}</td>
                        <td data-label="Zone serial">{move || match row.get() {
                            Row::Answered(r) => serial_text(&r),
                            _ => "—".to_string(),
                        }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    </div>
    }
}

/// What the portal itself holds for the name asked about.
fn expected_line((qname, values, serial): (String, Vec<String>, u32)) -> impl IntoView {
    view! {
        <p class="propagation-expected">
            "The portal has " <code>{qname}</code> ": "
            {if values.is_empty() { "no such record".to_string() } else { values.join(", ") }}
            {format!(" (serial {serial})")}
        </p>
    }
}
