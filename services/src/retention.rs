//! How long each table that grows with use keeps its rows. The maintenance
//! loop prunes every table hourly in batches, so no statement holds locks
//! for long; several processes may prune at once. `docs/operations.md`
//! lists the same policies for operators.

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

/// Rows deleted per statement.
pub const BATCH: i64 = 5_000;

/// The retentions an operator configures; the others are fixed below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Raw usage samples (the hourly, daily and monthly rollups stay).
    pub usage_samples: Duration,
    /// The activity log customers and staff read.
    pub activity: Duration,
}

/// How long a policy keeps a row after the moment its statement measures
/// from (its end, its use, its creation).
#[derive(Debug, Clone, Copy)]
pub enum Keep {
    For(Duration),
    UsageSamples,
    Activity,
}

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub table: &'static str,
    /// What goes and when, in the operator's words.
    pub removes: &'static str,
    pub keep: Keep,
    /// Deletes at most `$2` rows due before `$1`.
    delete: &'static str,
}

impl Policy {
    pub fn kept_for(&self, retention: &Retention) -> Duration {
        match self.keep {
            Keep::For(d) => d,
            Keep::UsageSamples => retention.usage_samples,
            Keep::Activity => retention.activity,
        }
    }
}

pub const POLICIES: &[Policy] = &[
    Policy {
        table: "sessions",
        removes: "sessions 30 days after they ended (signed out, revoked or expired)",
        keep: Keep::For(Duration::days(30)),
        delete: "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
                 WHERE LEAST(coalesce(revoked_at, 'infinity'), idle_expires_at, absolute_expires_at) < $1 LIMIT $2)",
    },
    Policy {
        table: "rate_limit_events",
        removes: "rate-limit counts after 2 days (the longest window is a day)",
        keep: Keep::For(Duration::days(2)),
        delete: "DELETE FROM rate_limit_events WHERE id IN (SELECT id FROM rate_limit_events
                 WHERE created_at < $1 LIMIT $2)",
    },
    Policy {
        table: "sign_in_attempts",
        removes: "sign-in attempts after 90 days",
        keep: Keep::For(Duration::days(90)),
        delete: "DELETE FROM sign_in_attempts WHERE id IN (SELECT id FROM sign_in_attempts
                 WHERE created_at < $1 LIMIT $2)",
    },
    Policy {
        table: "email_tokens",
        removes: "email links 7 days after they were used or expired",
        keep: Keep::For(Duration::days(7)),
        delete: "DELETE FROM email_tokens WHERE id IN (SELECT id FROM email_tokens
                 WHERE LEAST(coalesce(used_at, 'infinity'), expires_at) < $1 LIMIT $2)",
    },
    Policy {
        table: "pending_sign_ins",
        removes: "half-finished two-factor sign-ins a day after they expired",
        keep: Keep::For(Duration::days(1)),
        delete: "DELETE FROM pending_sign_ins WHERE id IN (SELECT id FROM pending_sign_ins
                 WHERE expires_at < $1 LIMIT $2)",
    },
    Policy {
        table: "trusted_devices",
        removes: "remembered devices 7 days after they expired",
        keep: Keep::For(Duration::days(7)),
        delete: "DELETE FROM trusted_devices WHERE id IN (SELECT id FROM trusted_devices
                 WHERE expires_at < $1 LIMIT $2)",
    },
    Policy {
        table: "hosting_invitations",
        removes: "invitations 90 days after they were accepted, revoked or expired",
        keep: Keep::For(Duration::days(90)),
        delete: "DELETE FROM hosting_invitations WHERE id IN (SELECT id FROM hosting_invitations
                 WHERE LEAST(coalesce(accepted_at, 'infinity'), coalesce(revoked_at, 'infinity'), expires_at) < $1
                 LIMIT $2)",
    },
    Policy {
        table: "email_outbox",
        removes: "sent and given-up emails after 90 days (the delivery rate reads 30)",
        keep: Keep::For(Duration::days(90)),
        delete: "DELETE FROM email_outbox WHERE id IN (SELECT id FROM email_outbox
                 WHERE status <> 'pending' AND created_at < $1 LIMIT $2)",
    },
    Policy {
        table: "stripe_events",
        removes: "applied Stripe webhook events after 90 days (Stripe retries for 3)",
        keep: Keep::For(Duration::days(90)),
        delete: "DELETE FROM stripe_events WHERE id IN (SELECT id FROM stripe_events
                 WHERE processed_at < $1 LIMIT $2)",
    },
    Policy {
        table: "domain_orders",
        removes: "domain orders never paid, 90 days after they were placed (paid ones are kept)",
        keep: Keep::For(Duration::days(90)),
        delete: "DELETE FROM domain_orders WHERE id IN (SELECT id FROM domain_orders
                 WHERE status IN ('awaiting_payment', 'expired') AND created_at < $1 LIMIT $2)",
    },
    Policy {
        table: "email_events",
        removes: "Resend's delivery reports after 90 days (their outcome stays on the email)",
        keep: Keep::For(Duration::days(90)),
        delete: "DELETE FROM email_events WHERE id IN (SELECT id FROM email_events
                 WHERE received_at < $1 LIMIT $2)",
    },
    Policy {
        table: "notifications",
        removes: "read notifications after 90 days",
        keep: Keep::For(Duration::days(90)),
        delete: "DELETE FROM notifications WHERE id IN (SELECT id FROM notifications
                 WHERE read_at < $1 LIMIT $2)",
    },
    Policy {
        table: "events",
        removes: "live-stream events after an hour (a reconnecting browser asks for minutes)",
        keep: Keep::For(crate::realtime::KEEP_EVENTS),
        delete: "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < $1 LIMIT $2)",
    },
    Policy {
        table: "activity_log",
        removes: "activity entries older than KSF_ACTIVITY_RETENTION_DAYS",
        keep: Keep::Activity,
        delete: "DELETE FROM activity_log WHERE id IN (SELECT id FROM activity_log
                 WHERE created_at < $1 LIMIT $2)",
    },
    Policy {
        table: "site_deploys",
        removes: "deploys a year after they were uploaded, once too old to roll back to (their archive is gone)",
        keep: Keep::For(Duration::days(365)),
        delete: "DELETE FROM site_deploys WHERE id IN (SELECT id FROM site_deploys
                 WHERE created_at < $1 AND archive IS NULL AND status <> 'pending'
                   AND NOT EXISTS (SELECT 1 FROM hosting_accounts a WHERE a.release_id = site_deploys.id)
                 LIMIT $2)",
    },
    Policy {
        table: "stray_payments",
        removes: "payments nothing was bought with, once refunded, a year after they were found",
        keep: Keep::For(Duration::days(365)),
        delete: "DELETE FROM stray_payments WHERE payment_intent IN (SELECT payment_intent FROM stray_payments
                 WHERE found_at < $1 AND refund_id IS NOT NULL LIMIT $2)",
    },
    Policy {
        table: "staff_audit",
        removes: "staff actions on customers after two years",
        keep: Keep::For(Duration::days(730)),
        delete: "DELETE FROM staff_audit WHERE id IN (SELECT id FROM staff_audit WHERE created_at < $1 LIMIT $2)",
    },
    Policy {
        table: "two_factor_resets",
        removes: "two-factor reset requests (their checks) after two years, as the audit",
        keep: Keep::For(Duration::days(730)),
        delete: "DELETE FROM two_factor_resets WHERE id IN (SELECT id FROM two_factor_resets
                 WHERE requested_at < $1 AND (approved_at IS NOT NULL OR cancelled_at IS NOT NULL) LIMIT $2)",
    },
    Policy {
        table: "data_exports",
        removes: "data exports a month after they were asked for (the archive itself goes when its link expires)",
        keep: Keep::For(Duration::days(30)),
        delete: "DELETE FROM data_exports WHERE id IN (SELECT id FROM data_exports
                 WHERE created_at < $1 AND status <> 'pending' LIMIT $2)",
    },
    Policy {
        table: "usage_samples",
        removes: "raw usage samples older than KSF_USAGE_RETENTION_DAYS (the rollups stay)",
        keep: Keep::UsageSamples,
        // No key of its own: the row's physical address.
        delete: "DELETE FROM usage_samples WHERE ctid = ANY(ARRAY(
                 SELECT ctid FROM usage_samples WHERE sampled_at < $1 LIMIT $2))",
    },
];

