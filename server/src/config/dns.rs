//! `ksf dns` settings, declared once (clap: variables, flags, help) and
//! checked at start.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{value_parser, Args};

use super::values::{DnsAddresses, Listen, Networks};
use dns_server::DnsServerConfig;

use super::{settings_from, ConfigError, Settings};

const HEADING: &str = "DNS server (ksf dns)";

/// `ksf dns`'s own settings; `DNS_LISTEN` is with the portal's DNS
/// settings, which both processes read.
#[derive(Debug, Clone, Args)]
pub struct DnsServerSettings {
    /// Secondaries (ip or ip:port): only they may transfer zones, and each change is NOTIFYed to them
    #[arg(long, env = "DNS_SECONDARIES", value_name = "DNS_SECONDARIES", global = true, hide_env_values = true, help_heading = HEADING)]
    pub dns_secondaries: Option<DnsAddresses>,
    /// Responses per second to one source network over UDP (0: off)
    #[arg(long, env = "DNS_RATE_LIMIT", value_name = "DNS_RATE_LIMIT", global = true, hide_env_values = true,
        help_heading = HEADING, default_value_t = 100, value_parser = value_parser!(u32).range(0..=1_000_000))]
    pub dns_rate_limit: u32,
    /// Log one query in N (0: off)
    #[arg(long, env = "DNS_QUERY_LOG", value_name = "DNS_QUERY_LOG", global = true, hide_env_values = true,
        help_heading = HEADING, default_value_t = 0)]
    pub dns_query_log: u64,
    /// ksf dns's Prometheus endpoint (off for none)
    #[arg(long, env = "DNS_METRICS_LISTEN", value_name = "DNS_METRICS_LISTEN", global = true, hide_env_values = true,
        help_heading = HEADING, default_value = "127.0.0.1:9153")]
    pub dns_metrics_listen: Listen,
    /// Seconds between checks of pending domains' delegation: 0 (off) or 10 to 86400 (300; off in development)
    #[arg(long, env = "DNS_DELEGATION_CHECK_SECONDS", value_name = "DNS_DELEGATION_CHECK_SECONDS", global = true, hide_env_values = true,
        help_heading = HEADING, value_parser = value_parser!(u64).range(0..=86_400))]
    pub dns_delegation_check_seconds: Option<u64>,
    /// The resolver that finds parent zones' servers (this machine's if unset)
    #[arg(long, env = "DNS_DELEGATION_RESOLVER", value_name = "DNS_DELEGATION_RESOLVER", global = true, hide_env_values = true, help_heading = HEADING)]
    pub dns_delegation_resolver: Option<DnsAddresses>,
    /// Addresses the delegation check may ask although not public (test set-ups)
    #[arg(long, env = "DNS_DELEGATION_ALLOW", value_name = "DNS_DELEGATION_ALLOW", global = true, hide_env_values = true, help_heading = HEADING)]
    pub dns_delegation_allow: Option<Networks>,
    /// The port parent zones' servers are asked on (53; another only for test set-ups)
    #[arg(long, env = "DNS_DELEGATION_PORT", value_name = "DNS_DELEGATION_PORT", global = true, hide_env_values = true,
        help_heading = HEADING, default_value_t = 53)]
    pub dns_delegation_port: u16,
}

impl DnsServerSettings {
    /// From a lookup of variables (tests pass a map or nothing).
    pub fn config_from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        production: bool,
    ) -> Result<DnsServerConfig, ConfigError> {
        let listen = settings_from::<Settings>(&lookup)?.dns_listen;
        settings_from::<DnsServerSettings>(&lookup)?.into_config(listen, production)
    }

    pub fn into_config(
        self,
        listen: Option<SocketAddr>,
        production: bool,
    ) -> Result<DnsServerConfig, ConfigError> {
        let s = self;
        let default_listen = if production {
            SocketAddr::from(([0, 0, 0, 0], 53))
        } else {
            SocketAddr::from(([127, 0, 0, 1], 5353))
        };
        let seconds = s
            .dns_delegation_check_seconds
            .unwrap_or(if production { 300 } else { 0 });
        if (1..10).contains(&seconds) {
            return Err(ConfigError::Invalid {
                var: "DNS_DELEGATION_CHECK_SECONDS".into(),
                value: seconds.to_string(),
                reason: "0 for off, or 10 to 86400 seconds".into(),
            });
        }
        Ok(DnsServerConfig {
            listen: listen.unwrap_or(default_listen),
            secondaries: s.dns_secondaries.unwrap_or_default().0,
            rate_limit: s.dns_rate_limit,
            query_log_every: s.dns_query_log,
            metrics_listen: s.dns_metrics_listen.0,
            delegation_every: (seconds > 0).then(|| Duration::from_secs(seconds)),
            delegation_resolver: s.dns_delegation_resolver.and_then(|r| r.0.first().copied()),
            delegation_allow: s.dns_delegation_allow.unwrap_or_default().0,
            delegation_port: s.dns_delegation_port,
        })
    }
}
