//! How each site fares on this node: the agent asks its own Caddy (whatever
//! the hosts' DNS says) for each site's home page over HTTP, and with HTTPS
//! reads the certificate presented for every host, or the reason there is
//! none yet.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use der::Decode;

use domain::sites::{CertReport, DesiredState, HealthReport, SiteMode, SiteReport};

/// Every name resolves to the node's own HTTPS address.
struct Here(SocketAddr);

impl reqwest::dns::Resolve for Here {
    fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addr = self.0;
        Box::pin(async move { Ok(Box::new(std::iter::once(addr)) as reqwest::dns::Addrs) })
    }
}

/// Where the node's Caddy serves: plain HTTP, and HTTPS when it does.
#[derive(Debug, Clone, Copy)]
pub struct Listeners {
    pub http: SocketAddr,
    pub https: Option<SocketAddr>,
}

/// An address like `:80` is this machine's port 80.
pub fn local(listen: &str) -> Option<SocketAddr> {
    let full = if listen.starts_with(':') {
        format!("127.0.0.1{listen}")
    } else {
        listen.to_string()
    };
    full.parse().ok()
}

fn client_to(addr: SocketAddr) -> reqwest::Result<reqwest::Client> {
    // Only what is presented is read, never trusted: nothing is sent on
    // the strength of it.
    reqwest::Client::builder()
        .dns_resolver(Arc::new(Here(addr)))
        .danger_accept_invalid_certs(true)
        .tls_info(true)
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Checks every site `state` serves: its health, its hosts' certificates
/// (with HTTPS), and the error `errors` holds for it, if any.
pub async fn check(
    state: &DesiredState,
    at: Listeners,
    errors: &std::collections::HashMap<uuid::Uuid, String>,
) -> anyhow::Result<Vec<SiteReport>> {
    let http = client_to(at.http)?;
    let https = at
        .https
        .map(|a| client_to(a).map(|c| (c, a.port())))
        .transpose()?;
    let mut reports = Vec::new();
    for site in state.sites.iter().filter(|s| s.mode == SiteMode::Serve) {
        let mut certificates = Vec::new();
        if let Some((client, port)) = &https {
            for host in &site.hosts {
                certificates.push(probe(client, host, *port).await);
            }
        }
        // Its own name, not the `www.` one, when it has one.
        let host = site
            .hosts
            .iter()
            .find(|h| !h.starts_with("www."))
            .or(site.hosts.first());
        let health = match host {
            Some(host) => Some(health(&http, host, at.http.port()).await),
            None => None,
        };
        reports.push(SiteReport {
            id: site.id,
            certificates,
            health,
            error: errors.get(&site.id).cloned(),
        });
    }
    Ok(reports)
}

/// `GET /` of `host` through the node's Caddy.
async fn health(client: &reqwest::Client, host: &str, port: u16) -> HealthReport {
    let started = std::time::Instant::now();
    let answer = client.get(format!("http://{host}:{port}/")).send().await;
    let millis = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
    match answer {
        Ok(a) => HealthReport {
            status: Some(a.status().as_u16()),
            millis,
            error: None,
        },
        Err(e) => HealthReport {
            status: None,
            millis,
            error: Some(innermost(&e)),
        },
    }
}

/// The innermost cause of an error: what the connection met.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

async fn probe(client: &reqwest::Client, host: &str, port: u16) -> CertReport {
    let pending = |error: String| CertReport {
        host: host.to_string(),
        issuer: None,
        issued_at: None,
        expires_at: None,
        error: Some(error),
    };
    let answer = match client.head(format!("https://{host}:{port}/")).send().await {
        Ok(a) => a,
        Err(e) => return pending(format!("no certificate yet: {}", innermost(&e))),
    };
    let der = answer
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|i| i.peer_certificate().map(<[u8]>::to_vec));
    let Some(der) = der else {
        return pending("no certificate was presented".into());
    };
    match x509_cert::Certificate::from_der(&der) {
        Ok(cert) => CertReport {
            host: host.to_string(),
            issuer: Some(common_name(&cert.tbs_certificate.issuer.to_string())),
            issued_at: i64::try_from(
                cert.tbs_certificate
                    .validity
                    .not_before
                    .to_unix_duration()
                    .as_secs(),
            )
            .ok(),
            expires_at: i64::try_from(
                cert.tbs_certificate
                    .validity
                    .not_after
                    .to_unix_duration()
                    .as_secs(),
            )
            .ok(),
            error: None,
        },
        Err(e) => pending(format!("the certificate could not be read: {e}")),
    }
}

/// "CN=Caddy Local Authority,O=…" → "Caddy Local Authority" (the whole
/// name when it has no common name).
fn common_name(name: &str) -> String {
    name.split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .unwrap_or(name)
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_issuer_is_named_by_its_common_name() {
        assert_eq!(super::common_name("CN=R11,O=Let's Encrypt,C=US"), "R11");
        assert_eq!(super::common_name("O=Nameless"), "O=Nameless");
    }
}