/// Prunes one table; returns how many rows went.
#[tracing::instrument(skip_all, fields(table = policy.table))]
pub async fn prune(
    pool: &PgPool,
    policy: &Policy,
    retention: &Retention,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let cutoff = now - policy.kept_for(retention);
    let mut total = 0;
    loop {
        let deleted = sqlx::query(policy.delete)
            .bind(cutoff)
            .bind(BATCH)
            .execute(pool)
            .await?
            .rows_affected();
        total += deleted;
        if deleted < BATCH as u64 {
            return Ok(total);
        }
    }
}

/// Prunes every table, each on its own: one failing does not stop the rest.
pub async fn prune_all(
    pool: &PgPool,
    retention: &Retention,
    now: OffsetDateTime,
) -> Vec<(&'static str, Result<u64, sqlx::Error>)> {
    let mut out = Vec::with_capacity(POLICIES.len());
    for policy in POLICIES {
        out.push((policy.table, prune(pool, policy, retention, now).await));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_table_has_one_policy_that_deletes_only_from_it() {
        let mut tables: Vec<_> = POLICIES.iter().map(|p| p.table).collect();
        tables.sort_unstable();
        tables.dedup();
        assert_eq!(tables.len(), POLICIES.len());
        for p in POLICIES {
            assert!(
                p.delete.starts_with(&format!("DELETE FROM {} WHERE", p.table)),
                "{}",
                p.table
            );
            assert!(
                p.delete.contains("$1") && p.delete.contains("LIMIT $2"),
                "{}",
                p.table
            );
        }
    }

    #[test]
    fn the_configured_windows_are_used() {
        let retention = Retention {
            usage_samples: Duration::days(5),
            activity: Duration::days(6),
        };
        let kept = |t: &str| {
            POLICIES
                .iter()
                .find(|p| p.table == t)
                .map(|p| p.kept_for(&retention))
        };
        assert_eq!(kept("usage_samples"), Some(Duration::days(5)));
        assert_eq!(kept("activity_log"), Some(Duration::days(6)));
        assert_eq!(kept("rate_limit_events"), Some(Duration::days(2)));
    }
}
