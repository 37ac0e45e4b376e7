//! Each growing table keeps its rows for its documented time and no
//! longer: a row just past the line goes, one just inside stays, and rows
//! still in use (a pending email, an unread notification) stay whatever
//! their age.

use services::retention::{self, Retention, BATCH, POLICIES};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::builders::{AccountBuilder, UserBuilder};

const RETENTION: Retention = Retention {
    usage_samples: Duration::days(400),
    activity: Duration::days(365),
};

/// One table's rows on either side of its line: `insert` stores a row
/// whose measured moment is `$3` (for user `$1`, account `$2`).
struct Aged {
    table: &'static str,
    insert: &'static str,
}

impl Aged {
    /// Inserts a row just past the line and one just inside, prunes, and
    /// answers how many of each kind are left (`(past, inside)`).
    async fn prune(&self, pool: &PgPool) -> (i64, i64) {
        let user = UserBuilder::customer(&format!("{}@example.com", self.table))
            .create(pool)
            .await;
        let account = AccountBuilder::named("Retained").owner(user).create(pool).await;
        let now = OffsetDateTime::now_utc();
        let policy = POLICIES
            .iter()
            .find(|p| p.table == self.table)
            .expect("a policy for the table");
        let line = now - policy.kept_for(&RETENTION);
        let before: i64 = count(pool, self.table).await;
        for at in [line - Duration::hours(1), line + Duration::hours(1)] {
            sqlx::query(self.insert)
                .bind(user)
                .bind(account)
                .bind(at)
                .execute(pool)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", self.table));
        }
        let deleted = retention::prune(pool, policy, &RETENTION, now).await.unwrap();
        let after = count(pool, self.table).await;
        // Anything the fixtures themselves wrote is newer than the line.
        assert_eq!(deleted, 1, "{}: one row past the line", self.table);
        (before + 2 - after, after - before)
    }
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn only_the_newer_row_stays(pool: &PgPool, aged: Aged) {
    assert_eq!(aged.prune(pool).await, (1, 1), "{}", aged.table);
}

#[sqlx::test(migrations = "../migrations")]
async fn ended_sessions(pool: PgPool) {
    let aged = Aged {
        table: "sessions",
        insert: "INSERT INTO sessions (token_hash, user_id, idle_expires_at, absolute_expires_at, revoked_at)
                 VALUES (sha256(gen_random_uuid()::text::bytea), $1, now() + interval '1 day', now() + interval '30 days', $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
    // An idle session ended by its idle timeout long ago goes too; a live one stays.
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, idle_expires_at, absolute_expires_at)
         SELECT sha256(gen_random_uuid()::text::bytea), id, now() - interval '60 days', now() - interval '50 days' FROM users",
    )
    .execute(&pool)
    .await
    .unwrap();
    let policy = POLICIES.iter().find(|p| p.table == "sessions").unwrap();
    let gone = retention::prune(&pool, policy, &RETENTION, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(gone, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn rate_limit_counts(pool: PgPool) {
    let aged = Aged {
        table: "rate_limit_events",
        insert:
            "INSERT INTO rate_limit_events (bucket, key, created_at) VALUES ('password_reset', $1::text, $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_attempts(pool: PgPool) {
    let aged = Aged {
        table: "sign_in_attempts",
        insert: "INSERT INTO sign_in_attempts (email, user_id, succeeded, created_at)
                 VALUES ('a@example.com', $1, false, $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn used_and_expired_email_links(pool: PgPool) {
    let aged = Aged {
        table: "email_tokens",
        insert: "INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at, used_at)
                 VALUES (sha256(gen_random_uuid()::text::bytea), $1, 'reset_password', 'a@example.com', now() + interval '1 hour', $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn expired_two_factor_sign_ins(pool: PgPool) {
    let aged = Aged {
        table: "pending_sign_ins",
        insert: "INSERT INTO pending_sign_ins (token_hash, user_id, expires_at) VALUES (sha256(gen_random_uuid()::text::bytea), $1, $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn expired_remembered_devices(pool: PgPool) {
    let aged = Aged {
        table: "trusted_devices",
        insert: "INSERT INTO trusted_devices (user_id, token_hash, expires_at) VALUES ($1, sha256(gen_random_uuid()::text::bytea), $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn finished_invitations(pool: PgPool) {
    let aged = Aged {
        table: "hosting_invitations",
        insert: "INSERT INTO hosting_invitations (account_id, email, role, token_hash, expires_at, accepted_at)
                 VALUES ($2, 'b@example.com', 'viewer', sha256(gen_random_uuid()::text::bytea), now() + interval '7 days', $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn sent_emails_but_never_pending_ones(pool: PgPool) {
    let aged = Aged {
        table: "email_outbox",
        insert: "INSERT INTO email_outbox (kind, to_address, subject, html_body, text_body, status, created_at, sent_at)
                 VALUES ('welcome', $1::text || '@example.com', 'Hi', '<p>Hi</p>', 'Hi', 'sent', $3, $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
    sqlx::query(
        "INSERT INTO email_outbox (kind, to_address, subject, html_body, text_body, created_at)
         VALUES ('welcome', 'c@example.com', 'Hi', '<p>Hi</p>', 'Hi', now() - interval '1000 days')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let policy = POLICIES.iter().find(|p| p.table == "email_outbox").unwrap();
    let gone = retention::prune(&pool, policy, &RETENTION, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(gone, 0, "a pending email waits for its sending, however old");
}

#[sqlx::test(migrations = "../migrations")]
async fn applied_stripe_events(pool: PgPool) {
    let aged = Aged {
        table: "stripe_events",
        insert: "INSERT INTO stripe_events (id, type, created, payload, processed_at)
                 VALUES ('evt_' || gen_random_uuid(), 'invoice.paid', $3, '{}', $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn delivery_reports(pool: PgPool) {
    let aged = Aged {
        table: "email_events",
        insert: "INSERT INTO email_events (id, type, email_id, payload, received_at)
                 VALUES ('msg_' || gen_random_uuid(), 'email.delivered', $1::text, '{}', $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn read_notifications_but_never_unread_ones(pool: PgPool) {
    let aged = Aged {
        table: "notifications",
        insert: "INSERT INTO notifications (user_id, kind, title, link, created_at, read_at)
                 VALUES ($1, 'ticket', 'Reply', '/support', $3, $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
    let user: Uuid = sqlx::query_scalar("SELECT id FROM users LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, title, link, created_at)
         VALUES ($1, 'ticket', 'Old', '/support', now() - interval '1000 days')",
    )
    .bind(user)
    .execute(&pool)
    .await
    .unwrap();
    let policy = POLICIES.iter().find(|p| p.table == "notifications").unwrap();
    let gone = retention::prune(&pool, policy, &RETENTION, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(gone, 0, "an unread notification stays until it is read");
}

#[sqlx::test(migrations = "../migrations")]
async fn live_stream_events(pool: PgPool) {
    let aged = Aged {
        table: "events",
        insert: "INSERT INTO events (kind, user_id, created_at) VALUES ('notification', $1, $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn activity_past_the_configured_window(pool: PgPool) {
    let aged = Aged {
        table: "activity_log",
        insert: "INSERT INTO activity_log (user_id, action, created_at) VALUES ($1, 'signed_in', $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn raw_usage_samples_in_batches(pool: PgPool) {
    let aged = Aged {
        table: "usage_samples",
        insert: "INSERT INTO usage_samples (account_id, sampled_at, storage_bytes, bandwidth_bytes)
                 VALUES ($2, $3, 1, 1)",
    };
    only_the_newer_row_stays(&pool, aged).await;
    // More than one batch: every old row goes, over several statements.
    let account: Uuid = sqlx::query_scalar("SELECT id FROM hosting_accounts LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO usage_samples (account_id, sampled_at, storage_bytes, bandwidth_bytes)
         SELECT $1, now() - interval '500 days' - n * interval '1 second', 1, 1 FROM generate_series(1, $2) n",
    )
    .bind(account)
    .bind(BATCH * 2 + 7)
    .execute(&pool)
    .await
    .unwrap();
    let policy = POLICIES.iter().find(|p| p.table == "usage_samples").unwrap();
    let gone = retention::prune(&pool, policy, &RETENTION, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(gone, (BATCH * 2 + 7) as u64);
    assert_eq!(count(&pool, "usage_samples").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn domain_orders_never_paid(pool: PgPool) {
    let aged = Aged {
        table: "domain_orders",
        insert: "INSERT INTO domain_orders (user_id, account_id, created_at, name, tld, years, price_minor, currency,
                                            whois_privacy, auto_renew, contact)
                 VALUES ($1, $2, $3, gen_random_uuid()::text || '.com', 'com', 1, 1066, 'usd', true, false, '{}')",
    };
    only_the_newer_row_stays(&pool, aged).await;
    // A paid order, however old, is the record of a purchase: it stays.
    sqlx::query("UPDATE domain_orders SET status = 'registered', created_at = now() - interval '5 years'")
        .execute(&pool)
        .await
        .unwrap();
    let policy = POLICIES.iter().find(|p| p.table == "domain_orders").unwrap();
    let deleted = retention::prune(&pool, policy, &RETENTION, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(deleted, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn deploys_too_old_to_roll_back_to_but_never_one_with_its_archive(pool: PgPool) {
    let aged = Aged {
        table: "site_deploys",
        insert:
            "INSERT INTO site_deploys (account_id, uploaded_by, created_at, file_name, format, archive_bytes,
                                           files, unpacked_bytes, status)
                 VALUES ($2, $1, $3, 'site.zip', 'zip', 10, 1, 10, 'deployed')",
    };
    only_the_newer_row_stays(&pool, aged).await;
    // Old, but its archive is still kept for rollback (or it is live): stays.
    sqlx::query(
        "INSERT INTO site_deploys (account_id, created_at, file_name, format, archive_bytes, files, unpacked_bytes,
                                   archive, status)
         SELECT id, now() - interval '3 years', 'kept.zip', 'zip', 10, 1, 10, '\\x00', 'deployed' FROM hosting_accounts",
    )
    .execute(&pool)
    .await
    .unwrap();
    let policy = POLICIES.iter().find(|p| p.table == "site_deploys").unwrap();
    let now = OffsetDateTime::now_utc();
    assert_eq!(retention::prune(&pool, policy, &RETENTION, now).await.unwrap(), 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn stray_payments_once_refunded(pool: PgPool) {
    let aged = Aged {
        table: "stray_payments",
        insert: "INSERT INTO stray_payments (payment_intent, found_at, refund_id)
                 VALUES ('pi_' || gen_random_uuid(), $3, 're_' || gen_random_uuid())",
    };
    only_the_newer_row_stays(&pool, aged).await;
    // Not refunded yet: the worker still owes the customer their money.
    sqlx::query("INSERT INTO stray_payments (payment_intent, found_at) VALUES ('pi_owed', now() - interval '3 years')")
        .execute(&pool)
        .await
        .unwrap();
    let policy = POLICIES.iter().find(|p| p.table == "stray_payments").unwrap();
    let now = OffsetDateTime::now_utc();
    assert_eq!(retention::prune(&pool, policy, &RETENTION, now).await.unwrap(), 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_actions_after_two_years(pool: PgPool) {
    let aged = Aged {
        table: "staff_audit",
        insert: "INSERT INTO staff_audit (actor_id, customer_id, action, reason, created_at)
                 VALUES ($1, $1, 'lock', 'a reason', $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn two_factor_resets_after_two_years_once_decided(pool: PgPool) {
    let aged = Aged {
        table: "two_factor_resets",
        insert: "INSERT INTO two_factor_resets (customer_id, reason, checks, requested_at, cancelled_at)
                 VALUES ($1, 'lost phone', ARRAY['billing', 'email_reply'], $3, $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn data_exports_a_month_after_they_were_asked_for(pool: PgPool) {
    let aged = Aged {
        table: "data_exports",
        insert: "INSERT INTO data_exports (user_id, status, created_at) VALUES ($1, 'expired', $3)",
    };
    only_the_newer_row_stays(&pool, aged).await;
    // One still waiting to be built stays, however old.
    sqlx::query(
        "INSERT INTO data_exports (user_id, created_at) SELECT id, now() - interval '1 year' FROM users",
    )
    .execute(&pool)
    .await
    .unwrap();
    let policy = POLICIES.iter().find(|p| p.table == "data_exports").unwrap();
    assert_eq!(
        retention::prune(&pool, policy, &RETENTION, OffsetDateTime::now_utc())
            .await
            .unwrap(),
        0
    );
}
