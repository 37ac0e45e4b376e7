//! Staff's hosting nodes (`/staff/nodes`): the list with each node's agent,
//! sites, storage and problems; making a node's token, revoking it, and
//! setting its public addresses and room. Anyone but staff gets "not found".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NodeRow {
    pub id: String,
    pub name: String,
    /// The region's label, or a warning for tokens made before regions.
    pub region: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: bool,
    /// "3 of 500".
    pub sites: String,
    /// "1.5 GB used; plans take 30 GB of 1.1 TB".
    pub storage: String,
    /// "ksf-node 0.1.0, 12 seconds ago", or "never connected".
    pub agent: String,
    /// Its agent has sites to serve and has not been seen for 2 minutes.
    pub silent: bool,
    /// "203.0.113.10, 2001:db8::10", or None when staff have not said.
    pub addresses: Option<String>,
    /// What needs a look: "2 sites down", "1 site the node could not serve", …
    pub problems: Vec<String>,
    /// The edit form's values.
    pub ipv4: String,
    pub ipv6: String,
    pub capacity_sites: String,
    pub capacity_storage_gb: String,
}

/// A node token just made, shown in the one response that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNodeToken(pub String);

#[server(endpoint = "staff/nodes")]
pub async fn staff_nodes() -> Result<Vec<NodeRow>, ApiError> {
    use crate::api::edge::{auth::actor, error::api_error};
    use domain::hosting::format_bytes;
    use services::hosting::node_tokens::AGENT_SILENT_AFTER;

    let (deps, actor) = actor()?;
    let list = services::sites::nodes::list(&deps, &actor)
        .await
        .map_err(api_error)?;
    let count =
        |n: i64, one: &str, many: &str| (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }));
    Ok(list
        .into_iter()
        .map(|n| NodeRow {
            id: n.id.to_string(),
            region: match n.region.as_deref() {
                Some(code) => domain::hosting::region_label(code).to_string(),
                None => "none (refused: make a new token)".to_string(),
            },
            created: crate::api::when(n.created_at),
            last_used: n.last_used_at.map(crate::api::when),
            sites: format!("{} of {}", n.sites, n.capacity_sites),
            storage: format!(
                "{} used; plans take {} of {}",
                format_bytes(n.storage_used),
                format_bytes(n.storage_committed),
                format_bytes(n.capacity_storage_bytes)
            ),
            agent: match (&n.agent_version, n.agent_seen_at) {
                (Some(v), Some(at)) => format!("ksf-node {v}, {}", crate::api::when(at)),
                (None, Some(at)) => format!("seen {}", crate::api::when(at)),
                _ => "never connected".into(),
            },
            silent: !n.revoked
                && n.sites > 0
                && n.agent_seen_at
                    .is_none_or(|at| deps.clock.now() - at > AGENT_SILENT_AFTER),
            addresses: match (&n.public_ipv4, &n.public_ipv6) {
                (None, None) => None,
                (v4, v6) => Some(
                    [v4.clone(), v6.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            },
            problems: [
                count(n.sites_down, "site down", "sites down"),
                count(
                    n.site_errors,
                    "site it could not serve",
                    "sites it could not serve",
                ),
                count(
                    n.certificates_attention,
                    "certificate to check",
                    "certificates to check",
                ),
                count(n.deploys_pending, "deploy waiting", "deploys waiting"),
            ]
            .into_iter()
            .flatten()
            .collect(),
            ipv4: n.public_ipv4.unwrap_or_default(),
            ipv6: n.public_ipv6.unwrap_or_default(),
            capacity_sites: n.capacity_sites.to_string(),
            capacity_storage_gb: (n.capacity_storage_bytes / 1_000_000_000).to_string(),
            name: n.name,
            revoked: n.revoked,
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::extract::State;
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::{get, post};
    use axum::{Form, Router};
    use serde::{Deserialize, Serialize};

    use super::NewNodeToken;
    use crate::api::edge::auth::Staff;
    use crate::api::edge::error::{Back, FormResult, RenderPage, ShownOn};
    use crate::api::{AppState, Notice};
    use domain::hosting::Region;
    use services::failure::Invalid;
    use services::hosting::node_tokens;
    use services::sites::nodes::{self, NodeSettings};

    const PAGE: &str = "/staff/nodes";

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route(PAGE, post(create_token))
            .route("/staff/nodes/revoke", post(revoke_token))
            .route("/staff/nodes/settings", post(save_node))
            // The page's former address.
            .route("/staff/node-tokens", get(|| async { Redirect::permanent(PAGE) }))
    }

    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default)]
    struct NodeTokenForm {
        name: String,
        region: String,
    }

    async fn create_token(
        State(state): State<AppState>,
        Staff(actor): Staff,
        Form(form): Form<NodeTokenForm>,
    ) -> FormResult {
        let back = Back::to(PAGE).keeping(&form);
        let region = Region::parse(&form.region)
            .ok_or_else(|| Invalid::field("region", "Choose the region the node serves."))
            .shown_on(&back)?;
        let secret = node_tokens::create(&state.deps.pool, &actor, &form.name, region)
            .await
            .shown_on(&back)?;
        Ok(RenderPage::at(PAGE).with(NewNodeToken(secret)).into_response())
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct RevokeForm {
        id: String,
    }

    async fn revoke_token(
        State(state): State<AppState>,
        Staff(actor): Staff,
        Form(form): Form<RevokeForm>,
    ) -> FormResult {
        let back = Back::to(PAGE);
        let id = uuid::Uuid::parse_str(form.id.trim())
            .map_err(|_| services::hosting::not_found())
            .shown_on(&back)?;
        node_tokens::revoke(&state.deps.pool, &actor, id)
            .await
            .shown_on(&back)?;
        Ok(Notice::NodeTokenRevoked.redirect(PAGE))
    }

    /// A node's settings, as typed.
    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default)]
    struct NodeForm {
        /// Which node (the page opens this one's form again on an error).
        id: String,
        public_ipv4: String,
        public_ipv6: String,
        capacity_sites: String,
        /// GB, as plans count storage.
        capacity_storage: String,
    }

    async fn save_node(
        State(state): State<AppState>,
        Staff(actor): Staff,
        Form(form): Form<NodeForm>,
    ) -> FormResult {
        let back = Back::to(PAGE).keeping(&form);
        let id = uuid::Uuid::parse_str(form.id.trim())
            .map_err(|_| services::hosting::not_found())
            .shown_on(&back)?;
        let settings = NodeSettings::parse(
            &form.public_ipv4,
            &form.public_ipv6,
            &form.capacity_sites,
            &form.capacity_storage,
        )
        .shown_on(&back)?;
        nodes::update(&state.deps, &actor, id, &settings)
            .await
            .shown_on(&back)?;
        Ok(Notice::NodeSaved.redirect(PAGE))
    }
}
