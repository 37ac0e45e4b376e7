//! Deploys: a customer uploads an archive of their site, checked here with
//! the rules the node applies again while unpacking (`domain::archive`).
//! The deploy becomes the account's `release_id`, which bumps its node's
//! generation; the agent downloads it, unpacks it into a new release,
//! switches to it and reports back. A rollback points `release_id` at an
//! earlier deploy the node still keeps.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::activity::{record_for_account, Action, NewEntry};
use crate::failure::over;
use crate::hosting::access::Access;
use crate::hosting::{invalid, ServiceError};
use crate::rate_limit::{self, Limit};
use crate::Actor;
use domain::archive::{self, Format, Limits};
use domain::sites::{DeployReport, DeployStatus, KEPT_RELEASES};
use domain::Permission;

/// The largest archive the portal accepts.
pub const MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;
/// Deploys the account page lists.
const HISTORY: i64 = 10;
/// Uploads one account may send an hour, refused ones included: each is
/// read whole, which costs the portal up to a plan's storage of work.
pub const UPLOADS_PER_HOUR: Limit = Limit::per_hour("site_upload", 30);

/// One deploy, as the account page lists it.
#[derive(Debug, Clone)]
pub struct Deploy {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    /// Who uploaded it (None: a user since deleted).
    pub uploaded_by: Option<String>,
    pub file_name: String,
    pub archive_bytes: i64,
    pub files: i32,
    pub unpacked_bytes: i64,
    pub status: DeployStatus,
    pub error: Option<String>,
    /// The one the site serves (or is switching to).
    pub live: bool,
    /// Deployed, kept on the node, and not the live one.
    pub can_roll_back: bool,
}

/// Checks an uploaded archive and makes it the site's next release.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id(), bytes = bytes.len()))]
pub async fn upload(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Uuid, ServiceError> {
    access.require(Permission::ManageSites)?;
    let field = "archive";
    if bytes.is_empty() {
        return Err(invalid(field, "Choose a .zip or .tar.gz of your site to upload."));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(invalid(
            field,
            "The archive is larger than 100 MB, the most one upload can be.",
        ));
    }
    let format = Format::sniff(&bytes)
        .ok_or_else(|| invalid(field, archive::ArchiveError::NotAnArchive.to_string()))?;
    let mut conn = pool.acquire().await?;
    rate_limit::hit(&mut conn, &UPLOADS_PER_HOUR, &access.account_id().to_string())
        .await?
        .map_err(over("This site has had 30 uploads in the last hour."))?;
    drop(conn);
    let quota = sqlx::query_scalar!(
        "SELECT p.storage_quota_bytes FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1",
        access.account_id()
    )
    .fetch_one(pool)
    .await?;
    let limits = Limits {
        max_bytes: quota.max(0) as u64,
        max_files: archive::MAX_FILES,
    };
    // Reading every file of up to 100 MB: off the request threads.
    let (bytes, checked) = tokio::task::spawn_blocking(move || {
        let checked = archive::check(&bytes, limits);
        (bytes, checked)
    })
    .await
    .map_err(ServiceError::internal)?;
    let summary = checked.map_err(|e| invalid(field, e.to_string()))?;
    let name = display_name(file_name);
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO site_deploys (account_id, uploaded_by, created_at, file_name, format, archive_bytes, files, unpacked_bytes, archive)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        access.account_id(),
        actor.id(),
        actor.now,
        name,
        format.as_str(),
        bytes.len() as i64,
        summary.files as i32,
        summary.bytes as i64,
        bytes
    )
    .fetch_one(&mut *tx)
    .await?;
    switch(&mut tx, access.account_id(), Some(id)).await?;
    let details = json!({ "file": name, "size": domain::hosting::format_bytes(bytes.len() as i64) });
    record_for_account(
        &mut tx,
        access.account_id(),
        NewEntry::by(actor, Action::SiteDeployed, details),
    )
    .await?;
    forget_old(&mut tx, access.account_id()).await?;
    tx.commit().await?;
    tracing::info!(deploy = %id, files = summary.files, "site uploaded");
    Ok(id)
}

