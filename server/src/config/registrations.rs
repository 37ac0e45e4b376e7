//! Domain registration: Namecheap when its API key is set (at
//! `NAMECHEAP_API_BASE` when that is set too: their sandbox, or the local
//! stand-in the scripts start), staff by hand with `KSF_REGISTRAR=manual`,
//! otherwise domains are not sold.

use std::sync::Arc;

use services::registrations::namecheap::{Namecheap, NamecheapConfig, PRODUCTION};
use services::registrations::RegistrationSettings;

use super::{ConfigError, Settings};

/// Namecheap's sandbox: a key for it is not a production key.
const SANDBOX: &str = "https://api.sandbox.namecheap.com/xml.response";

pub(super) fn settings(s: &Settings, dev: bool) -> Result<RegistrationSettings, ConfigError> {
    let unset = RegistrationSettings {
        registrar: None,
        balance_warning_minor: s.registrar_balance_warning * 100,
    };
    if s.registrar == "manual" {
        return Ok(RegistrationSettings {
            registrar: Some(Arc::new(services::registrations::manual::Manual)),
            ..unset
        });
    }
    let Some(key) = &s.namecheap_api_key else {
        return Ok(unset);
    };
    let user = s.namecheap_api_user.clone().ok_or(ConfigError::Missing {
        var: "NAMECHEAP_API_USER",
        hint: "with NAMECHEAP_API_KEY set, the API user is needed too (your Namecheap user name)",
    })?;
    let client_ip = s.namecheap_client_ip.ok_or(ConfigError::Missing {
        var: "NAMECHEAP_CLIENT_IP",
        hint: "Namecheap answers only this server's whitelisted public IPv4 address: set it (Profile > Tools > API access)",
    })?;
    let base = s.namecheap_api_base.as_ref().map_or(PRODUCTION, |b| b.0.as_str());
    // A key goes elsewhere than Namecheap only in development (the stand-in).
    if !dev && base != PRODUCTION && base != SANDBOX {
        return Err(ConfigError::invalid(
            "NAMECHEAP_API_BASE",
            base,
            "in production the key is only ever sent to Namecheap (their API or their sandbox)",
        ));
    }
    let client = Namecheap::new(NamecheapConfig {
        base_url: base.to_string(),
        user_name: s.namecheap_username.clone().unwrap_or_else(|| user.clone()),
        api_user: user,
        api_key: key.clone(),
        client_ip: client_ip.to_string(),
    })
    .map_err(|e| ConfigError::invalid("NAMECHEAP_API_BASE", base, e.to_string()))?;
    Ok(RegistrationSettings {
        registrar: Some(Arc::new(client)),
        ..unset
    })
}
