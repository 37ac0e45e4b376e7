//! The editor's pieces: the add form, the filter, the status line, and the
//! records part (count, table with the open row's form or confirmation,
//! pages). Every link and form works as a plain navigation; `data-records`
//! names the part the editor fetches instead, and `data-focus` where the
//! focus goes once it is in place, so keyboard users keep their place.

use leptos::prelude::*;

use super::fields::{FormState, RecordFields};
use super::{records_path, zone_path, RecordsView};
use crate::api::dns::RecordRow;
use crate::islands::fragment::events;
use domain::dns::RecordType;
use domain::live::EventKind;

/// The records part: how many match, the table, the pages. A teammate's
/// change (an activity event) draws it again.
#[component]
pub fn RecordsPart(view: RecordsView) -> impl IntoView {
    let count = if view.matching == view.total {
        format!("{} records", view.total)
    } else {
        format!("{} of {} records match", view.matching, view.total)
    };
    let refresh = view.part_link(|q| {
        q.edit = view.query.edit.clone();
        q.delete = view.query.delete.clone();
    });
    let rows = view
        .rows
        .iter()
        .map(|row| match &view.editing {
            Some((id, form)) if *id == row.id => {
                view! { <EditingRow view=view.clone() id=id.clone() form=form.clone()/> }.into_any()
            }
            _ => {
                let asking = view.deleting.as_deref() == Some(row.id.as_str());
                view! { <Row view=view.clone() row=row.clone() asking/> }.into_any()
            }
        })
        .collect_view();
    let (shown, focus) = (view.query.closed().encoded(), view.focus.clone());
    let empty = view.matching == 0;
    view! {
        <div id="records" class="records-part" data-swap="" data-refresh=refresh data-events=events(&[EventKind::Activity])
            data-view=shown data-focus=focus>
            <p class="muted record-count">{count}</p>
            <div class="table-wrap">
                <table class="table stack records">
                    <thead><tr><th>"Name"</th><th>"Type"</th><th>"TTL"</th><th>"Value"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {empty.then(|| view! { <p class="empty-records">"No records match."</p> })}
            <Pager view/>
        </div>
    }
}

/// The row being edited: the record's form in place. Escape or Cancel
/// closes it unsaved.
#[component]
fn EditingRow(view: RecordsView, id: String, form: FormState) -> impl IntoView {
    let path = records_path(&view.zone);
    view! {
        <tr id=format!("r-{id}") class="record-editing">
            <td colspan="5">
                <form method="post" action=path.clone() class="record-form" aria-label="Edit record"
                    data-part=format!("{path}/save") data-check=format!("{path}/check") data-prefix="edit"
                    data-focus=format!("#edit-{id}")>
                    <input type="hidden" name="id" value=id.clone()/>
                    <RecordFields prefix="edit" form/>
                    <div class="actions">
                        <button class="btn btn-primary" type="submit">"Save record"</button>
                        <a class="btn btn-secondary cancel" href=view.page_link(|_| {})
                            data-records=view.part_link(|_| {}) data-focus=format!("#edit-{id}")>"Cancel"</a>
                    </div>
                </form>
            </td>
        </tr>
    }
}

/// A record, with its Edit and Delete links (or the delete confirmation).
#[component]
fn Row(view: RecordsView, row: RecordRow, asking: bool) -> impl IntoView {
    let r = row.record;
    let id = row.id;
    let what = format!("{} {}", r.name.display(), r.record_type().as_str());
    let actions = if !view.can_edit {
        ().into_any()
    } else if asking {
        let path = records_path(&view.zone);
        view! {
            <form method="post" action=format!("{path}/delete") class="inline-confirm" data-part=format!("{path}/remove")>
                <input type="hidden" name="id" value=id.clone()/>
                <span>"Delete this record?"</span> " "
                <button class="btn btn-danger btn-small" type="submit">"Delete"</button> " "
                <a class="btn btn-secondary btn-small" href=view.page_link(|_| {})
                    data-records=view.part_link(|_| {}) data-focus=format!("#delete-{id}")>"Keep"</a>
            </form>
        }
        .into_any()
    } else {
        let open = |edit: bool| {
            let set = |q: &mut super::RecordsQuery| {
                if edit {
                    q.edit = id.clone();
                } else {
                    q.delete = id.clone();
                }
            };
            (format!("{}#r-{id}", view.page_link(set)), view.part_link(set))
        };
        let ((edit_href, edit_part), (delete_href, delete_part)) = (open(true), open(false));
        view! {
            <a class="btn btn-secondary btn-small" href=edit_href data-records=edit_part
                id=format!("edit-{id}") aria-label=format!("Edit {what}")>"Edit"</a> " "
            <a class="btn btn-secondary btn-small" href=delete_href data-records=delete_part
                id=format!("delete-{id}") aria-label=format!("Delete {what}")>"Delete"</a>
        }
        .into_any()
    };
    view! {
        <tr id=format!("r-{id}") class="record" data-type=r.record_type().as_str() data-name=r.name.as_str().to_string()>
            <td class="stack-title" data-label="Name"><code>{r.name.display()}</code></td>
            <td data-label="Type"><span class="badge">{r.record_type().as_str()}</span></td>
            <td data-label="TTL">{r.ttl.label()}</td>
            <td data-label="Value" class="record-value"><code>{r.data.display()}</code></td>
            <td data-label="Actions" class="record-actions">{actions}</td>
        </tr>
    }
}

