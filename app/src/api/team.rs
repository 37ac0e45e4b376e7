//! The staff team at the HTTP edge: who is staff with which role (a server
//! function), and an admin's role change (a form; step-up, reason).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MemberLine {
    pub id: String,
    pub name: String,
    pub email: String,
    /// As stored ("support"), for the role picker.
    pub role: String,
    pub role_label: String,
    pub two_factor: bool,
    pub last_seen: String,
    pub is_me: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Team {
    pub members: Vec<MemberLine>,
    /// The viewer may change roles.
    pub may_manage: bool,
}

#[server(endpoint = "staff/team")]
pub async fn staff_team() -> Result<Team, ApiError> {
    use super::edge::error::api_error;
    let (deps, actor) = super::edge::auth::actor()?;
    let members = services::team::list(&deps.pool, &actor)
        .await
        .map_err(api_error)?;
    Ok(Team {
        may_manage: actor.staff_can(domain::StaffPermission::ManageStaff),
        members: members
            .into_iter()
            .map(|m| MemberLine {
                is_me: m.id == actor.id(),
                id: m.id.to_string(),
                name: m.name,
                email: m.email,
                role: m.role.as_str().into(),
                role_label: m.role.label().into(),
                two_factor: m.two_factor,
                last_seen: m.last_seen.map(super::when).unwrap_or_else(|| "never".into()),
            })
            .collect(),
    })
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::extract::{Path, State};
    use axum::{routing::post, Form, Router};
    use serde::{Deserialize, Serialize};

    use crate::api::edge::auth::Staff;
    use crate::api::edge::error::{Back, FormResult, ShownOn};
    use crate::api::{AppState, Notice};

    const PAGE: &str = "/staff/team";

    pub fn routes() -> Router<AppState> {
        Router::new().route("/staff/team/{id}/role", post(change_role))
    }

    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default)]
    struct RoleForm {
        /// Whose form it was (the page opens that one again).
        member: String,
        role: String,
        reason: String,
    }

    async fn change_role(
        State(state): State<AppState>,
        Staff(actor): Staff,
        Path(raw): Path<String>,
        Form(mut form): Form<RoleForm>,
    ) -> FormResult {
        form.member = raw.trim().chars().take(36).collect();
        let back = Back::to(PAGE).keeping(&form);
        let id = uuid::Uuid::parse_str(raw.trim())
            .map_err(|_| services::failure::ServiceError::NotFound("No such staff member."))
            .shown_on(&back)?;
        services::team::change_role(&state.deps.pool, &actor, id, &form.role, &form.reason)
            .await
            .shown_on(&back)?;
        Ok(Notice::StaffRoleChanged.redirect(PAGE))
    }
}
