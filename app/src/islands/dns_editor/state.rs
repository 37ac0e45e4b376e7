//! The editor's state (the zone's rows, the filter, the row being edited or
//! deleted, the status line) and its three actions: save, delete and undo.
//! A change shows at once and is confirmed or rolled back by the server's
//! answer.

use leptos::prelude::*;

use super::fields::{client_errors, FormSignals, FIELDS};
use super::{apply_result, sort, EditorRows, EditorSeed, Filter, PAGE_SIZE};
use crate::api::dns::RecordRow;
use domain::dns::{RecordInput, RecordType};
use domain::DomainName;

/// Every part of the editor reads and changes this; all of it is `Copy`.
#[derive(Clone, Copy)]
pub(super) struct Editor {
    pub zone: StoredValue<String>,
    pub domain: StoredValue<Option<DomainName>>,
    pub can_edit: bool,
    pub records: RwSignal<Vec<RecordRow>>,
    /// `records` is the whole zone, not only a large zone's first view.
    pub whole: RwSignal<bool>,
    /// The whole zone's counts while only its first view is here.
    pub first: StoredValue<(usize, usize)>,
    pub q: RwSignal<String>,
    pub kind: RwSignal<String>,
    pub page: RwSignal<usize>,
    pub editing: RwSignal<Option<String>>,
    pub deleting: RwSignal<Option<String>>,
    pub status: RwSignal<String>,
    pub last_change: RwSignal<Option<i64>>,
    pub hydrated: RwSignal<bool>,
    /// The rows that match the filter, as indices into `records`.
    pub matching: Memo<Vec<usize>>,
    pub add_form: FormSignals,
    pub edit_form: FormSignals,
}

impl Editor {
    pub fn new(zone: String, rows: EditorRows, can_edit: bool, seed: &EditorSeed) -> Self {
        let domain = DomainName::parse(&zone).ok();
        let records = RwSignal::new(rows.rows);
        let q = RwSignal::new(seed.q.clone());
        let kind = RwSignal::new(seed.kind.clone());
        // The refused form's input and errors go back to the form it came from.
        let (add_seed, edit_seed) = match seed.form.clone() {
            Some((id, input)) if id.is_empty() => (Some(input), None),
            Some((_, input)) => (None, Some(input)),
            None => (None, None),
        };
        let refused = |mine: bool| {
            if mine {
                (seed.errors.clone(), seed.message.clone())
            } else {
                (Vec::new(), None)
            }
        };
        let (errors, message) = refused(add_seed.is_some());
        let add_form = FormSignals::new(
            add_seed
                .clone()
                .unwrap_or_else(|| RecordInput::blank(RecordType::A)),
            errors,
            message,
        );
        let (errors, message) = refused(edit_seed.is_some());
        let edit_input = edit_seed.clone().or_else(|| {
            let id = seed.edit.clone()?;
            records.with_untracked(|rs| rs.iter().find(|r| r.id == id).map(|r| r.record.to_input()))
        });
        let edit_form = FormSignals::new(edit_input.unwrap_or_default(), errors, message);
        let matching = Memo::new(move |_| {
            let filter = Filter::new(&q.get(), &kind.get());
            records.with(|rs| {
                rs.iter()
                    .enumerate()
                    .filter(|(_, r)| filter.keeps(r))
                    .map(|(i, _)| i)
                    .collect::<Vec<usize>>()
            })
        });
        Editor {
            zone: StoredValue::new(zone),
            domain: StoredValue::new(domain),
            can_edit,
            records,
            whole: RwSignal::new(rows.whole),
            first: StoredValue::new((rows.total, rows.matching)),
            q,
            kind,
            page: RwSignal::new(seed.page.max(1)),
            editing: RwSignal::new(seed.edit.clone()),
            deleting: RwSignal::new(seed.deleting.clone()),
            status: RwSignal::new(String::new()),
            last_change: RwSignal::new(None),
            hydrated: RwSignal::new(false),
            matching,
            add_form,
            edit_form,
        }
    }

    /// The zone's page, where the forms post.
    pub fn action(&self) -> String {
        format!("/domains/{}", self.zone.get_value())
    }

    /// Records in the zone, and how many of them the filter keeps.
    pub fn counts(&self) -> (usize, usize) {
        if self.whole.get() {
            (self.records.with(Vec::len), self.matching.with(Vec::len))
        } else {
            self.first.get_value()
        }
    }

