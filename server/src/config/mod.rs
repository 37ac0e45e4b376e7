//! Configuration: every setting is declared once in `Settings` (clap, read
//! from the environment and `.env`, or from flags), then checked together
//! by `Config::from_settings`, so a bad value stops the process with a
//! message naming the variable.

mod dns;
mod settings;
#[cfg(test)]
mod tests;
pub mod values;

use std::{net::SocketAddr, time::Duration};

use clap::{Args, FromArgMatches};
use leptos::config::{Env, LeptosOptions};
use services::secret_box::SecretKey;

pub use dns::DnsServerSettings;
pub use settings::Settings;
use values::Mode;

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
    /// How long raw usage samples are kept (the rollups keep their figures).
    pub usage_retention: time::Duration,
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
    /// Name servers and region web servers for zones.
    pub dns: services::dns::DnsSettings,
    /// Where `ksf dns` answers, when set (`DNS_LISTEN`).
    pub dns_listen: Option<SocketAddr>,
    /// Who may read `/metrics`.
    pub metrics: crate::metrics::Access,
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

/// cargo-leptos writes the asset hashes next to the binary it builds with
/// `hash-files = true`. Leptos panics if hashing is on and that file is
/// missing, so by default hashing follows the file's presence.
fn hash_file_beside_binary(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .is_some_and(|path| path.exists())
}

