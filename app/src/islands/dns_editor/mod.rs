//! The DNS editor: the zone's records as a table that filters as you type
//! and pages through large zones; add, edit and delete in place with the
//! per-type form. Every field is checked as it is typed by the same Rust
//! code the server runs (`RecordInput::parse`, `zone::conflict`); a change
//! shows at once and is confirmed or rolled back by the server's answer;
//! the last change can be undone. Without JavaScript the same markup is
//! plain forms and links that the form endpoints answer.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

mod fields;
mod filter;
mod state;
mod table;

use fields::RecordFields;
use filter::{Pager, RecordFilter};
use state::Editor;
use table::RecordTable;

use crate::api::dns::{ChangeResult, RecordRow};
use domain::dns::RecordInput;

/// Rows on one page of the table.
pub const PAGE_SIZE: usize = 50;

/// What the page asked for: from the URL (`?edit=`, `?delete=`, `?page=`,
/// `?q=`, `?type=`) and, after a refused form post, what was typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorSeed {
    pub edit: Option<String>,
    pub deleting: Option<String>,
    pub page: usize,
    pub q: String,
    pub kind: String,
    /// The refused form: the record's id ("" for a new one) and its input.
    pub form: Option<(String, RecordInput)>,
    pub errors: Vec<(String, String)>,
    pub message: Option<String>,
}

fn sort(records: &mut [RecordRow]) {
    records.sort_by(|a, b| {
        let key = |r: &RecordRow| {
            (
                r.record.name.as_str() != "@",
                r.record.name.as_str().to_string(),
                r.record.record_type(),
            )
        };
        key(a).cmp(&key(b))
    });
}

fn apply_result(records: &mut Vec<RecordRow>, result: &ChangeResult) {
    records.retain(|r| r.id != "pending" && !result.removed.contains(&r.id));
    for row in &result.upserted {
        match records.iter_mut().find(|r| r.id == row.id) {
            Some(existing) => *existing = row.clone(),
            None => records.push(row.clone()),
        }
    }
    sort(records);
}

/// The editor: the add form, the filter, the status line with Undo, the
/// table and its pages, over one shared `Editor`.
#[island]
pub fn DnsEditor(zone: String, records: Vec<RecordRow>, can_edit: bool, seed: EditorSeed) -> impl IntoView {
    let editor = Editor::new(zone, records, can_edit, &seed);
    Effect::new(move |_| editor.hydrated.set(true));

    // A teammate's change (or a template, import or revert on this page)
    // arrives as an activity event: fetch the zone again.
    #[cfg(feature = "hydrate")]
    {
        let refresh = super::live::debounced(400, move || {
            let zone = editor.zone.get_value();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = crate::api::dns::queries::load_zone(zone).await {
                    editor.records.set(fresh.records);
                }
            });
        });
        super::live::subscribe(&[domain::live::EventKind::Activity], move |_| refresh());
    }

    let add_form = editor.add_form;
    view! {
        <div class="dns-editor">
            {can_edit.then(|| view! {
                <section class="card" aria-labelledby="add-record-title">
                    <h2 id="add-record-title">"Add a record"</h2>
                    <form method="post" action=format!("{}/records", editor.action()) class="record-form"
                        on:submit=move |ev| { ev.prevent_default(); editor.save(add_form, String::new()); }>
                        <input type="hidden" name="id" value=""/>
                        <RecordFields prefix="new" form=add_form records=editor.records editing_id=String::new()
                            domain=editor.domain.get_value() hydrated=editor.hydrated/>
                        <div class="actions">
                            <button class="btn btn-primary" type="submit" disabled=move || add_form.busy.get()>"Add record"</button>
                        </div>
                    </form>
                </section>
            })}
            <RecordFilter editor q=seed.q.clone() kind=seed.kind.clone()/>
            <p class="editor-status" role="status" aria-live="polite">
                {move || editor.status.get()}
                {move || editor.last_change.get().map(|_| view! {
                    " " <button class="btn btn-secondary btn-small" type="button" on:click=move |_| editor.undo()>"Undo"</button>
                })}
            </p>
            <RecordTable editor/>
            <Pager editor/>
        </div>
    }
}
