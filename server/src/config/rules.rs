//! The rules between settings: what production refuses, and the defaults
//! that depend on the mode. `Config::from_settings` applies them.

use leptos::config::Env;
use services::secret_box::SecretKey;

use std::net::SocketAddr;

use super::values::Mode;
use super::{ConfigError, Settings, DEV_STRIPE_WEBHOOK_SECRET};

/// cargo-leptos writes the asset hashes next to the binary it builds with
/// `hash-files = true`. Leptos panics if hashing is on and that file is
/// missing, so by default hashing follows the file's presence.
pub(super) fn hash_file_beside_binary(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .is_some_and(|path| path.exists())
}

/// Whether a URL's host is this machine (localhost, 127.0.0.0/8, ::1).
pub(super) fn is_loopback_url(url: &str) -> bool {
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
pub(super) fn password_hash(s: &Settings, dev: bool) -> Result<services::passwords::HashCost, ConfigError> {
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
pub(super) fn dns(s: &Settings, dev: bool) -> Result<services::dns::DnsSettings, ConfigError> {
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
pub(super) fn billing(s: &Settings, dev: bool) -> Result<services::billing::BillingSettings, ConfigError> {
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
pub(super) fn site(s: &Settings) -> Result<(String, Env), ConfigError> {
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

pub(super) fn mail(s: &Settings) -> Result<services::mail::worker::MailerSettings, ConfigError> {
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
        webhook_secret: s.resend_webhook_secret.clone(),
        from,
        reply_to: s.mail_reply_to.clone(),
        lease: std::time::Duration::from_secs(s.mail_lease_seconds),
        ..defaults
    })
}

pub(super) fn limits(s: &Settings) -> services::rate_limit::Limits {
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

pub(super) fn secret_key(s: &Settings, env: &Env) -> Result<SecretKey, ConfigError> {
    match &s.secret_key {
        Some(hex) => SecretKey::parse(hex).map_err(|e| ConfigError::invalid("KSF_SECRET_KEY", "<hidden>", e.to_string())),
        None if *env == Env::DEV => Ok(SecretKey::development()),
        None => Err(ConfigError::Missing {
            var: "KSF_SECRET_KEY",
            hint: "production needs a key to seal two-factor secrets: run `ksf generate-key` and keep its output safe (changing it later turns off everyone's two-factor)",
        }),
    }
}
