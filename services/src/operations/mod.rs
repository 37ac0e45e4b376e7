//! The figures an operator watches. Those in the database (the email
//! outbox and its delivery, Stripe's webhook backlog) are read on each
//! `/metrics` scrape, so each is one indexed query; `process` keeps what
//! this process saw (jobs, errors), and `system` puts both together for
//! the staff System page.

use sqlx::PgPool;

pub mod process;
pub mod system;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Queues {
    /// Emails waiting to be sent (due or retrying).
    pub outbox_pending: i64,
    /// Seconds the oldest of them has waited (0 when none).
    pub outbox_oldest_seconds: f64,
    /// Emails handed to the provider, and given up on, in the last 24 hours.
    pub emails_sent_24h: i64,
    pub emails_failed_24h: i64,
    /// Stripe events stored but not applied yet, and the oldest one's age.
    pub webhooks_pending: i64,
    pub webhooks_oldest_seconds: f64,
    /// Of those, events that failed at least once (retrying).
    pub webhooks_retrying: i64,
    /// Delivered share of sent emails whose fate is known, over the last
    /// 24 hours and 30 days (None before any is known).
    pub delivery_rate_24h: Option<f64>,
    pub delivery_rate_30d: Option<f64>,
    /// Addresses no longer mailed (hard bounces and complaints).
    pub suppressed_addresses: i64,
    /// Paid domain orders not finished (registering or refunding), the
    /// oldest one's age since payment, and domains we registered.
    pub domain_orders_pending: i64,
    pub domain_orders_oldest_seconds: f64,
    pub domains_registered: i64,
    /// Sites placed on nodes, accounts waiting for a node with room, and
    /// nodes with sites whose agent has not been seen for 2 minutes.
    pub sites_placed: i64,
    pub sites_unplaced: i64,
    pub nodes_silent: i64,
    /// Sites whose node found them not answering; host names whose
    /// certificate is missing, expired or overdue for renewal; deploys
    /// waiting for their node, and sites waiting to be deleted from one.
    pub sites_down: i64,
    pub certificates_attention: i64,
    pub deploys_pending: i64,
    pub site_removals_pending: i64,
    /// Sites paused for having served their plan's bandwidth this month.
    pub sites_bandwidth_paused: i64,
    /// The staff console: users locked, two-factor resets waiting for a
    /// second staff member, staff viewing as a customer now, data exports
    /// waiting to be built.
    pub users_locked: i64,
    pub two_factor_resets_waiting: i64,
    pub views_as_customer: i64,
    pub data_exports_pending: i64,
}

/// Delivered (a complaint was delivered too) over delivered and bounced:
/// emails still without a final word are left out until they have one.
fn rate(delivered: i64, finished: i64) -> Option<f64> {
    (finished > 0).then(|| delivered as f64 / finished as f64)
}

