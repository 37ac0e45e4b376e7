//! Configuration: every setting is declared once in `Settings` (clap, read
//! from the environment and `.env`, or from flags), then checked together
//! by `Config::from_settings`, so a bad value stops the process with a
//! message naming the variable.

mod dns;
mod registrations;
mod rules;
mod settings;
#[cfg(test)]
mod tests;
pub mod values;

use std::{net::SocketAddr, time::Duration};

use clap::{Args, FromArgMatches};
use leptos::config::{Env, LeptosOptions};

pub use dns::DnsServerSettings;
pub use settings::Settings;

/// The webhook signing secret the scripts give the portal and the Stripe
/// stand-in in development. It is published (in this repository), so
/// production refuses it.
pub const DEV_STRIPE_WEBHOOK_SECRET: &str = "whsec_ksf_development_only";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is not set: {hint}")]
    Missing { var: &'static str, hint: &'static str },
    #[error("{var}={value:?} is not valid: {reason}")]
    Invalid {
        var: String,
        value: String,
        reason: String,
    },
}

impl ConfigError {
    fn invalid(var: &str, value: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError::Invalid {
            var: var.to_string(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    /// A value clap could not take, named by its variable (each setting's
    /// value name is its variable). Secrets' values are never repeated.
    pub fn from_clap(error: &clap::Error) -> Self {
        use clap::error::{ContextKind, ContextValue};
        let text = |kind| match error.get(kind) {
            Some(ContextValue::String(s)) => s.clone(),
            _ => String::new(),
        };
        let arg = text(ContextKind::InvalidArg);
        let var = arg
            .split_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .map_or(arg.as_str(), |(name, _)| name)
            .to_string();
        let value = if settings::SECRETS.contains(&var.as_str()) {
            "<hidden>".to_string()
        } else {
            text(ContextKind::InvalidValue)
        };
        let reason = std::error::Error::source(error)
            .map(ToString::to_string)
            .unwrap_or_else(|| error.kind().to_string());
        ConfigError::invalid(&var, value, reason)
    }
}

/// Reads `T`'s settings from a lookup of variables (tests and benchmarks
/// pass a map) through the same parsers as the command line. Empty values
/// count as unset, as they do in the process environment.
pub fn settings_from<T: Args + FromArgMatches>(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<T, ConfigError> {
    let mut argv = Vec::new();
    let command = T::augment_args(clap::Command::new("ksf").no_binary_name(true)).mut_args(|arg| {
        let var = arg.get_env().and_then(|v| v.to_str()).and_then(lookup);
        if let (Some(value), Some(long)) = (var, arg.get_long()) {
            if !value.trim().is_empty() {
                argv.push(format!("--{long}={}", value.trim()));
            }
        }
        arg.env(None::<&'static str>)
    });
    let matches = command
        .try_get_matches_from(argv)
        .map_err(|e| ConfigError::from_clap(&e))?;
    T::from_arg_matches(&matches).map_err(|e| ConfigError::from_clap(&e))
}

/// Unsets the settings' variables that are set but empty (`KEY=` in
/// `.env`), so they mean "the default" as in every other source.
pub fn forget_empty_variables(command: &clap::Command) {
    let mut names = Vec::new();
    collect_env_names(command, &mut names);
    for name in names {
        if std::env::var_os(&name).is_some_and(|v| v.to_string_lossy().trim().is_empty()) {
            std::env::remove_var(&name);
        }
    }
}

pub(crate) fn collect_env_names(command: &clap::Command, names: &mut Vec<String>) {
    for arg in command.get_arguments() {
        if let Some(name) = arg.get_env().and_then(|v| v.to_str()) {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    for sub in command.get_subcommands() {
        collect_env_names(sub, names);
    }
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub database_max_connections: u32,
    /// Longest a statement may run when serving (none: no limit).
    pub database_statement_timeout: Option<Duration>,
    pub site_addr: SocketAddr,
    /// The public base URL, used for links in email and for cookie security.
    pub site_url: String,
    pub leptos: LeptosOptions,
    pub request_timeout: Duration,
    pub mail: services::mail::worker::MailerSettings,
    /// Run the email worker in this process (several processes may).
    pub mail_worker: bool,
    pub ip_limit: app::api::identity::IpLimit,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or CIDRs).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// What one user or network may do (each email sent for them is bounded).
    pub limits: services::rate_limit::Limits,
    /// What hashing a new password costs.
    pub password_hash: services::passwords::HashCost,
    /// How long raw usage samples and the activity log are kept (every
    /// other table's retention is fixed: `services::retention`).
    pub retention: services::retention::Retention,
    /// Seals secrets at rest (TOTP seeds).
    pub secret_key: services::secret_box::SecretKey,
    /// Staff must turn on two-factor before using the portal.
    pub staff_two_factor_required: bool,
    /// Where files are kept (ticket attachments), `KSF_DATA_DIR`.
    pub data_dir: std::path::PathBuf,
    /// Told of new tickets nobody is assigned to, `KSF_SUPPORT_EMAIL`.
    pub support_email: Option<String>,
    /// Stripe (or the stand-in), the webhook secret and billing's rules.
    pub billing: services::billing::BillingSettings,
    /// Run the Stripe event worker in this process (several processes may).
    pub billing_worker: bool,
    /// Stripe events that worker applies at once, `KSF_BILLING_WORKERS`.
    pub billing_workers: usize,
    /// Name servers and region web servers for zones.
    pub dns: services::dns::DnsSettings,
    /// How the portal checks sites from outside their nodes.
    pub outside_checks: services::sites::outside::OutsideChecks,
    /// Where `ksf dns` answers, when set (`DNS_LISTEN`).
    pub dns_listen: Option<SocketAddr>,
    /// Who may read `/metrics`.
    pub metrics: crate::metrics::Access,
    /// The registrar domains are sold through (none: not sold).
    pub registrations: services::registrations::RegistrationSettings,
    /// Run the registration worker in this process (several processes may).
    pub registration_worker: bool,
}

impl std::fmt::Debug for Config {
    // The database URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("site_addr", &self.site_addr)
            .field("site_url", &self.site_url)
            .field("env", &self.leptos.env)
            .finish_non_exhaustive()
    }
}

use rules::{billing, dns, hash_file_beside_binary, limits, mail, password_hash, secret_key, site};

impl Config {
    /// Builds the configuration from any variable source (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_settings(settings_from::<Settings>(&lookup)?)
    }

    /// Applies the rules between settings: what production refuses, and
    /// the defaults that depend on the mode.
    pub fn from_settings(s: Settings) -> Result<Self, ConfigError> {
        let database_url = s.database_url.clone().ok_or(ConfigError::Missing {
            var: "DATABASE_URL",
            hint: "set it to a PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/ksf (./scripts/run sets it for you)",
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::invalid(
                "DATABASE_URL",
                "<hidden>",
                "it must start with postgres:// or postgresql://",
            ));
        }
        if s.billing_worker && s.billing_workers >= s.db_max_connections {
            return Err(ConfigError::invalid(
                "KSF_BILLING_WORKERS",
                s.billing_workers.to_string(),
                "each Stripe worker holds a database connection while it asks Stripe: keep it below KSF_DB_MAX_CONNECTIONS, so web requests still get one",
            ));
        }
        let (site_url, env) = site(&s)?;
        let leptos = LeptosOptions::builder()
            .output_name(s.output_name.as_str())
            .site_root(s.site_root.as_str())
            .site_pkg_dir(s.site_pkg_dir.as_str())
            .site_addr(s.site_addr)
            .env(env.clone())
            .hash_files(
                s.hash_files
                    .unwrap_or_else(|| hash_file_beside_binary(&s.hash_file_name)),
            )
            .hash_file(std::sync::Arc::from(s.hash_file_name.as_str()))
            .reload_port(s.reload_port)
            .build();
        let dev = env == Env::DEV;
        if s.metrics_token.as_ref().is_some_and(|t| t.trim().len() < 16) {
            return Err(ConfigError::invalid(
                "KSF_METRICS_TOKEN",
                "<hidden>",
                "use at least 16 characters (e.g. the output of ksf generate-key)",
            ));
        }
        Ok(Self {
            database_url,
            database_max_connections: s.db_max_connections,
            database_statement_timeout: (s.db_statement_timeout_seconds > 0)
                .then(|| Duration::from_secs(s.db_statement_timeout_seconds)),
            site_addr: s.site_addr,
            site_url,
            request_timeout: Duration::from_secs(s.request_timeout_secs),
            mail: mail(&s)?,
            mail_worker: s.mail_worker,
            ip_limit: app::api::identity::IpLimit {
                burst: s.auth_burst_per_ip,
                replenish: Duration::from_secs(s.auth_replenish_secs),
            },
            trusted_proxies: s.trusted_proxies.clone().unwrap_or_default().0,
            limits: limits(&s),
            password_hash: password_hash(&s, dev)?,
            retention: services::retention::Retention {
                usage_samples: time::Duration::days(s.usage_retention_days),
                activity: time::Duration::days(s.activity_retention_days),
            },
            secret_key: secret_key(&s, &env)?,
            staff_two_factor_required: s.staff_require_2fa.unwrap_or(!dev),
            data_dir: s.data_dir.clone(),
            support_email: s.support_email.clone().map(|a| a.0),
            billing: billing(&s, dev)?,
            billing_worker: s.billing_worker,
            billing_workers: s.billing_workers as usize,
            dns: dns(&s, dev)?,
            outside_checks: services::sites::outside::OutsideChecks {
                http_port: s.sites_check_port,
                ..Default::default()
            },
            dns_listen: s.dns_listen,
            registrations: registrations::settings(&s, dev)?,
            registration_worker: s.registration_worker,
            metrics: crate::metrics::Access {
                allow: s.metrics_allow.0.clone(),
                token: s.metrics_token.clone(),
            },
            leptos,
        })
    }

    pub fn is_dev(&self) -> bool {
        self.leptos.env == Env::DEV
    }
}
