//! Form endpoints of the accounts area: sign up, sign in and out, emailed
//! links, and the signed-in user's profile. Each converts its typed form
//! into domain types, calls one service, and answers with a redirect or the
//! page again (see `api::error`).

use axum::{
    extract::State, http::request::Parts, http::StatusCode, response::Response, routing::post, Form, Router,
};
use serde::{Deserialize, Serialize};

use super::edge::auth::{cookie_in, session_token, Actor, NetworkKey, Visitor};
use super::edge::error::{require_ticked, Back, FormResult, RenderPage, ShownOn};
use super::edge::forms::{see_other, see_other_setting};
use super::{AppState, Notice};
use crate::components::form::FormState;
use domain::{CurrentUser, DisplayName, Email, NextPath, Password};
use services::failure::Invalid;
use services::failure::ServiceError;
use services::identity::{self, registration::SignUp, EMAIL_NOT_VERIFIED};
use services::sessions;
use services::sign_in::{self, Credentials, SignedIn};

/// Per-network limit on the account forms, on top of the per-account
/// counters in the database: a burst, then one request every `replenish`.
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
        .key_extractor(NetworkKey)
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

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct SignUpForm {
    name: String,
    email: String,
    #[serde(skip_serializing)]
    password: String,
}

impl TryFrom<&SignUpForm> for SignUp {
    type Error = Invalid;

    fn try_from(form: &SignUpForm) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        let name = invalid.check("name", DisplayName::parse(&form.name));
        let email = invalid.check("email", Email::parse(&form.email));
        let password = invalid.check("password", Password::parse(&form.password));
        match (name, email, password) {
            (Some(name), Some(email), Some(password)) => Ok(SignUp {
                name,
                email,
                password,
            }),
            _ => Err(invalid),
        }
    }
}

async fn sign_up(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<SignUpForm>,
) -> FormResult {
    let back = Back::here().keeping(&form);
    let input = SignUp::try_from(&form).shown_on(&back)?;
    identity::sign_up(&state.deps, &visitor, input)
        .await
        .shown_on(&back)?;
    Ok(see_other("/signup/sent"))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct SignInForm {
    email: String,
    #[serde(skip_serializing)]
    password: String,
    next: String,
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    parts: Parts,
    Form(form): Form<SignInForm>,
) -> FormResult {
    let next = NextPath::or_dashboard(Some(&form.next));
    let device = cookie_in(&parts.headers, sign_in::DEVICE_COOKIE);
    let credentials = Credentials {
        email: &form.email,
        password: &form.password,
        device: device.as_deref(),
    };
    let secure = state.settings.secure_cookies;
    match sign_in::sign_in(&state.deps, &visitor, credentials).await {
        Ok(SignedIn::Session(session)) => {
            Ok(see_other_setting(next.as_str(), session_cookies(session, secure)))
        }
        Ok(SignedIn::NeedsCode(pending)) => Ok(see_other_setting(
            &format!(
                "/login/two-factor?next={}",
                domain::next_path::encode_query_value(next.as_str())
            ),
            vec![sign_in::pending_cookie(&pending, secure)],
        )),
        Err(e) => {
            let unverified = matches!(e, ServiceError::Forbidden(EMAIL_NOT_VERIFIED));
            let back = Back::here().keeping(&form).marking(|f| f.unverified = unverified);
            Err(back.fail(&e))
        }
    }
}

/// The cookies a new session sets: the session, and the device cookie the
/// first time this browser signs in to the account.
pub(crate) fn session_cookies(session: sign_in::Session, secure: bool) -> Vec<String> {
    let mut cookies = vec![sessions::cookie(&session.token, secure)];
    if let Some(device) = session.device {
        cookies.push(sign_in::device_cookie(&device, secure));
    }
    cookies
}

async fn sign_out(State(state): State<AppState>, visitor: Visitor, parts: Parts) -> Response {
    if let Some(token) = session_token(&parts) {
        let user = parts.extensions.get::<CurrentUser>();
        if let Err(error) = sessions::sign_out(&state.deps.pool, &token, user, &visitor.client).await {
            tracing::error!(%error, "could not end the session");
        }
    }
    see_other_setting(
        &Notice::SignedOut.on("/login"),
        vec![sessions::clear_cookie(state.settings.secure_cookies)],
    )
}

/// A form that carries an emailed link's token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    token: String,
}

async fn verify_email(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<TokenForm>,
) -> FormResult {
    let deps = &state.deps;
    let verified = identity::verify_email(deps, &visitor, &form.token)
        .await
        .shown_on(&Back::here())?;
    // Someone invited before they had an account lands on the invitation.
    let invited = services::hosting::invitations::any_open_for(&deps.pool, &verified.email, visitor.now)
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not look for invitations");
            false
        });
    Ok(see_other_setting(
        if invited { "/invitations" } else { "/" },
        vec![sessions::cookie(&verified.session, state.settings.secure_cookies)],
    ))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct EmailForm {
    email: String,
}

