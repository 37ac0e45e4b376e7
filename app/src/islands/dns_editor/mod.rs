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

use fields::{client_errors, FormSignals, RecordFields, FIELDS};

use crate::api::dns::{ChangeResult, RecordRow};
use crate::domain::dns::{RecordInput, RecordType};
use crate::domain::DomainName;

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

#[island]
pub fn DnsEditor(zone: String, records: Vec<RecordRow>, can_edit: bool, seed: EditorSeed) -> impl IntoView {
    let domain = DomainName::parse(&zone).ok();
    let action = format!("/domains/{zone}");
    let records = RwSignal::new(records);
    let q = RwSignal::new(seed.q.clone());
    let kind = RwSignal::new(seed.kind.clone());
    let page = RwSignal::new(seed.page.max(1));
    let editing = RwSignal::new(seed.edit.clone());
    let deleting = RwSignal::new(seed.deleting.clone());
    let status = RwSignal::new(String::new());
    let last_change = RwSignal::new(None::<i64>);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let (add_seed, edit_seed) = match seed.form.clone() {
        Some((id, input)) if id.is_empty() => (Some(input), None),
        Some((_, input)) => (None, Some(input)),
        None => (None, None),
    };
    let add_form = FormSignals::new(
        add_seed
            .clone()
            .unwrap_or_else(|| RecordInput::blank(RecordType::A)),
        if add_seed.is_some() {
            seed.errors.clone()
        } else {
            Vec::new()
        },
        if add_seed.is_some() {
            seed.message.clone()
        } else {
            None
        },
    );
    let edit_input = edit_seed.clone().or_else(|| {
        let id = seed.edit.clone()?;
        records.with_untracked(|rs| rs.iter().find(|r| r.id == id).map(|r| r.record.to_input()))
    });
    let edit_form = FormSignals::new(
        edit_input.unwrap_or_default(),
        if edit_seed.is_some() {
            seed.errors.clone()
        } else {
            Vec::new()
        },
        if edit_seed.is_some() {
            seed.message.clone()
        } else {
            None
        },
    );

    // The rows that match the filter, as indices into `records`.
    let matching = Memo::new(move |_| {
        let needle = q.get().trim().to_lowercase();
        let wanted = RecordType::parse(&kind.get());
        records.with(|rs| {
            rs.iter()
                .enumerate()
                .filter(|(_, r)| wanted.is_none_or(|t| r.record.record_type() == t))
                .filter(|(_, r)| {
                    needle.is_empty()
                        || r.record.name.display().to_lowercase().contains(&needle)
                        || r.record.data.display().to_lowercase().contains(&needle)
                })
                .map(|(i, _)| i)
                .collect::<Vec<usize>>()
        })
    });
    let pages = move || matching.with(|m| m.len().div_ceil(PAGE_SIZE).max(1));
    let current_page = move || page.get().min(pages());

    let zone_for_save = zone.clone();
    let domain_for_save = domain.clone();
    let save = move |form: FormSignals, id: String| {
        let input = form.input.get_untracked();
        let errors = records.with_untracked(|rs| client_errors(domain_for_save.as_ref(), &input, rs, &id));
        if !errors.is_empty() {
            form.touched.set(FIELDS.to_vec());
            form.message
                .set(Some("Please correct the highlighted fields.".into()));
            return;
        }
        let Some(record) = domain_for_save.as_ref().and_then(|d| input.parse(d).ok()) else {
            return;
        };
        // Shown at once; the server's answer confirms or rolls it back.
        let before = records.get_untracked();
        records.update(|rs| {
            match rs.iter_mut().find(|r| r.id == id && !id.is_empty()) {
                Some(row) => row.record = record.clone(),
                None => rs.push(RecordRow {
                    id: "pending".into(),
                    record: record.clone(),
                }),
            }
            sort(rs);
        });
        form.busy.set(true);
        form.message.set(None);
        status.set("Saving…".into());
        let zone = zone_for_save.clone();
        leptos::task::spawn_local(async move {
            let answer = crate::api::dns::queries::save_record(zone, id.clone(), input).await;
            form.busy.set(false);
            match answer {
                Ok(result) => {
                    records.update(|rs| apply_result(rs, &result));
                    last_change.set(Some(result.change_id));
                    let added = id.is_empty();
                    if added {
                        let kind = form.input.get_untracked().kind;
                        form.reset(RecordInput::blank(
                            RecordType::parse(&kind).unwrap_or(RecordType::A),
                        ));
                    } else {
                        editing.set(None);
                    }
                    status.set(format!(
                        "{} {} {}. Serial {}.",
                        if added { "Added" } else { "Saved" },
                        record.name.display(),
                        record.record_type().as_str(),
                        result.serial
                    ));
                }
                Err(error) => {
                    records.set(before);
                    if let crate::api::ApiError::Invalid { fields, message } = &error {
                        form.server.set(fields.clone());
                        form.message.set(Some(message.clone()));
                    } else {
                        form.message.set(Some(error.to_string()));
                    }
                    status.set(format!("Not saved: {error}"));
                }
            }
        });
    };

    let zone_for_delete = zone.clone();
    let remove = move |id: String| {
        let before = records.get_untracked();
        records.update(|rs| rs.retain(|r| r.id != id));
        deleting.set(None);
        status.set("Deleting…".into());
        let zone = zone_for_delete.clone();
        leptos::task::spawn_local(async move {
            match crate::api::dns::queries::delete_record(zone, id).await {
                Ok(result) => {
                    records.update(|rs| apply_result(rs, &result));
                    last_change.set(Some(result.change_id));
                    status.set(format!("Record deleted. Serial {}.", result.serial));
                }
                Err(error) => {
                    records.set(before);
                    status.set(format!("Not deleted: {error}"));
                }
            }
        });
    };

    let zone_for_undo = zone.clone();
    let undo = move |_| {
        let Some(change) = last_change.get_untracked() else {
            return;
        };
        status.set("Undoing…".into());
        let zone = zone_for_undo.clone();
        leptos::task::spawn_local(async move {
            match crate::api::dns::queries::undo_change(zone, change).await {
                Ok(result) => {
                    records.update(|rs| apply_result(rs, &result));
                    last_change.set(None);
                    status.set(format!("The last change was undone. Serial {}.", result.serial));
                }
                Err(error) => status.set(format!("Not undone: {error}")),
            }
        });
    };

    // A teammate's change (or a template, import or revert on this page)
    // arrives as an activity event: fetch the zone again.
    #[cfg(feature = "hydrate")]
    {
        let zone = zone.clone();
        let refresh = super::live::debounced(400, move || {
            let zone = zone.clone();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = crate::api::dns::queries::load_zone(zone).await {
                    records.set(fresh.records);
                }
            });
        });
        super::live::subscribe(&[crate::domain::live::EventKind::Activity], move |_| refresh());
    }

    let link = {
        let action = action.clone();
        move |extra: String| {
            let mut query = vec![];
            let q = q.get();
            let kind = kind.get();
            if !q.is_empty() {
                query.push(format!("q={}", crate::domain::next_path::encode_query_value(&q)));
            }
            if !kind.is_empty() {
                query.push(format!("type={kind}"));
            }
            if !extra.is_empty() {
                query.push(extra);
            }
            format!("{action}?{}", query.join("&"))
        }
    };

    let save_new = save.clone();
    let domain_for_rows = domain.clone();
    let action_for_rows = action.clone();
    let link_for_rows = link.clone();
    let rows = move || {
        let (start, end) = {
            let total = matching.with(Vec::len);
            let start = (current_page() - 1) * PAGE_SIZE;
            (start.min(total), (start + PAGE_SIZE).min(total))
        };
        let shown: Vec<RecordRow> = matching
            .with(|m| records.with(|rs| m[start..end].iter().filter_map(|i| rs.get(*i).cloned()).collect()));
        shown
            .into_iter()
            .map(|row| {
                let id = row.id.clone();
                let is_editing = editing.get().as_deref() == Some(id.as_str());
                let is_deleting = deleting.get().as_deref() == Some(id.as_str());
                let anchor = format!("r-{id}");
                if is_editing && can_edit {
                    let save = save.clone();
                    let id_for_save = id.clone();
                    let domain = domain_for_rows.clone();
                    return view! {
                        <tr id=anchor class="record-editing">
                            <td colspan="5">
                                <form method="post" action=format!("{action_for_rows}/records") class="record-form"
                                    aria-label="Edit record"
                                    on:submit=move |ev| { ev.prevent_default(); save(edit_form, id_for_save.clone()); }
                                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { editing.set(None); }>
                                    <input type="hidden" name="id" value=id.clone()/>
                                    <RecordFields prefix="edit" form=edit_form records editing_id=id.clone() domain hydrated/>
                                    <div class="actions">
                                        <button class="btn btn-primary" type="submit" disabled=move || edit_form.busy.get()>"Save record"</button>
                                        <a class="btn btn-secondary" href=action_for_rows.clone()
                                            on:click=move |ev| { ev.prevent_default(); editing.set(None); }>"Cancel"</a>
                                    </div>
                                </form>
                            </td>
                        </tr>
                    }
                    .into_any();
                }
                let r = row.record.clone();
                let remove = remove.clone();
                let id_for_delete = id.clone();
                let id_for_edit = id.clone();
                let id_for_ask = id.clone();
                let input = r.to_input();
                view! {
                    <tr id=anchor class="record" data-type=r.record_type().as_str() data-name=r.name.as_str().to_string()>
                        <td class="stack-title" data-label="Name"><code>{r.name.display()}</code></td>
                        <td data-label="Type"><span class="badge">{r.record_type().as_str()}</span></td>
                        <td data-label="TTL">{r.ttl.label()}</td>
                        <td data-label="Value" class="record-value"><code>{r.data.display()}</code></td>
                        <td data-label="Actions" class="record-actions">
                            {if !can_edit {
                                ().into_any()
                            } else if is_deleting {
                                view! {
                                    <form method="post" action=format!("{action_for_rows}/records/delete") class="inline-confirm"
                                        on:submit=move |ev| { ev.prevent_default(); remove(id_for_delete.clone()); }>
                                        <input type="hidden" name="id" value=id.clone()/>
                                        <span>"Delete this record?"</span> " "
                                        <button class="btn btn-danger btn-small" type="submit">"Delete"</button> " "
                                        <a class="btn btn-secondary btn-small" href=action_for_rows.clone()
                                            on:click=move |ev| { ev.prevent_default(); deleting.set(None); }>"Keep"</a>
                                    </form>
                                }.into_any()
                            } else {
                                let edit_href = link_for_rows(format!("edit={id}#r-{id}"));
                                let delete_href = link_for_rows(format!("delete={id}#r-{id}"));
                                view! {
                                    <a class="btn btn-secondary btn-small" href=edit_href
                                        aria-label=format!("Edit {} {}", r.name.display(), r.record_type().as_str())
                                        on:click=move |ev| {
                                            ev.prevent_default();
                                            edit_form.reset(input.clone());
                                            deleting.set(None);
                                            editing.set(Some(id_for_edit.clone()));
                                        }>"Edit"</a> " "
                                    <a class="btn btn-secondary btn-small" href=delete_href
                                        aria-label=format!("Delete {} {}", r.name.display(), r.record_type().as_str())
                                        on:click=move |ev| {
                                            ev.prevent_default();
                                            editing.set(None);
                                            deleting.set(Some(id_for_ask.clone()));
                                        }>"Delete"</a>
                                }.into_any()
                            }}
                        </td>
                    </tr>
                }
                .into_any()
            })
            .collect_view()
    };

    let link_for_pager = link.clone();
    let domain_for_add = domain.clone();
    view! {
        <div class="dns-editor">
            {can_edit.then(|| view! {
                <section class="card" aria-labelledby="add-record-title">
                    <h2 id="add-record-title">"Add a record"</h2>
                    <form method="post" action=format!("{action}/records") class="record-form"
                        on:submit=move |ev| { ev.prevent_default(); save_new(add_form, String::new()); }>
                        <input type="hidden" name="id" value=""/>
                        <RecordFields prefix="new" form=add_form records editing_id=String::new() domain=domain_for_add hydrated/>
                        <div class="actions">
                            <button class="btn btn-primary" type="submit" disabled=move || add_form.busy.get()>"Add record"</button>
                        </div>
                    </form>
                </section>
            })}
            <form method="get" action=action.clone() class="toolbar record-filter" role="search"
                on:submit=|ev| ev.prevent_default()>
                <label class="visually-hidden" for="record-q">"Filter by name or value"</label>
                <input class="input" id="record-q" name="q" type="search" placeholder="Filter by name or value"
                    value=seed.q.clone()
                    prop:value=move || q.get()
                    on:input=move |ev| { q.set(event_target_value(&ev)); page.set(1); }/>
                <label class="visually-hidden" for="record-type">"Record type"</label>
                <select class="input" id="record-type" name="type"
                    on:change=move |ev| { kind.set(event_target_value(&ev)); page.set(1); }>
                    <option value="" selected=seed.kind.is_empty()>"All types"</option>
                    {RecordType::ALL.iter().map(|t| view! {
                        <option value=t.as_str() selected=seed.kind == t.as_str()>{t.as_str()}</option>
                    }).collect_view()}
                </select>
                <noscript><button class="btn btn-secondary" type="submit">"Filter"</button></noscript>
            </form>
            <p class="muted record-count" aria-live="polite">
                {move || {
                    let total = records.with(Vec::len);
                    let shown = matching.with(Vec::len);
                    if shown == total {
                        format!("{total} records")
                    } else {
                        format!("{shown} of {total} records match")
                    }
                }}
            </p>
            <p class="editor-status" role="status" aria-live="polite">
                {move || status.get()}
                {move || last_change.get().map(|_| view! {
                    " " <button class="btn btn-secondary btn-small" type="button" on:click=undo.clone()>"Undo"</button>
                })}
            </p>
            <div class="table-wrap">
                <table class="table stack records">
                    <thead><tr><th>"Name"</th><th>"Type"</th><th>"TTL"</th><th>"Value"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {move || (matching.with(Vec::is_empty)).then(|| view! { <p class="empty-records">"No records match."</p> })}
            <nav class="pager" aria-label="Record pages">
                {move || {
                    let p = current_page();
                    let last = pages();
                    let prev_href = link_for_pager(format!("page={}", p.saturating_sub(1).max(1)));
                    let next_href = link_for_pager(format!("page={}", p + 1));
                    view! {
                        {(p > 1).then(|| view! {
                            <a class="btn btn-secondary btn-small" href=prev_href rel="prev"
                                on:click=move |ev| { ev.prevent_default(); page.set(p - 1); }>"Previous"</a>
                        })}
                        <span class="muted">{format!(" Page {p} of {last} ")}</span>
                        {(p < last).then(|| view! {
                            <a class="btn btn-secondary btn-small" href=next_href rel="next"
                                on:click=move |ev| { ev.prevent_default(); page.set(p + 1); }>"Next"</a>
                        })}
                    }
                }}
            </nav>
        </div>
    }
}
