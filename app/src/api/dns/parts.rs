//! The DNS editor's parts as HTML, for its island (`islands::dns`) to put
//! in place: the records part for a view, a record form's errors as it is
//! typed, the answers to saving, deleting and undoing, and one name
//! server's row of the propagation check. Each authorises once, as the
//! form endpoints do, and draws with the page's own components
//! (`components::dns`).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
    Form, Router,
};
use leptos::prelude::*;
use serde::Deserialize;

use super::propagation::probe;
use super::{convert, ids, ChangeResult, RecordRow};
use crate::api::edge::auth::Actor;
use crate::api::edge::part::{part, part_with, refused};
use crate::api::AppState;
use crate::components::dns::history::History;
use crate::components::dns::propagation::{Expected, ProbeLine};
use crate::components::dns::{EditorStatus, RecordErrors, RecordsPart, RecordsQuery, RecordsView};
use domain::dns::RecordInput;
use domain::Permission;
use services::dns::domains::{self, DomainAccess};
use services::dns::{history, records, zone, ServiceError};
use services::failure::Failure;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/domains/{name}/records", get(records_part))
        .route("/domains/{name}/records/check", post(check))
        .route("/domains/{name}/records/save", post(save))
        .route("/domains/{name}/records/remove", post(remove))
        .route("/domains/{name}/records/undo", post(undo))
        .route("/domains/{name}/history", get(history_part))
        .route("/domains/{name}/propagation/{server}", get(propagation))
}

const DRAWING: &str = "the DNS editor";

async fn domain_of(state: &AppState, actor: &Actor, name: &str) -> Result<DomainAccess, Response> {
    domains::authorize(&state.deps.pool, actor, name)
        .await
        .map_err(|e| refused(e, DRAWING))
}

async fn rows_of(state: &AppState, domain: &DomainAccess) -> Result<Vec<RecordRow>, Response> {
    let records = zone::list(&state.deps, domain)
        .await
        .map_err(|e| refused(e, DRAWING))?;
    Ok(records
        .into_iter()
        .map(|(id, record)| RecordRow {
            id: id.to_string(),
            record,
        })
        .collect())
}

/// The records part of `domain` for `query`.
async fn view_of(
    state: &AppState,
    domain: &DomainAccess,
    query: RecordsQuery,
) -> Result<RecordsView, Response> {
    let rows = rows_of(state, domain).await?;
    Ok(RecordsView::new(
        domain.name.as_str(),
        domain.account.can(Permission::Dns),
        rows,
        query,
        None,
    ))
}

async fn records_part(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Query(query): Query<RecordsQuery>,
) -> Result<Response, Response> {
    let domain = domain_of(&state, &actor, &name).await?;
    let view = view_of(&state, &domain, query).await?;
    Ok(part(|| view! { <RecordsPart view/> }.to_html()))
}

