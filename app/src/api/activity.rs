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
pub async fn my_activity(page: i64) -> Result<ActivityPage, ServerFnError> {
    use crate::services::{activity, sessions::describe_user_agent};
    let user = super::current_user().ok_or_else(|| ServerFnError::new("Sign in to see your activity."))?;
    let state = use_context::<super::AppState>().ok_or_else(|| ServerFnError::new("no app state"))?;
    let page = page.clamp(1, 10_000);
    let (rows, has_next) = activity::page_for_user(&state.pool, user.user_id, page)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading activity failed");
            ServerFnError::new("Could not load your activity. Please try again.")
        })?;
    let entries = rows
        .into_iter()
        .map(|r| ActivityEntry {
            what: activity::Action::describe(&r.action).to_string(),
            device: describe_user_agent(r.user_agent.as_deref()),
            ip: r.ip.unwrap_or_else(|| "unknown".into()),
            when: format!(
                "{} {:02}:{:02} UTC",
                r.created_at.date(),
                r.created_at.hour(),
                r.created_at.minute()
            ),
        })
        .collect();
    Ok(ActivityPage {
        entries,
        page,
        has_next,
    })
}
