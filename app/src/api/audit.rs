//! The platform audit log at the HTTP edge: a page of entries (a server
//! function) and the CSV export (a streamed download bounded by the same
//! filter). Staff only; anyone else gets "not found".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// The filter as the query string carries it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub customer: String,
    pub kind: String,
    /// YYYY-MM-DD or "".
    pub from: String,
    pub to: String,
    /// Where the page starts (an entry's cursor), or "" for the newest.
    pub after: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditLine {
    pub at: String,
    pub kind: String,
    pub actor: String,
    /// The customer's page, when the entry is about one who still exists.
    pub subject_href: Option<String>,
    pub subject: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditView {
    pub rows: Vec<AuditLine>,
    /// The cursor of the next (older) page.
    pub next: Option<String>,
    /// (value, label) for the kind filter.
    pub kinds: Vec<(String, String)>,
    /// Why a filter was not used, shown above the list.
    pub problems: Vec<String>,
}

#[cfg(feature = "ssr")]
fn filter_of(query: &AuditQuery) -> (services::audit::Filter, Vec<String>) {
    let mut problems = Vec::new();
    let mut date = |text: &str, what: &str| crate::api::date_filter(text, what, &mut problems);
    let filter = services::audit::Filter {
        actor: query.actor.clone(),
        subject: query.customer.clone(),
        kind: query.kind.clone(),
        from: date(&query.from, "from"),
        to: date(&query.to, "to"),
    };
    (filter, problems)
}

#[cfg(feature = "ssr")]
fn person(name: Option<String>, email: Option<String>) -> String {
    match (name, email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n,
        (None, Some(e)) => e,
        (None, None) => "—".into(),
    }
}

#[server(endpoint = "staff/audit")]
pub async fn staff_audit(query: AuditQuery) -> Result<AuditView, ApiError> {
    use super::edge::error::api_error;
    use services::audit::{entries, kind_label, kinds, Cursor, PAGE_SIZE};
    let (deps, actor) = super::edge::auth::actor()?;
    let (filter, mut problems) = filter_of(&query);
    let after = match query.after.trim() {
        "" => None,
        raw => {
            let c = Cursor::decode(raw);
            if c.is_none() {
                problems.push("That page link is not valid: showing the newest entries.".into());
            }
            c
        }
    };
    let mut rows = entries(&deps.pool, &actor, &filter, after.as_ref(), PAGE_SIZE + 1)
        .await
        .map_err(api_error)?;
    let next = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|e| e.cursor().encode()).unwrap_or_default()
    });
    Ok(AuditView {
        next,
        problems,
        kinds: kinds().into_iter().map(|(k, l)| (k.to_string(), l)).collect(),
        rows: rows
            .into_iter()
            .map(|e| {
                let detail = match (&e.reason, &e.ip) {
                    (Some(r), _) => r.clone(),
                    (None, Some(ip)) => format!("from {ip}"),
                    (None, None) => String::new(),
                };
                AuditLine {
                    at: super::when(e.at),
                    kind: kind_label(&e.source, &e.kind),
                    subject_href: e.subject_id.map(|id| format!("/staff/customers/{id}")),
                    subject: person(e.subject_name, e.subject_email),
                    actor: person(e.actor_name, e.actor_email),
                    detail,
                }
            })
            .collect(),
    })
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::body::{Body, Bytes};
    use axum::extract::{Query, State};
    use axum::http::header;
    use axum::response::{IntoResponse, Response};
    use axum::{routing::get, Router};
    use futures::stream;

    use super::{filter_of, AuditQuery};
    use crate::api::edge::auth::Staff;
    use crate::api::edge::error::{Back, FormResult, ShownOn};
    use crate::api::AppState;
    use services::audit::{csv_row, entries, Cursor, CSV_HEADER, EXPORT_CHUNK, EXPORT_LIMIT};

    pub fn routes() -> Router<AppState> {
        Router::new().route("/staff/audit.csv", get(export))
    }

    /// What the export has left to write.
    struct Export {
        state: AppState,
        actor: services::Actor,
        filter: services::audit::Filter,
        after: Option<Cursor>,
        written: usize,
        done: bool,
    }

    /// The entries matching the filter as CSV, newest first, written a
    /// chunk at a time as they are read (at most `EXPORT_LIMIT` rows).
    async fn export(
        State(state): State<AppState>,
        Staff(actor): Staff,
        Query(query): Query<AuditQuery>,
    ) -> FormResult {
        let back = Back::to("/staff/audit");
        let (filter, problems) = filter_of(&query);
        // A date that is not one would widen the export to everything.
        if let Some(problem) = problems.first() {
            return Err(back.fail(&services::failure::ServiceError::invalid("from", problem)));
        }
        // The first chunk is read before answering, so a refusal is a page.
        let first = entries(&state.deps.pool, &actor, &filter, None, EXPORT_CHUNK)
            .await
            .shown_on(&back)?;
        let mut head = String::from(CSV_HEADER);
        for e in &first {
            head.push_str(&csv_row(e));
        }
        let export = Export {
            after: first.last().map(|e| e.cursor()),
            done: (first.len() as i64) < EXPORT_CHUNK,
            written: first.len(),
            state,
            actor,
            filter,
        };
        let rest = stream::unfold(export, |mut x| async move {
            if x.done || x.written >= EXPORT_LIMIT {
                return None;
            }
            let chunk = match entries(
                &x.state.deps.pool,
                &x.actor,
                &x.filter,
                x.after.as_ref(),
                EXPORT_CHUNK,
            )
            .await
            {
                Ok(chunk) => chunk,
                Err(error) => {
                    tracing::error!(%error, "audit export stopped");
                    return Some((
                        Err(std::io::Error::other("the audit export stopped")),
                        Export { done: true, ..x },
                    ));
                }
            };
            x.done = (chunk.len() as i64) < EXPORT_CHUNK;
            let room = EXPORT_LIMIT - x.written;
            let chunk = &chunk[..chunk.len().min(room)];
            x.written += chunk.len();
            x.after = chunk.last().map(|e| e.cursor());
            let text: String = chunk.iter().map(csv_row).collect();
            Some((Ok(Bytes::from(text)), x))
        });
        let body = stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) }).chain(rest);
        Ok(Response::builder()
            .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
            .header(header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"")
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::from_stream(body))
            .unwrap_or_else(|_| axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()))
    }

    use futures::StreamExt;
}
