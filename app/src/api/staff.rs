//! Staff tools of the hosting area: the plan catalogue and hosting nodes'
//! API tokens. Anyone but staff gets "not found".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanRow {
    pub code: String,
    pub name: String,
    pub storage_gb: i64,
    pub bandwidth_gb: i64,
    pub max_sites: i32,
    pub price: String,
    pub currency: String,
    pub available: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NodeTokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: bool,
}

/// A node token just made, shown in the one response that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNodeToken(pub String);

#[cfg(feature = "ssr")]
fn context() -> Result<(super::AppState, crate::domain::CurrentUser), ServerFnError> {
    let user = super::current_user().ok_or_else(|| ServerFnError::new("Sign in first."))?;
    let state = use_context::<super::AppState>().ok_or_else(|| ServerFnError::new("no app state"))?;
    Ok((state, user))
}

#[server(endpoint = "staff/plans")]
pub async fn staff_plans() -> Result<Vec<PlanRow>, ServerFnError> {
    use crate::services::hosting::plans::{self, GB};
    let (state, user) = context()?;
    let list = plans::all(&state.pool, &user)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(list
        .into_iter()
        .map(|p| PlanRow {
            code: p.code,
            name: p.name,
            storage_gb: p.storage_quota_bytes / GB,
            bandwidth_gb: p.bandwidth_quota_bytes / GB,
            max_sites: p.max_sites,
            price: format!("{}.{:02}", p.price_minor / 100, p.price_minor % 100),
            currency: p.currency,
            available: p.available,
        })
        .collect())
}

#[server(endpoint = "staff/node-tokens")]
pub async fn staff_node_tokens() -> Result<Vec<NodeTokenRow>, ServerFnError> {
    let (state, user) = context()?;
    let list = crate::services::hosting::node_tokens::list(&state.pool, &user)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let when = |t: time::OffsetDateTime| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute());
    Ok(list
        .into_iter()
        .map(|t| NodeTokenRow {
            id: t.id.to_string(),
            name: t.name,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when),
            revoked: t.revoked,
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{
        extract::State, http::request::Parts, http::StatusCode, response::Response, routing::post, Router,
    };
    use leptos::prelude::provide_context;

    use super::NewNodeToken;
    use crate::api::accounts::{get, keep, Fields};
    use crate::api::forms::{render_with, see_other, sign_in_first, signed_in};
    use crate::api::hosting::show_error;
    use crate::api::AppState;
    use crate::components::form::FormState;
    use crate::services::hosting::{node_tokens, plans, HostingError};

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/staff/plans", post(save_plan))
            .route("/staff/node-tokens", post(create_token))
            .route("/staff/node-tokens/revoke", post(revoke_token))
    }

    async fn save_plan(State(state): State<AppState>, parts: Parts, axum::Form(f): Fields) -> Response {
        let Some(user) = signed_in(&parts) else {
            return sign_in_first("/staff/plans");
        };
        let input = plans::PlanInput {
            code: get(&f, "code").into(),
            name: get(&f, "name").into(),
            storage_gb: get(&f, "storage_gb").into(),
            bandwidth_gb: get(&f, "bandwidth_gb").into(),
            max_sites: get(&f, "max_sites").into(),
            price: get(&f, "price").into(),
            currency: get(&f, "currency").into(),
            available: get(&f, "available") == "yes",
        };
        match plans::save(&state.pool, &user, &input).await {
            Ok(_) => see_other("/staff/plans?done=saved", None),
            Err(e) => {
                let fields = [
                    "code",
                    "name",
                    "storage_gb",
                    "bandwidth_gb",
                    "max_sites",
                    "price",
                    "currency",
                ];
                show_error(&state, &parts, "/staff/plans", keep(&f, &fields), e).await
            }
        }
    }

    async fn create_token(State(state): State<AppState>, parts: Parts, axum::Form(f): Fields) -> Response {
        let Some(user) = signed_in(&parts) else {
            return sign_in_first("/staff/node-tokens");
        };
        match node_tokens::create(&state.pool, &user, get(&f, "name")).await {
            Ok(secret) => {
                let token = NewNodeToken(secret);
                render_with(
                    &state,
                    &parts,
                    Some("/staff/node-tokens"),
                    StatusCode::OK,
                    move || provide_context(token.clone()),
                )
                .await
            }
            Err(e) => show_error(&state, &parts, "/staff/node-tokens", keep(&f, &["name"]), e).await,
        }
    }

    async fn revoke_token(State(state): State<AppState>, parts: Parts, axum::Form(f): Fields) -> Response {
        let Some(user) = signed_in(&parts) else {
            return sign_in_first("/staff/node-tokens");
        };
        let id = uuid::Uuid::parse_str(get(&f, "id")).map_err(|_| HostingError::NotFound);
        let result = match id {
            Ok(id) => node_tokens::revoke(&state.pool, &user, id).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => see_other("/staff/node-tokens?done=revoked", None),
            Err(e) => show_error(&state, &parts, "/staff/node-tokens", FormState::default(), e).await,
        }
    }
}
