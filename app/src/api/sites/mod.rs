//! Sites on hosting nodes at the HTTP edge: the nodes' own API (`node`),
//! staff's list of nodes (`nodes`),
//! the account page's deploy list (`queries`) and the upload and rollback
//! forms (`forms`).

#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
mod node;
pub mod nodes;
pub mod queries;

use serde::{Deserialize, Serialize};

use domain::sites::DeployStatus;

/// The account page's deploy section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SiteView {
    pub account: String,
    /// May upload and roll back.
    pub can_deploy: bool,
    /// Why uploading is not possible now (suspended, cancelled, no node).
    pub blocked: Option<String>,
    /// It served its plan's bandwidth this month: visitors get a page
    /// saying it is paused.
    pub paused: bool,
    pub deploys: Vec<DeployRow>,
    /// "100 MB": the largest upload.
    pub max_upload: String,
    /// HTTPS of each host, as the node last reported it.
    pub certificates: Vec<CertRow>,
    /// How the site last answered its node (None: not looked at yet).
    pub health: Option<HealthRow>,
    /// Staff: the nodes of the account's region to move the site to.
    pub move_to: Vec<NodeOption>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NodeOption {
    pub id: String,
    /// "web-fra-2 (120 of 500 sites)"
    pub label: String,
    pub current: bool,
}

/// A site's last answers, to its node and from outside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HealthRow {
    /// Both answered.
    pub up: bool,
    /// "Answered 200 in 12 ms" or "No answer: connection refused".
    pub answer: String,
    pub checked: String,
    /// The portal's own check through the node's public address:
    /// "From outside: answered 200 (checked …)".
    pub outside: Option<String>,
    /// Why the node could not serve the site as asked.
    pub site_error: Option<String>,
}

/// One host's HTTPS.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CertRow {
    pub host: String,
    /// Issued, valid, and not overdue for renewal.
    pub ok: bool,
    /// "Issued by R11, valid until …", "Expired: …", or "Pending: …"
    /// with the reason.
    pub state: String,
    /// When the node last looked.
    pub checked: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeployRow {
    pub id: String,
    pub when: String,
    pub who: String,
    pub file_name: String,
    /// "1.2 MB archive, 14 files, 3.4 MB"
    pub size: String,
    pub status: DeployStatus,
    pub error: Option<String>,
    pub live: bool,
    pub can_roll_back: bool,
}

/// The nodes' API (bearer tokens, no session).
#[cfg(feature = "ssr")]
pub fn node_routes() -> axum::Router<crate::api::AppState> {
    node::routes()
}
