//! Caddy's configuration for a node, as JSON for its admin API: one HTTP
//! server whose routes match each site's host names. Active sites serve
//! their files; suspended ones the suspension page with a 503. Loaded with
//! `POST /load`, which swaps the whole configuration atomically.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use domain::sites::{DesiredState, SiteMode};

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
                SiteMode::Suspended => json!([{
                    "handler": "static_response",
                    "status_code": 503,
                    "headers": {
                        "Content-Type": ["text/html; charset=utf-8"],
                        "Retry-After": ["3600"],
                        "Cache-Control": ["no-store"],
                    },
                    "body": super::files::suspension_page(),
                }]),
            };
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
        "apps": { "http": { "servers": { "ksf": {
            "listen": [settings.listen],
            "routes": routes,
            "logs": { "default_logger_name": "ksf" },
            // Certificates come with the TLS work; plain HTTP until then.
            "automatic_https": { "disable": true },
        } } } },
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
            node: "web-1".into(),
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
        };
        let c = config(&desired, &settings, Path::new("/srv/sites"), &[]);
        let routes = &c["apps"]["http"]["servers"]["ksf"]["routes"];
        assert_eq!(
            routes[0]["handle"][0]["root"],
            "/srv/sites/00000000-0000-0000-0000-000000000000/current"
        );
        assert_eq!(routes[1]["handle"][0]["status_code"], 503);
        assert_eq!(c["admin"]["listen"], "127.0.0.1:2019");
    }
}
