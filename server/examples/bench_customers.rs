//! Benchmark harness for the staff customer directory: prints figures,
//! asserts nothing.
//!
//!   DATABASE_URL=postgres://… cargo run --release -p server --example bench_customers [CUSTOMERS]
//!
//! Seeds a scratch database (created and dropped here; `KSF_BENCH_KEEP=1`
//! keeps and reuses it) with CUSTOMERS customers (default 100,000), one
//! hosting account and zone each, a Stripe customer id each, 10 activity
//! entries each (1,000,000) and 50,000 tickets, with the indexes the
//! migrations make. Then times the directory's page through the same
//! service the page calls (`customers::search`): no search, each filter,
//! and searches by email, name, domain, account, Stripe id and ticket
//! number, words matching every customer, one in ten or a handful, 30 runs
//! each after a warm-up, and prints the median and p95 in milliseconds;
//! then the customer page (`customers::profile::load`). The pool is set up
//! as the server's (`startup::connect_options`).

#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;

use std::time::Instant;

use domain::{CurrentUser, Role};
use scratch::Scratch;
use services::customers::{profile, search, Search, Sort};
use services::Actor;

const RUNS: usize = 30;

fn summary(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(|a, b| a.total_cmp(b));
    (
        times[times.len() / 2],
        times[(times.len() * 95 / 100).min(times.len() - 1)],
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let customers: i64 = match std::env::args().nth(1) {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (1_000..=1_000_000).contains(n))
            .ok_or("CUSTOMERS: 1,000 to 1,000,000")?,
        None => 100_000,
    };
    let keep = std::env::var("KSF_BENCH_KEEP").is_ok_and(|v| v == "1");
    let db = Scratch::open("ksf_bench_customers", keep).await?;
    let pool = db.pool.clone();
    if db.reused {
        println!("reusing the kept database ksf_bench_customers (no seeding)");
    } else {
        seed(&pool, customers).await?;
    }
    let counts: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM users WHERE role = 'customer'), (SELECT count(*) FROM activity_log),
                (SELECT count(*) FROM domains)",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "data: {} customers, {} activity entries, {} zones",
        counts.0, counts.1, counts.2
    );
    let staff: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE role = 'staff' LIMIT 1")
        .fetch_one(&pool)
        .await?;
    let actor = Actor {
        user: CurrentUser {
            user_id: staff,
            session_id: uuid::Uuid::nil(),
            email: "staff@bench.test".into(),
            display_name: "Staff".into(),
            role: Role::Staff,
            authenticated_at: 0,
            two_factor: false,
            staff_role: Some(domain::StaffRole::Admin),
            viewed_by: None,
        },
        client: Default::default(),
        now: time::OffsetDateTime::now_utc(),
    };
    let base = Search {
        page: 1,
        ..Default::default()
    };
    let text = |t: &str| Search {
        text: t.into(),
        ..base.clone()
    };
    let cases: Vec<(&str, Search)> = vec![
        ("everyone, newest first", base.clone()),
        (
            "everyone by name, page 40",
            Search {
                sort: Sort::Name,
                page: 40,
                ..base.clone()
            },
        ),
        (
            "two-factor on",
            Search {
                two_factor: true,
                ..base.clone()
            },
        ),
        (
            "locked",
            Search {
                locked: true,
                ..base.clone()
            },
        ),
        (
            "email not confirmed",
            Search {
                verified: Some(false),
                ..base.clone()
            },
        ),
        ("email \"customer77777@\"", text("customer77777@")),
        ("name \"lovelace 4242\"", text("lovelace 4242")),
        ("domain \"site31337.example\"", text("site31337.example")),
        ("account \"shop 2718\"", text("shop 2718")),
        ("Stripe id \"cus_bench99999\"", text("cus_bench99999")),
        ("ticket \"#12345\"", text("#12345")),
        ("common word \"customer\"", text("customer")),
        (
            "common word \"customer\" by name, page 40",
            Search {
                sort: Sort::Name,
                page: 40,
                ..text("customer")
            },
        ),
        ("every account's name \"shop\"", text("shop")),
        ("one in ten \"lovelace\"", text("lovelace")),
        ("eleven \"customer4242\"", text("customer4242")),
        ("nothing matches \"zzqx\"", text("zzqx")),
    ];
    println!("\nstaff customer directory, a page of 25 ({RUNS} runs each after one warm-up):");
    println!(
        "{:<40} {:>9} {:>9} {:>6}",
        "search", "median ms", "p95 ms", "rows"
    );
    for (name, filters) in cases {
        let _ = search(&pool, &actor, &filters).await?;
        let mut times = Vec::with_capacity(RUNS);
        let mut rows = 0;
        for _ in 0..RUNS {
            let began = Instant::now();
            let found = search(&pool, &actor, &filters).await?;
            times.push(began.elapsed().as_secs_f64() * 1000.0);
            rows = found.rows.len();
        }
        let (median, p95) = summary(times);
        println!("{name:<40} {median:>9.1} {p95:>9.1} {rows:>6}");
    }
    let someone: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'customer4242@bench.test'")
            .fetch_one(&pool)
            .await?;
    let _ = profile::load(&pool, &actor, someone).await?;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let began = Instant::now();
        profile::load(&pool, &actor, someone).await?;
        times.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    let (median, p95) = summary(times);
    println!("\ncustomer page (every part): median {median:.1} ms, p95 {p95:.1} ms");
    db.close(keep).await?;
    Ok(())
}

