//! `ksf dns` settings from the environment, checked at start.

use std::net::SocketAddr;
use std::time::Duration;

use crate::config::{addresses, networks, parse, var, ConfigError};

/// Where the server listens in development (and in tests' default).
pub const DEV_LISTEN: &str = "127.0.0.1:5353";

#[derive(Debug, Clone)]
pub struct DnsServerConfig {
    /// UDP and TCP, `DNS_LISTEN`.
    pub listen: SocketAddr,
    /// Secondaries: allowed to transfer zones and told of changes
    /// (`DNS_SECONDARIES`, `ip` or `ip:port`, port 53 by default).
    pub secondaries: Vec<SocketAddr>,
    /// Responses per second to one source network; 0 is off
    /// (`DNS_RATE_LIMIT`).
    pub rate_limit: u32,
    /// Log one query in this many; 0 is off (`DNS_QUERY_LOG`).
    pub query_log_every: u64,
    /// The Prometheus endpoint, `DNS_METRICS_LISTEN` ("off" for none).
    pub metrics_listen: Option<SocketAddr>,
    /// How often pending domains' delegation is checked
    /// (`DNS_DELEGATION_CHECK_SECONDS`; active ones every 12 times that).
    /// Off (0) by default in development, whose demo domains are made up.
    pub delegation_every: Option<Duration>,
    /// The resolver the delegation check asks to find parent zones'
    /// servers (`DNS_DELEGATION_RESOLVER`; this machine's by default).
    pub delegation_resolver: Option<SocketAddr>,
    /// Addresses the delegation check may ask although they are not public
    /// (`DNS_DELEGATION_ALLOW`, CIDR ranges; for test set-ups): otherwise
    /// a parent zone naming loopback, private, link-local or our own
    /// addresses is not asked.
    pub delegation_allow: Vec<ipnet::IpNet>,
    /// The port parent zones' servers are asked on (`DNS_DELEGATION_PORT`,
    /// 53; another only for test set-ups with a stand-in registry).
    pub delegation_port: u16,
}

impl DnsServerConfig {
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        production: bool,
    ) -> Result<Self, ConfigError> {
        let default_listen = if production { "0.0.0.0:53" } else { DEV_LISTEN };
        let listen = parse(
            &lookup,
            "DNS_LISTEN",
            default_listen
                .parse()
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 5353))),
        )?;
        let secondaries = addresses(&lookup, "DNS_SECONDARIES")?;
        let rate_limit: u32 = parse(&lookup, "DNS_RATE_LIMIT", 100)?;
        let query_log_every: u64 = parse(&lookup, "DNS_QUERY_LOG", 0)?;
        let metrics_listen = match var(&lookup, "DNS_METRICS_LISTEN").as_deref() {
            Some("off") => None,
            Some(v) => {
                Some(
                    v.trim()
                        .parse()
                        .map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                            var: "DNS_METRICS_LISTEN",
                            value: v.to_string(),
                            reason: e.to_string(),
                        })?,
                )
            }
            None => Some(SocketAddr::from(([127, 0, 0, 1], 9153))),
        };
        let delegation_resolver = addresses(&lookup, "DNS_DELEGATION_RESOLVER")?.first().copied();
        let delegation_allow = networks(&lookup, "DNS_DELEGATION_ALLOW")?;
        let delegation_port: u16 = parse(&lookup, "DNS_DELEGATION_PORT", 53)?;
        let seconds: u64 = parse(
            &lookup,
            "DNS_DELEGATION_CHECK_SECONDS",
            if production { 300 } else { 0 },
        )?;
        if !(seconds == 0 || (10..=86_400).contains(&seconds)) || rate_limit > 1_000_000 {
            return Err(ConfigError::Invalid {
                var: if rate_limit > 1_000_000 {
                    "DNS_RATE_LIMIT"
                } else {
                    "DNS_DELEGATION_CHECK_SECONDS"
                },
                value: if rate_limit > 1_000_000 {
                    rate_limit.to_string()
                } else {
                    seconds.to_string()
                },
                reason: "out of range (rate limit up to 1000000; check interval 0 for off, or 10 to 86400 seconds)".into(),
            });
        }
        Ok(DnsServerConfig {
            listen,
            secondaries,
            rate_limit,
            query_log_every,
            metrics_listen,
            delegation_every: (seconds > 0).then(|| Duration::from_secs(seconds)),
            delegation_resolver,
            delegation_allow,
            delegation_port,
        })
    }
}
