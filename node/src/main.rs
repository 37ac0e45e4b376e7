//! `ksf-node`: the hosting node agent (see the library).

use std::path::PathBuf;

use clap::Parser;

use node::caddy::{CaddySettings, Issuer, TlsSettings};
use node::{Agent, AgentConfig};

/// Makes this hosting node serve what the portal says.
#[derive(Parser)]
#[command(name = "ksf-node", version)]
struct Args {
    /// The portal's address, e.g. https://portal.example.com
    #[arg(long, env = "KSF_PORTAL_URL")]
    portal: String,
    /// The node token staff made for this node on /staff
    #[arg(long, env = "KSF_NODE_TOKEN", hide_env_values = true)]
    token: String,
    /// Caddy's admin API
    #[arg(long, env = "KSF_CADDY_ADMIN", default_value = "127.0.0.1:2019")]
    caddy_admin: String,
    /// Where Caddy serves the sites
    #[arg(long, env = "KSF_SITES_LISTEN", default_value = ":80")]
    listen: String,
    /// Where the sites' files live
    #[arg(long, env = "KSF_SITES_DIR", default_value = "/srv/ksf/sites")]
    sites: PathBuf,
    /// Where Caddy serves HTTPS (e.g. :443); unset, the node serves plain HTTP only
    #[arg(long, env = "KSF_SITES_TLS_LISTEN")]
    tls_listen: Option<String>,
    /// Who signs the certificates: acme (Let's Encrypt or ZeroSSL), or
    /// internal (Caddy's own authority: development and tests)
    #[arg(long, env = "KSF_TLS_ISSUER", default_value = "acme", value_parser = ["acme", "internal"])]
    tls_issuer: String,
    /// The address the ACME authority writes to about expiring certificates
    #[arg(long, env = "KSF_ACME_EMAIL")]
    acme_email: Option<String>,
    /// Caddy's access log, read to measure the bytes each site served
    /// (default: access.log beside the sites)
    #[arg(long, env = "KSF_ACCESS_LOG")]
    access_log: Option<PathBuf>,
    /// The last state applied (default: state.json beside the sites)
    #[arg(long, env = "KSF_NODE_STATE")]
    state_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    std::fs::create_dir_all(&args.sites)?;
    let beside = args.sites.parent().unwrap_or(&args.sites).to_path_buf();
    let state_file = args
        .state_file
        .unwrap_or_else(|| beside.join("ksf-node-state.json"));
    let access_log = args.access_log.unwrap_or_else(|| beside.join("access.log"));
    let agent = Agent::new(AgentConfig {
        portal: args.portal,
        token: args.token,
        caddy: CaddySettings {
            admin: args.caddy_admin,
            listen: args.listen,
            access_log,
            tls: args
                .tls_listen
                .filter(|l| !l.is_empty())
                .map(|listen| TlsSettings {
                    listen,
                    issuer: if args.tls_issuer == "internal" {
                        Issuer::Internal
                    } else {
                        Issuer::Acme {
                            email: args.acme_email,
                        }
                    },
                }),
        },
        sites: args.sites,
        state_file,
    })?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop.send(true);
    });
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "ksf-node started");
    agent.run(stopped).await;
    Ok(())
}
