//! What a hosting node serves: the desired state the portal holds for it
//! and its agent (`ksf-node`) converges to. Shared by both sides, so the
//! wire format has one definition.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything one node serves, as of `generation` (it only grows: the agent
/// asks for what comes after the generation it applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredState {
    pub generation: i64,
    /// The node's name, as staff gave it.
    pub node: String,
    /// The node's id: its answers carry it (`NODE_HEADER`), so the
    /// portal's outside check knows the right node answered.
    #[serde(default)]
    pub node_id: Option<Uuid>,
    /// The portal's address (the default page links to it).
    pub portal: String,
    pub sites: Vec<SiteState>,
    /// Sites whose files the node deletes: moved away, or cancelled past
    /// the retention period. Never one of `sites`.
    #[serde(default)]
    pub remove: Vec<Uuid>,
}

/// One hosting account's site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteState {
    /// The hosting account's id: the site's directory on the node.
    pub id: Uuid,
    /// The account's name (for the default page).
    pub name: String,
    pub mode: SiteMode,
    /// Host names routed to it: lower-case ASCII, each once.
    pub hosts: Vec<String>,
    /// The deploy it serves (None: the default page).
    #[serde(default)]
    pub release: Option<Uuid>,
    /// Deploys the node keeps for rollback (the live one among them);
    /// others are removed.
    #[serde(default)]
    pub keep: Vec<Uuid>,
    /// The plan's storage: no release may unpack to more.
    #[serde(default)]
    pub quota_bytes: u64,
}

/// The response header carrying the id of the node that served a site's
/// answer.
pub const NODE_HEADER: &str = "X-Ksf-Node";

/// How a site is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteMode {
    /// Its files.
    Serve,
    /// The suspension page (503) instead of its files.
    Suspended,
    /// It served its plan's bandwidth for the month: a 503 page saying so
    /// until the next month or a bigger plan.
    Paused,
    /// A mode of a later portal: not served (the suspension page), rather
    /// than failing to read the whole state. Upgrade nodes first.
    #[serde(other)]
    Unknown,
}

crate::billing::text_enum! {
    /// Where an uploaded site is.
    DeployStatus {
        Pending => "pending", "Deploying", "badge badge-info";
        Deployed => "deployed", "Deployed", "badge badge-success";
        Failed => "failed", "Failed", "badge badge-danger";
    }
}

/// What the agent says of a deploy once it tried to unpack it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployReport {
    /// Why it was refused (None: it is unpacked and served).
    pub error: Option<String>,
    pub files: u32,
    pub bytes: u64,
}

/// What the agent found of its sites (health, certificates, errors),
/// posted to `SITES_REPORT_PATH` after each round of checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitesReport {
    pub sites: Vec<SiteReport>,
    /// Sites of `DesiredState::remove` whose files are gone.
    #[serde(default)]
    pub removed: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteReport {
    pub id: Uuid,
    /// One per host name the site answers for (none without HTTPS).
    pub certificates: Vec<CertReport>,
    /// How the site answered the node's own request for its home page.
    #[serde(default)]
    pub health: Option<HealthReport>,
    /// Why the node could not serve it as the portal asked (its folder
    /// could not be made, a deploy could not be written), if so.
    #[serde(default)]
    pub error: Option<String>,
}

/// A site's answer to `GET /` of its primary host, through the node's
/// Caddy: the status, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    pub status: Option<u16>,
    pub millis: u32,
    pub error: Option<String>,
}

impl HealthReport {
    /// Up: it answered, with anything but a server error.
    pub fn up(&self) -> bool {
        self.status.is_some_and(|s| s < 500)
    }
}

/// A host's certificate as the node serves it: issued (issuer and
/// expiry), or not yet, with the reason the handshake gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertReport {
    pub host: String,
    pub issuer: Option<String>,
    /// When it starts and stops being valid, in seconds since the epoch.
    #[serde(default)]
    pub issued_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub error: Option<String>,
}

/// Where the agent posts its `SitesReport`.
pub const SITES_REPORT_PATH: &str = "/api/node/sites";

/// Where the agent downloads a deploy's archive (GET) and reports on it
/// (POST a `DeployReport`).
pub fn release_path(deploy: Uuid) -> String {
    format!("/api/node/releases/{deploy}")
}

/// The releases of a site a customer can go back to (the live one too).
pub const KEPT_RELEASES: usize = 5;

/// The header the agent sends its version in.
pub const AGENT_VERSION_HEADER: &str = "x-ksf-node-version";
/// Where the agent posts the usage it measured (`POST`, node token).
pub const USAGE_PATH: &str = "/api/usage";
/// Where the agent reads its desired state.
pub const STATE_PATH: &str = "/api/node/state";
/// The longest the portal holds a request for a change (seconds).
pub const MAX_WAIT_SECS: u64 = 25;

/// The host names a site answers for: its primary domain and each of the
/// account's domains, each with `www.` (lower-case, sorted, each once).
pub fn hosts(primary: &str, domains: &[String]) -> Vec<String> {
    let mut hosts: Vec<String> = std::iter::once(primary)
        .chain(domains.iter().map(String::as_str))
        .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .flat_map(|d| {
            let www = if d.starts_with("www.") {
                None
            } else {
                Some(format!("www.{d}"))
            };
            std::iter::once(d).chain(www)
        })
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_site_answers_for_its_domains_with_and_without_www() {
        assert_eq!(
            super::hosts(
                "Shop.Example.com",
                &["shop.example.com".into(), "www.other.org".into()]
            ),
            ["shop.example.com", "www.other.org", "www.shop.example.com"]
        );
    }
}
