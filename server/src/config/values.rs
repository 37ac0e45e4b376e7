//! Setting values that are more than a number or a word. Each parses from
//! its environment text and, when it cannot, says what it expects.

use std::net::SocketAddr;
use std::str::FromStr;

use domain::DomainName;
use services::dns::RegionServer;

fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Production unless development is asked for (`LEPTOS_ENV`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dev" | "development" => Ok(Mode::Development),
            "prod" | "production" => Ok(Mode::Production),
            _ => Err("use DEV or PROD".into()),
        }
    }
}

/// An `http://` or `https://` URL, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(pub String);

impl FromStr for HttpUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().trim_end_matches('/');
        if s.starts_with("http://") || s.starts_with("https://") {
            Ok(HttpUrl(s.to_string()))
        } else {
            Err("it must be an http:// or https:// URL".into())
        }
    }
}

/// IP addresses or CIDR ranges, separated by commas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(pub Vec<ipnet::IpNet>);

impl FromStr for Networks {
    type Err = String;
    fn from_str(list: &str) -> Result<Self, String> {
        items(list)
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!(
                            "{s:?}: use IP addresses or CIDR ranges separated by commas, e.g. 10.0.0.0/8,::1"
                        )
                    })
            })
            .collect::<Result<_, _>>()
            .map(Networks)
    }
}

/// A DNS server's address: `ip` (port 53) or `ip:port`.
pub fn dns_address(item: &str) -> Option<SocketAddr> {
    let item = item.trim();
    item.parse::<SocketAddr>().ok().or_else(|| {
        item.parse::<std::net::IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// DNS servers' addresses (`ip` or `ip:port`), separated by commas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsAddresses(pub Vec<SocketAddr>);

impl FromStr for DnsAddresses {
    type Err = String;
    fn from_str(list: &str) -> Result<Self, String> {
        items(list)
            .map(|item| {
                dns_address(item).ok_or_else(|| {
                    format!("{item:?}: use IP addresses (with :port when not 53), separated by commas")
                })
            })
            .collect::<Result<_, _>>()
            .map(DnsAddresses)
    }
}

/// A listening address, or `off` for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen(pub Option<SocketAddr>);

impl FromStr for Listen {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "off" => Ok(Listen(None)),
            other => other
                .parse()
                .map(|a| Listen(Some(a)))
                .map_err(|_| "use ip:port, or off".into()),
        }
    }
}

/// Name servers, `host[@ip[:port]]` separated by commas: the address says
/// where one answers (for "Check propagation").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nameservers {
    pub names: Vec<String>,
    pub addrs: Vec<(String, SocketAddr)>,
}

impl FromStr for Nameservers {
    type Err = String;
    fn from_str(list: &str) -> Result<Self, String> {
        let invalid = || {
            "use host names separated by commas, each optionally with @address[:port] where it answers"
                .to_string()
        };
        let (mut names, mut addrs) = (Vec::new(), Vec::new());
        for item in list.split(',') {
            let (host, at) = match item.split_once('@') {
                Some((host, at)) => (host, Some(at)),
                None => (item, None),
            };
            let host = DomainName::parse(host)
                .map_err(|_| invalid())?
                .as_str()
                .to_string();
            if let Some(at) = at {
                addrs.push((host.clone(), dns_address(at).ok_or_else(invalid)?));
            }
            names.push(host);
        }
        if names.is_empty() {
            return Err(invalid());
        }
        Ok(Nameservers { names, addrs })
    }
}

/// A domain name (`KSF_NAMESERVER_DOMAIN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain(pub String);

impl FromStr for Domain {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        DomainName::parse(s)
            .map(|d| Domain(d.as_str().to_string()))
            .map_err(|_| "a domain name, like ns.example.net".into())
    }
}

/// Each region's web server: `region=IPv4[/IPv6]`, separated by commas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionServers(pub Vec<RegionServer>);

impl FromStr for RegionServers {
    type Err = String;
    fn from_str(list: &str) -> Result<Self, String> {
        let one = |item: &str| -> Option<RegionServer> {
            let (region, addresses) = item.split_once('=')?;
            let (v4, v6) = match addresses.split_once('/') {
                Some((v4, v6)) => (v4, Some(v6)),
                None => (addresses, None),
            };
            let ipv6 = match v6 {
                Some(v6) => Some(v6.trim().parse().ok()?),
                None => None,
            };
            domain::hosting::Region::parse(region.trim())?;
            Some(RegionServer {
                region: region.trim().to_string(),
                ipv4: v4.trim().parse().ok()?,
                ipv6,
            })
        };
        items(list)
            .map(|item| {
                one(item).ok_or_else(|| {
                    format!("{item:?}: use region=IPv4 or region=IPv4/IPv6 with one of our regions, separated by commas")
                })
            })
            .collect::<Result<_, _>>()
            .map(RegionServers)
    }
}

/// An email address (`KSF_SUPPORT_EMAIL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address(pub String);

impl FromStr for Address {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        domain::Email::parse(s)
            .map(|e| Address(e.as_str().to_string()))
            .map_err(|e| e.to_string())
    }
}
