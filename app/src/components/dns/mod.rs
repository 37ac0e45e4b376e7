//! The DNS editor as the server draws it: the add form, the filter, the
//! status line and the records part (count, table, pages), and the
//! propagation check's rows. The page draws them with the zone; the part
//! routes (`api::dns::parts`) draw them again for the editor's island,
//! which only puts them in place (`islands::dns`). Without JavaScript the
//! same markup is plain forms and links that the form endpoints answer.

mod fields;
pub mod history;
pub mod propagation;
mod records;

use serde::{Deserialize, Serialize};

pub use fields::{FormState, RecordErrors, RecordFields};
pub use records::{AddRecord, EditorStatus, RecordFilter, RecordsPart};

use crate::api::dns::RecordRow;
use domain::dns::RecordType;
use domain::next_path::encode_query_value;

/// Rows on one page of the table.
pub const PAGE_SIZE: usize = 50;

/// The zone's page.
pub fn zone_path(zone: &str) -> String {
    format!("/domains/{zone}")
}

/// Where the records part is drawn (GET) and the editor's parts post.
pub fn records_path(zone: &str) -> String {
    format!("/domains/{zone}/records")
}

/// Which rows the records part shows and which row is open: the page's
/// query (`?q=&type=&page=&edit=&delete=`), or the part's. Text as typed;
/// a page number that does not parse is the first page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordsQuery {
    pub q: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub page: String,
    pub edit: String,
    pub delete: String,
}

impl RecordsQuery {
    /// The query with every field cut to a sane length.
    pub fn bounded(self) -> Self {
        let cut = |s: String, n: usize| s.chars().take(n).collect::<String>();
        RecordsQuery {
            q: cut(self.q, 200),
            kind: cut(self.kind, 8),
            page: cut(self.page, 6),
            edit: cut(self.edit, 40),
            delete: cut(self.delete, 40),
        }
    }

    fn page_number(&self) -> usize {
        self.page.trim().parse().unwrap_or(1).clamp(1, 100_000)
    }

    /// The same rows with no row open.
    pub fn closed(&self) -> Self {
        RecordsQuery {
            edit: String::new(),
            delete: String::new(),
            ..self.clone()
        }
    }

