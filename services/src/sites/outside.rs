//! Checking each site from outside its node: the portal asks the node's
//! public address for the site's home page, as a visitor would. The agent
//! checks through its own Caddy every minute; this finds what it cannot —
//! a firewall, a routing problem, a node that serves nothing outward.
//! A site is up when both got an answer (`site_health.answering`).

use std::time::{Duration, Instant};

use futures::StreamExt;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use domain::sites::NODE_HEADER;

/// How often the portal looks (the server's loop).
pub const EVERY: Duration = Duration::from_secs(5 * 60);

/// Sites asked at once.
const CONCURRENCY: usize = 16;

/// Where the portal finds nodes' web servers: their public addresses on
/// this port (80 in production; tests and `./scripts/run` use another).
#[derive(Debug, Clone)]
pub struct OutsideChecks {
    pub http_port: u16,
    pub timeout: Duration,
}

impl Default for OutsideChecks {
    fn default() -> Self {
        Self {
            http_port: 80,
            timeout: Duration::from_secs(10),
        }
    }
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    account: Uuid,
    /// The node asked: a site moved meanwhile keeps no finding.
    node: Uuid,
    status: Option<u16>,
    error: Option<String>,
}

/// Checks every active site the node has checked itself, on a node with a
/// public IPv4 address. Answers how many were checked.
#[tracing::instrument(skip_all)]
pub async fn check_all(
    pool: &PgPool,
    settings: &OutsideChecks,
    now: OffsetDateTime,
) -> anyhow::Result<usize> {
    let sites = sqlx::query!(
        "SELECT a.id, a.primary_domain, n.id AS node, n.name, n.public_ipv4 AS \"ipv4!\"
         FROM hosting_accounts a
         JOIN node_tokens n ON n.id = a.node_id AND n.revoked_at IS NULL AND n.public_ipv4 IS NOT NULL
         JOIN site_health h ON h.account_id = a.id
         WHERE a.status = 'active' AND NOT a.bandwidth_paused
         ORDER BY a.id"
    )
    .fetch_all(pool)
    .await?;
    // Never follow a redirect: the answer of the node itself is the finding.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .user_agent(concat!("ksf-portal-check/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let findings: Vec<Finding> = futures::stream::iter(sites.into_iter().map(|site| {
        let client = &client;
        async move {
            let url = format!("http://{}:{}/", site.ipv4, settings.http_port);
            let started = Instant::now();
            let answer = client
                .get(&url)
                .header(reqwest::header::HOST, site.primary_domain.as_str())
                .send()
                .await;
            tracing::debug!(site = %site.id, millis = started.elapsed().as_millis() as u64, "checked from outside");
            match answer {
                Ok(response) => {
                    let node = site.node;
                    let status = response.status().as_u16();
                    let by = response
                        .headers()
                        .get(NODE_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    // Another server, or a node that does not serve the
                    // site, answered at that address: not the site.
                    let error = (by.as_deref() != Some(site.node.to_string().as_str())).then(|| {
                        format!(
                            "something answered {status} there, but not {} serving this site (is its public address right?)",
                            site.name
                        )
                    });
                    Finding {
                        account: site.id,
                        node,
                        status: error.is_none().then_some(status),
                        error,
                    }
                }
                Err(e) => Finding {
                    account: site.id,
                    node: site.node,
                    status: None,
                    error: Some(describe(&e)),
                },
            }
        }
    }))
    .buffer_unordered(CONCURRENCY)
    .collect()
    .await;
    let ids: Vec<Uuid> = findings.iter().map(|f| f.account).collect();
    let nodes: Vec<Uuid> = findings.iter().map(|f| f.node).collect();
    let ups: Vec<bool> = findings
        .iter()
        .map(|f| f.status.is_some_and(|s| s < 500))
        .collect();
    let statuses: Vec<Option<i32>> = findings.iter().map(|f| f.status.map(i32::from)).collect();
    let errors: Vec<Option<String>> = findings.iter().map(|f| f.error.clone()).collect();
    sqlx::query!(
        "UPDATE site_health h SET outside_up = f.up, outside_status = f.status, outside_error = f.error,
             outside_checked_at = $5
         FROM unnest($1::uuid[], $2::bool[], $3::int[], $4::text[], $6::uuid[]) AS f(id, up, status, error, node)
         JOIN hosting_accounts a ON a.id = f.id AND a.node_id = f.node
         WHERE h.account_id = f.id",
        &ids,
        &ups,
        &statuses as &[Option<i32>],
        &errors as &[Option<String>],
        now,
        &nodes
    )
    .execute(pool)
    .await?;
    // Sites no longer checked (paused, suspended, moved, a node without
    // an address) keep no old finding: it would say down forever.
    sqlx::query!(
        "UPDATE site_health SET outside_up = NULL, outside_status = NULL, outside_error = NULL,
             outside_checked_at = NULL
         WHERE outside_checked_at IS NOT NULL AND outside_checked_at < $1",
        now
    )
    .execute(pool)
    .await?;
    let down = ups.iter().filter(|up| !**up).count();
    tracing::info!(
        checked = ids.len(),
        down,
        "sites checked from outside their nodes"
    );
    Ok(ids.len())
}

/// Why a site gave no answer, in a sentence.
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "the connection was refused or not taken"
    } else {
        "the answer could not be read"
    };
    what.to_string()
}