    pub fn pages(&self) -> usize {
        self.counts().1.div_ceil(PAGE_SIZE).max(1)
    }

    pub fn current_page(&self) -> usize {
        self.page.get().min(self.pages())
    }

    /// Shows page `page` in place; until the whole zone is here, the link
    /// loads it as a page.
    pub fn turn(&self, ev: &leptos::ev::MouseEvent, page: usize) {
        if self.whole.get_untracked() {
            ev.prevent_default();
            self.page.set(page);
        }
    }

    /// The rows of the current page, as a range of `matching`.
    pub fn page_range(&self) -> std::ops::Range<usize> {
        let shown = self.matching.with(Vec::len);
        if !self.whole.get() {
            // The first view is exactly the page's rows.
            return 0..shown;
        }
        let start = ((self.current_page() - 1) * PAGE_SIZE).min(shown);
        start..(start + PAGE_SIZE).min(shown)
    }

    /// The page's own URL with the filter kept and `extra` added (the
    /// links that work without JavaScript).
    pub fn link(&self, extra: String) -> String {
        let mut query = vec![];
        let (q, kind) = (self.q.get(), self.kind.get());
        if !q.is_empty() {
            query.push(format!("q={}", domain::next_path::encode_query_value(&q)));
        }
        if !kind.is_empty() {
            query.push(format!("type={kind}"));
        }
        if !extra.is_empty() {
            query.push(extra);
        }
        format!("{}?{}", self.action(), query.join("&"))
    }

    /// Saves `form` as record `id` (a new record when empty).
    pub fn save(self, form: FormSignals, id: String) {
        let input = form.input.get_untracked();
        let domain = self.domain.get_value();
        let errors = self
            .records
            .with_untracked(|rs| client_errors(domain.as_ref(), &input, rs, &id));
        if !errors.is_empty() {
            form.touched.set(FIELDS.to_vec());
            form.message
                .set(Some("Please correct the highlighted fields.".into()));
            return;
        }
        let Some(record) = domain.as_ref().and_then(|d| input.parse(d).ok()) else {
            return;
        };
        let records = self.records;
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
        self.status.set("Saving…".into());
        let zone = self.zone.get_value();
        leptos::task::spawn_local(async move {
            let answer = crate::api::dns::queries::save_record(zone, id.clone(), input).await;
            form.busy.set(false);
            match answer {
                Ok(result) => {
                    records.update(|rs| apply_result(rs, &result));
                    self.last_change.set(Some(result.change_id));
                    let added = id.is_empty();
                    if added {
                        let kind = form.input.get_untracked().kind;
                        form.reset(RecordInput::blank(
                            RecordType::parse(&kind).unwrap_or(RecordType::A),
                        ));
                    } else {
                        self.editing.set(None);
                    }
                    self.status.set(format!(
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
                    self.status.set(format!("Not saved: {error}"));
                }
            }
        });
    }

    /// Deletes record `id`.
    pub fn remove(self, id: String) {
        let records = self.records;
        let before = records.get_untracked();
        records.update(|rs| rs.retain(|r| r.id != id));
        self.deleting.set(None);
        self.status.set("Deleting…".into());
        let zone = self.zone.get_value();
        leptos::task::spawn_local(async move {
            match crate::api::dns::queries::delete_record(zone, id).await {
                Ok(result) => {
                    records.update(|rs| apply_result(rs, &result));
                    self.last_change.set(Some(result.change_id));
                    self.status
                        .set(format!("Record deleted. Serial {}.", result.serial));
                }
                Err(error) => {
                    records.set(before);
                    self.status.set(format!("Not deleted: {error}"));
                }
            }
        });
    }

    /// Undoes the last change made on this page.
    pub fn undo(self) {
        let Some(change) = self.last_change.get_untracked() else {
            return;
        };
        self.status.set("Undoing…".into());
        let zone = self.zone.get_value();
        leptos::task::spawn_local(async move {
            match crate::api::dns::queries::undo_change(zone, change).await {
                Ok(result) => {
                    self.records.update(|rs| apply_result(rs, &result));
                    self.last_change.set(None);
                    self.status
                        .set(format!("The last change was undone. Serial {}.", result.serial));
                }
                Err(error) => self.status.set(format!("Not undone: {error}")),
            }
        });
    }
}