pub async fn queues(pool: &PgPool) -> Result<Queues, sqlx::Error> {
    let outbox = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE status = 'pending') AS "pending!",
                  coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8, 0) AS "oldest!",
                  count(*) FILTER (WHERE status = 'sent') AS "sent!",
                  count(*) FILTER (WHERE status = 'failed') AS "failed!"
             FROM email_outbox
            WHERE status = 'pending' OR created_at > now() - interval '24 hours'"#
    )
    .fetch_one(pool)
    .await?;
    let webhooks = sqlx::query!(
        r#"SELECT count(*) AS "pending!",
                  coalesce(extract(epoch FROM now() - min(received_at))::float8, 0) AS "oldest!",
                  count(*) FILTER (WHERE attempts > 0) AS "retrying!"
             FROM stripe_events
            WHERE processed_at IS NULL"#
    )
    .fetch_one(pool)
    .await?;
    let delivery = delivery(pool).await?;
    let domains = sqlx::query!(
        r#"SELECT count(*) AS "pending!",
                  coalesce(extract(epoch FROM now() - min(paid_at))::float8, 0) AS "oldest!",
                  (SELECT count(*) FROM registered_domains) AS "registered!"
             FROM domain_orders
            -- Transfers under way take days by design: not counted.
            WHERE status IN ('paid', 'registering', 'staff_task', 'refunding')"#
    )
    .fetch_one(pool)
    .await?;
    let sites = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM hosting_accounts WHERE node_id IS NOT NULL AND status IN ('active', 'suspended')) AS "placed!",
                  (SELECT count(*) FROM hosting_accounts WHERE node_id IS NULL AND status IN ('active', 'suspended')) AS "unplaced!",
                  (SELECT count(*) FROM node_tokens n WHERE n.revoked_at IS NULL
                     AND EXISTS (SELECT 1 FROM hosting_accounts a WHERE a.node_id = n.id AND a.status <> 'cancelled')
                     AND (n.agent_seen_at IS NULL OR n.agent_seen_at < now() - interval '2 minutes')) AS "silent!",
                  (SELECT count(*) FROM site_health WHERE NOT answering) AS "down!",
                  (SELECT count(*) FROM site_certificates c
                     WHERE certificate_needs_look(c.issued_at, c.expires_at, now())) AS "attention!",
                  (SELECT count(*) FROM site_deploys WHERE status = 'pending') AS "deploys!",
                  (SELECT count(*) FROM site_removals WHERE done_at IS NULL AND due_at <= now()) AS "removals!",
                  (SELECT count(*) FROM hosting_accounts WHERE bandwidth_paused) AS "paused!""#
    )
    .fetch_one(pool)
    .await?;
    let staff = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM users WHERE locked_at IS NOT NULL) AS "locked!",
                  (SELECT count(*) FROM two_factor_resets WHERE approved_at IS NULL AND cancelled_at IS NULL) AS "resets!",
                  (SELECT count(*) FROM sessions WHERE view_as_until > now() AND revoked_at IS NULL) AS "viewing!",
                  (SELECT count(*) FROM data_exports WHERE status = 'pending') AS "exports!""#
    )
    .fetch_one(pool)
    .await?;
    Ok(Queues {
        users_locked: staff.locked,
        two_factor_resets_waiting: staff.resets,
        views_as_customer: staff.viewing,
        data_exports_pending: staff.exports,
        sites_placed: sites.placed,
        sites_unplaced: sites.unplaced,
        nodes_silent: sites.silent,
        sites_down: sites.down,
        certificates_attention: sites.attention,
        deploys_pending: sites.deploys,
        site_removals_pending: sites.removals,
        sites_bandwidth_paused: sites.paused,
        outbox_pending: outbox.pending,
        outbox_oldest_seconds: outbox.oldest,
        emails_sent_24h: outbox.sent,
        emails_failed_24h: outbox.failed,
        webhooks_pending: webhooks.pending,
        webhooks_oldest_seconds: webhooks.oldest,
        webhooks_retrying: webhooks.retrying,
        delivery_rate_24h: delivery.rate_24h,
        delivery_rate_30d: delivery.rate_30d,
        suppressed_addresses: delivery.suppressed,
        domain_orders_pending: domains.pending,
        domain_orders_oldest_seconds: domains.oldest,
        domains_registered: domains.registered,
    })
}

/// How email delivery goes, as the staff dashboard and `/metrics` show it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeliveryFigures {
    pub rate_24h: Option<f64>,
    pub rate_30d: Option<f64>,
    pub suppressed: i64,
}

pub async fn delivery(pool: &PgPool) -> Result<DeliveryFigures, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE delivery IN ('delivered', 'complained')
                                    AND created_at > now() - interval '24 hours') AS "delivered_24h!",
                  count(*) FILTER (WHERE delivery IN ('delivered', 'complained', 'bounced')
                                    AND created_at > now() - interval '24 hours') AS "finished_24h!",
                  count(*) FILTER (WHERE delivery IN ('delivered', 'complained')) AS "delivered_30d!",
                  count(*) FILTER (WHERE delivery IN ('delivered', 'complained', 'bounced')) AS "finished_30d!",
                  (SELECT count(*) FROM email_suppressions) AS "suppressed!"
             FROM email_outbox
            WHERE status = 'sent' AND created_at > now() - interval '30 days'"#
    )
    .fetch_one(pool)
    .await?;
    Ok(DeliveryFigures {
        rate_24h: rate(row.delivered_24h, row.finished_24h),
        rate_30d: rate(row.delivered_30d, row.finished_30d),
        suppressed: row.suppressed,
    })
}
