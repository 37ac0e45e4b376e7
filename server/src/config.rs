//! Configuration from the environment (and `.env`), checked once at start
//! so a bad value stops the process with a message naming the variable.

use std::{net::SocketAddr, time::Duration};

use app::services::secret_box::SecretKey;
use leptos::config::{Env, LeptosOptions};

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
        var: &'static str,
        value: String,
        reason: String,
    },
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
    pub mail: app::services::mail::worker::MailerSettings,
    /// Run the email worker in this process (several processes may).
    pub mail_worker: bool,
    pub ip_limit: app::api::identity::IpLimit,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or CIDRs).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// What one user or network may do (each email sent for them is bounded).
    pub limits: app::services::rate_limit::Limits,
    /// How long raw usage samples are kept (the rollups keep their figures).
    pub usage_retention: time::Duration,
    /// Seals secrets at rest (TOTP seeds).
    pub secret_key: app::services::secret_box::SecretKey,
    /// Staff must turn on two-factor before using the portal.
    pub staff_two_factor_required: bool,
    /// Where files are kept (ticket attachments), `KSF_DATA_DIR`.
    pub data_dir: std::path::PathBuf,
    /// Told of new tickets nobody is assigned to, `KSF_SUPPORT_EMAIL`.
    pub support_email: Option<String>,
    /// Stripe (or the stand-in), the webhook secret and billing's rules.
    pub billing: app::services::billing::BillingSettings,
    /// Run the Stripe event worker in this process (several processes may).
    pub billing_worker: bool,
    /// Name servers and region web servers for zones.
    pub dns: app::services::dns::DnsSettings,
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

/// Reads one variable; `None` when unset or empty.
pub(crate) fn var(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.trim().is_empty())
}

pub(crate) fn parse<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(lookup, name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
            var: name,
            value: v,
            reason: e.to_string(),
        }),
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

/// A limit from the environment: a whole number from 1 to 1,000,000.
const MB: i64 = 1_048_576;

fn positive(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: i64,
) -> Result<i64, ConfigError> {
    let value: i64 = parse(lookup, name, default)?;
    if (1..=1_000_000).contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            var: name,
            value: value.to_string(),
            reason: "use a whole number from 1 to 1000000".into(),
        })
    }
}

/// A DNS server's address: `ip` (port 53) or `ip:port`.
pub(crate) fn dns_address(item: &str) -> Option<SocketAddr> {
    let item = item.trim();
    item.parse::<SocketAddr>().ok().or_else(|| {
        item.parse::<std::net::IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// A comma-separated list of DNS servers' addresses; empty when unset.
/// A comma-separated list of IP addresses or CIDR ranges (empty if unset).
pub(crate) fn networks(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    let Some(list) = var(lookup, name) else {
        return Ok(Vec::new());
    };
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Invalid {
                    var: name,
                    value: s.to_string(),
                    reason: "use IP addresses or CIDR ranges separated by commas, e.g. 10.0.0.0/8,::1".into(),
                })
        })
        .collect()
}

pub(crate) fn addresses(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Vec<SocketAddr>, ConfigError> {
    let Some(list) = var(lookup, name) else {
        return Ok(Vec::new());
    };
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            dns_address(item).ok_or_else(|| ConfigError::Invalid {
                var: name,
                value: item.to_string(),
                reason: "use IP addresses (with :port when not 53), separated by commas".into(),
            })
        })
        .collect()
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