    /// `q=…&type=…&page=…&edit=…&delete=…`, the fields that are set.
    pub fn encoded(&self) -> String {
        [
            ("q", &self.q),
            ("type", &self.kind),
            ("page", &self.page),
            ("edit", &self.edit),
            ("delete", &self.delete),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// What the records part shows.
#[derive(Debug, Clone)]
pub struct RecordsView {
    pub zone: String,
    pub can_edit: bool,
    /// The view (filter and page) with the open row, if any.
    pub query: RecordsQuery,
    /// The rows of this page.
    pub rows: Vec<RecordRow>,
    pub total: usize,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    /// The row whose form is open, and what its form shows.
    pub editing: Option<(String, FormState)>,
    pub deleting: Option<String>,
    /// Where the focus goes once the part is in place (a selector).
    pub focus: Option<String>,
}

impl RecordsView {
    /// The rows of `records` that `query` asks for; `refused` is a record
    /// form sent back with its errors (its id, empty for a new record).
    pub fn new(
        zone: &str,
        can_edit: bool,
        mut records: Vec<RecordRow>,
        query: RecordsQuery,
        refused: Option<(String, FormState)>,
    ) -> Self {
        let query = query.bounded();
        let total = records.len();
        sort(&mut records);
        let filter = Filter::new(&query.q, &query.kind);
        let kept: Vec<RecordRow> = records.into_iter().filter(|r| filter.keeps(r)).collect();
        let matching = kept.len();
        let pages = matching.div_ceil(PAGE_SIZE).max(1);
        let page = query.page_number().min(pages);
        let rows: Vec<RecordRow> = kept
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect();
        let on_page = |id: &str| rows.iter().find(|r| r.id == id);
        let editing = match refused {
            Some((id, form)) if !id.is_empty() => on_page(&id).map(|_| (id, form)),
            _ => on_page(&query.edit).map(|r| (r.id.clone(), FormState::of(r.record.to_input()))),
        }
        .filter(|_| can_edit);
        let deleting = on_page(&query.delete)
            .filter(|_| can_edit && editing.is_none())
            .map(|r| r.id.clone());
        let focus = match (&editing, &deleting) {
            (Some((id, _)), _) => Some(format!("#r-{id} .input")),
            (None, Some(id)) => Some(format!("#r-{id} button")),
            _ => None,
        };
        RecordsView {
            zone: zone.to_string(),
            can_edit,
            query: RecordsQuery {
                page: page.to_string(),
                ..query
            },
            rows,
            total,
            matching,
            page,
            pages,
            editing,
            deleting,
            focus,
        }
    }

    /// The page's own address for this view with `change` made to it (the
    /// links that work without JavaScript).
    pub fn page_link(&self, change: impl FnOnce(&mut RecordsQuery)) -> String {
        let mut query = self.query.closed();
        change(&mut query);
        with_query(zone_path(&self.zone), &query)
    }

    /// The records part for this view with `change` made to it.
    pub fn part_link(&self, change: impl FnOnce(&mut RecordsQuery)) -> String {
        let mut query = self.query.closed();
        change(&mut query);
        with_query(records_path(&self.zone), &query)
    }
}

fn with_query(path: String, query: &RecordsQuery) -> String {
    match query.encoded() {
        q if q.is_empty() => path,
        q => format!("{path}?{q}"),
    }
}

/// The table's filter: a text in the name or value, and a record type.
struct Filter {
    needle: String,
    wanted: Option<RecordType>,
}

impl Filter {
    fn new(q: &str, kind: &str) -> Self {
        Filter {
            needle: q.trim().to_lowercase(),
            wanted: RecordType::parse(kind),
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

/// The apex first, then by name and type.
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::dns::RecordInput;
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
                    id: (i + 1).to_string(),
                    record: input.parse(&origin).expect("a valid record"),
                }
            })
            .collect()
    }

    fn view(n: usize, query: RecordsQuery) -> RecordsView {
        RecordsView::new("example.org", true, zone(n), query, None)
    }

    fn names(v: &RecordsView) -> Vec<String> {
        v.rows
            .iter()
            .map(|r| r.record.name.as_str().to_string())
            .collect()
    }

    #[test]
    fn a_large_zone_is_drawn_a_page_at_a_time() {
        let v = view(
            1_000,
            RecordsQuery {
                page: "3".into(),
                ..Default::default()
            },
        );
        assert_eq!((v.total, v.matching, v.page, v.pages), (1_000, 1_000, 3, 20));
        let n = names(&v);
        assert_eq!(n.len(), PAGE_SIZE);
        assert_eq!(n.first().map(String::as_str), Some("host0100"));
        assert_eq!(n.last().map(String::as_str), Some("host0149"));
        assert_eq!(
            v.part_link(|q| q.page = "4".into()),
            "/domains/example.org/records?page=4"
        );
    }

    #[test]
    fn past_the_last_page_is_the_last_page_and_a_filter_pages_what_it_keeps() {
        let query = RecordsQuery {
            page: "99".into(),
            q: "HOST09".into(),
            ..Default::default()
        };
        let v = view(1_000, query);
        assert_eq!((v.total, v.matching, v.rows.len(), v.page), (1_000, 100, 50, 2));
        assert_eq!(v.rows[0].record.name.as_str(), "host0950");
        assert_eq!(v.page_link(|_| {}), "/domains/example.org?q=HOST09&page=2");
        let v = view(
            1_000,
            RecordsQuery {
                kind: "TXT".into(),
                ..Default::default()
            },
        );
        assert_eq!((v.matching, v.rows.len()), (1, 1));
        let v = view(
            10,
            RecordsQuery {
                page: "x".into(),
                ..Default::default()
            },
        );
        assert_eq!(v.page, 1);
    }

    #[test]
    fn the_stylesheet_hides_fields_for_every_record_type() {
        let style = include_str!("../../../../style/_dns.scss");
        let line = style
            .lines()
            .find(|l| l.contains("@each $type in"))
            .expect("the @each over types");
        for t in RecordType::ALL {
            assert!(
                line.split_whitespace().any(|w| w == t.as_str()),
                "{} missing from: {line}",
                t.as_str()
            );
        }
    }

    #[test]
    fn a_row_opens_only_on_its_page_and_only_for_an_editor() {
        let v = view(
            100,
            RecordsQuery {
                edit: "3".into(),
                ..Default::default()
            },
        );
        assert_eq!(v.editing.as_ref().map(|(id, _)| id.as_str()), Some("3"));
        assert_eq!(v.focus.as_deref(), Some("#r-3 .input"));
        // Record 80 is on page 2; record 9999 does not exist.
        for edit in ["80", "9999"] {
            let v = view(
                100,
                RecordsQuery {
                    edit: edit.into(),
                    ..Default::default()
                },
            );
            assert!(v.editing.is_none(), "{edit}");
        }
        let v = view(
            100,
            RecordsQuery {
                delete: "4".into(),
                ..Default::default()
            },
        );
        assert_eq!(
            (v.deleting.as_deref(), v.focus.as_deref()),
            (Some("4"), Some("#r-4 button"))
        );
        let reader = RecordsView::new(
            "example.org",
            false,
            zone(10),
            RecordsQuery {
                edit: "3".into(),
                ..Default::default()
            },
            None,
        );
        assert!(reader.editing.is_none());
    }
}