/// The zone's history, drawn again after a change.
async fn history_part(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
) -> Result<Response, Response> {
    let domain = domain_of(&state, &actor, &name).await?;
    let changes = history::recent(&state.deps, &domain)
        .await
        .map_err(|e| refused(e, DRAWING))?
        .into_iter()
        .map(convert::change)
        .collect();
    let (zone, can_edit) = (
        domain.name.as_str().to_string(),
        domain.account.can(Permission::Dns),
    );
    Ok(part(|| view! { <History zone changes can_edit/> }.to_html()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RecordForm {
    id: String,
    #[serde(flatten)]
    input: RecordInput,
}

/// What is wrong with a record form, by field (`records::check`: the
/// rules a save applies, nothing written).
async fn check(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<RecordForm>,
) -> Result<Response, Response> {
    let domain = domain_of(&state, &actor, &name).await?;
    let id = ids::optional_record(&form.id).map_err(|e| refused(e, DRAWING))?;
    let errors: Vec<(String, String)> = records::check(&state.deps, &domain, id, &form.input)
        .await
        .map_err(|e| refused(e, DRAWING))?
        .into_iter()
        .map(|(f, m)| (f.to_string(), m))
        .collect();
    Ok(part(|| view! { <RecordErrors errors message=None/> }.to_html()))
}

/// How a change is answered: what the status line says when it is made
/// (`say`) or not (`not`), where the focus goes, and whether it can be
/// undone (an Undo is not undone from there: the history reverts it).
struct Answer<S> {
    say: S,
    not: &'static str,
    focus: Option<String>,
    undo: bool,
}

/// The answer to a change: the status line with Undo and the records part
/// (the focus back on the edited row's Edit link), or why it was refused.
async fn changed(
    state: &AppState,
    domain: &DomainAccess,
    query: RecordsQuery,
    done: Result<ChangeResult, ServiceError>,
    answer: Answer<impl FnOnce(&ChangeResult) -> String>,
) -> Result<Response, Response> {
    let Answer {
        say,
        not,
        focus,
        undo,
    } = answer;
    let result = match done {
        Ok(result) => result,
        Err(ServiceError::Invalid(fields)) => {
            let errors: Vec<(String, String)> = fields.into_iter().map(|(f, m)| (f.to_string(), m)).collect();
            let message = Some("Please correct the highlighted fields.".to_string());
            return Ok(part_with(StatusCode::UNPROCESSABLE_ENTITY, || {
                view! {
                    <EditorStatus text=format!("{not}: please correct the highlighted fields.")/>
                    <RecordErrors errors message/>
                }
                .to_html()
            }));
        }
        Err(other) => {
            let status = other.status();
            if status.is_server_error() {
                tracing::error!(error = %other, "a DNS change failed");
            }
            let text = format!("{not}: {other}");
            return Ok(part_with(status, || view! { <EditorStatus text/> }.to_html()));
        }
    };
    let text = say(&result);
    let undo = undo.then(|| (domain.name.as_str().to_string(), result.change_id));
    let mut view = view_of(state, domain, query.closed()).await?;
    view.focus = focus;
    Ok(part(|| {
        view! { <EditorStatus text undo/> <RecordsPart view/> }.to_html()
    }))
}

async fn save(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Query(query): Query<RecordsQuery>,
    Form(form): Form<RecordForm>,
) -> Result<Response, Response> {
    let domain = domain_of(&state, &actor, &name).await?;
    let id = ids::optional_record(&form.id);
    let editing = id.as_ref().ok().copied().flatten();
    let done = match id {
        Ok(id) => records::save(&state.deps, &actor, &domain, id, &form.input)
            .await
            .map(convert::applied),
        Err(e) => Err(e),
    };
    let added = form.id.trim().is_empty();
    let say = |r: &ChangeResult| {
        let what = r
            .upserted
            .first()
            .map(|row| {
                format!(
                    "{} {}",
                    row.record.name.display(),
                    row.record.record_type().as_str()
                )
            })
            .unwrap_or_default();
        format!(
            "{} {what}. Serial {}.",
            if added { "Added" } else { "Saved" },
            r.serial
        )
    };
    let focus = editing.map(|id| format!("#edit-{id}"));
    let answer = Answer {
        say,
        not: "Not saved",
        focus,
        undo: true,
    };
    changed(&state, &domain, query, done, answer).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteForm {
    id: String,
}

async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Query(query): Query<RecordsQuery>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, Response> {
    let domain = domain_of(&state, &actor, &name).await?;
    let done = match ids::record(&form.id) {
        Ok(id) => records::delete(&state.deps, &actor, &domain, id)
            .await
            .map(convert::applied),
        Err(e) => Err(e),
    };
    let say = |r: &ChangeResult| format!("Record deleted. Serial {}.", r.serial);
    let answer = Answer {
        say,
        not: "Not deleted",
        focus: Some("#editor-status".into()),
        undo: true,
    };
    changed(&state, &domain, query, done, answer).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UndoForm {
    change: String,
}

async fn undo(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Query(query): Query<RecordsQuery>,
    Form(form): Form<UndoForm>,
) -> Result<Response, Response> {
    let domain = domain_of(&state, &actor, &name).await?;
    let done = match ids::change(&form.change) {
        Ok(change) => history::revert(&state.deps, &actor, &domain, change)
            .await
            .map(convert::applied),
        Err(e) => Err(e),
    };
    let say = |r: &ChangeResult| format!("The last change was undone. Serial {}.", r.serial);
    let answer = Answer {
        say,
        not: "Not undone",
        focus: Some("#editor-status".into()),
        undo: false,
    };
    changed(&state, &domain, query, done, answer).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProbeQuery {
    check: String,
    check_type: String,
}

/// Name server number `server`'s row for the name and type asked about,
/// with what the portal holds; a name that is not valid, by its field.
async fn propagation(
    State(state): State<AppState>,
    actor: Actor,
    Path((name, server)): Path<(String, String)>,
    Query(q): Query<ProbeQuery>,
) -> Result<Response, Response> {
    let domain = domain_of(&state, &actor, &name).await?;
    let index: usize = server
        .parse()
        .map_err(|_| refused(ServiceError::NotFound("No such name server."), DRAWING))?;
    let label = services::dns::propagation::targets(&state.deps.dns)
        .into_iter()
        .nth(index)
        .map(|t| t.label)
        .ok_or_else(|| refused(ServiceError::NotFound("No such name server."), DRAWING))?;
    match probe(&state.deps, &domain, &q.check, &q.check_type, index).await {
        Ok(answer) => {
            let expected = Some((answer.qname, answer.expected, answer.serial));
            let probe = Some(Ok(answer.row));
            Ok(part(|| {
                view! {
                    <p id="check-name-error" class="error" data-swap=""></p>
                    <Expected expected/>
                    <table><tbody><ProbeLine index server=label probe/></tbody></table>
                }
                .to_html()
            }))
        }
        Err(e) => {
            let status = e.status();
            let (field, row) = match &e {
                ServiceError::Invalid(fields) => (fields.first().map(|(_, m)| m.clone()), None),
                other => (None, Some(Err(format!("No answer: {other}")))),
            };
            Ok(part_with(status, || {
                view! {
                    <p id="check-name-error" class="error" data-swap="">{field}</p>
                    <Expected expected=None/>
                    <table><tbody><ProbeLine index server=label probe=row/></tbody></table>
                }
                .to_html()
            }))
        }
    }
}
