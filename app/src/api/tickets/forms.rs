//! Form endpoints of support. Opening a ticket and replying take files, so
//! they read `multipart/form-data` (bounded: five files of 10 MB, text
//! fields of 64 KB); everything else is a plain form. Each authorises
//! once, turns the form into domain types and calls one service.

use axum::{
    body::Bytes,
    extract::{multipart::MultipartRejection, DefaultBodyLimit, Multipart, Path, State},
    routing::post,
    Form, Router,
};
use serde::{Deserialize, Serialize};

use super::multipart::{read, refuse_oversized, Submitted};
use super::Preview;
use crate::api::edge::auth::Actor;
use crate::api::edge::error::{Back, FormError, FormResult, RenderPage, ShownOn};
use crate::api::{AppState, Notice};
use domain::tickets::{Body, Category, Priority, Rating, Subject, MAX_FILES, MAX_FILE_BYTES};
use domain::{AccountId, TicketNumber};
use services::failure::Invalid;
use services::tickets::access::{self, TicketAccess};
use services::tickets::files::{self, Upload};
use services::tickets::open::{self, NewTicket};
use services::tickets::thread::{self, Reply, StateChange};
use services::tickets::ServiceError;

/// The largest upload request: every file at its largest, plus the text.
pub const MAX_UPLOAD_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024;

/// Whether a request goes to one of the forms that take files (the
/// server's body limit gives them `MAX_UPLOAD_BYTES`).
pub fn takes_files(method: &http::Method, path: &str) -> bool {
    method == http::Method::POST
        && (path == "/support/new" || (path.starts_with("/support/") && path.ends_with("/reply")))
}

/// Forms with files; the caller gives them room for the files.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/support/new", post(create))
        .route("/support/{number}/reply", post(reply))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/support/{number}/state", post(change_state))
        .route("/support/{number}/assign", post(assign))
        .route("/support/{number}/triage", post(triage))
        .route("/support/{number}/rate", post(rate))
        .route("/staff/tickets/close", post(bulk_close))
}

/// The ticket page of a `/support/{number}/…` post (a path segment that
/// is no number answers on the ticket list).
fn ticket_page(raw: &str) -> String {
    match access::parse_number(raw) {
        Ok(number) => format!("/support/{number}"),
        Err(_) => "/support".into(),
    }
}

/// What the new-ticket form keeps when it is shown again.
#[derive(Debug, Default, Serialize)]
struct TicketForm {
    subject: String,
    category: String,
    priority: String,
    account: String,
    body: String,
}

impl TicketForm {
    fn of(s: &Submitted) -> Self {
        Self {
            subject: s.text("subject"),
            category: s.text("category"),
            priority: s.text("priority"),
            account: s.text("account"),
            body: s.text("body"),
        }
    }
}

/// A validated ticket, or every field's error at once.
fn new_ticket(form: &TicketForm, uploads: Vec<Upload>) -> Result<NewTicket, Invalid> {
    let mut invalid = Invalid::default();
    let subject = invalid.check("subject", Subject::parse(&form.subject));
    let category = invalid.check(
        "category",
        Category::parse(&form.category).ok_or("Choose a category."),
    );
    let priority = invalid.check(
        "priority",
        Priority::parse(&form.priority).ok_or("Choose a priority."),
    );
    let account = match form.account.trim() {
        "" => Some(None),
        raw => invalid.check(
            "account",
            AccountId::parse(raw)
                .map(Some)
                .ok_or("Choose one of your hosting accounts."),
        ),
    };
    let body = invalid.check("body", Body::parse(&form.body));
    let files = match files::check(uploads) {
        Ok(files) => Some(files),
        Err(e) => {
            invalid.0.extend(e.0);
            None
        }
    };
    match (subject, category, priority, account, body, files) {
        (Some(subject), Some(category), Some(priority), Some(account), Some(body), Some(files)) => {
            Ok(NewTicket {
                subject,
                category,
                priority,
                account,
                body,
                files,
            })
        }
        _ => Err(invalid),
    }
}