#[component]
fn Pager(view: RecordsView) -> impl IntoView {
    let (p, last) = (view.page, view.pages);
    let link = |to: usize, rel: &'static str, label: &'static str| {
        let page = to.to_string();
        view! {
            <a class="btn btn-secondary btn-small" rel=rel href=view.page_link(|q| q.page = page.clone())
                data-records=view.part_link(|q| q.page = page.clone()) data-focus=format!("#records a[rel={rel}]")>{label}</a>
        }
    };
    view! {
        <nav class="pager" aria-label="Record pages">
            {(p > 1).then(|| link(p - 1, "prev", "Previous"))}
            <span class="muted">{format!(" Page {p} of {last} ")}</span>
            {(p < last).then(|| link(p + 1, "next", "Next"))}
        </nav>
    }
}

/// The filter (by name or value, and by type); it narrows the table as
/// you type, and is a plain GET without JavaScript.
#[component]
pub fn RecordFilter(zone: String, q: String, kind: String) -> impl IntoView {
    view! {
        <form method="get" action=zone_path(&zone) class="toolbar record-filter" role="search"
            data-records=records_path(&zone)>
            <label class="visually-hidden" for="record-q">"Filter by name or value"</label>
            <input class="input" id="record-q" name="q" type="search" placeholder="Filter by name or value" value=q/>
            <label class="visually-hidden" for="record-type">"Record type"</label>
            <select class="input" id="record-type" name="type">
                <option value="" selected=kind.is_empty()>"All types"</option>
                {RecordType::ALL.iter().map(|t| view! {
                    <option value=t.as_str() selected=kind == t.as_str()>{t.as_str()}</option>
                }).collect_view()}
            </select>
            <noscript><button class="btn btn-secondary" type="submit">"Filter"</button></noscript>
        </form>
        // What the filter found, read out (the count itself is in the part,
        // which is replaced as you type).
        <p class="visually-hidden" id="records-found" aria-live="polite"></p>
    }
}

/// The editor's status line: what the last change did, with Undo (a
/// revert of that change), or why it was not made.
#[component]
pub fn EditorStatus(
    #[prop(default = String::new())] text: String,
    #[prop(default = None)] undo: Option<(String, i64)>,
) -> impl IntoView {
    view! {
        <div id="editor-status" class="editor-status" role="status" data-swap="" tabindex="-1">
            {text}
            {undo.map(|(zone, change)| {
                let path = records_path(&zone);
                view! {
                    " "
                    <form method="post" action=format!("{}/revert", zone_path(&zone)) class="undo-form" data-part=format!("{path}/undo")>
                        <input type="hidden" name="change" value=change.to_string()/>
                        <button class="btn btn-secondary btn-small" type="submit">"Undo"</button>
                    </form>
                }
            })}
        </div>
    }
}

/// "Add a record", for whoever may edit the zone.
#[component]
pub fn AddRecord(zone: String, form: FormState) -> impl IntoView {
    let path = records_path(&zone);
    view! {
        <section class="card" aria-labelledby="add-record-title">
            <h2 id="add-record-title">"Add a record"</h2>
            <form method="post" action=path.clone() class="record-form" id="add-record"
                data-part=format!("{path}/save") data-check=format!("{path}/check") data-prefix="new">
                <input type="hidden" name="id" value=""/>
                <RecordFields prefix="new" form/>
                <div class="actions">
                    <button class="btn btn-primary" type="submit">"Add record"</button>
                </div>
            </form>
        </section>
    }
}