/// Serves an earlier deploy again.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id(), %deploy))]
pub async fn roll_back(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    deploy: Uuid,
) -> Result<(), ServiceError> {
    access.require(Permission::ManageSites)?;
    let mut tx = pool.begin().await?;
    let target = history_of(&mut tx, access.account_id(), HISTORY)
        .await?
        .into_iter()
        .find(|d| d.id == deploy)
        .ok_or(ServiceError::NotFound(
            "That deploy does not exist on this account.",
        ))?;
    if !target.can_roll_back {
        return Err(ServiceError::Conflict(if target.live {
            "That deploy is the one the site serves already.".into()
        } else {
            format!("Only the last {KEPT_RELEASES} deploys that went live can be served again.")
        }));
    }
    switch(&mut tx, access.account_id(), Some(deploy)).await?;
    let details = json!({ "file": target.file_name, "when": target.created_at.date().to_string() });
    record_for_account(
        &mut tx,
        access.account_id(),
        NewEntry::by(actor, Action::SiteRolledBack, details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account's latest deploys, newest first.
pub async fn history(pool: &PgPool, access: &Access) -> Result<Vec<Deploy>, ServiceError> {
    access.require(Permission::View)?;
    let mut conn = pool.acquire().await?;
    Ok(history_of(&mut conn, access.account_id(), HISTORY).await?)
}

async fn history_of(conn: &mut PgConnection, account: Uuid, limit: i64) -> sqlx::Result<Vec<Deploy>> {
    let rows = sqlx::query!(
        r#"SELECT d.id, d.created_at, u.display_name AS "uploaded_by?", d.file_name, d.archive_bytes, d.files,
                  d.unpacked_bytes, d.status AS "status: DeployStatus", d.error,
                  coalesce(d.id = a.release_id, false) AS "live!", d.archive IS NOT NULL AS "kept!"
           FROM site_deploys d
           JOIN hosting_accounts a ON a.id = d.account_id
           LEFT JOIN users u ON u.id = d.uploaded_by
           WHERE d.account_id = $1
           ORDER BY d.created_at DESC, d.id
           LIMIT $2"#,
        account,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Deploy {
            id: r.id,
            created_at: r.created_at,
            uploaded_by: r.uploaded_by,
            file_name: r.file_name,
            archive_bytes: r.archive_bytes,
            files: r.files,
            unpacked_bytes: r.unpacked_bytes,
            can_roll_back: r.status == DeployStatus::Deployed && r.kept && !r.live,
            status: r.status,
            error: r.error,
            live: r.live,
        })
        .collect())
}

/// Points the account's site at `release` (its node is told by trigger).
async fn switch(conn: &mut PgConnection, account: Uuid, release: Option<Uuid>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE hosting_accounts SET release_id = $2 WHERE id = $1",
        account,
        release
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops the archives of deploys too old to roll back to: the node keeps
/// the last `KEPT_RELEASES` that did not fail, and so does the portal.
async fn forget_old(conn: &mut PgConnection, account: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE site_deploys SET archive = NULL
         WHERE account_id = $1 AND archive IS NOT NULL
           AND id <> coalesce((SELECT release_id FROM hosting_accounts WHERE id = $1), '00000000-0000-0000-0000-000000000000')
           AND id NOT IN (SELECT id FROM site_deploys WHERE account_id = $1 AND status <> 'failed'
                          ORDER BY created_at DESC, id LIMIT $2)",
        account,
        KEPT_RELEASES as i64
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A deploy's archive, for the node serving its account (None otherwise:
/// a node sees only its own sites).
pub async fn archive_for_node(pool: &PgPool, node: Uuid, deploy: Uuid) -> sqlx::Result<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar!(
        "SELECT d.archive FROM site_deploys d JOIN hosting_accounts a ON a.id = d.account_id
         WHERE d.id = $1 AND a.node_id = $2",
        deploy,
        node
    )
    .fetch_optional(pool)
    .await?
    .flatten())
}

/// Records what the node made of a deploy. A refused one gives way to the
/// last deploy that went live (or the default page), so the node is never
/// asked for it again. Answers false when the deploy is not this node's.
#[tracing::instrument(skip_all, fields(%node, %deploy))]
pub async fn report(
    pool: &PgPool,
    node: Uuid,
    deploy: Uuid,
    report: &DeployReport,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let error = report
        .error
        .as_deref()
        .map(|e| e.chars().take(500).collect::<String>());
    let mut tx = pool.begin().await?;
    let Some(row) = sqlx::query!(
        r#"SELECT d.account_id, d.file_name, d.status AS "status: DeployStatus"
           FROM site_deploys d JOIN hosting_accounts a ON a.id = d.account_id
           WHERE d.id = $1 AND a.node_id = $2 FOR UPDATE OF d"#,
        deploy,
        node
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    // Only the first word counts: a node that unpacks it again (after a
    // move) does not rewrite its history.
    if row.status != DeployStatus::Pending {
        return Ok(true);
    }
    let status = if error.is_some() {
        DeployStatus::Failed
    } else {
        DeployStatus::Deployed
    };
    sqlx::query!(
        "UPDATE site_deploys SET status = $2, error = $3, finished_at = $4 WHERE id = $1",
        deploy,
        status as DeployStatus,
        error,
        now
    )
    .execute(&mut *tx)
    .await?;
    if let Some(error) = &error {
        let previous = sqlx::query_scalar!(
            "SELECT id FROM site_deploys WHERE account_id = $1 AND status = 'deployed' AND archive IS NOT NULL
             ORDER BY created_at DESC, id LIMIT 1",
            row.account_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE hosting_accounts SET release_id = $3 WHERE id = $1 AND release_id = $2",
            row.account_id,
            deploy,
            previous
        )
        .execute(&mut *tx)
        .await?;
        let client = crate::ClientInfo::default();
        let details = json!({ "file": row.file_name, "error": error });
        record_for_account(
            &mut tx,
            row.account_id,
            NewEntry::without_actor(&client, Action::SiteDeployFailed, details),
        )
        .await?;
        tracing::warn!(%error, "the node refused a deploy");
    } else {
        tracing::info!(files = report.files, bytes = report.bytes, "deploy live");
    }
    tx.commit().await?;
    Ok(true)
}

/// The file's own name (no folders a browser may send), at most 200
/// characters, never empty.
fn display_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let name: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.is_empty() {
        "site archive".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_name_loses_its_folders_and_control_characters() {
        assert_eq!(super::display_name("C:\\Users\\me\\site.zip"), "site.zip");
        assert_eq!(super::display_name("a/b/\u{7}x.tar.gz"), "x.tar.gz");
        assert_eq!(super::display_name(""), "site archive");
    }
}
