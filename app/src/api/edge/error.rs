//! One error path. Every service error type implements [`Failure`]; the
//! edge turns any of them into the answer that fits the caller:
//! - a form post: the page again with the input and the errors next to the
//!   fields ([`FormError`], rendered by `api::forms::render_pages`), or the
//!   redirect to "confirm it's you";
//! - a server function: an [`ApiError`] with the matching HTTP status.
//!
//! Internal errors keep their cause chain for the log and show the user a
//! short reference to quote to support.

use serde::{Deserialize, Serialize};

/// What a server function answers when it refuses or fails. Shared with
/// the browser, which shows the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// 401: no live session.
    #[error("{0}")]
    Unauthenticated(String),
    /// 403: signed in, but the role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// 404: missing, or not visible to this user (the same answer).
    #[error("{0}")]
    NotFound(String),
    /// 409: not possible in the current state.
    #[error("{0}")]
    Conflict(String),
    /// 422: input to correct, by field.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<(String, String)>,
    },
    /// 429: try again later.
    #[error("{message}")]
    RateLimited { message: String, retry_after: u64 },
    /// 500: our fault; `reference` finds the cause in the log.
    #[error("Something went wrong on our side. Please try again (reference {reference}).")]
    Internal { reference: String },
    /// The call itself failed (network, encoding).
    #[error("{0}")]
    Transport(String),
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthenticated(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::Conflict(_) => 409,
            ApiError::Invalid { .. } => 422,
            ApiError::RateLimited { .. } => 429,
            ApiError::Internal { .. } | ApiError::Transport(_) => 500,
        }
    }

    /// What to tell the user: a refused field's own words when there is
    /// one (a page that shows a server function's error), else the message.
    pub fn explained(&self) -> String {
        match self {
            ApiError::Invalid { fields, .. } if !fields.is_empty() => fields
                .iter()
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        }
    }

    pub fn sign_in_first() -> Self {
        ApiError::Unauthenticated("Sign in first.".into())
    }
}

impl server_fn::error::FromServerFnError for ApiError {
    type Encoder = server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        ApiError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
pub use edge::*;

#[cfg(feature = "ssr")]
mod edge {
    use std::sync::Arc;

    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};

    use super::ApiError;
    use crate::components::form::FormState;
    pub use services::failure::{Failure, FieldError};