/// DNS: `KSF_NAMESERVERS` (`ns1.example.net,ns2.example.net`) and
/// `KSF_REGION_SERVERS` (`eu-central=203.0.113.10/2001:db8::10,…`; the
/// IPv6 part is optional). Development has defaults; production must say.
fn dns(
    lookup: &impl Fn(&str) -> Option<String>,
    dev: bool,
) -> Result<app::services::dns::DnsSettings, ConfigError> {
    use app::domain::DomainName;
    use app::services::dns::{DnsSettings, RegionServer};
    let defaults = DnsSettings::development();
    let (nameservers, nameserver_addrs) = match var(lookup, "KSF_NAMESERVERS") {
        // Development: both example name servers are the local `ksf dns`.
        None if dev => {
            let local: SocketAddr = parse(lookup, "DNS_LISTEN", SocketAddr::from(([127, 0, 0, 1], 5353)))?;
            let addrs = defaults.nameservers.iter().map(|n| (n.clone(), local)).collect();
            (defaults.nameservers.clone(), addrs)
        }
        None => {
            return Err(ConfigError::Missing {
                var: "KSF_NAMESERVERS",
                hint: "list the name servers customers delegate their domains to, like ns1.example.net,ns2.example.net",
            })
        }
        Some(list) => {
            let invalid = || ConfigError::Invalid {
                var: "KSF_NAMESERVERS",
                value: list.clone(),
                reason: "use host names separated by commas, each optionally with @address[:port] where it answers".into(),
            };
            let (mut names, mut addrs) = (Vec::new(), Vec::new());
            for item in list.split(',') {
                let (host, at) = match item.split_once('@') {
                    Some((host, at)) => (host, Some(at.trim())),
                    None => (item, None),
                };
                let host = DomainName::parse(host).map_err(|_| invalid())?.as_str().to_string();
                if let Some(at) = at {
                    let addr = dns_address(at).ok_or_else(invalid)?;
                    addrs.push((host.clone(), addr));
                }
                names.push(host);
            }
            if names.is_empty() {
                return Err(invalid());
            }
            (names, addrs)
        }
    };
    // Each zone's own name server names are made under this domain:
    // `ns.` and the first name server's domain unless set.
    let nameserver_domain = match var(lookup, "KSF_NAMESERVER_DOMAIN") {
        Some(d) => DomainName::parse(&d)
            .map_err(|_| ConfigError::Invalid {
                var: "KSF_NAMESERVER_DOMAIN",
                value: d.clone(),
                reason: "a domain name, like ns.example.net".into(),
            })?
            .as_str()
            .to_string(),
        None => {
            let first = nameservers.first().map(String::as_str).unwrap_or("example.net");
            let parent = first.split_once('.').map_or(first, |(_, rest)| rest);
            format!("ns.{parent}")
        }
    };
    let resolvers = addresses(lookup, "KSF_PROPAGATION_RESOLVERS")?;
    let servers = match var(lookup, "KSF_REGION_SERVERS") {
        None if dev => defaults.servers,
        None => Vec::new(),
        Some(list) => {
            let mut servers = Vec::new();
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let parsed = item.split_once('=').and_then(|(region, addresses)| {
                    let (v4, v6) = match addresses.split_once('/') {
                        Some((v4, v6)) => (v4, Some(v6)),
                        None => (addresses, None),
                    };
                    let ipv6 = match v6 {
                        Some(v6) => Some(v6.trim().parse().ok()?),
                        None => None,
                    };
                    app::domain::hosting::Region::parse(region)?;
                    Some(RegionServer {
                        region: region.trim().to_string(),
                        ipv4: v4.trim().parse().ok()?,
                        ipv6,
                    })
                });
                match parsed {
                    Some(s) => servers.push(s),
                    None => return Err(ConfigError::Invalid {
                        var: "KSF_REGION_SERVERS",
                        value: item.to_string(),
                        reason:
                            "use region=IPv4 or region=IPv4/IPv6 with one of our regions, separated by commas"
                                .into(),
                    }),
                }
            }
            servers
        }
    };
    Ok(DnsSettings {
        nameservers,
        nameserver_domain,
        nameserver_addrs,
        resolvers,
        servers,
    })
}

