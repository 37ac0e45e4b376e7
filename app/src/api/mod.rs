//! The HTTP edge of each area: form endpoints (they work without
//! JavaScript) and the request state they share. Handlers stay thin: they
//! parse the request and call `crate::services`.

#[cfg(feature = "ssr")]
pub mod accounts;
pub mod activity;
#[cfg(feature = "ssr")]
pub mod csrf;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod hosting;
pub mod mailbox;
#[cfg(feature = "ssr")]
pub mod session;
pub mod sessions;
pub mod staff;
pub mod two_factor;
pub mod usage;

#[cfg(feature = "ssr")]
pub use state::{AppState, Settings};

#[cfg(feature = "ssr")]
mod state {
    use std::sync::Arc;

    use axum::extract::FromRef;
    use leptos::config::LeptosOptions;
    use sqlx::PgPool;

    use crate::services::accounts::Links;

    /// Settings the request handlers need, from the server's configuration.
    #[derive(Debug, Clone)]
    pub struct Settings {
        /// Public base URL, for links in email.
        pub site_url: String,
        /// Development mode: shows the dev mailbox.
        pub dev_mode: bool,
        /// Per-IP limit on the account forms.
        pub ip_limit: crate::api::accounts::IpLimit,
        /// Seals secrets at rest (TOTP seeds).
        pub secret_key: crate::services::secret_box::SecretKey,
        /// The time decisions are made by (tests move it).
        pub clock: crate::services::clock::Clock,
        /// Staff must turn on two-factor before anything else.
        pub staff_two_factor_required: bool,
    }

    impl Settings {
        /// Cookies are `Secure` when the site is served over https.
        pub fn secure_cookies(&self) -> bool {
            self.site_url.starts_with("https://")
        }

        pub fn links(&self) -> Links {
            Links {
                site_url: self.site_url.clone(),
            }
        }
    }

    /// Shared by every request handler and server function.
    #[derive(Clone)]
    pub struct AppState {
        pub leptos_options: LeptosOptions,
        pub pool: PgPool,
        pub settings: Arc<Settings>,
    }

    impl FromRef<AppState> for LeptosOptions {
        fn from_ref(state: &AppState) -> Self {
            state.leptos_options.clone()
        }
    }
}

/// The signed-in user of the request being rendered (server side), put in
/// the request by the session middleware. In the browser there is none:
/// pages render on the server.
pub fn current_user() -> Option<crate::domain::CurrentUser> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<crate::domain::CurrentUser>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Whether the signed-in user authenticated recently enough for sensitive
/// changes (step-up), judged on the server while rendering.
pub fn recently_authenticated(user: &crate::domain::CurrentUser) -> bool {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<AppState>()
            .is_some_and(|s| crate::services::step_up::is_fresh(user, s.settings.clock.now()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = user;
        false
    }
}

/// For pages that need a signed-in user: the user, or a redirect to the
/// sign-in page that comes back here afterwards.
pub fn require_user() -> Option<crate::domain::CurrentUser> {
    let user = current_user();
    #[cfg(feature = "ssr")]
    if user.is_none() {
        let here = leptos::prelude::use_context::<http::request::Parts>()
            .map(|p| {
                p.uri
                    .path_and_query()
                    .map(|pq| pq.as_str().to_string())
                    .unwrap_or_else(|| "/".into())
            })
            .unwrap_or_else(|| "/".into());
        // Set the status ourselves: `leptos_axum::redirect` only does for
        // requests that accept HTML, and the islands router's fetches don't
        // say so.
        let to = format!(
            "/login?next={}",
            crate::domain::next_path::encode_query_value(&here)
        );
        if let (Some(response), Ok(location)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&to),
        ) {
            response.set_status(http::StatusCode::FOUND);
            response.insert_header(http::header::LOCATION, location);
        }
    }
    user
}
