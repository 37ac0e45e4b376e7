//! Caddy's configuration for a node, as JSON for its admin API: one HTTP
//! server whose routes match each site's host names. Active sites serve
//! their files; suspended ones the suspension page with a 503. Loaded with
//! `POST /load`, which swaps the whole configuration atomically.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use domain::sites::{DesiredState, SiteMode, NODE_HEADER};

/// Where Caddy listens and is administered.
#[derive(Debug, Clone)]
pub struct CaddySettings {
    /// Its admin API, e.g. `127.0.0.1:2019` (kept in the configuration, so
    /// a load never moves it).
    pub admin: String,
    /// Where sites are served, e.g. `:80` (`127.0.0.1:8080` in development).
    pub listen: String,
    /// Caddy's access log (JSON lines), which the agent reads to measure
    /// the bytes each site served.
    pub access_log: std::path::PathBuf,
    /// HTTPS, when the node serves it.
    pub tls: Option<TlsSettings>,
}

/// Where Caddy serves HTTPS and who signs its certificates.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    /// E.g. `:443` (`127.0.0.1:8443` in development).
    pub listen: String,
    pub issuer: Issuer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issuer {
    /// Let's Encrypt or ZeroSSL through ACME (Caddy's defaults), with the
    /// address they write to about expiring certificates.
    Acme { email: Option<String> },
    /// Caddy's own certificate authority: development and tests, where no
    /// ACME server can reach the node.
    Internal,
}

/// The port of an address like `:80` or `127.0.0.1:8080`.
fn port_of(listen: &str) -> Option<u16> {
    listen.rsplit(':').next()?.parse().ok()
}

/// The configuration serving `desired` from `sites` (`skip`: sites whose
/// directory could not be made, left out so the others are served).
pub fn config(desired: &DesiredState, settings: &CaddySettings, sites: &Path, skip: &[uuid::Uuid]) -> Value {
    let routes: Vec<Value> = desired
        .sites
        .iter()
        .filter(|s| !s.hosts.is_empty() && !skip.contains(&s.id))
        .map(|site| {
            let handle = match site.mode {
                SiteMode::Serve => json!([{
                    "handler": "file_server",
                    "root": super::files::current(sites, site).to_string_lossy(),
                }]),
                SiteMode::Suspended | SiteMode::Unknown => unavailable(super::files::suspension_page()),
                SiteMode::Paused => unavailable(super::files::bandwidth_page()),
            };
            // Says which node answered: the portal's outside check knows
            // by it that the address reaches the node serving the site.
            let named = desired.node_id.map(|id| {
                json!({
                    "handler": "headers",
                    "response": { "set": { (NODE_HEADER): [id.to_string()] } },
                })
            });
            let handle: Vec<Value> = named
                .into_iter()
                .chain(handle.as_array().cloned().unwrap_or_default())
                .collect();
            json!({ "match": [{ "host": site.hosts }], "handle": handle, "terminal": true })
        })
        .collect();
    json!({
        "admin": { "listen": settings.admin },
        "logging": { "logs": {
            // Access lines go to their own file, and only there.
            "default": { "exclude": [ACCESS_LOGGER] },
            "ksf_access": {
                "writer": {
                    "output": "file",
                    "filename": settings.access_log.to_string_lossy(),
                    "roll_size_mb": 100,
                    "roll_keep": 2,
                },
                "encoder": { "format": "json" },
                "include": [ACCESS_LOGGER],
            },
        } },
        "apps": apps(settings, routes),
    })
}

/// A 503 with `page`, instead of the site's files.
fn unavailable(page: &str) -> Value {
    json!([{
        "handler": "static_response",
        "status_code": 503,
        "headers": {
            "Content-Type": ["text/html; charset=utf-8"],
            "Retry-After": ["3600"],
            "Cache-Control": ["no-store"],
        },
        "body": page,
    }])
}

