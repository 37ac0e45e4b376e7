//! Server functions of the site section of the account page.

use leptos::prelude::*;

use super::SiteView;
use crate::api::ApiError;

/// The account's deploys and whether the user may deploy.
#[server(endpoint = "sites/deploys")]
pub async fn site_deploys(account: String) -> Result<SiteView, ApiError> {
    use super::{CertRow, DeployRow, HealthRow, NodeOption};
    use crate::api::edge::{auth::actor, error::api_error};
    use domain::hosting::format_bytes;
    use domain::{AccountId, AccountStatus, Permission};
    use services::hosting::{access, ServiceError};
    use services::sites::{certificates, checks, deploys, placement};

    let (deps, actor) = actor()?;
    let pool = &deps.pool;
    let id = AccountId::parse(&account).ok_or_else(|| api_error(services::hosting::not_found()))?;
    let access = access::authorize(pool, &actor, id).await.map_err(api_error)?;
    let list = deploys::history(pool, &access).await.map_err(api_error)?;
    let certs = certificates::for_account(pool, &access, actor.now)
        .await
        .map_err(api_error)?;
    let health = checks::health_of(pool, &access).await.map_err(api_error)?;
    // The move form: for staff who may move sites.
    let nodes = if actor.staff_can(domain::StaffPermission::Support) {
        placement::choices(pool, &access).await.map_err(api_error)?
    } else {
        Vec::new()
    };
    let paused = placement::bandwidth_paused(pool, &access)
        .await
        .map_err(|e| api_error(ServiceError::from(e)))?;
    let placed = placement::node_of(pool, &access)
        .await
        .map_err(|e| api_error(ServiceError::from(e)))?
        .is_some();
    let blocked = match access.status() {
        AccountStatus::Suspended => Some("The account is suspended: deploys resume when it does."),
        AccountStatus::Cancelled => Some("The account is cancelled."),
        AccountStatus::Pending => Some("The account is not active yet: deploy once it is paid for."),
        AccountStatus::Active if !placed => {
            Some("The site is waiting for a hosting node: deploy once it is served.")
        }
        AccountStatus::Active => None,
    };
    Ok(SiteView {
        account,
        can_deploy: access.can(Permission::ManageSites),
        paused,
        blocked: blocked.map(str::to_string),
        max_upload: format_bytes(deploys::MAX_UPLOAD_BYTES as i64),
        move_to: nodes
            .into_iter()
            .map(|n| NodeOption {
                id: n.id.to_string(),
                label: format!("{} ({} of {} sites)", n.name, n.used, n.capacity),
                current: n.current,
            })
            .collect(),
        health: health.map(|h| HealthRow {
            up: h.up && h.outside_up != Some(false),
            outside: h.outside_checked_at.map(|at| {
                let answer = match (h.outside_status, &h.outside_error) {
                    (Some(status), _) => format!("answered {status}"),
                    (None, Some(error)) => error.clone(),
                    (None, None) => "no answer".into(),
                };
                format!(
                    "From outside the node: {answer} (checked {})",
                    crate::api::when(at)
                )
            }),
            answer: match (h.status, &h.error) {
                (Some(status), _) => format!("Answered {status} in {} ms", h.millis),
                (None, Some(error)) => format!("No answer: {error}"),
                (None, None) => "No answer".into(),
            },
            checked: crate::api::when(h.checked_at),
            site_error: h.site_error,
        }),
        certificates: certs
            .into_iter()
            .map(|c| {
                let ok = !c.needs_look;
                let state = match (&c.issuer, c.expires_at) {
                    (_, Some(until)) if until <= actor.now => {
                        "Expired: the node could not renew it".to_string()
                    }
                    (issuer, Some(until)) => format!(
                        "Issued by {}, valid until {}{}",
                        issuer.as_deref().unwrap_or("an unknown authority"),
                        crate::api::when(until),
                        if ok { "" } else { " (overdue for renewal)" }
                    ),
                    _ => format!(
                        "Pending: {}",
                        c.error.as_deref().unwrap_or("the node has not got it yet")
                    ),
                };
                CertRow {
                    ok,
                    host: c.host,
                    state,
                    checked: crate::api::when(c.checked_at),
                }
            })
            .collect(),
        deploys: list
            .into_iter()
            .map(|d| DeployRow {
                id: d.id.to_string(),
                when: crate::api::when(d.created_at),
                who: d.uploaded_by.unwrap_or_else(|| "A former member".into()),
                size: format!(
                    "{} archive, {} file{}, {}",
                    format_bytes(d.archive_bytes),
                    d.files,
                    if d.files == 1 { "" } else { "s" },
                    format_bytes(d.unpacked_bytes)
                ),
                file_name: d.file_name,
                status: d.status,
                error: d.error,
                live: d.live,
                can_roll_back: d.can_roll_back,
            })
            .collect(),
    })
}
