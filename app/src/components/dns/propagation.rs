//! "Check propagation": the form, what the portal holds, and a row per
//! name server. The page fills every row when the form is sent without
//! JavaScript (`?check=`); the island asks `probe_path` for each row and
//! puts each answer in place as it comes.

use leptos::prelude::*;

use crate::api::dns::propagation::{ProbeAnswer, ProbeRow};
use domain::dns::RecordType;

/// Where server number `index`'s answer is drawn (GET, with `check` and
/// `check_type`).
pub fn probe_path(zone: &str, index: usize) -> String {
    format!("/domains/{zone}/propagation/{index}")
}

/// A row's state: not asked yet, answered, or why there is no answer.
pub type Probe = Option<Result<ProbeRow, String>>;

#[component]
pub fn PropagationForm(
    zone: String,
    servers: Vec<String>,
    name: String,
    kind: String,
    answers: Vec<ProbeAnswer>,
    #[prop(default = None)] problem: Option<String>,
) -> impl IntoView {
    let kind = if kind.is_empty() { "A".to_string() } else { kind };
    let expected = answers
        .first()
        .map(|a| (a.qname.clone(), a.expected.clone(), a.serial));
    let rows = servers
        .into_iter()
        .enumerate()
        .map(|(i, server)| {
            let probe = answers.get(i).map(|a| Ok(a.row.clone()));
            view! { <ProbeLine index=i server probe/> }
        })
        .collect_view();
    view! {
        <form method="get" class="toolbar propagation-form" data-probe=format!("/domains/{zone}/propagation/")>
            <div class="field">
                <label for="check-name">"Name"</label>
                <input id="check-name" name="check" type="text" placeholder="@ or www" autocomplete="off" value=name
                    aria-invalid=problem.is_some().then_some("true")
                    aria-describedby=problem.is_some().then_some("check-name-error")/>
                <p id="check-name-error" class="error">{problem}</p>
            </div>
            <div class="field">
                <label for="check-type">"Type"</label>
                <select id="check-type" name="check_type">
                    {RecordType::ALL.iter().map(|t| {
                        let t = t.as_str();
                        view! { <option value=t selected=kind == t>{t}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="btn btn-secondary">"Check propagation"</button>
        </form>
        <Expected expected/>
        <div class="table-wrap">
            <table class="table stack propagation-table">
                <thead><tr><th>"Server"</th><th>"Answer"</th><th>"Zone serial"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="visually-hidden" id="propagation-summary" aria-live="polite"></p>
    }
}

/// What the portal itself holds for the name asked about.
#[component]
pub fn Expected(expected: Option<(String, Vec<String>, u32)>) -> impl IntoView {
    view! {
        <p class="propagation-expected" id="propagation-expected" data-swap="">
            {expected.map(|(qname, values, serial)| view! {
                "The portal has " <code>{qname}</code> ": "
                {if values.is_empty() { "no such record".to_string() } else { values.join(", ") }}
                {format!(" (serial {serial})")}
            })}
        </p>
    }
}

/// One server's row.
#[component]
pub fn ProbeLine(index: usize, server: String, probe: Probe) -> impl IntoView {
    let state = match &probe {
        None => "idle",
        Some(Ok(r)) if r.matches && r.problem.is_none() => "matches",
        Some(_) => "differs",
    };
    let (address, answer, serial) = match probe {
        None => (None, "Not asked yet".to_string(), "—".to_string()),
        Some(Err(why)) => (None, why, "—".to_string()),
        Some(Ok(r)) => (r.address.clone(), answer_text(&r), serial_text(&r)),
    };
    view! {
        <tr id=format!("probe-{index}") data-swap="" data-state=state>
            <td data-label="Server">
                <strong>{server}</strong>
                {address.map(|a| view! { <br/><span class="muted">{a}</span> })}
            </td>
            <td data-label="Answer" class="record-value">{answer}</td>
            <td data-label="Zone serial">{serial}</td>
        </tr>
    }
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
