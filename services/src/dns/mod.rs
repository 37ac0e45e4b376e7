//! Domains and their zones. Everything about one domain starts with
//! `domains::authorize`, which finds the domain's hosting account and the
//! user's access to it; every change then requires `Permission::Dns` and
//! goes through `zone::apply`, which keeps the zone's rules, bumps the
//! serial and records the change with the records before and after.

pub mod delegation;
pub mod demo;
pub mod domains;
pub mod expiry;
pub mod history;
pub mod import;
pub mod nameservers;
pub mod probe;
pub mod propagation;
#[cfg(test)]
mod properties;
pub mod records;
pub mod serving;
pub mod templates;
pub mod web;
pub mod wire;
pub mod zone;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

/// How DNS is set up in this process.
#[derive(Debug, Clone)]
pub struct DnsSettings {
    /// The name servers every zone delegates to (`KSF_NAMESERVERS`).
    pub nameservers: Vec<String>,
    /// The domain each zone's own name server names are made under
    /// (`KSF_NAMESERVER_DOMAIN`; see `nameservers`). `ksf dns` serves it.
    pub nameserver_domain: String,
    /// Where a name server answers when that is configured
    /// (`ns1.example.net@192.0.2.53`); the others are looked up by name.
    /// The propagation check asks each name server directly.
    pub nameserver_addrs: Vec<(String, SocketAddr)>,
    /// Public resolvers the propagation check also asks
    /// (`KSF_PROPAGATION_RESOLVERS`).
    pub resolvers: Vec<SocketAddr>,
    /// Each region's web server (`KSF_REGION_SERVERS`), for new zones'
    /// A/AAAA records and the "point at my hosting account" template.
    pub servers: Vec<RegionServer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionServer {
    pub region: String,
    pub ipv4: Ipv4Addr,
    pub ipv6: Option<Ipv6Addr>,
}

impl Default for DnsSettings {
    fn default() -> Self {
        Self {
            nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
            nameserver_domain: "ns.example.net".into(),
            nameserver_addrs: Vec::new(),
            resolvers: Vec::new(),
            servers: Vec::new(),
        }
    }
}

impl DnsSettings {
    /// Development: the example name servers, and each region's web server
    /// at an address from the documentation ranges (RFC 5737, RFC 3849).
    pub fn development() -> Self {
        let servers = domain::hosting::REGIONS
            .iter()
            .enumerate()
            .map(|(i, (code, _))| RegionServer {
                region: code.to_string(),
                ipv4: Ipv4Addr::new(203, 0, 113, 10 + i as u8),
                ipv6: Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10 + i as u16)),
            })
            .collect();
        Self {
            servers,
            ..Self::default()
        }
    }

    pub fn server_of(&self, region: &str) -> Option<(Ipv4Addr, Option<Ipv6Addr>)> {
        self.servers
            .iter()
            .find(|s| s.region == region)
            .map(|s| (s.ipv4, s.ipv6))
    }
}

pub use crate::failure::{invalid, ServiceError};

/// Also the answer for a domain the user may not see: it reveals nothing.
pub fn not_found() -> ServiceError {
    ServiceError::NotFound("That domain does not exist, or you do not have access to it.")
}

pub fn forbidden() -> ServiceError {
    ServiceError::Forbidden("Your role in this hosting account does not allow changing DNS.")
}

/// YYYYMMDD of a moment, for SOA serials.
pub(crate) fn serial_day(now: time::OffsetDateTime) -> u32 {
    let d = now.to_offset(time::UtcOffset::UTC).date();
    (d.year().max(0) as u32) * 10_000 + u32::from(u8::from(d.month())) * 100 + u32::from(d.day())
}
