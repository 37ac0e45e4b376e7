//! bench_dashboard's data: customers, hosting accounts and their usage.

use sqlx::PgPool;
use uuid::Uuid;

/// Customers, accounts and usage, in bulk SQL (the real sign-up path hashes
/// one password per user; here every user shares one hash).
pub async fn seed(
    pool: &PgPool,
    customers: i64,
    accounts: i64,
    password: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use domain::{DisplayName, Email, Password, Role};
    let mut ids = Vec::new();
    for (email, name, role) in [
        ("bench-customer@example.com", "Bench Customer", Role::Customer),
        ("bench-staff@example.com", "Bench Staff", Role::Staff),
    ] {
        let new = services::users::NewUser {
            email: Email::parse(email).map_err(|_| "email")?,
            display_name: DisplayName::parse(name).map_err(|_| "name")?,
            password: Password::parse(password).map_err(|_| "password")?,
            role,
            staff_role: (role == Role::Staff).then_some(domain::StaffRole::Admin),
            email_verified: true,
        };
        ids.push(services::users::create_user(pool, new, services::passwords::HashCost::OWASP).await?);
    }
    let bench_customer: Uuid = ids[0];
    // Sign-ups spread over 90 days, so the staff chart has something to say.
    sqlx::query(
        "INSERT INTO users (email, display_name, password_hash, role, email_verified_at, created_at)
         SELECT 'customer' || n || '@example.com', 'Customer ' || n, u.password_hash, 'customer', now(),
                now() - (n % 90) * interval '1 day'
         FROM generate_series(1, $1) n, (SELECT password_hash FROM users WHERE id = $2) u",
    )
    .bind(customers - 1)
    .bind(bench_customer)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO hosting_accounts (name, plan_id, primary_domain, region, status, created_at)
         SELECT 'Bench ' || lpad(n::text, 6, '0'),
                (SELECT id FROM plans ORDER BY sort_order OFFSET n % (SELECT count(*) FROM plans) LIMIT 1),
                'site' || n || '.example.com', 'eu-central',
                CASE WHEN n % 50 = 0 THEN 'suspended' WHEN n % 70 = 0 THEN 'cancelled' ELSE 'active' END,
                now() - interval '120 days'
         FROM generate_series(0, $1 - 1) n",
    )
    .bind(accounts)
    .execute(pool)
    .await?;
    // Accounts 0–9 are the bench customer's; the rest go round the others.
    sqlx::query(
        "WITH a AS (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM hosting_accounts),
              c AS (SELECT id, row_number() OVER (ORDER BY email) - 1 AS k FROM users
                    WHERE role = 'customer' AND id <> $1)
         INSERT INTO hosting_members (account_id, user_id, role)
         SELECT a.id, CASE WHEN a.n < 10 THEN $1 ELSE c.id END, 'owner'
         FROM a LEFT JOIN c ON a.n >= 10 AND c.k = (a.n - 10) % ($2 - 1)",
    )
    .bind(bench_customer)
    .bind(customers)
    .execute(pool)
    .await?;
    // Storage grows through the period; bandwidth has a weekly rhythm.
    let numbered = "WITH a AS (SELECT id, row_number() OVER (ORDER BY name) AS n FROM hosting_accounts)";
    sqlx::query(&format!(
        "{numbered}
         INSERT INTO usage_daily (account_id, day, bandwidth_bytes, storage_bytes, storage_at)
         SELECT a.id, d::date,
                ((a.n % 40 + 1) * 240000000 * (1.3 + sin(extract(epoch FROM d) / 86400 * 2 * pi() / 7)))::int8,
                ((a.n % 30 + 1) * 500000000 + (90 - (current_date - d::date)) * (a.n % 7 + 1) * 20000000)::int8,
                d + interval '23 hours'
         FROM a, generate_series(current_date - 89, current_date, interval '1 day') d"
    ))
    .execute(pool)
    .await?;
    sqlx::query(&format!(
        "{numbered}, h AS (SELECT generate_series(date_trunc('hour', now()) - interval '167 hours',
                                                   date_trunc('hour', now()), interval '1 hour') AS at)
         INSERT INTO usage_hourly (account_id, hour, bandwidth_bytes, storage_bytes, storage_at)
         SELECT a.id, h.at,
                ((a.n % 40 + 1) * 10000000 * (1.3 + sin(extract(epoch FROM h.at) / 86400 * 2 * pi() / 7)))::int8,
                ((a.n % 30 + 1) * 500000000 + 90 * (a.n % 7 + 1) * 20000000)::int8, h.at
         FROM a, h"
    ))
    .execute(pool)
    .await?;
    // Twenty events per account over 90 days, by its owner: the activity
    // feeds read the newest of a log this size.
    sqlx::query(
        "INSERT INTO activity_log (user_id, actor_id, account_id, action, details, created_at)
         SELECT m.user_id, m.user_id, m.account_id, 'hosting_account_updated',
                jsonb_build_object('name', jsonb_build_object('from', 'Old', 'to', 'New')),
                now() - (k * interval '4 days') - (random() * interval '4 days')
         FROM hosting_members m, generate_series(0, 19) k",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO usage_samples (account_id, sampled_at, storage_bytes, bandwidth_bytes)
         SELECT account_id, hour, storage_bytes, bandwidth_bytes FROM usage_hourly",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO usage_latest (account_id, storage_bytes, storage_at)
         SELECT DISTINCT ON (account_id) account_id, storage_bytes, storage_at
         FROM usage_daily ORDER BY account_id, day DESC",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO usage_monthly (account_id, month, bandwidth_bytes)
         SELECT account_id, date_trunc('month', day)::date, sum(bandwidth_bytes)::int8
         FROM usage_daily GROUP BY 1, 2",
    )
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}
