//! What certificate each host gets: the agent opens HTTPS to its own Caddy
//! for every host it serves (whatever the host's DNS says) and reads the
//! certificate presented, or the reason there is none yet.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use der::Decode;

use domain::sites::{CertReport, DesiredState, SiteMode, SiteReport};

/// Every name resolves to the node's own HTTPS address.
struct Here(SocketAddr);

impl reqwest::dns::Resolve for Here {
    fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addr = self.0;
        Box::pin(async move { Ok(Box::new(std::iter::once(addr)) as reqwest::dns::Addrs) })
    }
}

/// Checks every host of the sites `state` serves against Caddy's HTTPS
/// address `tls` (e.g. `127.0.0.1:8443`).
pub async fn check(state: &DesiredState, tls: SocketAddr) -> anyhow::Result<Vec<SiteReport>> {
    // Only what is presented is read, never trusted: no request is sent
    // on the strength of it.
    let client = reqwest::Client::builder()
        .dns_resolver(Arc::new(Here(tls)))
        .danger_accept_invalid_certs(true)
        .tls_info(true)
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut reports = Vec::new();
    for site in state.sites.iter().filter(|s| s.mode == SiteMode::Serve) {
        let mut certificates = Vec::new();
        for host in &site.hosts {
            certificates.push(probe(&client, host, tls.port()).await);
        }
        reports.push(SiteReport {
            id: site.id,
            certificates,
        });
    }
    Ok(reports)
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
        Err(e) => {
            // The innermost cause says what the handshake met.
            let mut cause: &dyn std::error::Error = &e;
            while let Some(inner) = cause.source() {
                cause = inner;
            }
            return pending(format!("no certificate yet: {cause}"));
        }
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
