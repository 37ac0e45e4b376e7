//! Two-factor settings, the code step of signing in, and "confirm it's
//! you" (step-up). Forms post here; pages read `two_factor_overview`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The two-factor settings page's data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TwoFactorSettings {
    pub enabled: bool,
    pub enrolment: Option<PendingEnrolment>,
    pub recovery_codes_left: i64,
    /// The session authenticated recently: sensitive actions are open.
    pub recently_confirmed: bool,
}

/// A seed waiting for its first code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingEnrolment {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

/// New recovery codes, shown in the one response that made them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCodes(pub Vec<String>);

#[server(endpoint = "two-factor-overview")]
pub async fn two_factor_overview() -> Result<TwoFactorSettings, super::ApiError> {
    use super::edge::error::api_error;
    let (deps, actor) = super::edge::auth::actor()?;
    let status = services::two_factor::status(&deps.pool, &deps.secret_key, &actor.user)
        .await
        .map_err(api_error)?;
    Ok(TwoFactorSettings {
        enabled: status.enabled,
        enrolment: status.enrolment.map(|e| PendingEnrolment {
            secret: e.secret_base32,
            otpauth_url: e.otpauth_url,
            qr_svg: e.qr_svg,
        }),
        recovery_codes_left: status.recovery_codes_left,
        recently_confirmed: services::step_up::is_fresh(&actor.user, actor.now),
    })
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{extract::State, http::request::Parts, response::IntoResponse, routing::post, Form, Router};
    use serde::{Deserialize, Serialize};

    use super::RecoveryCodes;
    use crate::api::edge::auth::{cookie_in, Actor, Visitor};
    use crate::api::edge::error::{Back, FormResult, RenderPage, ShownOn};
    use crate::api::edge::forms::{see_other, see_other_setting};
    use crate::api::identity::session_cookies;
    use crate::api::{AppState, Notice};
    use domain::NextPath;
    use services::failure::ServiceError;
    use services::identity::SIGN_IN_EXPIRED;
    use services::{sign_in, step_up, two_factor};

    const PAGE: &str = "/settings/two-factor";

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/settings/two-factor/start", post(start))
            .route("/settings/two-factor/enable", post(enable))
            .route("/settings/two-factor/disable", post(disable))
            .route("/settings/two-factor/recovery-codes", post(regenerate))
            .route("/login/two-factor", post(complete_sign_in))
            .route("/confirm-identity", post(confirm_identity))
    }

    /// The settings page again, showing the new recovery codes once.
    fn show_codes(codes: Vec<String>) -> axum::response::Response {
        RenderPage::at(PAGE).with(RecoveryCodes(codes)).into_response()
    }

    async fn start(State(state): State<AppState>, actor: Actor) -> FormResult {
        two_factor::start_enrolment(&state.deps, &actor)
            .await
            .shown_on(&Back::to(PAGE))?;
        Ok(see_other(PAGE))
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct CodeForm {
        code: String,
    }

    async fn enable(State(state): State<AppState>, actor: Actor, Form(form): Form<CodeForm>) -> FormResult {
        let codes = two_factor::confirm_enrolment(&state.deps, &actor, &form.code)
            .await
            .shown_on(&Back::to(PAGE))?;
        Ok(show_codes(codes))
    }

    async fn regenerate(State(state): State<AppState>, actor: Actor) -> FormResult {
        let codes = two_factor::regenerate_recovery_codes(&state.deps, &actor)
            .await
            .shown_on(&Back::to(PAGE))?;
        Ok(show_codes(codes))
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct DisableForm {
        disable_password: String,
        disable_code: String,
    }

    async fn disable(
        State(state): State<AppState>,
        actor: Actor,
        Form(form): Form<DisableForm>,
    ) -> FormResult {
        let proof = two_factor::DisableProof {
            password: &form.disable_password,
            code: &form.disable_code,
        };
        two_factor::disable(&state.deps, &actor, proof)
            .await
            .shown_on(&Back::to(PAGE))?;
        Ok(Notice::TwoFactorDisabled.redirect(PAGE))
    }

    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default)]
    struct CodeStepForm {
        #[serde(skip_serializing)]
        code: String,
        next: String,
    }

    /// The code step of signing in.
    async fn complete_sign_in(
        State(state): State<AppState>,
        visitor: Visitor,
        parts: Parts,
        Form(form): Form<CodeStepForm>,
    ) -> FormResult {
        let next = NextPath::or_dashboard(Some(&form.next));
        let secure = state.settings.secure_cookies;
        let pending = cookie_in(&parts.headers, sign_in::PENDING_COOKIE).unwrap_or_default();
        let device = cookie_in(&parts.headers, sign_in::DEVICE_COOKIE);
        let step = sign_in::CodeStep {
            pending: &pending,
            code: &form.code,
            device: device.as_deref(),
        };
        match sign_in::complete_with_code(&state.deps, &visitor, step).await {
            Ok(session) => {
                let mut cookies = session_cookies(session, secure);
                cookies.push(sign_in::clear_pending_cookie(secure));
                Ok(see_other_setting(next.as_str(), cookies))
            }
            Err(ServiceError::BadRequest(SIGN_IN_EXPIRED)) => Ok(see_other_setting(
                &Notice::SignInExpired.on(&format!(
                    "/login?next={}",
                    domain::next_path::encode_query_value(next.as_str())
                )),
                vec![sign_in::clear_pending_cookie(secure)],
            )),
            Err(e) => Err(Back::here().keeping(&form).fail(&e)),
        }
    }

    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default)]
    struct ConfirmForm {
        #[serde(skip_serializing)]
        password: String,
        #[serde(skip_serializing)]
        code: String,
        next: String,
    }

    /// Step-up: password (and code) again, then back to where the user was.
    async fn confirm_identity(
        State(state): State<AppState>,
        actor: Actor,
        Form(form): Form<ConfirmForm>,
    ) -> FormResult {
        let next = NextPath::or_dashboard(Some(&form.next));
        let proof = step_up::Proof {
            password: &form.password,
            code: &form.code,
        };
        step_up::confirm(&state.deps, &actor, proof)
            .await
            .shown_on(&Back::here().keeping(&form))?;
        Ok(see_other(next.as_str()))
    }
}
