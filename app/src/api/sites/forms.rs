//! The site forms of the account page: upload an archive (multipart, so
//! it works without JavaScript) and put an earlier deploy back.

use axum::{
    extract::{multipart::MultipartRejection, DefaultBodyLimit, Multipart, Path, State},
    routing::post,
    Form, Router,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::edge::auth::Actor;
use crate::api::edge::error::{Back, FormResult, ShownOn};
use crate::api::edge::forms::see_other;
use crate::api::hosting::forms::{access_to, account_page};
use crate::api::{AppState, Notice};
use domain::Permission;
use services::hosting::{invalid, ServiceError};
use services::sites::deploys::{self, MAX_UPLOAD_BYTES};
use services::sites::placement;

/// The upload form: the archive and the multipart framing around it.
pub const MAX_FORM_BYTES: usize = MAX_UPLOAD_BYTES + 64 * 1024;

/// Whether a request is an upload (the server gives it `MAX_FORM_BYTES`).
pub fn takes_archive(method: &http::Method, path: &str) -> bool {
    method == http::Method::POST && path.starts_with("/hosting/") && path.ends_with("/deploys")
}

pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/hosting/{id}/deploys", post(upload))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hosting/{id}/deploys/rollback", post(roll_back))
        .route("/hosting/{id}/site/move", post(move_site))
}

/// The account page at its site section, telling what was done.
fn done(notice: Notice, raw: &str) -> axum::response::Response {
    see_other(&format!("{}#site", notice.on(&account_page(raw))))
}

async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> FormResult {
    let back = Back::to(account_page(&raw));
    // Who may deploy is known before the upload is read.
    let access = access_to(&state, &actor, &raw, &back).await?;
    access.require(Permission::ManageSites).shown_on(&back)?;
    let (file_name, bytes) = read_archive(multipart).await.shown_on(&back)?;
    deploys::upload(&state.deps.pool, &actor, &access, &file_name, bytes)
        .await
        .shown_on(&back)?;
    Ok(done(Notice::SiteUploaded, &raw))
}

/// The `archive` field: its file name and at most one byte past the limit
/// (so the service can say it is too large).
async fn read_archive(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(String, Vec<u8>), ServiceError> {
    let unreadable = || invalid("archive", "The upload could not be read: please try again.");
    let mut multipart = multipart.map_err(|_| unreadable())?;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() != Some("archive") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
            let room = (MAX_UPLOAD_BYTES + 1).saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        return Ok((name, bytes));
    }
    Ok((String::new(), Vec::new()))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct RollbackForm {
    deploy: String,
}

async fn roll_back(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<RollbackForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw));
    let access = access_to(&state, &actor, &raw, &back).await?;
    let deploy = Uuid::parse_str(form.deploy.trim())
        .map_err(|_| ServiceError::NotFound("That deploy does not exist on this account."))
        .shown_on(&back)?;
    deploys::roll_back(&state.deps.pool, &actor, &access, deploy)
        .await
        .shown_on(&back)?;
    Ok(done(Notice::SiteRolledBack, &raw))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct MoveForm {
    node: String,
}

/// Staff move the site to another node of its region.
async fn move_site(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<MoveForm>,
) -> FormResult {
    let back = Back::to(account_page(&raw)).keeping(&form);
    let access = access_to(&state, &actor, &raw, &back).await?;
    let node = Uuid::parse_str(form.node.trim())
        .map_err(|_| invalid("node", "Choose a hosting node of the account's region."))
        .shown_on(&back)?;
    placement::move_to(&state.deps, &actor, &access, node)
        .await
        .shown_on(&back)?;
    Ok(done(Notice::SiteMoved, &raw))
}