/// The page again with the rendered Markdown under the form (the preview
/// without JavaScript; with it, the preview button fetches it instead).
fn preview(back_to: String, kept: &impl Serialize, body: &str) -> FormResult {
    let back = Back::to(back_to.clone()).keeping(kept);
    let body = Body::parse(body)
        .map_err(|m| Invalid::field("body", m))
        .shown_on(&back)?;
    let html = services::tickets::markdown::render(body.as_str());
    let form = crate::components::form::FormState::keeping(kept);
    Err(FormError::Render(
        RenderPage::at(back_to).with(form).with(Preview(html)),
    ))
}

async fn create(
    State(state): State<AppState>,
    actor: Actor,
    multipart: Result<Multipart, MultipartRejection>,
) -> FormResult {
    // Over the hourly limit: the files are not kept, the text is shown again.
    let allowed = open::may_open(&state.deps, &actor).await;
    let submitted = read(multipart, allowed.is_ok())
        .await
        .shown_on(&Back::to("/support/new"))?;
    let form = TicketForm::of(&submitted);
    let back = Back::to("/support/new").keeping(&form);
    allowed.shown_on(&back)?;
    refuse_oversized(&submitted, &back)?;
    if submitted.text("intent") == "preview" {
        return preview("/support/new".into(), &form, &form.body);
    }
    let input = new_ticket(&form, submitted.files).shown_on(&back)?;
    let number = open::open(&state.deps, &actor, input).await.shown_on(&back)?;
    Ok(Notice::TicketOpened.redirect(&ticket_page(&number.to_string())))
}

/// The acting user's access to the ticket of a `/support/{number}/…` post.
async fn access_to(
    state: &AppState,
    actor: &Actor,
    raw: &str,
    back: &Back,
) -> Result<TicketAccess, FormError> {
    let number = access::parse_number(raw).shown_on(back)?;
    access::authorize(&state.deps.pool, actor, number)
        .await
        .shown_on(back)
}

#[derive(Debug, Default, Serialize)]
struct ReplyForm {
    body: String,
    internal: String,
}