/// Billing: Stripe when `STRIPE_SECRET_KEY` is set (at `STRIPE_API_BASE`
/// when that is set too: the scripts point it at the local stand-in),
/// otherwise payments are not set up.
fn billing(
    lookup: &impl Fn(&str) -> Option<String>,
    dev: bool,
) -> Result<app::services::billing::BillingSettings, ConfigError> {
    use app::services::billing::{stripe::Gateway, BillingSettings, DEFAULT_GRACE_DAYS};
    let grace_days = positive(lookup, "KSF_BILLING_GRACE_DAYS", DEFAULT_GRACE_DAYS)?;
    let checkout_tax = parse(lookup, "KSF_CHECKOUT_TAX", false)?;
    let checkout_promotion_codes = parse(lookup, "KSF_CHECKOUT_PROMOTION_CODES", false)?;
    let base = var(lookup, "STRIPE_API_BASE");
    let Some(key) = var(lookup, "STRIPE_SECRET_KEY") else {
        return Ok(BillingSettings {
            grace_days,
            checkout_tax,
            checkout_promotion_codes,
            ..BillingSettings::default()
        });
    };
    let invalid = |var: &'static str, value: &str, reason: &str| ConfigError::Invalid {
        var,
        value: value.to_string(),
        reason: reason.to_string(),
    };
    if !(key.starts_with("sk_") || key.starts_with("rk_")) {
        return Err(invalid(
            "STRIPE_SECRET_KEY",
            "<hidden>",
            "a Stripe secret key starts with sk_ (or rk_ for a restricted key)",
        ));
    }
    if let Some(url) = &base {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(invalid(
                "STRIPE_API_BASE",
                url,
                "it must be an http:// or https:// URL",
            ));
        }
        // A key, test or live, goes elsewhere only in development (the
        // local stand-in): in production a mistyped base would hand it over.
        let live = key.contains("_live_");
        if url.trim_end_matches('/') != "https://api.stripe.com" && (live || !dev) {
            return Err(invalid(
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
    let webhook_secret = var(lookup, "STRIPE_WEBHOOK_SECRET").ok_or(ConfigError::Missing {
        var: "STRIPE_WEBHOOK_SECRET",
        hint: "with STRIPE_SECRET_KEY set, webhooks must be verified: copy the endpoint's signing secret (whsec_…) from Stripe's dashboard",
    })?;
    // The scripts' secret is public (it is in this repository).
    if !dev && webhook_secret == DEV_STRIPE_WEBHOOK_SECRET {
        return Err(invalid(
            "STRIPE_WEBHOOK_SECRET",
            "<hidden>",
            "that is the published development secret: use your endpoint's signing secret from Stripe's dashboard",
        ));
    }
    let gateway = Gateway::new(&key, base.as_deref())
        .map_err(|e| invalid("STRIPE_API_BASE", base.as_deref().unwrap_or(""), &e.to_string()))?;
    Ok(BillingSettings {
        stripe: Some(gateway),
        webhook_secret: Some(webhook_secret),
        grace_days,
        checkout_tax,
        checkout_promotion_codes,
    })
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds the configuration from any variable source (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = var(&lookup, "DATABASE_URL").ok_or(ConfigError::Missing {
            var: "DATABASE_URL",
            hint: "set it to a PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/ksf (./scripts/run sets it for you)",
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                var: "DATABASE_URL",
                value: "<hidden>".into(),
                reason: "it must start with postgres:// or postgresql://".into(),
            });
        }
        let database_max_connections: u32 = parse(&lookup, "KSF_DB_MAX_CONNECTIONS", 10)?;
        if database_max_connections == 0 {
            return Err(ConfigError::Invalid {
                var: "KSF_DB_MAX_CONNECTIONS",
                value: "0".into(),
                reason: "at least 1 connection is needed".into(),
            });
        }
        let site_addr: SocketAddr = parse(
            &lookup,
            "LEPTOS_SITE_ADDR",
            SocketAddr::from(([127, 0, 0, 1], 3000)),
        )?;
        let site_url = var(&lookup, "KSF_SITE_URL")
            .unwrap_or_else(|| format!("http://{site_addr}"))
            .trim_end_matches('/')
            .to_string();
        if !(site_url.starts_with("http://") || site_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                var: "KSF_SITE_URL",
                value: site_url,
                reason: "it must be an http:// or https:// URL".into(),
            });
        }
        // Production unless development is asked for: development mode shows
        // every email at /dev/mailbox and seals secrets with a built-in key.
        let env = match var(&lookup, "LEPTOS_ENV")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("dev") | Some("development") => Env::DEV,
            None | Some("prod") | Some("production") => Env::PROD,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "LEPTOS_ENV",
                    value: other.to_string(),
                    reason: "use DEV or PROD".into(),
                })
            }
        };
        if env == Env::DEV && !is_loopback_url(&site_url) {
            return Err(ConfigError::Invalid {
                var: "LEPTOS_ENV",
                value: "DEV".into(),
                reason: format!(
                    "development mode shows every email (sign-in links too) at /dev/mailbox, so it runs only on a loopback address; KSF_SITE_URL is {site_url}. Unset LEPTOS_ENV for production"
                ),
            });
        }
        // Over plain http the session cookie cannot be Secure: production
        // serves people over https, or only this machine.
        if env == Env::PROD && !site_url.starts_with("https://") && !is_loopback_url(&site_url) {
            return Err(ConfigError::Invalid {
                var: "KSF_SITE_URL",
                value: site_url,
                reason: "production needs the https:// address people use (over plain http the session cookie is not Secure); only a loopback address may be http://. Unset, it is http:// + LEPTOS_SITE_ADDR".into(),
            });
        }
        let hash_file = var(&lookup, "LEPTOS_HASH_FILE_NAME").unwrap_or_else(|| "hash.txt".into());
        let request_timeout = Duration::from_secs(parse(&lookup, "KSF_REQUEST_TIMEOUT_SECS", 30u64)?);
        let leptos = LeptosOptions::builder()
            .output_name(var(&lookup, "LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "ksf".into()))
            .site_root(var(&lookup, "LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()))
            .site_pkg_dir(var(&lookup, "LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()))
            .site_addr(site_addr)
            .env(env.clone())
            .hash_files(parse(
                &lookup,
                "LEPTOS_HASH_FILES",
                hash_file_beside_binary(&hash_file),
            )?)
            .hash_file(std::sync::Arc::from(hash_file))
            .reload_port(parse(&lookup, "LEPTOS_RELOAD_PORT", 3001u32)?)
            .build();
        let resend_base_url = var(&lookup, "RESEND_BASE_URL");
        if let Some(url) = &resend_base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::Invalid {
                    var: "RESEND_BASE_URL",
                    value: url.clone(),
                    reason: "it must be an http:// or https:// URL".into(),
                });
            }
        }
        let defaults = app::services::mail::worker::MailerSettings::default();
        let from = var(&lookup, "KSF_MAIL_FROM").unwrap_or(defaults.from.clone());
        if !from.contains('@') {
            return Err(ConfigError::Invalid {
                var: "KSF_MAIL_FROM",
                value: from,
                reason: "use an address such as \"KSFoundation <no-reply@example.com>\"".into(),
            });
        }
        let mail = app::services::mail::worker::MailerSettings {
            resend_api_key: var(&lookup, "RESEND_API_KEY"),
            resend_base_url,
            from,
            reply_to: var(&lookup, "KSF_MAIL_REPLY_TO"),
            ..defaults
        };
        let mail_worker = parse(&lookup, "KSF_MAIL_WORKER", true)?;
        let default_limit = app::api::identity::IpLimit::default();
        let ip_limit = app::api::identity::IpLimit {
            burst: parse(&lookup, "KSF_AUTH_BURST_PER_IP", default_limit.burst)?,
            replenish: Duration::from_secs(parse(
                &lookup,
                "KSF_AUTH_REPLENISH_SECS",
                default_limit.replenish.as_secs(),
            )?),
        };
        if ip_limit.burst == 0 || ip_limit.replenish.is_zero() {
            return Err(ConfigError::Invalid {
                var: "KSF_AUTH_BURST_PER_IP",
                value: format!("{} / {}s", ip_limit.burst, ip_limit.replenish.as_secs()),
                reason: "the burst and the replenish period must be at least 1".into(),
            });
        }
        let trusted_proxies = networks(&lookup, "KSF_TRUSTED_PROXIES")?;
        let defaults = app::services::rate_limit::Limits::default();
        let limits = app::services::rate_limit::Limits {
            sign_ups_per_network_hour: positive(
                &lookup,
                "KSF_SIGNUPS_PER_NETWORK_HOUR",
                defaults.sign_ups_per_network_hour,
            )?,
            invitations_per_user_day: positive(
                &lookup,
                "KSF_INVITATIONS_PER_USER_DAY",
                defaults.invitations_per_user_day,
            )?,
            email_changes_per_user_hour: positive(
                &lookup,
                "KSF_EMAIL_CHANGES_PER_USER_HOUR",
                defaults.email_changes_per_user_hour,
            )?,
            hosting_accounts_per_user: positive(
                &lookup,
                "KSF_MAX_HOSTING_ACCOUNTS_PER_USER",
                defaults.hosting_accounts_per_user,
            )?,
            tickets_per_user_hour: positive(
                &lookup,
                "KSF_TICKETS_PER_USER_HOUR",
                defaults.tickets_per_user_hour,
            )?,
            ticket_replies_per_user_hour: positive(
                &lookup,
                "KSF_TICKET_REPLIES_PER_USER_HOUR",
                defaults.ticket_replies_per_user_hour,
            )?,
            // In megabytes (1 MB to 1 TB).
            attachment_bytes_per_user: positive(
                &lookup,
                "KSF_ATTACHMENT_QUOTA_USER_MB",
                defaults.attachment_bytes_per_user / MB,
            )? * MB,
            attachment_bytes_per_account: positive(
                &lookup,
                "KSF_ATTACHMENT_QUOTA_ACCOUNT_MB",
                defaults.attachment_bytes_per_account / MB,
            )? * MB,
        };
        let data_dir =
            std::path::PathBuf::from(var(&lookup, "KSF_DATA_DIR").unwrap_or_else(|| "data".into()));
        let support_email = match var(&lookup, "KSF_SUPPORT_EMAIL") {
            None => None,
            Some(raw) => Some(
                app::domain::Email::parse(&raw)
                    .map_err(|e| ConfigError::Invalid {
                        var: "KSF_SUPPORT_EMAIL",
                        value: raw.clone(),
                        reason: e.to_string(),
                    })?
                    .as_str()
                    .to_string(),
            ),
        };
        let usage_retention = time::Duration::days(positive(&lookup, "KSF_USAGE_RETENTION_DAYS", 400)?);
        let secret_key = match var(&lookup, "KSF_SECRET_KEY") {
            Some(hex) => SecretKey::parse(&hex).map_err(|e| ConfigError::Invalid {
                var: "KSF_SECRET_KEY",
                value: "<hidden>".into(),
                reason: e.to_string(),
            })?,
            None if env == Env::DEV => SecretKey::development(),
            None => {
                return Err(ConfigError::Missing {
                    var: "KSF_SECRET_KEY",
                    hint: "production needs a key to seal two-factor secrets: run `ksf generate-key` and keep its output safe (changing it later turns off everyone's two-factor)",
                })
            }
        };
        let staff_two_factor_required = parse(&lookup, "KSF_STAFF_REQUIRE_2FA", env != Env::DEV)?;
        let billing = billing(&lookup, env == Env::DEV)?;
        let billing_worker = parse(&lookup, "KSF_BILLING_WORKER", true)?;
        let dns = dns(&lookup, env == Env::DEV)?;
        Ok(Self {
            database_url,
            database_max_connections,
            site_addr,
            site_url,
            leptos,
            request_timeout,
            mail,
            mail_worker,
            ip_limit,
            trusted_proxies,
            limits,
            usage_retention,
            secret_key,
            staff_two_factor_required,
            data_dir,
            support_email,
            billing,
            billing_worker,
            dns,
        })
    }

    pub fn is_dev(&self) -> bool {
        self.leptos.env == Env::DEV
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(move |k| map.get(k).cloned())
    }

    #[test]
    fn development_needs_only_a_database() {
        let c = config(&[
            ("DATABASE_URL", "postgres://u@127.0.0.1/ksf"),
            ("LEPTOS_ENV", "DEV"),
        ])
        .unwrap();
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.site_url, "http://127.0.0.1:3000");
        assert!(c.is_dev());
    }

    #[test]
    fn production_is_the_default_and_development_stays_on_loopback() {
        let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
        let key = "0f".repeat(32);
        let ns = ("KSF_NAMESERVERS", "ns1.example.net");
        let c = config(&[db, ("KSF_SECRET_KEY", &key), ns]).unwrap();
        assert!(!c.is_dev(), "no LEPTOS_ENV: production");
        let err = config(&[db]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("KSF_SECRET_KEY is not set"), "{err}");
        for public in ["https://portal.example.com", "http://192.0.2.10:3000"] {
            let err = config(&[db, ("LEPTOS_ENV", "DEV"), ("KSF_SITE_URL", public)])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                err.contains("loopback") && err.contains("LEPTOS_ENV"),
                "{public}: {err}"
            );
        }
        for local in [
            "http://localhost:3000",
            "http://127.0.0.1:3100",
            "http://[::1]:3000",
        ] {
            assert!(
                config(&[db, ("LEPTOS_ENV", "DEV"), ("KSF_SITE_URL", local)]).is_ok(),
                "{local}"
            );
        }
    }

    #[test]
    fn production_defaults_are_safe() {
        let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
        let key = "0f".repeat(32);
        let key = ("KSF_SECRET_KEY", key.as_str());
        let ns = ("KSF_NAMESERVERS", "ns1.example.net");
        let prod = |extra: &[(&str, &str)]| {
            let mut v = vec![db, key, ns];
            v.extend_from_slice(extra);
            config(&v)
        };
        let err = |extra: &[(&str, &str)]| prod(extra).err().map(|e| e.to_string()).unwrap_or_default();
        // Staff need a second factor unless the operator says otherwise.
        assert!(prod(&[]).unwrap().staff_two_factor_required);
        assert!(
            !prod(&[("KSF_STAFF_REQUIRE_2FA", "false")])
                .unwrap()
                .staff_two_factor_required
        );
        assert!(
            !config(&[db, ("LEPTOS_ENV", "DEV")])
                .unwrap()
                .staff_two_factor_required
        );
        // Plain http only on this machine.
        for public in ["http://portal.example.com", "http://192.0.2.10:3000"] {
            let e = err(&[("KSF_SITE_URL", public)]);
            assert!(e.starts_with("KSF_SITE_URL=") && e.contains("https://"), "{e}");
        }
        assert!(err(&[("LEPTOS_SITE_ADDR", "0.0.0.0:3000")]).contains("KSF_SITE_URL"));
        for ok in [
            "https://portal.example.com",
            "http://127.0.0.1:3000",
            "http://localhost:8080",
            "http://[::1]:3000",
        ] {
            assert!(prod(&[("KSF_SITE_URL", ok)]).is_ok(), "{ok}");
        }
        // Any Stripe key goes to Stripe only.
        let (k, w) = (
            ("STRIPE_SECRET_KEY", "sk_test_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
        );
        for base in ["http://127.0.0.1:12111", "https://api.stripe.com.evil.example"] {
            let e = err(&[k, w, ("STRIPE_API_BASE", base)]);
            assert!(
                e.contains("STRIPE_API_BASE") && e.contains("only ever sent to Stripe"),
                "{base}: {e}"
            );
        }
        assert!(prod(&[k, w, ("STRIPE_API_BASE", "https://api.stripe.com/")]).is_ok());
        assert!(prod(&[k, w]).unwrap().billing.enabled());
    }

    #[test]
    fn stripe_keys_are_checked() {
        let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
        let dev = ("LEPTOS_ENV", "DEV");
        let key = "0f".repeat(32);
        let none = config(&[db, dev]).unwrap();
        assert!(!none.billing.enabled(), "no key: payments are not set up");
        let err = |pairs: &[(&str, &str)]| config(pairs).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err(&[db, dev, ("STRIPE_SECRET_KEY", "sk_test_x")])
            .starts_with("STRIPE_WEBHOOK_SECRET is not set"));
        assert!(err(&[
            db,
            dev,
            ("STRIPE_SECRET_KEY", "pk_test_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_x")
        ])
        .contains("starts with sk_"));
        for base in ["https://api.stripe.com.evil.example", "http://127.0.0.1:12111"] {
            let e = err(&[
                db,
                dev,
                ("STRIPE_SECRET_KEY", "sk_live_x"),
                ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
                ("STRIPE_API_BASE", base),
            ]);
            assert!(e.contains("only ever sent to Stripe"), "{base}: {e}");
        }
        let e = err(&[
            db,
            ("KSF_SECRET_KEY", &key),
            ("STRIPE_SECRET_KEY", "sk_live_x"),
            ("STRIPE_WEBHOOK_SECRET", DEV_STRIPE_WEBHOOK_SECRET),
        ]);
        assert!(e.contains("published development secret"), "{e}");
        let standin = config(&[
            db,
            dev,
            ("STRIPE_SECRET_KEY", "sk_test_ksf_standin"),
            ("STRIPE_WEBHOOK_SECRET", DEV_STRIPE_WEBHOOK_SECRET),
            ("STRIPE_API_BASE", "http://127.0.0.1:12111"),
        ])
        .unwrap();
        assert!(standin.billing.enabled() && standin.billing.stripe.as_ref().unwrap().test_mode());
    }

    #[test]
    fn trusted_proxies_and_limits_are_checked() {
        let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
        let dev = ("LEPTOS_ENV", "DEV");
        let c = config(&[db, dev, ("KSF_TRUSTED_PROXIES", "10.0.0.0/8, ::1")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        let err = config(&[db, dev, ("KSF_TRUSTED_PROXIES", "10.0.0.0/8,nginx")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("KSF_TRUSTED_PROXIES") && err.contains("nginx"),
            "{err}"
        );
        let c = config(&[db, dev, ("KSF_SIGNUPS_PER_NETWORK_HOUR", "50")]).unwrap();
        assert_eq!(c.limits.sign_ups_per_network_hour, 50);
        assert!(config(&[db, dev, ("KSF_MAX_HOSTING_ACCOUNTS_PER_USER", "0")]).is_err());
    }

    #[test]
    fn production_needs_a_secret_key() {
        let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
        let err = config(&[db, ("LEPTOS_ENV", "PROD")]).unwrap_err().to_string();
        assert!(err.starts_with("KSF_SECRET_KEY is not set"), "{err}");
        let bad = config(&[db, ("LEPTOS_ENV", "PROD"), ("KSF_SECRET_KEY", "short")])
            .unwrap_err()
            .to_string();
        assert!(bad.contains("KSF_SECRET_KEY") && !bad.contains("short"), "{bad}");
        let key = "0f".repeat(32);
        let prod = ("LEPTOS_ENV", "PROD");
        let err = config(&[db, prod, ("KSF_SECRET_KEY", &key)])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("KSF_NAMESERVERS is not set"), "{err}");
        let ns = ("KSF_NAMESERVERS", "ns1.example.net, ns2.example.net");
        let c = config(&[db, prod, ("KSF_SECRET_KEY", &key), ns]).unwrap();
        assert_eq!(c.dns.nameservers, ["ns1.example.net", "ns2.example.net"]);
        assert!(
            c.dns.servers.is_empty(),
            "production has no made-up server addresses"
        );
        let servers = (
            "KSF_REGION_SERVERS",
            "eu-central=198.51.100.7/2001:db8::7, us-east=198.51.100.8",
        );
        let c = config(&[db, prod, ("KSF_SECRET_KEY", &key), ns, servers]).unwrap();
        assert_eq!(
            c.dns.server_of("eu-central"),
            Some((
                "198.51.100.7".parse().unwrap(),
                Some("2001:db8::7".parse().unwrap())
            ))
        );
        assert_eq!(c.dns.server_of("us-east").unwrap().1, None);
        for bad in ["mars=198.51.100.7", "eu-central=1.2.3", "eu-central"] {
            let e = config(&[
                db,
                prod,
                ("KSF_SECRET_KEY", &key),
                ns,
                ("KSF_REGION_SERVERS", bad),
            ])
            .unwrap_err()
            .to_string();
            assert!(e.contains("KSF_REGION_SERVERS"), "{bad}: {e}");
        }
        let e = config(&[
            db,
            prod,
            ("KSF_SECRET_KEY", &key),
            ("KSF_NAMESERVERS", "ns1 example"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("KSF_NAMESERVERS"), "{e}");
        // Development runs with a built-in key.
        assert!(config(&[db, ("LEPTOS_ENV", "DEV")]).is_ok());
    }

    #[test]
    fn name_servers_may_say_where_they_answer_and_resolvers_are_listed() {
        let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
        let dev = ("LEPTOS_ENV", "DEV");
        // Development: both example name servers are the local `ksf dns`.
        let c = config(&[db, dev, ("DNS_LISTEN", "127.0.0.1:5399")]).unwrap();
        let local: SocketAddr = "127.0.0.1:5399".parse().unwrap();
        assert_eq!(
            c.dns.nameserver_addrs,
            [
                ("ns1.example.net".to_string(), local),
                ("ns2.example.net".to_string(), local)
            ]
        );
        let ns = (
            "KSF_NAMESERVERS",
            "ns1.example.net@192.0.2.53, ns2.example.net@[2001:db8::53]:5300,ns3.example.net",
        );
        let resolvers = ("KSF_PROPAGATION_RESOLVERS", "1.1.1.1, 127.0.0.1:5353");
        let c = config(&[db, dev, ns, resolvers]).unwrap();
        assert_eq!(
            c.dns.nameservers,
            ["ns1.example.net", "ns2.example.net", "ns3.example.net"]
        );
        assert_eq!(
            c.dns.nameserver_addrs,
            [
                ("ns1.example.net".to_string(), "192.0.2.53:53".parse().unwrap()),
                (
                    "ns2.example.net".to_string(),
                    "[2001:db8::53]:5300".parse().unwrap()
                ),
            ]
        );
        assert_eq!(
            c.dns.resolvers,
            [
                "1.1.1.1:53".parse::<SocketAddr>().unwrap(),
                "127.0.0.1:5353".parse().unwrap()
            ]
        );
        for bad in [
            ("KSF_NAMESERVERS", "ns1.example.net@nowhere"),
            ("KSF_PROPAGATION_RESOLVERS", "one.one"),
        ] {
            let e = config(&[db, dev, bad]).unwrap_err().to_string();
            assert!(e.contains(bad.0), "{e}");
        }
    }

    #[test]
    fn the_dns_server_defaults_to_port_53_in_production_only() {
        use crate::dns::config::DnsServerConfig;
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let dev = DnsServerConfig::from_lookup(env(&[]), false).unwrap();
        assert_eq!(dev.listen.to_string(), "127.0.0.1:5353");
        assert_eq!(dev.delegation_every, None, "made-up demo domains are not checked");
        assert!(dev.secondaries.is_empty() && dev.rate_limit == 100 && dev.query_log_every == 0);
        let prod =
            DnsServerConfig::from_lookup(env(&[("DNS_SECONDARIES", "192.0.2.53, 192.0.2.54:5300")]), true)
                .unwrap();
        assert_eq!(prod.listen.to_string(), "0.0.0.0:53");
        assert_eq!(prod.delegation_every, Some(Duration::from_secs(300)));
        assert_eq!(prod.secondaries.len(), 2);
        for bad in [
            &[("DNS_SECONDARIES", "ns.example")][..],
            &[("DNS_DELEGATION_CHECK_SECONDS", "5")][..],
            &[("DNS_RATE_LIMIT", "-1")][..],
            &[("DNS_METRICS_LISTEN", "localhost")][..],
        ] {
            let var = bad[0].0;
            let e = DnsServerConfig::from_lookup(env(bad), true)
                .unwrap_err()
                .to_string();
            assert!(e.contains(var), "{e}");
        }
        assert!(
            DnsServerConfig::from_lookup(env(&[("DNS_METRICS_LISTEN", "off")]), true)
                .unwrap()
                .metrics_listen
                .is_none()
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let missing = config(&[]).unwrap_err().to_string();
        assert!(missing.starts_with("DATABASE_URL is not set"), "{missing}");
        let bad_addr = config(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("LEPTOS_SITE_ADDR", "localhost"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            bad_addr.starts_with("LEPTOS_SITE_ADDR=\"localhost\" is not valid"),
            "{bad_addr}"
        );
        let bad_env = config(&[("DATABASE_URL", "postgres://x/y"), ("LEPTOS_ENV", "staging")])
            .unwrap_err()
            .to_string();
        assert!(bad_env.contains("LEPTOS_ENV"), "{bad_env}");
        let bad_db = config(&[("DATABASE_URL", "mysql://secret@x/y")])
            .unwrap_err()
            .to_string();
        assert!(
            bad_db.contains("DATABASE_URL") && !bad_db.contains("secret"),
            "{bad_db}"
        );
    }

    #[test]
    fn debug_output_hides_the_database_url() {
        let c = config(&[
            ("DATABASE_URL", "postgres://u:hunter2@127.0.0.1/ksf"),
            ("LEPTOS_ENV", "DEV"),
        ])
        .unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
