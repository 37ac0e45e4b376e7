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
pub async fn two_factor_overview() -> Result<TwoFactorSettings, ServerFnError> {
    let user = super::current_user().ok_or_else(|| ServerFnError::new("Sign in to see your settings."))?;
    let state = use_context::<super::AppState>().ok_or_else(|| ServerFnError::new("no app state"))?;
    let settings = &state.settings;
    let status = crate::services::two_factor::status(&state.pool, &settings.secret_key, &user)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "loading two-factor status failed");
            ServerFnError::new("Could not load your two-factor settings. Please try again.")
        })?;
    Ok(TwoFactorSettings {
        enabled: status.enabled,
        enrolment: status.enrolment.map(|e| PendingEnrolment {
            secret: e.secret_base32,
            otpauth_url: e.otpauth_url,
            qr_svg: e.qr_svg,
        }),
        recovery_codes_left: status.recovery_codes_left,
        recently_confirmed: crate::services::step_up::is_fresh(&user, settings.clock.now()),
    })
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{
        extract::State, http::request::Parts, http::StatusCode, response::Response, routing::post, Router,
    };
    use leptos::prelude::provide_context;

    use super::RecoveryCodes;
    use crate::api::accounts::{get, keep, show_error, Fields};
    use crate::api::forms::{render_with, see_other, see_other_setting, sign_in_first, signed_in};
    use crate::api::session::{client_info, cookie_in};
    use crate::api::AppState;
    use crate::components::form::FormState;
    use crate::domain::NextPath;
    use crate::services::{sessions, sign_in, step_up, two_factor};

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
    async fn show_codes(state: &AppState, parts: &Parts, codes: Vec<String>) -> Response {
        let codes = RecoveryCodes(codes);
        render_with(state, parts, Some(PAGE), StatusCode::OK, move || {
            provide_context(codes.clone())
        })
        .await
    }

    async fn start(State(state): State<AppState>, parts: Parts) -> Response {
        let Some(user) = signed_in(&parts) else {
            return sign_in_first(PAGE);
        };
        match two_factor::start_enrolment(&state.pool, &state.settings.secret_key, &user).await {
            Ok(()) => see_other(PAGE, None),
            Err(e) => show_error(&state, &parts, Some(PAGE), FormState::default(), e).await,
        }
    }

    async fn enable(State(state): State<AppState>, parts: Parts, axum::Form(f): Fields) -> Response {
        let Some(user) = signed_in(&parts) else {
            return sign_in_first(PAGE);
        };
        let settings = &state.settings;
        let result = two_factor::confirm_enrolment(
            &state.pool,
            &settings.secret_key,
            &settings.links(),
            &user,
            get(&f, "code"),
            &client_info(&parts),
            settings.clock.now(),
        )
        .await;
        match result {
            Ok(codes) => show_codes(&state, &parts, codes).await,
            Err(e) => show_error(&state, &parts, Some(PAGE), FormState::default(), e).await,
        }
    }

    async fn regenerate(State(state): State<AppState>, parts: Parts) -> Response {
        let Some(user) = signed_in(&parts) else {
            return sign_in_first(PAGE);
        };
        let settings = &state.settings;
        let result = two_factor::regenerate_recovery_codes(
            &state.pool,
            &settings.links(),
            &user,
            &client_info(&parts),
            settings.clock.now(),
        )
        .await;
        match result {
            Ok(codes) => show_codes(&state, &parts, codes).await,
            Err(e) => show_error(&state, &parts, Some(PAGE), FormState::default(), e).await,
        }
    }

    async fn disable(State(state): State<AppState>, parts: Parts, axum::Form(f): Fields) -> Response {
        let Some(user) = signed_in(&parts) else {
            return sign_in_first(PAGE);
        };
        let settings = &state.settings;
        let result = two_factor::disable(
            &state.pool,
            &settings.secret_key,
            &settings.links(),
            &user,
            get(&f, "disable_password"),
            get(&f, "disable_code"),
            &client_info(&parts),
            settings.clock.now(),
        )
        .await;
        match result {
            Ok(()) => see_other("/settings/two-factor?done=disabled", None),
            Err(e) => show_error(&state, &parts, Some(PAGE), FormState::default(), e).await,
        }
    }

    /// The code step of signing in.
    async fn complete_sign_in(
        State(state): State<AppState>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        let next = NextPath::or_dashboard(f.get("next").map(String::as_str));
        let secure = state.settings.secure_cookies();
        let pending = cookie_in(&parts.headers, sign_in::PENDING_COOKIE).unwrap_or_default();
        let settings = &state.settings;
        let result = sign_in::complete_with_code(
            &state.pool,
            &settings.secret_key,
            &settings.links(),
            &pending,
            get(&f, "code"),
            &client_info(&parts),
            settings.clock.now(),
        )
        .await;
        match result {
            Ok(token) => see_other_setting(
                next.as_str(),
                vec![
                    sessions::cookie(&token, secure),
                    sign_in::clear_pending_cookie(secure),
                ],
            ),
            Err(crate::services::accounts::AccountError::SignInExpired) => see_other_setting(
                &format!(
                    "/login?expired=1&next={}",
                    crate::domain::next_path::encode_query_value(next.as_str())
                ),
                vec![sign_in::clear_pending_cookie(secure)],
            ),
            Err(e) => show_error(&state, &parts, None, FormState::default(), e).await,
        }
    }

    /// Step-up: password (and code) again, then back to where the user was.
    async fn confirm_identity(
        State(state): State<AppState>,
        parts: Parts,
        axum::Form(f): Fields,
    ) -> Response {
        let next = NextPath::or_dashboard(f.get("next").map(String::as_str));
        let Some(user) = signed_in(&parts) else {
            return sign_in_first(next.as_str());
        };
        let settings = &state.settings;
        let result = step_up::confirm(
            &state.pool,
            &settings.secret_key,
            &settings.links(),
            &user,
            get(&f, "password"),
            get(&f, "code"),
            &client_info(&parts),
            settings.clock.now(),
        )
        .await;
        match result {
            Ok(()) => see_other(next.as_str(), None),
            Err(e) => show_error(&state, &parts, None, keep(&f, &[]), e).await,
        }
    }
}
