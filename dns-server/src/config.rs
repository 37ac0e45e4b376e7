//! What `ksf dns` runs with; the `ksf` command line builds it from its
//! settings.

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct DnsServerConfig {
    /// UDP and TCP, `DNS_LISTEN`.
    pub listen: SocketAddr,
    /// Secondaries: allowed to transfer zones and told of changes.
    pub secondaries: Vec<SocketAddr>,
    /// Responses per second to one source network; 0 is off.
    pub rate_limit: u32,
    /// Log one query in this many; 0 is off.
    pub query_log_every: u64,
    /// The Prometheus endpoint (None: off).
    pub metrics_listen: Option<SocketAddr>,
    /// How often pending domains' delegation is checked (active ones every
    /// 12 times that). Off by default in development, whose demo domains
    /// are made up.
    pub delegation_every: Option<Duration>,
    /// The resolver the delegation check asks to find parent zones'
    /// servers (this machine's by default).
    pub delegation_resolver: Option<SocketAddr>,
    /// Addresses the delegation check may ask although they are not public
    /// (test set-ups): otherwise a parent zone naming loopback, private,
    /// link-local or our own addresses is not asked.
    pub delegation_allow: Vec<ipnet::IpNet>,
    /// The port parent zones' servers are asked on.
    pub delegation_port: u16,
}
