//! Form endpoints of domains and DNS: the same actions as the editor
//! island, for browsers without JavaScript, plus templates, import,
//! revert and export. Each authorises once and calls one service.

use axum::{
    extract::{multipart::MultipartRejection, DefaultBodyLimit, Multipart, Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Router,
};
use serde::{Deserialize, Serialize};

use super::{record_line, ImportPreview, TemplatePreview};
use crate::api::edge::auth::Actor;
use crate::api::edge::error::{Back, FormError, FormResult, RenderPage, ShownOn};
use crate::api::{AppState, Notice};
use domain::dns::templates::{DmarcPolicy, Options, Template};
use domain::dns::zonefile::{self, Managed};
use domain::dns::RecordInput;
use domain::{AccountId, DomainName};
use services::dns::domains::{self, DomainAccess};
use services::dns::zone;
use services::dns::{history, import, invalid, records, templates, ServiceError};
use services::hosting::access;

/// The largest import form (a zone file of 2 MB and the form around it).
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/domains/new", post(add))
        .route("/domains/{name}/remove", post(remove))
        .route("/domains/{name}/records", post(save_form))
        .route("/domains/{name}/records/delete", post(delete_form))
        .route("/domains/{name}/template", post(template))
        .route("/domains/{name}/revert", post(revert))
        .route("/domains/{name}/export", get(export))
}

/// The import takes an uploaded file, so it reads multipart.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/domains/{name}/import", post(import_zone))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES))
}

fn page(name: &DomainName) -> String {
    format!("/domains/{}", name.as_str())
}