    /// Logs an internal failure with its whole cause chain and returns the
    /// reference shown to the user.
    pub fn log_internal(failure: &(dyn std::error::Error + 'static)) -> String {
        services::failure::log_with_reference(failure)
    }

    /// The message a failure shows: its own, or for internal errors a
    /// generic one with the log reference.
    fn public_message(failure: &dyn Failure) -> String {
        if failure.status().is_server_error() {
            let reference = log_internal(failure);
            ApiError::Internal { reference }.to_string()
        } else {
            failure.to_string()
        }
    }

    /// Any service error as a server function's error; also sets the HTTP
    /// status of the response it goes out in (or of the page being
    /// rendered, when a page calls the function on the server).
    pub fn api_error(failure: impl Failure) -> ApiError {
        let status = failure.status();
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
        let message = failure.to_string();
        match status.as_u16() {
            401 => ApiError::Unauthenticated(message),
            403 => ApiError::Forbidden(message),
            404 => ApiError::NotFound(message),
            409 => ApiError::Conflict(message),
            422 => ApiError::Invalid {
                message,
                fields: failure
                    .field_errors()
                    .into_iter()
                    .map(|(f, m)| (f.to_string(), m))
                    .collect(),
            },
            429 => ApiError::RateLimited {
                message,
                retry_after: failure.retry_after().unwrap_or(60),
            },
            // A step-up is a refusal the page explains; as an API answer it
            // is 403 with the words.
            _ if failure.needs_step_up() => ApiError::Forbidden(message),
            _ => ApiError::Internal {
                reference: log_internal(&failure),
            },
        }
    }

    /// Where a form's errors are shown: a page (by default the page the
    /// form was posted to) and what the user typed, kept.
    #[derive(Debug, Clone, Default)]
    pub struct Back {
        page: Option<String>,
        kept: FormState,
    }

    impl Back {
        /// Errors re-render `page`.
        pub fn to(page: impl Into<String>) -> Self {
            Self {
                page: Some(page.into()),
                kept: FormState::default(),
            }
        }

        /// Errors re-render the page at the form's own URL.
        pub fn here() -> Self {
            Self::default()
        }

        /// Keeps what the user typed. Fields marked
        /// `#[serde(skip_serializing)]` (passwords, codes) are never sent back.
        pub fn keeping(mut self, form: &impl serde::Serialize) -> Self {
            self.kept = FormState::keeping(form);
            self
        }

        /// Adjusts the form state shown with the errors.
        pub fn marking(mut self, adjust: impl FnOnce(&mut FormState)) -> Self {
            adjust(&mut self.kept);
            self
        }

        pub fn page(&self) -> Option<&str> {
            self.page.as_deref()
        }

        /// The failure, answered on this page.
        pub fn fail(&self, failure: &dyn Failure) -> FormError {
            if failure.needs_step_up() {
                return FormError::Redirect(crate::api::edge::forms::confirm_identity_path(
                    self.page.as_deref().unwrap_or("/"),
                ));
            }
            let mut form = self.kept.clone();
            let fields = failure.field_errors();
            if fields.is_empty() {
                form.message = Some(public_message(failure));
            } else {
                form.errors = fields.into_iter().map(|(f, m)| (f.to_string(), m)).collect();
            }
            FormError::Render(RenderPage {
                page: self.page.clone(),
                status: failure.status(),
                retry_after: failure.retry_after(),
                provide: Some(Arc::new(move || leptos::prelude::provide_context(form.clone()))),
            })
        }
    }

    /// `result.shown_on(&back)?`: a service error becomes the form's answer.
    pub trait ShownOn<T> {
        fn shown_on(self, back: &Back) -> Result<T, FormError>;
    }

    impl<T, E: Failure> ShownOn<T> for Result<T, E> {
        fn shown_on(self, back: &Back) -> Result<T, FormError> {
            self.map_err(|e| back.fail(&e))
        }
    }

    /// How a form post failed: its page again (with errors), or a redirect.
    #[derive(Clone)]
    pub enum FormError {
        Render(RenderPage),
        Redirect(String),
    }

    impl std::fmt::Debug for FormError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                FormError::Render(r) => write!(f, "FormError::Render({:?}, {})", r.page, r.status),
                FormError::Redirect(to) => write!(f, "FormError::Redirect({to})"),
            }
        }
    }

    impl IntoResponse for FormError {
        fn into_response(self) -> Response {
            match self {
                FormError::Render(page) => page.into_response(),
                FormError::Redirect(to) => crate::api::edge::forms::see_other(&to),
            }
        }
    }

    /// What form handlers return.
    pub type FormResult = Result<Response, FormError>;

    /// A request to answer with a whole page, rendered by the
    /// `render_pages` middleware (rendering is async and needs the
    /// request's session; a handler's response is neither).
    #[derive(Clone)]
    pub struct RenderPage {
        /// The page to render; `None`: the request's own URL.
        pub page: Option<String>,
        pub status: StatusCode,
        pub retry_after: Option<u64>,
        /// Context for this render only: the form state, or an answer
        /// that exists only in this response (new recovery codes).
        pub provide: Option<Arc<dyn Fn() + Send + Sync>>,
    }

    impl RenderPage {
        pub fn at(page: impl Into<String>) -> Self {
            Self {
                page: Some(page.into()),
                status: StatusCode::OK,
                retry_after: None,
                provide: None,
            }
        }

        /// Renders with `value` in context (read by the page with
        /// `use_context`), besides what was given before.
        pub fn with<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
            let before = self.provide.take();
            self.provide = Some(Arc::new(move || {
                if let Some(before) = &before {
                    before();
                }
                leptos::prelude::provide_context(value.clone())
            }));
            self
        }
    }

    impl IntoResponse for RenderPage {
        fn into_response(self) -> Response {
            let mut response = self.status.into_response();
            if let Some(wait) = self.retry_after {
                if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            response.extensions_mut().insert(self);
            response
        }
    }

    /// Errors that are not any service's: a form field that says the
    /// request cannot be right (a missing tick box, a malformed id).
    #[derive(Debug, thiserror::Error)]
    pub enum EdgeError {
        #[error("Please correct the highlighted fields.")]
        Invalid(Vec<FieldError>),
        #[error("{0}")]
        NotFound(&'static str),
    }

    impl Failure for EdgeError {
        fn status(&self) -> StatusCode {
            match self {
                EdgeError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                EdgeError::NotFound(_) => StatusCode::NOT_FOUND,
            }
        }
        fn field_errors(&self) -> Vec<FieldError> {
            match self {
                EdgeError::Invalid(fields) => fields.clone(),
                EdgeError::NotFound(_) => Vec::new(),
            }
        }
    }

    /// A tick box that must be ticked to go on.
    pub fn require_ticked(value: &str, field: &'static str, message: &str) -> Result<(), EdgeError> {
        if value == "yes" {
            Ok(())
        } else {
            Err(EdgeError::Invalid(vec![(field, message.to_string())]))
        }
    }
}