/// Bulk rows in SQL; the indexes are the migrations' own.
async fn seed(pool: &sqlx::PgPool, customers: i64) -> Result<(), Box<dyn std::error::Error>> {
    let began = Instant::now();
    let names = "ARRAY['Ada Lovelace','Alan Turing','Grace Hopper','Linus Torvalds','Margaret Hamilton',
                       'Ken Thompson','Barbara Liskov','Dennis Ritchie','Radia Perlman','Tim Berners-Lee']";
    sqlx::query(&format!(
        "INSERT INTO users (email, display_name, password_hash, role, email_verified_at, created_at, locked_at)
         SELECT 'customer' || i || '@bench.test', ({names})[1 + i % 10] || ' ' || i, 'x', 'customer',
                CASE WHEN i % 20 <> 0 THEN now() END, now() - make_interval(mins => i),
                CASE WHEN i % 1000 = 0 THEN now() END
         FROM generate_series(1, $1::int) i"
    ))
    .bind(customers)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO users (email, display_name, password_hash, role, email_verified_at)
         VALUES ('staff@bench.test', 'Staff', 'x', 'staff', now())",
    )
    .execute(pool)
    .await?;
    let plan: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency)
         VALUES ('bench', 'Bench', 10000000000, 100000000000, 1, 499, 'EUR') RETURNING id",
    )
    .fetch_one(pool)
    .await?;
    // Two-factor for one in 7 (the secret is never read here).
    sqlx::query(
        "INSERT INTO two_factor (user_id, secret_sealed, enabled_at)
         SELECT id, '\\x00', now() FROM users WHERE role = 'customer' AND substr(email, 9)::text ~ '^[0-9]*7@'",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO hosting_accounts (name, primary_domain, plan_id, region, status)
         SELECT 'Shop ' || substring(u.email from '[0-9]+'), 'site' || substring(u.email from '[0-9]+') || '.example',
                $1, 'eu-central', 'active'
         FROM users u WHERE u.role = 'customer'",
    )
    .bind(plan)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO hosting_members (account_id, user_id, role)
         SELECT a.id, u.id, 'owner' FROM hosting_accounts a
         JOIN users u ON u.email = 'customer' || substring(a.primary_domain from '[0-9]+') || '@bench.test'",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO domains (account_id, name, serial, status)
         SELECT id, primary_domain, 2026120401, 'active' FROM hosting_accounts",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO billing_customers (user_id, stripe_customer_id)
         SELECT id, 'cus_bench' || substring(email from '[0-9]+') FROM users WHERE role = 'customer'",
    )
    .execute(pool)
    .await?;
    // Old entries, as a restore would load them: no live event each.
    sqlx::query("ALTER TABLE activity_log DISABLE TRIGGER activity_log_event")
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO activity_log (user_id, action, created_at)
         SELECT u.id, (ARRAY['signed_in','signed_out','password_changed','session_revoked'])[1 + g % 4],
                now() - make_interval(hours => g)
         FROM users u, generate_series(1, 10) g WHERE u.role = 'customer'",
    )
    .execute(pool)
    .await?;
    sqlx::query("ALTER TABLE activity_log ENABLE TRIGGER activity_log_event")
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO tickets (author_id, subject, category, priority, state, created_at, updated_at, waiting_since)
         SELECT u.id, 'Help ' || g, 'technical', 'normal', 'open', now(), now(), now()
         FROM (SELECT id FROM users WHERE role = 'customer' ORDER BY email LIMIT 50000) u, generate_series(1, 1) g",
    )
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    println!("seeded in {:.1} s", began.elapsed().as_secs_f64());
    Ok(())
}
