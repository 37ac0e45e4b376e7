//! The HTTP edge of each area: server functions that feed the pages and
//! form endpoints that work without JavaScript, one module per area. What
//! they share (who is asking, the error path, form answers, notices, the
//! request guards) is in `edge`. Handlers stay thin: they convert the
//! request into domain types and call the `services` crate.

pub mod activity;
pub mod audit;
pub mod billing;
#[cfg(feature = "ssr")]
mod chart_options;
#[cfg(feature = "ssr")]
pub mod client_errors;
pub mod customers;
pub mod dashboard;
pub mod dns;
pub mod edge;
pub mod export;
pub mod hosting;
#[cfg(feature = "ssr")]
pub mod identity;
#[cfg(feature = "ssr")]
pub mod live;
pub mod mail;
pub mod mailbox;
pub mod notifications;
pub mod operations;
pub mod platform;
pub mod registrations;
pub mod sessions;
pub mod sites;
pub mod staff;
pub mod team;
pub mod tickets;
pub mod two_factor;
pub mod usage;

/// The live-update stream (see `live`).
pub const EVENTS_PATH: &str = "/events";

pub use edge::auth::{current_user, recently_authenticated, require_user};
pub use edge::error::ApiError;
pub use edge::notice::Notice;
#[cfg(feature = "ssr")]
pub use state::{AppState, Settings, Shared};

#[cfg(feature = "ssr")]
mod state {
    use std::sync::Arc;

    use axum::extract::FromRef;
    use leptos::config::LeptosOptions;

    use services::Deps;

    /// Settings of the HTTP edge, from the server's configuration.
    #[derive(Debug, Clone)]
    pub struct Settings {
        /// Development mode: shows the dev mailbox.
        pub dev_mode: bool,
        /// Cookies carry `Secure` (the site is served over https).
        pub secure_cookies: bool,
        /// The public base URL (the CSRF guard compares `Origin` with it).
        pub site_url: String,
        /// Per-network limit on the account forms.
        pub ip_limit: crate::api::identity::IpLimit,
        /// Proxies whose `X-Forwarded-For` is believed.
        pub trusted_proxies: Vec<ipnet::IpNet>,
        /// Staff must turn on two-factor before anything else.
        pub staff_two_factor_required: bool,
        /// Where the chart library is served from.
        pub echarts_url: String,
        /// Verifies Resend's delivery webhooks (unset: refused).
        pub resend_webhook_secret: Option<services::mail::delivery::WebhookSecret>,
    }

    /// Shared by every request handler and server function. Each
    /// middleware's `State` extractor clones it per request: one `Arc`, not
    /// every setting's strings (that was a third of a cached page's cost).
    #[derive(Clone)]
    pub struct AppState(Arc<Shared>);

    impl AppState {
        pub fn new(shared: Shared) -> Self {
            Self(Arc::new(shared))
        }
    }

    impl std::ops::Deref for AppState {
        type Target = Shared;

        fn deref(&self) -> &Shared {
            &self.0
        }
    }

    pub struct Shared {
        pub leptos_options: LeptosOptions,
        pub deps: Deps,
        pub settings: Arc<Settings>,
        /// This process's live-update listener.
        pub hub: Arc<services::realtime::Hub>,
    }

    impl FromRef<AppState> for LeptosOptions {
        fn from_ref(state: &AppState) -> Self {
            state.leptos_options.clone()
        }
    }
}

/// A date filter as typed (YYYY-MM-DD, or empty for none). One that is
/// not a date is left out, and `problems` says so above the list.
#[cfg(feature = "ssr")]
pub fn date_filter(text: &str, what: &str, problems: &mut Vec<String>) -> Option<time::Date> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let parsed = time::Date::parse(text, &format).ok();
    if parsed.is_none() {
        problems.push(format!(
            "“{text}” is not a date (YYYY-MM-DD): the {what} date was left out."
        ));
    }
    parsed
}

/// A moment as pages print it: "2026-11-27 06:40 UTC".
#[cfg(feature = "ssr")]
pub fn when(t: time::OffsetDateTime) -> String {
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}