/// Whether a URL's host is this machine (localhost, 127.0.0.0/8, ::1).
fn is_loopback_url(url: &str) -> bool {
    let authority = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Production hashes passwords at no less than OWASP's cost; development
/// and tests may go lower (a test suite signs in hundreds of times).
fn password_hash(s: &Settings, dev: bool) -> Result<services::passwords::HashCost, ConfigError> {
    use services::passwords::HashCost;
    let cost = HashCost {
        memory_kib: s.password_hash_memory_kib,
        iterations: s.password_hash_iterations,
    };
    if !dev && cost.memory_kib < HashCost::OWASP.memory_kib {
        return Err(ConfigError::invalid(
            "KSF_PASSWORD_HASH_MEMORY_KIB",
            cost.memory_kib.to_string(),
            "production hashes passwords with at least 19456 KiB (OWASP's minimum for Argon2id)",
        ));
    }
    if !dev && cost.iterations < HashCost::OWASP.iterations {
        return Err(ConfigError::invalid(
            "KSF_PASSWORD_HASH_ITERATIONS",
            cost.iterations.to_string(),
            "production hashes passwords with at least 2 passes (OWASP's minimum for Argon2id)",
        ));
    }
    Ok(cost)
}

/// DNS: development has defaults (both example name servers answer at the
/// local `ksf dns`); production must name its name servers.
fn dns(s: &Settings, dev: bool) -> Result<services::dns::DnsSettings, ConfigError> {
    use services::dns::DnsSettings;
    let defaults = DnsSettings::development();
    let (nameservers, nameserver_addrs) = match &s.nameservers {
        Some(ns) => (ns.names.clone(), ns.addrs.clone()),
        None if dev => {
            let local = s.dns_listen.unwrap_or(SocketAddr::from(([127, 0, 0, 1], 5353)));
            let addrs = defaults.nameservers.iter().map(|n| (n.clone(), local)).collect();
            (defaults.nameservers.clone(), addrs)
        }
        None => {
            return Err(ConfigError::Missing {
                var: "KSF_NAMESERVERS",
                hint: "list the name servers customers delegate their domains to, like ns1.example.net,ns2.example.net",
            })
        }
    };
    let nameserver_domain = match &s.nameserver_domain {
        Some(d) => d.0.clone(),
        None => {
            let first = nameservers.first().map(String::as_str).unwrap_or("example.net");
            let parent = first.split_once('.').map_or(first, |(_, rest)| rest);
            format!("ns.{parent}")
        }
    };
    let servers = match &s.region_servers {
        Some(list) => list.0.clone(),
        None if dev => defaults.servers,
        None => Vec::new(),
    };
    Ok(DnsSettings {
        nameservers,
        nameserver_domain,
        nameserver_addrs,
        resolvers: s.propagation_resolvers.clone().unwrap_or_default().0,
        servers,
    })
}

/// Billing: Stripe when `STRIPE_SECRET_KEY` is set (at `STRIPE_API_BASE`
/// when that is set too: the scripts point it at the local stand-in),
/// otherwise payments are not set up.
fn billing(s: &Settings, dev: bool) -> Result<services::billing::BillingSettings, ConfigError> {
    use services::billing::{stripe::Gateway, BillingSettings};
    let unset = BillingSettings {
        grace_days: s.billing_grace_days,
        checkout_tax: s.checkout_tax,
        checkout_promotion_codes: s.checkout_promotion_codes,
        ..BillingSettings::default()
    };
    let Some(key) = &s.stripe_secret_key else {
        return Ok(unset);
    };
    if !(key.starts_with("sk_") || key.starts_with("rk_")) {
        return Err(ConfigError::invalid(
            "STRIPE_SECRET_KEY",
            "<hidden>",
            "a Stripe secret key starts with sk_ (or rk_ for a restricted key)",
        ));
    }
    let base = s.stripe_api_base.as_ref().map(|b| b.0.as_str());
    if let Some(url) = base {
        // A key, test or live, goes elsewhere only in development (the
        // local stand-in): in production a mistyped base would hand it over.
        let live = key.contains("_live_");
        if url != "https://api.stripe.com" && (live || !dev) {
            return Err(ConfigError::invalid(
                "STRIPE_API_BASE",
                url,
                if live {
                    "a live key is only ever sent to Stripe: unset STRIPE_API_BASE"
                } else {
                    "in production a Stripe key is only ever sent to Stripe: unset STRIPE_API_BASE (the local stand-in is for development, LEPTOS_ENV=DEV)"
                },
            ));
        }
    }
    let webhook_secret = s.stripe_webhook_secret.clone().ok_or(ConfigError::Missing {
        var: "STRIPE_WEBHOOK_SECRET",
        hint: "with STRIPE_SECRET_KEY set, webhooks must be verified: copy the endpoint's signing secret (whsec_…) from Stripe's dashboard",
    })?;
    // The scripts' secret is public (it is in this repository).
    if !dev && webhook_secret == DEV_STRIPE_WEBHOOK_SECRET {
        return Err(ConfigError::invalid(
            "STRIPE_WEBHOOK_SECRET",
            "<hidden>",
            "that is the published development secret: use your endpoint's signing secret from Stripe's dashboard",
        ));
    }
    let gateway = Gateway::new(key, base)
        .map_err(|e| ConfigError::invalid("STRIPE_API_BASE", base.unwrap_or(""), e.to_string()))?;
    Ok(BillingSettings {
        stripe: Some(gateway),
        webhook_secret: Some(webhook_secret),
        ..unset
    })
}

/// The site's address and mode, and the rules between them: development
/// shows every email at /dev/mailbox so it stays on loopback; production
/// serves people over https (over plain http the cookie is not Secure).
fn site(s: &Settings) -> Result<(String, Env), ConfigError> {
    let site_url = s
        .site_url
        .as_ref()
        .map_or_else(|| format!("http://{}", s.site_addr), |u| u.0.clone());
    let env = match s.mode {
        Mode::Development => Env::DEV,
        Mode::Production => Env::PROD,
    };
    if env == Env::DEV && !is_loopback_url(&site_url) {
        return Err(ConfigError::invalid(
            "LEPTOS_ENV",
            "DEV",
            format!(
                "development mode shows every email (sign-in links too) at /dev/mailbox, so it runs only on a loopback address; KSF_SITE_URL is {site_url}. Unset LEPTOS_ENV for production"
            ),
        ));
    }
    if env == Env::PROD && !site_url.starts_with("https://") && !is_loopback_url(&site_url) {
        return Err(ConfigError::invalid(
            "KSF_SITE_URL",
            site_url,
            "production needs the https:// address people use (over plain http the session cookie is not Secure); only a loopback address may be http://. Unset, it is http:// + LEPTOS_SITE_ADDR",
        ));
    }
    Ok((site_url, env))
}

fn mail(s: &Settings) -> Result<services::mail::worker::MailerSettings, ConfigError> {
    let defaults = services::mail::worker::MailerSettings::default();
    let from = s.mail_from.clone().unwrap_or(defaults.from.clone());
    if !from.contains('@') {
        return Err(ConfigError::invalid(
            "KSF_MAIL_FROM",
            from,
            "use an address such as \"KSFoundation <no-reply@example.com>\"",
        ));
    }
    Ok(services::mail::worker::MailerSettings {
        resend_api_key: s.resend_api_key.clone(),
        resend_base_url: s.resend_base_url.as_ref().map(|u| u.0.clone()),
        from,
        reply_to: s.mail_reply_to.clone(),
        ..defaults
    })
}

fn limits(s: &Settings) -> services::rate_limit::Limits {
    const MB: i64 = 1_048_576;
    services::rate_limit::Limits {
        sign_ups_per_network_hour: s.signups_per_network_hour,
        invitations_per_user_day: s.invitations_per_user_day,
        email_changes_per_user_hour: s.email_changes_per_user_hour,
        hosting_accounts_per_user: s.max_hosting_accounts_per_user,
        tickets_per_user_hour: s.tickets_per_user_hour,
        ticket_replies_per_user_hour: s.ticket_replies_per_user_hour,
        attachment_bytes_per_user: s.attachment_quota_user_mb * MB,
        attachment_bytes_per_account: s.attachment_quota_account_mb * MB,
    }
}

fn secret_key(s: &Settings, env: &Env) -> Result<SecretKey, ConfigError> {
    match &s.secret_key {
        Some(hex) => SecretKey::parse(hex).map_err(|e| ConfigError::invalid("KSF_SECRET_KEY", "<hidden>", e.to_string())),
        None if *env == Env::DEV => Ok(SecretKey::development()),
        None => Err(ConfigError::Missing {
            var: "KSF_SECRET_KEY",
            hint: "production needs a key to seal two-factor secrets: run `ksf generate-key` and keep its output safe (changing it later turns off everyone's two-factor)",
        }),
    }
}

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
            usage_retention: time::Duration::days(s.usage_retention_days),
            secret_key: secret_key(&s, &env)?,
            staff_two_factor_required: s.staff_require_2fa.unwrap_or(!dev),
            data_dir: s.data_dir.clone(),
            support_email: s.support_email.clone().map(|a| a.0),
            billing: billing(&s, dev)?,
            billing_worker: s.billing_worker,
            dns: dns(&s, dev)?,
            dns_listen: s.dns_listen,
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