async fn domain_of(
    state: &AppState,
    actor: &Actor,
    name: &str,
    back: &Back,
) -> Result<DomainAccess, FormError> {
    domains::authorize(&state.deps.pool, actor, name)
        .await
        .shown_on(back)
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct AddForm {
    account: String,
    name: String,
}

async fn add(State(state): State<AppState>, actor: Actor, Form(form): Form<AddForm>) -> FormResult {
    let back = Back::to("/domains").keeping(&form);
    let name = DomainName::parse(&form.name)
        .map_err(|e| invalid("name", e))
        .shown_on(&back)?;
    let account = AccountId::parse(&form.account)
        .ok_or_else(|| invalid("account", "Choose a hosting account."))
        .shown_on(&back)?;
    let access = access::authorize(&state.deps.pool, &actor, account)
        .await
        .shown_on(&back)?;
    domains::add(&state.deps, &state.deps.dns, &actor, &access, &name)
        .await
        .shown_on(&back)?;
    Ok(Notice::DomainAdded.redirect(&page(&name)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct RemoveForm {
    confirm: String,
}

async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<RemoveForm>,
) -> FormResult {
    let back = Back::here().keeping(&form);
    let domain = domain_of(&state, &actor, &name, &back).await?;
    let back = Back::to(page(&domain.name)).keeping(&form);
    domains::remove(&state.deps, &actor, &domain, &form.confirm)
        .await
        .shown_on(&back)?;
    Ok(Notice::DomainRemoved.redirect("/domains"))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct RecordForm {
    id: String,
    #[serde(flatten)]
    input: RecordInput,
}

async fn save_form(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<RecordForm>,
) -> FormResult {
    let back = Back::here();
    let domain = domain_of(&state, &actor, &name, &back).await?;
    let edit = if form.id.is_empty() {
        String::new()
    } else {
        format!("?edit={}", form.id)
    };
    let back = Back::to(format!("{}{edit}", page(&domain.name))).keeping(&form);
    let id = super::ids::optional_record(&form.id).shown_on(&back)?;
    records::save(&state.deps, &actor, &domain, id, &form.input)
        .await
        .shown_on(&back)?;
    Ok(Notice::RecordSaved.redirect(&page(&domain.name)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct DeleteForm {
    id: String,
}

async fn delete_form(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<DeleteForm>,
) -> FormResult {
    let back = Back::here();
    let domain = domain_of(&state, &actor, &name, &back).await?;
    let back = Back::to(page(&domain.name));
    let id = super::ids::record(&form.id).shown_on(&back)?;
    records::delete(&state.deps, &actor, &domain, id)
        .await
        .shown_on(&back)?;
    Ok(Notice::RecordDeleted.redirect(&page(&domain.name)))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct TemplateForm {
    template: String,
    policy: String,
    /// "yes" once the preview was seen.
    apply: String,
}

async fn template(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<TemplateForm>,
) -> FormResult {
    let back = Back::here();
    let domain = domain_of(&state, &actor, &name, &back).await?;
    let back = Back::to(format!("{}#templates", page(&domain.name))).keeping(&form);
    let template = Template::parse(&form.template)
        .ok_or_else(|| invalid("template", "Choose a template."))
        .shown_on(&back)?;
    let options = Options {
        dmarc_policy: DmarcPolicy::parse(&form.policy),
        server: None,
    };
    let deps = &state.deps;
    if form.apply == "yes" {
        templates::apply(deps, &deps.dns, &actor, &domain, template, &options)
            .await
            .shown_on(&back)?;
        return Ok(Notice::TemplateApplied.redirect(&page(&domain.name)));
    }
    let plan = templates::preview(deps, &deps.dns, &domain, template, &options)
        .await
        .shown_on(&back)?;
    let preview = TemplatePreview {
        template: template.as_str().into(),
        label: template.label().into(),
        policy: options
            .dmarc_policy
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        add: plan.add.iter().map(record_line).collect(),
        present: plan.present.iter().map(record_line).collect(),
        conflicts: plan.conflicts,
    };
    Ok(RenderPage::at(page(&domain.name)).with(preview).into_response())
}

/// The import form: pasted text or an uploaded file, and whether the
/// preview was seen.
#[derive(Debug, Default)]
struct ImportForm {
    text: String,
    apply: bool,
}

async fn read_import(multipart: Result<Multipart, MultipartRejection>) -> Result<ImportForm, ServiceError> {
    let unreadable = || {
        invalid(
            "zone",
            "The form could not be read: try again, or paste the zone file.",
        )
    };
    let mut multipart = multipart.map_err(|_| unreadable())?;
    let mut form = ImportForm::default();
    let mut file = String::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|_| unreadable())?;
        if bytes.len() > import::MAX_BYTES {
            return Err(invalid("zone", "The zone file is larger than 2 MB."));
        }
        match name.as_str() {
            "zone" => form.text = String::from_utf8_lossy(&bytes).into_owned(),
            "file" if !bytes.is_empty() => {
                file = String::from_utf8(bytes.to_vec())
                    .map_err(|_| invalid("file", "That file is not a text zone file (it is not UTF-8)."))?
            }
            "apply" => form.apply = bytes.as_ref() == b"yes",
            _ => {}
        }
    }
    if !file.is_empty() {
        form.text = file;
    }
    if form.text.trim().is_empty() {
        return Err(invalid("zone", "Paste a zone file or choose one to upload."));
    }
    Ok(form)
}

async fn import_zone(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> FormResult {
    let back = Back::here();
    let domain = domain_of(&state, &actor, &name, &back).await?;
    let back = Back::to(format!("{}#import", page(&domain.name)));
    let form = read_import(multipart).await.shown_on(&back)?;
    let back = back.marking(|f| f.values.push(("zone".into(), form.text.clone())));
    let deps = &state.deps;
    if form.apply {
        import::apply(deps, &actor, &domain, &form.text)
            .await
            .shown_on(&back)?;
        return Ok(Notice::ZoneImported.redirect(&page(&domain.name)));
    }
    let import::Preview { parsed, diff } =
        import::preview(deps, &domain, &form.text).await.shown_on(&back)?;
    let preview = ImportPreview {
        text: form.text,
        problems: parsed.problems,
        ignored: parsed.ignored.len(),
        added: diff.added.iter().map(record_line).collect(),
        changed: diff
            .changed
            .iter()
            .map(|(_, before, after)| (record_line(before), record_line(after)))
            .collect(),
        removed: diff.removed.iter().map(|(_, r)| record_line(r)).collect(),
        unchanged: diff.unchanged,
    };
    let mut render = RenderPage::at(page(&domain.name)).with(preview.clone());
    if !preview.problems.is_empty() {
        render.status = http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(render.into_response())
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct RevertForm {
    change: String,
}

async fn revert(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<RevertForm>,
) -> FormResult {
    let back = Back::here();
    let domain = domain_of(&state, &actor, &name, &back).await?;
    let back = Back::to(format!("{}#history", page(&domain.name)));
    let change = super::ids::change(&form.change).shown_on(&back)?;
    history::revert(&state.deps, &actor, &domain, change)
        .await
        .shown_on(&back)?;
    Ok(Notice::ChangeReverted.redirect(&page(&domain.name)))
}

/// The zone as a BIND zone file, downloaded.
async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
) -> Result<Response, FormError> {
    let back = Back::here();
    let domain = domain_of(&state, &actor, &name, &back).await?;
    let records: Vec<_> = zone::list(&state.deps, &domain)
        .await
        .shown_on(&back)?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let nameservers = domain.nameservers(&state.deps.dns);
    let managed = Managed {
        nameservers: &nameservers,
        serial: domain.serial,
    };
    let text = zonefile::export(&domain.name, &managed, &records);
    let disposition = format!("attachment; filename=\"{}.zone\"", domain.name.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        text,
    )
        .into_response())
}
