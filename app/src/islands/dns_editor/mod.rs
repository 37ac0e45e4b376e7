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

/// Zones of up to this many records come whole with the page. A larger
/// zone comes as the rows its first view shows, and the editor fetches the
/// rest once it is live: the page stays small however large the zone.
pub const WHOLE_ZONE_UP_TO: usize = 200;

/// The rows the editor starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorRows {
    /// The whole zone, or only the rows of the first view.
    pub rows: Vec<RecordRow>,
    /// Records in the zone, and how many of them the seed's filter keeps.
    pub total: usize,
    pub matching: usize,
    /// `rows` is the whole zone.
    pub whole: bool,
}

impl EditorRows {
    /// The zone's `records`, as the editor starts from them for `seed`.
    pub fn first_view(mut records: Vec<RecordRow>, seed: &EditorSeed) -> Self {
        let total = records.len();
        let filter = Filter::new(&seed.q, &seed.kind);
        if total <= WHOLE_ZONE_UP_TO {
            return EditorRows {
                matching: records.iter().filter(|r| filter.keeps(r)).count(),
                rows: records,
                total,
                whole: true,
            };
        }
        sort(&mut records);
        let kept: Vec<RecordRow> = records.into_iter().filter(|r| filter.keeps(r)).collect();
        let matching = kept.len();
        let page = seed.page.clamp(1, matching.div_ceil(PAGE_SIZE).max(1));
        let rows = kept
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect();
        EditorRows {
            rows,
            total,
            matching,
            whole: false,
        }
    }
}

/// The table's filter: a text in the name or value, and a record type.
struct Filter {
    needle: String,
    wanted: Option<domain::dns::RecordType>,
}

impl Filter {
    fn new(q: &str, kind: &str) -> Self {
        Filter {
            needle: q.trim().to_lowercase(),
            wanted: domain::dns::RecordType::parse(kind),
        }
    }

    fn keeps(&self, row: &RecordRow) -> bool {
        let r = &row.record;
        self.wanted.is_none_or(|t| r.record_type() == t)
            && (self.needle.is_empty()
                || r.name.display().to_lowercase().contains(&self.needle)
                || r.data.display().to_lowercase().contains(&self.needle))
    }
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
#[island(lazy)]
pub fn DnsEditor(zone: String, rows: EditorRows, can_edit: bool, seed: EditorSeed) -> impl IntoView {
    crate::islands::awake("DnsEditor");
    let editor = Editor::new(zone, rows, can_edit, &seed);
    Effect::new(move |_| editor.hydrated.set(true));

    // The rest of a large zone, and a teammate's change (or a template,
    // import or revert on this page), which arrives as an activity event:
    // fetch the zone.
    #[cfg(feature = "hydrate")]
    {
        let load = move || {
            let zone = editor.zone.get_value();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = crate::api::dns::queries::load_zone(zone).await {
                    editor.records.set(fresh.records);
                    editor.whole.set(true);
                }
            });
        };
        if !editor.whole.get_untracked() {
            load();
        }
        let refresh = super::live::debounced(400, load);
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
                            <button class="btn btn-primary" type="submit" disabled=move || add_form.busy.get()
                                aria-busy=move || add_form.busy.get().then_some("true")>"Add record"</button>
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::DomainName;

    /// A zone of `n` A records, host0 … host(n-1), with one TXT among them.
    fn zone(n: usize) -> Vec<RecordRow> {
        let origin = DomainName::parse("example.org").expect("a valid zone");
        (0..n)
            .map(|i| {
                let (kind, content) = if i == 7 {
                    ("TXT", "v=spf1 -all")
                } else {
                    ("A", "203.0.113.10")
                };
                let input = RecordInput {
                    name: format!("host{i:04}"),
                    kind: kind.into(),
                    ttl: "3600".into(),
                    content: content.into(),
                    ..RecordInput::default()
                };
                RecordRow {
                    id: i.to_string(),
                    record: input.parse(&origin).expect("a valid record"),
                }
            })
            .collect()
    }

    #[test]
    fn a_small_zone_comes_whole() {
        let rows = EditorRows::first_view(zone(WHOLE_ZONE_UP_TO), &EditorSeed::default());
        assert!(rows.whole);
        assert_eq!(
            (rows.rows.len(), rows.total, rows.matching),
            (WHOLE_ZONE_UP_TO, WHOLE_ZONE_UP_TO, WHOLE_ZONE_UP_TO)
        );
    }

    #[test]
    fn a_large_zone_comes_as_the_page_the_seed_asks_for() {
        let seed = EditorSeed {
            page: 3,
            ..EditorSeed::default()
        };
        let rows = EditorRows::first_view(zone(1_000), &seed);
        assert!(!rows.whole);
        assert_eq!((rows.total, rows.matching), (1_000, 1_000));
        let names: Vec<_> = rows
            .rows
            .iter()
            .map(|r| r.record.name.as_str().to_string())
            .collect();
        assert_eq!(names.len(), PAGE_SIZE);
        assert_eq!(names.first().map(String::as_str), Some("host0100"));
        assert_eq!(names.last().map(String::as_str), Some("host0149"));

        // Past the last page: the last page. A filter counts and pages what it keeps.
        let seed = EditorSeed {
            page: 99,
            q: "HOST09".into(),
            ..EditorSeed::default()
        };
        let rows = EditorRows::first_view(zone(1_000), &seed);
        assert_eq!((rows.total, rows.matching, rows.rows.len()), (1_000, 100, 50));
        assert_eq!(rows.rows[0].record.name.as_str(), "host0950");
        let seed = EditorSeed {
            kind: "TXT".into(),
            ..EditorSeed::default()
        };
        let rows = EditorRows::first_view(zone(1_000), &seed);
        assert_eq!((rows.matching, rows.rows.len()), (1, 1));
    }
}
