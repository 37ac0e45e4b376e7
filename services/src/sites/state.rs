//! The desired state of a node, for its agent: every site placed on it
//! that it serves, as of the node's generation.

use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;

use domain::sites::{hosts, DesiredState, SiteMode, SiteState, KEPT_RELEASES};

use crate::hosting::node_tokens::Node;

/// What `node` serves now. Its region's unplaced accounts are adopted
/// first; the agent's version and contact are recorded.
pub async fn desired(
    pool: &PgPool,
    node: &Node,
    agent_version: Option<&str>,
    portal: &str,
    now: OffsetDateTime,
) -> sqlx::Result<DesiredState> {
    super::placement::adopt(pool, node.id).await?;
    let version = agent_version.map(|v| v.chars().take(40).collect::<String>());
    let head = sqlx::query!(
        "UPDATE node_tokens SET agent_seen_at = $2, agent_version = coalesce($3, agent_version)
         WHERE id = $1 RETURNING name, generation",
        node.id,
        now,
        version
    )
    .fetch_one(pool)
    .await?;
    // Read after the generation: a change committed in between shows up
    // here and again at the next generation, never not at all.
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.primary_domain, a.status AS "status: domain::AccountStatus",
                  a.release_id, a.bandwidth_paused, p.storage_quota_bytes,
                  coalesce(array_agg(d.name ORDER BY d.name) FILTER (WHERE d.name IS NOT NULL), '{}') AS "domains!",
                  ARRAY(SELECT k.id FROM site_deploys k
                        WHERE k.account_id = a.id AND k.status <> 'failed' AND k.archive IS NOT NULL
                        ORDER BY k.created_at DESC, k.id LIMIT $2) AS "keep!"
           FROM hosting_accounts a
           JOIN plans p ON p.id = a.plan_id
           LEFT JOIN domains d ON d.account_id = a.id
           WHERE a.node_id = $1 AND a.status IN ('active', 'suspended')
           GROUP BY a.id, p.storage_quota_bytes
           ORDER BY a.id"#,
        node.id,
        KEPT_RELEASES as i64
    )
    .fetch_all(pool)
    .await?;
    let remove = sqlx::query_scalar!(
        "SELECT account_id FROM site_removals WHERE node_id = $1 AND done_at IS NULL AND due_at <= $2
         ORDER BY due_at LIMIT 1000",
        node.id,
        now
    )
    .fetch_all(pool)
    .await?;
    Ok(DesiredState {
        remove,
        generation: head.generation,
        node: head.name,
        node_id: Some(node.id),
        portal: portal.to_string(),
        sites: rows
            .into_iter()
            .map(|r| SiteState {
                id: r.id,
                name: r.name,
                mode: match (r.status, r.bandwidth_paused) {
                    (domain::AccountStatus::Suspended, _) => SiteMode::Suspended,
                    (_, true) => SiteMode::Paused,
                    _ => SiteMode::Serve,
                },
                hosts: hosts(&r.primary_domain, &r.domains),
                keep: r.keep.into_iter().chain(r.release_id).collect(),
                release: r.release_id,
                quota_bytes: r.storage_quota_bytes.max(0) as u64,
            })
            .collect(),
    })
}

/// Waits (at most `max`) until `node`'s generation is past `after`.
/// Answers whether it is.
pub async fn changed_since(pool: &PgPool, node: uuid::Uuid, after: i64, max: Duration) -> sqlx::Result<bool> {
    let deadline = tokio::time::Instant::now() + max;
    loop {
        let generation = sqlx::query_scalar!("SELECT generation FROM node_tokens WHERE id = $1", node)
            .fetch_one(pool)
            .await?;
        if generation > after {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        // Cheap (a primary-key read); a wake-up on `ksf_node_state` would
        // need a listening connection per waiting agent.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