/// The HTTP server (plain HTTP only), and with TLS a second server on the
/// HTTPS address with the same routes, whose host names get certificates.
fn apps(settings: &CaddySettings, routes: Vec<Value>) -> Value {
    let Some(tls) = &settings.tls else {
        return json!({ "http": { "servers": { "ksf": {
            "listen": [settings.listen],
            "routes": routes,
            "logs": { "default_logger_name": "ksf" },
            "automatic_https": { "disable": true },
        } } } });
    };
    let issuer = match &tls.issuer {
        Issuer::Internal => json!({ "module": "internal" }),
        Issuer::Acme { email } => json!({ "module": "acme", "email": email }),
    };
    json!({
        "http": {
            // Caddy tells HTTP from HTTPS servers by these ports.
            "http_port": port_of(&settings.listen),
            "https_port": port_of(&tls.listen),
            "servers": {
                // Plain HTTP serves the sites too (no redirect): a host
                // whose certificate is pending still answers.
                "ksf": {
                    "listen": [settings.listen],
                    "routes": routes.clone(),
                    "logs": { "default_logger_name": "ksf" },
                    "automatic_https": { "disable_redirects": true },
                },
                "ksf_tls": {
                    "listen": [tls.listen],
                    "routes": routes,
                    "logs": { "default_logger_name": "ksf" },
                    "automatic_https": { "disable_redirects": true },
                },
            },
        },
        "tls": { "automation": { "policies": [{ "issuers": [issuer] }] } },
        // Never ask to add the development authority to the system's trust.
        "pki": { "certificate_authorities": { "local": { "install_trust": false } } },
    })
}

/// The logger Caddy writes the `ksf` server's access lines to.
const ACCESS_LOGGER: &str = "http.log.access.ksf";

/// Loads `config` into the Caddy administered at `admin`.
pub async fn load(http: &reqwest::Client, admin: &str, config: &Value) -> anyhow::Result<()> {
    let answer = http
        .post(format!("http://{admin}/load"))
        .timeout(Duration::from_secs(30))
        .json(config)
        .send()
        .await?;
    if !answer.status().is_success() {
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        anyhow::bail!(
            "Caddy refused the configuration ({status}): {}",
            text.chars().take(500).collect::<String>()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::sites::SiteState;

    #[test]
    fn active_sites_serve_files_and_suspended_ones_a_503() {
        let id = uuid::Uuid::nil();
        let desired = DesiredState {
            generation: 3,
            remove: vec![],
            node: "web-1".into(),
            node_id: Some(uuid::Uuid::from_u128(7)),
            portal: "https://portal.example".into(),
            sites: vec![
                SiteState {
                    id,
                    name: "A".into(),
                    mode: SiteMode::Serve,
                    hosts: vec!["a.example".into()],
                    release: None,
                    keep: vec![],
                    quota_bytes: 1 << 30,
                },
                SiteState {
                    id: uuid::Uuid::from_u128(1),
                    name: "B".into(),
                    mode: SiteMode::Suspended,
                    hosts: vec!["b.example".into()],
                    release: None,
                    keep: vec![],
                    quota_bytes: 1 << 30,
                },
            ],
        };
        let settings = CaddySettings {
            admin: "127.0.0.1:2019".into(),
            listen: ":8080".into(),
            access_log: "/var/log/ksf/access.log".into(),
            tls: None,
        };
        let c = config(&desired, &settings, Path::new("/srv/sites"), &[]);
        let routes = &c["apps"]["http"]["servers"]["ksf"]["routes"];
        assert_eq!(
            routes[0]["handle"][1]["root"],
            "/srv/sites/00000000-0000-0000-0000-000000000000/current"
        );
        assert_eq!(routes[1]["handle"][1]["status_code"], 503);
        assert_eq!(
            routes[1]["handle"][0]["response"]["set"][NODE_HEADER][0],
            "00000000-0000-0000-0000-000000000007"
        );
        assert_eq!(c["admin"]["listen"], "127.0.0.1:2019");
        let with_tls = CaddySettings {
            tls: Some(TlsSettings {
                listen: "127.0.0.1:8443".into(),
                issuer: Issuer::Internal,
            }),
            ..settings
        };
        let c = config(&desired, &with_tls, Path::new("/srv/sites"), &[]);
        let http = &c["apps"]["http"];
        assert_eq!(
            (http["http_port"].as_u64(), http["https_port"].as_u64()),
            (Some(8080), Some(8443))
        );
        assert_eq!(
            http["servers"]["ksf_tls"]["routes"],
            http["servers"]["ksf"]["routes"]
        );
        assert_eq!(
            c["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["module"],
            "internal"
        );
    }
}