async fn reply(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> FormResult {
    let page = ticket_page(&raw);
    // Who may write here is known before the upload is read.
    let access = access_to(&state, &actor, &raw, &Back::to(page.clone())).await?;
    let allowed = match access.require_current() {
        Ok(()) => thread::may_reply(&state.deps, &actor).await,
        Err(e) => Err(e),
    };
    let submitted = read(multipart, allowed.is_ok())
        .await
        .shown_on(&Back::to(page.clone()))?;
    let form = ReplyForm {
        body: submitted.text("body"),
        internal: submitted.text("internal"),
    };
    let back = Back::to(page.clone()).keeping(&form);
    allowed.shown_on(&back)?;
    refuse_oversized(&submitted, &back)?;
    if submitted.text("intent") == "preview" {
        return preview(page, &form, &form.body);
    }
    let body = Body::parse(&form.body)
        .map_err(|m| Invalid::field("body", m))
        .shown_on(&back)?;
    let files = files::check(submitted.files).shown_on(&back)?;
    let internal = form.internal == "yes";
    thread::reply(
        &state.deps,
        &actor,
        &access,
        Reply {
            body,
            internal,
            files,
        },
    )
    .await
    .shown_on(&back)?;
    let notice = if internal {
        Notice::NoteAdded
    } else {
        Notice::ReplySent
    };
    Ok(notice.redirect(&page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StateForm {
    change: String,
}

async fn change_state(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<StateForm>,
) -> FormResult {
    let page = ticket_page(&raw);
    let back = Back::to(page.clone());
    let access = access_to(&state, &actor, &raw, &back).await?;
    let change = StateChange::parse(&form.change)
        .ok_or_else(|| ServiceError::Conflict("Choose what to do with the ticket.".into()))
        .shown_on(&back)?;
    thread::change_state(&state.deps, &actor, &access, change)
        .await
        .shown_on(&back)?;
    let notice = match change {
        StateChange::Resolve => Notice::TicketResolved,
        StateChange::Close => Notice::TicketClosed,
        StateChange::Reopen => Notice::TicketReopened,
    };
    Ok(notice.redirect(&page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssignForm {
    assignee: String,
}

async fn assign(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<AssignForm>,
) -> FormResult {
    let page = ticket_page(&raw);
    let back = Back::to(page.clone());
    let access = access_to(&state, &actor, &raw, &back).await?;
    let assignee = match form.assignee.trim() {
        "" | "none" => None,
        "me" => Some(actor.id()),
        other => Some(
            uuid::Uuid::parse_str(other)
                .map_err(|_| Invalid::field("assignee", "Choose a member of staff."))
                .shown_on(&back)?,
        ),
    };
    thread::assign(&state.deps, &actor, &access, assignee)
        .await
        .shown_on(&back)?;
    Ok(Notice::TicketAssigned.redirect(&page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TriageForm {
    priority: String,
    category: String,
}

async fn triage(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<TriageForm>,
) -> FormResult {
    let page = ticket_page(&raw);
    let back = Back::to(page.clone());
    let access = access_to(&state, &actor, &raw, &back).await?;
    let mut invalid = Invalid::default();
    let priority = invalid.check(
        "priority",
        Priority::parse(&form.priority).ok_or("Choose a priority."),
    );
    let category = invalid.check(
        "category",
        Category::parse(&form.category).ok_or("Choose a category."),
    );
    let (Some(priority), Some(category)) = (priority, category) else {
        return Err(back.fail(&invalid));
    };
    thread::triage(&state.deps, &access, priority, category)
        .await
        .shown_on(&back)?;
    Ok(Notice::TicketSaved.redirect(&page))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct RateForm {
    rating: String,
    comment: String,
}

async fn rate(
    State(state): State<AppState>,
    actor: Actor,
    Path(raw): Path<String>,
    Form(form): Form<RateForm>,
) -> FormResult {
    let page = ticket_page(&raw);
    let back = Back::to(page.clone()).keeping(&form);
    let access = access_to(&state, &actor, &raw, &back).await?;
    let rating = Rating::parse(&form.rating)
        .ok_or_else(|| Invalid::field("rating", "Choose good or bad."))
        .shown_on(&back)?;
    thread::rate(&state.deps, &actor, &access, rating, &form.comment)
        .await
        .shown_on(&back)?;
    Ok(Notice::TicketRated.redirect(&page))
}

/// Bulk close: repeated `ticket` fields (the queue's ticked rows).
async fn bulk_close(State(state): State<AppState>, actor: Actor, body: Bytes) -> FormResult {
    let back = Back::to("/staff/tickets");
    let numbers: Vec<TicketNumber> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "ticket")
        .filter_map(|(_, v)| access::parse_number(&v).ok())
        .take(500)
        .collect();
    if numbers.is_empty() {
        return Err(back.fail(&Invalid::field("ticket", "Tick the tickets to close first.")));
    }
    thread::bulk_close(&state.deps, &actor, &numbers)
        .await
        .shown_on(&back)?;
    Ok(Notice::TicketsClosed.redirect("/staff/tickets"))
}

#[cfg(test)]
mod tests {
    use super::takes_files;
    use http::Method;

    #[test]
    fn only_the_two_upload_forms_take_files() {
        assert!(takes_files(&Method::POST, "/support/new"));
        assert!(takes_files(&Method::POST, "/support/1001/reply"));
        assert!(!takes_files(&Method::GET, "/support/new"));
        assert!(!takes_files(&Method::POST, "/support/1001/state"));
        assert!(!takes_files(&Method::POST, "/support/preview"));
    }
}
