//! Form endpoints of the accounts area. Each parses the form, calls one
//! function of `services::accounts`, and redirects or re-renders the page
//! with errors next to the fields.

use std::collections::HashMap;

use axum::{
    extract::State,
    http::{request::Parts, StatusCode},
    response::Response,
    routing::post,
    Form, Router,
};

use super::forms::{render_form, see_other, sign_in_first, signed_in, with_retry_after};
use super::session::{client_info, session_token};
use super::AppState;
use crate::components::form::FormState;
use crate::domain::{CurrentUser, NextPath};
use crate::services::sign_in::{self, SignedIn};
use crate::services::{accounts, accounts::AccountError, sessions};

pub(crate) type Fields = Form<HashMap<String, String>>;

/// Per-IP limit on the account forms, on top of the per-account counters in
/// the database: a burst, then one request every `replenish`.
#[derive(Debug, Clone, Copy)]
pub struct IpLimit {
    pub burst: u32,
    pub replenish: std::time::Duration,
}

impl Default for IpLimit {
    fn default() -> Self {
        Self {
            burst: 10,
            replenish: std::time::Duration::from_secs(3),
        }
    }
}

fn too_many_requests(error: tower_governor::GovernorError) -> Response {
    use axum::response::IntoResponse;
    let wait = match error {
        tower_governor::GovernorError::TooManyRequests { wait_time, .. } => wait_time.max(1),
        other => {
            tracing::warn!(error = %other, "rate limiter could not identify the client");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts</title></head>\
         <body><main><h1>Too many attempts</h1><p>Too many requests came from your network. \
         Try again in {wait} second(s).</p><p><a href=\"/login\">Back to sign in</a></p></main></body></html>"
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (axum::http::header::RETRY_AFTER, wait.to_string()),
            (
                axum::http::header::CONTENT_TYPE,
                "text/html; charset=utf-8".to_string(),
            ),
        ],
        body,
    )
        .into_response()
}

pub fn routes(limit: IpLimit) -> Router<AppState> {
    let governor = tower_governor::governor::GovernorConfigBuilder::default()
        .period(limit.replenish)
        .burst_size(limit.burst.max(1))
        .finish()
        .map(|config| tower_governor::GovernorLayer::new(config).error_handler(too_many_requests));
    let router = Router::new()
        .route("/signup", post(sign_up))
        .route("/login", post(sign_in))
        .route("/logout", post(sign_out))
        .route("/verify-email", post(verify_email))
        .route("/verify-email/resend", post(resend_verification))
        .route("/forgot-password", post(forgot_password))
        .route("/reset-password", post(reset_password))
        .route("/confirm-email", post(confirm_email))
        .route("/settings/profile/name", post(change_name))
        .route("/settings/profile/email", post(change_email))
        .route("/settings/password", post(change_password))
        .route("/settings/delete", post(delete_account));
    match governor {
        Some(layer) => router.layer(layer),
        None => {
            tracing::error!("invalid per-IP rate limit; account forms are not limited per IP");
            router
        }
    }
}

pub(crate) fn get<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(String::as_str).unwrap_or("")
}

/// Keeps what the user typed (never passwords) for the re-rendered form.
pub(crate) fn keep(fields: &HashMap<String, String>, names: &[&str]) -> FormState {
    FormState {
        values: names
            .iter()
            .map(|n| (n.to_string(), get(fields, n).to_string()))
            .collect(),
        ..FormState::default()
    }
}