impl EmailForm {
    fn email(&self) -> Result<Email, Invalid> {
        Email::parse(&self.email).map_err(|e| Invalid::field("email", e))
    }
}

/// The page again with a notice for the whole form and the address kept.
fn with_notice(page: &str, form: &EmailForm, notice: &str) -> Response {
    use axum::response::IntoResponse;
    let state = FormState {
        notice: Some(notice.into()),
        ..FormState::keeping(form)
    };
    RenderPage::at(page).with(state).into_response()
}

async fn resend_verification(State(state): State<AppState>, Form(form): Form<EmailForm>) -> FormResult {
    let back = Back::to("/signup/sent").keeping(&form);
    let email = form.email().shown_on(&back)?;
    identity::resend_verification(&state.deps, &email)
        .await
        .shown_on(&back)?;
    let sent =
        "If that address has an account waiting for confirmation, we sent it a new link. Check your inbox.";
    Ok(with_notice("/signup/sent", &form, sent))
}

async fn forgot_password(State(state): State<AppState>, Form(form): Form<EmailForm>) -> FormResult {
    let back = Back::to("/forgot-password").keeping(&form);
    let email = form.email().shown_on(&back)?;
    identity::request_password_reset(&state.deps, &email)
        .await
        .shown_on(&back)?;
    let sent = "If that address has an account, we sent it a link to reset the password. It works once and expires in 1 hour.";
    Ok(with_notice("/forgot-password", &form, sent))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResetForm {
    token: String,
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<ResetForm>,
) -> FormResult {
    let back = Back::here();
    let password = Password::parse(&form.password)
        .map_err(|e| Invalid::field("password", e))
        .shown_on(&back)?;
    identity::reset_password(&state.deps, &visitor, &form.token, &password)
        .await
        .shown_on(&back)?;
    Ok(see_other_setting(
        &Notice::PasswordReset.on("/login"),
        vec![sessions::clear_cookie(state.settings.secure_cookies)],
    ))
}

async fn confirm_email(
    State(state): State<AppState>,
    visitor: Visitor,
    parts: Parts,
    Form(form): Form<TokenForm>,
) -> FormResult {
    let signed_in = parts.extensions.get::<CurrentUser>();
    identity::confirm_email_change(&state.deps.pool, &visitor, signed_in, &form.token)
        .await
        .shown_on(&Back::here())?;
    Ok(Notice::EmailChanged.redirect("/settings"))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct NameForm {
    name: String,
}

async fn change_name(State(state): State<AppState>, actor: Actor, Form(form): Form<NameForm>) -> FormResult {
    let back = Back::to("/settings").keeping(&form);
    let name = DisplayName::parse(&form.name)
        .map_err(|e| Invalid::field("name", e))
        .shown_on(&back)?;
    identity::change_name(&state.deps.pool, &actor, &name)
        .await
        .shown_on(&back)?;
    Ok(Notice::NameSaved.redirect("/settings"))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct NewEmailForm {
    new_email: String,
}

async fn change_email(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<NewEmailForm>,
) -> FormResult {
    let back = Back::to("/settings").keeping(&form);
    let email = Email::parse(&form.new_email)
        .map_err(|e| Invalid::field("new_email", e))
        .shown_on(&back)?;
    identity::request_email_change(&state.deps, &actor, &email)
        .await
        .shown_on(&back)?;
    Ok(Notice::EmailChangeSent.redirect("/settings"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewPasswordForm {
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<NewPasswordForm>,
) -> FormResult {
    let back = Back::to("/settings");
    // Step-up first: a stale session is sent to confirm before being told
    // anything about the password it typed.
    services::step_up::require(&actor).shown_on(&back)?;
    let password = Password::parse(&form.new_password)
        .map_err(|e| Invalid::field("new_password", e))
        .shown_on(&back)?;
    let token = identity::change_password(&state.deps, &actor, &password)
        .await
        .shown_on(&back)?;
    Ok(see_other_setting(
        &Notice::PasswordChanged.on("/settings"),
        vec![sessions::cookie(&token, state.settings.secure_cookies)],
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConfirmForm {
    confirm: String,
}

async fn delete_account(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<ConfirmForm>,
) -> FormResult {
    let back = Back::to("/settings");
    require_ticked(
        &form.confirm,
        "confirm",
        "Tick the box to confirm you want to delete your account.",
    )
    .shown_on(&back)?;
    identity::delete_account(&state.deps.pool, &actor)
        .await
        .shown_on(&back)?;
    Ok(see_other_setting(
        &Notice::AccountDeleted.on("/login"),
        vec![sessions::clear_cookie(state.settings.secure_cookies)],
    ))
}
