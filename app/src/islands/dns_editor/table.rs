//! The records table: one row per record, the row being edited as its form,
//! and the row being deleted with its confirmation. Links and forms work as
//! plain navigations without JavaScript.

use leptos::prelude::*;

use super::fields::RecordFields;
use super::state::Editor;
use crate::api::dns::RecordRow;

#[component]
pub(super) fn RecordTable(editor: Editor) -> impl IntoView {
    let rows = move || {
        let range = editor.page_range();
        let shown: Vec<RecordRow> = editor.matching.with(|m| {
            editor
                .records
                .with(|rs| m[range].iter().filter_map(|i| rs.get(*i).cloned()).collect())
        });
        let editing = editor.editing.get();
        let deleting = editor.deleting.get();
        shown
            .into_iter()
            .map(|row| {
                if editor.can_edit && editing.as_deref() == Some(row.id.as_str()) {
                    view! { <EditingRow editor id=row.id/> }.into_any()
                } else {
                    let asking = deleting.as_deref() == Some(row.id.as_str());
                    view! { <Row editor row asking/> }.into_any()
                }
            })
            .collect_view()
    };
    // Keyboard users keep their place: every row is drawn anew when one
    // opens or closes, so the focus would fall to the page. A row's form or
    // confirmation takes it when it opens; its Edit or Delete link gets it
    // back when it closes.
    Effect::new(move |before: Option<(Option<String>, Option<String>)>| {
        let now = (editor.editing.get(), editor.deleting.get());
        if let Some((was_editing, was_deleting)) = before {
            let opened = |now: &Option<String>, was: &Option<String>| {
                now.clone().filter(|id| was.as_ref() != Some(id))
            };
            if let Some(id) = opened(&now.0, &was_editing) {
                focus(format!("#r-{id} .input"));
            } else if let Some(id) = opened(&now.1, &was_deleting) {
                focus(format!("#r-{id} button"));
            } else if let (Some(id), None) = (&was_editing, &now.0) {
                focus(format!("#edit-{id}"));
            } else if let (Some(id), None) = (&was_deleting, &now.1) {
                focus(format!("#delete-{id}"));
            }
        }
        now
    });
    view! {
        <div class="table-wrap">
            <table class="table stack records">
                <thead><tr><th>"Name"</th><th>"Type"</th><th>"TTL"</th><th>"Value"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {move || (editor.matching.with(Vec::is_empty)).then(|| view! { <p class="empty-records">"No records match."</p> })}
    }
}

/// The row being edited: the record's form in place.
#[component]
fn EditingRow(editor: Editor, id: String) -> impl IntoView {
    let action = editor.action();
    let form = editor.edit_form;
    let id_for_save = id.clone();
    view! {
        <tr id=format!("r-{id}") class="record-editing">
            <td colspan="5">
                <form method="post" action=format!("{action}/records") class="record-form"
                    aria-label="Edit record"
                    on:submit=move |ev| { ev.prevent_default(); editor.save(form, id_for_save.clone()); }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { editor.editing.set(None); }>
                    <input type="hidden" name="id" value=id.clone()/>
                    <RecordFields prefix="edit" form records=editor.records editing_id=id.clone()
                        domain=editor.domain.get_value() hydrated=editor.hydrated/>
                    <div class="actions">
                        <button class="btn btn-primary" type="submit" disabled=move || form.busy.get()
                            aria-busy=move || form.busy.get().then_some("true")>"Save record"</button>
                        <a class="btn btn-secondary" href=action.clone()
                            on:click=move |ev| { ev.prevent_default(); editor.editing.set(None); }>"Cancel"</a>
                    </div>
                </form>
            </td>
        </tr>
    }
}

/// A record, with its Edit and Delete links (or the delete confirmation).
#[component]
fn Row(editor: Editor, row: RecordRow, asking: bool) -> impl IntoView {
    let r = row.record;
    let id = row.id;
    let what = format!("{} {}", r.name.display(), r.record_type().as_str());
    let actions = if !editor.can_edit {
        ().into_any()
    } else if asking {
        let id_for_delete = id.clone();
        let action = editor.action();
        view! {
            <form method="post" action=format!("{action}/records/delete") class="inline-confirm"
                on:submit=move |ev| { ev.prevent_default(); editor.remove(id_for_delete.clone()); }>
                <input type="hidden" name="id" value=id.clone()/>
                <span>"Delete this record?"</span> " "
                <button class="btn btn-danger btn-small" type="submit">"Delete"</button> " "
                <a class="btn btn-secondary btn-small" href=action.clone()
                    on:click=move |ev| { ev.prevent_default(); editor.deleting.set(None); }>"Keep"</a>
            </form>
        }
        .into_any()
    } else {
        let input = r.to_input();
        let (id_for_edit, id_for_ask) = (id.clone(), id.clone());
        view! {
            <a class="btn btn-secondary btn-small" href=editor.link(format!("edit={id}#r-{id}"))
                id=format!("edit-{id}") aria-label=format!("Edit {what}")
                on:click=move |ev| {
                    ev.prevent_default();
                    editor.edit_form.reset(input.clone());
                    editor.deleting.set(None);
                    editor.editing.set(Some(id_for_edit.clone()));
                }>"Edit"</a> " "
            <a class="btn btn-secondary btn-small" href=editor.link(format!("delete={id}#r-{id}"))
                id=format!("delete-{id}") aria-label=format!("Delete {what}")
                on:click=move |ev| {
                    ev.prevent_default();
                    editor.editing.set(None);
                    editor.deleting.set(Some(id_for_ask.clone()));
                }>"Delete"</a>
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

/// Focuses the first element `selector` finds, once the rows are drawn.
fn focus(selector: String) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        let found = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = found {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = selector;
}