/// Turns a service error into the re-rendered form (or a 429 page).
pub(crate) async fn show_error(
    state: &AppState,
    parts: &Parts,
    page: Option<&str>,
    mut form: FormState,
    error: AccountError,
) -> Response {
    let status = match &error {
        AccountError::StepUpRequired => {
            let back = page.unwrap_or(parts.uri.path());
            return see_other(&confirm_identity_path(back), None);
        }
        AccountError::SignInExpired => StatusCode::BAD_REQUEST,
        AccountError::TwoFactorOff => StatusCode::CONFLICT,
        AccountError::Invalid(errors) => {
            form.errors = errors.iter().map(|(f, m)| (f.to_string(), m.clone())).collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AccountError::EmailTaken => {
            form.errors.push(("email".into(), error.to_string()));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AccountError::Internal(detail) => {
            tracing::error!(%detail, "account request failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        AccountError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        AccountError::InvalidCredentials | AccountError::WrongPassword => StatusCode::UNAUTHORIZED,
        AccountError::EmailNotVerified => StatusCode::FORBIDDEN,
        AccountError::TokenInvalid | AccountError::TokenExpired => StatusCode::BAD_REQUEST,
    };
    if !matches!(error, AccountError::Invalid(_) | AccountError::EmailTaken) {
        form.message = Some(error.to_string());
    }
    let response = render_form(state, parts, page, form, status).await;
    match error {
        AccountError::RateLimited(retry) => with_retry_after(response, retry.0),
        _ => response,
    }
}

/// The "confirm it's you" page, coming back to `back` afterwards.
pub(crate) fn confirm_identity_path(back: &str) -> String {
    let back = NextPath::or_dashboard(Some(back));
    format!(
        "/confirm-identity?next={}",
        crate::domain::next_path::encode_query_value(back.as_str())
    )
}

async fn sign_up(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    let input = accounts::SignUp {
        name: get(&f, "name").into(),
        email: get(&f, "email").into(),
        password: get(&f, "password").into(),
    };
    match accounts::sign_up(&state.pool, &state.settings.links(), input, &client_info(&parts)).await {
        Ok(_) => see_other("/signup/sent", None),
        Err(e) => show_error(&state, &parts, None, keep(&f, &["name", "email"]), e).await,
    }
}

async fn sign_in(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    let next = NextPath::or_dashboard(f.get("next").map(String::as_str));
    let result = sign_in::sign_in(
        &state.pool,
        &state.settings.links(),
        get(&f, "email"),
        get(&f, "password"),
        &client_info(&parts),
        state.settings.clock.now(),
    )
    .await;
    let secure = state.settings.secure_cookies();
    match result {
        Ok(SignedIn::Session(token)) => see_other(next.as_str(), Some(sessions::cookie(&token, secure))),
        Ok(SignedIn::NeedsCode(pending)) => see_other(
            &format!(
                "/login/two-factor?next={}",
                crate::domain::next_path::encode_query_value(next.as_str())
            ),
            Some(sign_in::pending_cookie(&pending, secure)),
        ),
        Err(e) => {
            let mut form = keep(&f, &["email"]);
            form.unverified = matches!(e, AccountError::EmailNotVerified);
            show_error(&state, &parts, None, form, e).await
        }
    }
}

async fn sign_out(State(state): State<AppState>, parts: Parts) -> Response {
    if let Some(token) = session_token(&parts) {
        let user = parts.extensions.get::<CurrentUser>();
        if let Err(error) = sessions::sign_out(&state.pool, &token, user, &client_info(&parts)).await {
            tracing::error!(%error, "could not end the session");
        }
    }
    see_other(
        "/login?signed_out=1",
        Some(sessions::clear_cookie(state.settings.secure_cookies())),
    )
}

async fn verify_email(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    let links = state.settings.links();
    match accounts::verify_email(&state.pool, &links, get(&f, "token"), &client_info(&parts)).await {
        Ok(verified) => {
            // Someone invited before they had an account lands on the invitation.
            let now = state.settings.clock.now();
            let invited =
                crate::services::hosting::invitations::any_open_for(&state.pool, &verified.email, now)
                    .await
                    .unwrap_or_else(|error| {
                        tracing::error!(%error, "could not look for invitations");
                        false
                    });
            see_other(
                if invited { "/invitations" } else { "/" },
                Some(sessions::cookie(
                    &verified.session,
                    state.settings.secure_cookies(),
                )),
            )
        }
        Err(e) => show_error(&state, &parts, None, FormState::default(), e).await,
    }
}

const SENT_IF_EXISTS: &str =
    "If that address has an account waiting for confirmation, we sent it a new link. Check your inbox.";

async fn resend_verification(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    match accounts::resend_verification(&state.pool, &state.settings.links(), get(&f, "email")).await {
        Ok(()) => {
            let form = FormState {
                notice: Some(SENT_IF_EXISTS.into()),
                ..keep(&f, &["email"])
            };
            render_form(&state, &parts, Some("/signup/sent"), form, StatusCode::OK).await
        }
        Err(e) => show_error(&state, &parts, Some("/signup/sent"), keep(&f, &["email"]), e).await,
    }
}

async fn forgot_password(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    match accounts::request_password_reset(&state.pool, &state.settings.links(), get(&f, "email")).await {
        Ok(()) => {
            let notice = "If that address has an account, we sent it a link to reset the password. \
                          It works once and expires in 1 hour.";
            let form = FormState {
                notice: Some(notice.into()),
                ..keep(&f, &["email"])
            };
            render_form(&state, &parts, None, form, StatusCode::OK).await
        }
        Err(e) => show_error(&state, &parts, None, keep(&f, &["email"]), e).await,
    }
}

async fn reset_password(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    let links = state.settings.links();
    match accounts::reset_password(
        &state.pool,
        &links,
        get(&f, "token"),
        get(&f, "password"),
        &client_info(&parts),
    )
    .await
    {
        Ok(()) => see_other(
            "/login?reset=1",
            Some(sessions::clear_cookie(state.settings.secure_cookies())),
        ),
        Err(e) => show_error(&state, &parts, None, FormState::default(), e).await,
    }
}

async fn confirm_email(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    match accounts::confirm_email_change(&state.pool, get(&f, "token"), &client_info(&parts)).await {
        Ok(()) => see_other("/settings?email_changed=1", None),
        Err(e) => show_error(&state, &parts, None, FormState::default(), e).await,
    }
}

async fn change_name(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    let Some(user) = signed_in(&parts) else {
        return sign_in_first("/settings");
    };
    match accounts::change_name(&state.pool, &user, get(&f, "name")).await {
        Ok(()) => see_other("/settings?saved=name", None),
        Err(e) => show_error(&state, &parts, Some("/settings"), keep(&f, &["name"]), e).await,
    }
}

async fn change_email(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    let Some(user) = signed_in(&parts) else {
        return sign_in_first("/settings");
    };
    let links = state.settings.links();
    match accounts::request_email_change(
        &state.pool,
        &links,
        &user,
        get(&f, "new_email"),
        &client_info(&parts),
        state.settings.clock.now(),
    )
    .await
    {
        Ok(()) => see_other("/settings?saved=email", None),
        Err(e) => show_error(&state, &parts, Some("/settings"), keep(&f, &["new_email"]), e).await,
    }
}

async fn change_password(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    let Some(user) = signed_in(&parts) else {
        return sign_in_first("/settings");
    };
    let links = state.settings.links();
    let client = client_info(&parts);
    match accounts::change_password(
        &state.pool,
        &links,
        &user,
        get(&f, "new_password"),
        &client,
        state.settings.clock.now(),
    )
    .await
    {
        Ok(token) => see_other(
            "/settings?saved=password",
            Some(sessions::cookie(&token, state.settings.secure_cookies())),
        ),
        Err(e) => show_error(&state, &parts, Some("/settings"), FormState::default(), e).await,
    }
}

async fn delete_account(State(state): State<AppState>, parts: Parts, Form(f): Fields) -> Response {
    let Some(user) = signed_in(&parts) else {
        return sign_in_first("/settings");
    };
    if get(&f, "confirm") != "yes" {
        let form = FormState {
            errors: vec![(
                "confirm".into(),
                "Tick the box to confirm you want to delete your account.".into(),
            )],
            ..FormState::default()
        };
        return render_form(
            &state,
            &parts,
            Some("/settings"),
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match accounts::delete_account(&state.pool, &user, state.settings.clock.now()).await {
        Ok(()) => see_other(
            "/login?deleted=1",
            Some(sessions::clear_cookie(state.settings.secure_cookies())),
        ),
        Err(e) => show_error(&state, &parts, Some("/settings"), FormState::default(), e).await,
    }
}
