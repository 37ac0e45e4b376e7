//! The signed-in user's own security and account events.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ActivityEntry {
    pub what: String,
    pub device: String,
    pub ip: String,
    pub when: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    pub page: i64,
    pub has_next: bool,
}

#[server]
pub async fn my_activity(page: i64) -> Result<ActivityPage, super::ApiError> {
    use super::edge::error::api_error;
    use services::{activity, failure::Internal, sessions::describe_user_agent};
    let (deps, actor) = super::edge::auth::actor()?;
    let page = page.clamp(1, 10_000);
    let (rows, has_next) = activity::page_for_user(&deps.pool, actor.id(), page)
        .await
        .map_err(|e| api_error(Internal::from(e)))?;
    let entries = rows
        .into_iter()
        .map(|r| ActivityEntry {
            what: activity::Action::describe(&r.action).to_string(),
            device: describe_user_agent(r.user_agent.as_deref()),
            ip: r.ip.unwrap_or_else(|| "unknown".into()),
            when: super::when(r.created_at),
        })
        .collect();
    Ok(ActivityPage {
        entries,
        page,
        has_next,
    })
}
