//! Benchmark harness for the support queue: prints figures, asserts nothing.
//!
//!   DATABASE_URL=postgres://… cargo run --release -p server --example bench_tickets [TICKETS REPLIES_PER_TICKET]
//!
//! Seeds a scratch database (created and dropped here; `KSF_BENCH_KEEP=1`
//! keeps and reuses it) with 5,000 customers, 20 staff, TICKETS tickets
//! (default 100,000) in every state, priority and category, and
//! REPLIES_PER_TICKET messages each (default 10: 1,000,000), with the
//! indexes the migrations make (the words index is built after the load,
//! as a restore would). Then times the staff queue's first page
//! through the same service the page calls (`tickets::lists::queue`),
//! with each filter and with full-text searches, 30 runs each after a
//! warm-up, and prints the median and p95 in milliseconds.

#[allow(dead_code)]
#[path = "support/scratch.rs"]
mod scratch;

use std::time::Instant;

use domain::tickets::{Category, Priority, TicketState};
use domain::{CurrentUser, Role};
use scratch::Scratch;
use services::tickets::lists::{self, AssigneeFilter, QueueFilter, QueueSort};
use services::Actor;

const RUNS: usize = 30;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let tickets: i64 = match args.next() {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (100..=2_000_000).contains(n))
            .ok_or("TICKETS: 100 to 2,000,000")?,
        None => 100_000,
    };
    let per_ticket: i64 = match args.next() {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (1..=50).contains(n))
            .ok_or("REPLIES_PER_TICKET: 1 to 50")?,
        None => 10,
    };
    let keep = std::env::var("KSF_BENCH_KEEP").is_ok_and(|v| v == "1");
    let db = Scratch::open("ksf_bench_tickets", keep).await?;
    let pool = db.pool.clone();
    if db.reused {
        println!("reusing the kept database ksf_bench_tickets (no seeding)");
    } else {
        seed(&pool, tickets, per_ticket).await?;
    }
    let counts: (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_messages)")
            .fetch_one(&pool)
            .await?;
    println!("data: {} tickets, {} messages", counts.0, counts.1);

    // The busiest agent, so "assigned to me" has a queue.
    let staff_id: uuid::Uuid = sqlx::query_scalar(
        "SELECT assignee_id FROM tickets WHERE assignee_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await?;
    let actor = Actor {
        user: CurrentUser {
            user_id: staff_id,
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
    let base = QueueFilter {
        state: None,
        active_only: true,
        priority: None,
        category: None,
        assignee: AssigneeFilter::Anyone,
        sort: QueueSort::Updated,
        text: String::new(),
        page: 1,
    };
    let cases: Vec<(&str, QueueFilter)> = vec![
        ("default view (not resolved, recently updated)", base.clone()),
        (
            "all states",
            QueueFilter {
                active_only: false,
                ..base.clone()
            },
        ),
        (
            "awaiting staff, waiting longest",
            QueueFilter {
                sort: QueueSort::WaitingLongest,
                ..base.clone()
            },
        ),
        (
            "urgent + billing",
            QueueFilter {
                priority: Some(Priority::Urgent),
                category: Some(Category::Billing),
                ..base.clone()
            },
        ),
        (
            "assigned to me",
            QueueFilter {
                assignee: AssigneeFilter::Me,
                ..base.clone()
            },
        ),
        (
            "unassigned",
            QueueFilter {
                assignee: AssigneeFilter::Unassigned,
                ..base.clone()
            },
        ),
        (
            "state = closed, page 40",
            QueueFilter {
                state: Some(TicketState::Closed),
                active_only: false,
                page: 40,
                ..base.clone()
            },
        ),
        (
            "search \"backup\" (common word), all states",
            QueueFilter {
                text: "backup".into(),
                active_only: false,
                ..base.clone()
            },
        ),
        (
            "search \"kubernetes\" (rare word), all states",
            QueueFilter {
                text: "kubernetes".into(),
                active_only: false,
                ..base.clone()
            },
        ),
        (
            "search \"ssl certificate\" + urgent, not resolved",
            QueueFilter {
                text: "ssl certificate".into(),
                priority: Some(Priority::Urgent),
                ..base.clone()
            },
        ),
    ];
    println!("\nstaff queue, first page of 25 ({RUNS} runs each after one warm-up):");
    println!(
        "{:<52} {:>9} {:>9} {:>6}",
        "filters", "median ms", "p95 ms", "rows"
    );
    for (name, filter) in cases {
        let _ = lists::queue(&pool, &actor, &filter).await?;
        let mut times = Vec::with_capacity(RUNS);
        let mut rows = 0;
        for _ in 0..RUNS {
            let began = Instant::now();
            let page = lists::queue(&pool, &actor, &filter).await?;
            times.push(began.elapsed().as_secs_f64() * 1000.0);
            rows = page.items.len();
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let p95 = times[(RUNS * 95 / 100).min(RUNS - 1)];
        println!("{name:<52} {:>9.1} {:>9.1} {rows:>6}", times[RUNS / 2], p95);
    }
    db.close(keep).await?;
    Ok(())
}

/// Bulk rows in SQL (the services would take hours for a million
/// messages); the full-text indexes are built after the load, as a
/// restore would.
async fn seed(pool: &sqlx::PgPool, tickets: i64, per_ticket: i64) -> Result<(), Box<dyn std::error::Error>> {
    let began = Instant::now();
    sqlx::query(
        "INSERT INTO users (email, display_name, password_hash, role, email_verified_at)
         SELECT 'customer' || i || '@bench.test', 'Customer ' || i, 'x', 'customer', now() FROM generate_series(1, 5000) i",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO users (email, display_name, password_hash, role, email_verified_at)
         SELECT 'staff' || i || '@bench.test', 'Staff ' || i, 'x', 'staff', now() FROM generate_series(0, 19) i",
    )
    .execute(pool)
    .await?;
    // Loaded as a restore would: the words are indexed once at the end.
    sqlx::query("DROP INDEX tickets_search_idx").execute(pool).await?;
    sqlx::query("ALTER TABLE ticket_messages DISABLE TRIGGER ticket_messages_words")
        .execute(pool)
        .await?;
    // Words for subjects and bodies; "kubernetes" is rare on purpose.
    sqlx::query(
        "WITH c AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE role = 'customer'),
              s AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE role = 'staff')
         INSERT INTO tickets (author_id, subject, category, priority, state, assignee_id,
                              created_at, updated_at, waiting_since, first_response_at, resolved_at)
         SELECT c.ids[1 + i % 5000],
                (ARRAY['Mail','DNS','SSL certificate','Backup','PHP','Database','Invoice','Domain','Cron','FTP'])[1 + i % 10]
                  || ' ' || (ARRAY['not working','question','error','slow','missing','renewal','limit','setup'])[1 + (i / 10) % 8]
                  || CASE WHEN i % 5000 = 0 THEN ' on kubernetes' ELSE '' END || ' #' || i,
                (ARRAY['technical','billing','account','domains','other'])[1 + i % 5],
                (ARRAY['low','normal','normal','high','urgent'])[1 + (i / 7) % 5],
                (ARRAY['closed','closed','closed','closed','resolved','awaiting_customer','awaiting_staff','open'])[1 + (i / 3) % 8],
                CASE WHEN i % 4 = 0 THEN NULL ELSE s.ids[1 + i % 20] END,
                now() - make_interval(mins => i * 3),
                now() - make_interval(mins => i * 3) + interval '2 hours',
                now() - make_interval(mins => i * 3) + interval '2 hours',
                now() - make_interval(mins => i * 3) + interval '40 minutes',
                CASE WHEN (i / 3) % 8 < 5 THEN now() - make_interval(mins => i * 3) + interval '1 day' END
         FROM generate_series(1, $1::int) i, c, s",
    )
    .bind(tickets)
    .execute(pool)
    .await?;
    println!(
        "seeded {tickets} tickets in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let began = Instant::now();
    sqlx::query(
        "INSERT INTO ticket_messages (ticket_id, author_id, by_staff, internal, body, body_html, created_at)
         SELECT t.id, CASE WHEN g % 2 = 0 THEN t.assignee_id ELSE t.author_id END, g % 2 = 0, g % 6 = 0,
                b.body, '<p>' || b.body || '</p>', t.created_at + make_interval(mins => g * 10)
         FROM tickets t, generate_series(1, $1::int) g,
              LATERAL (SELECT (ARRAY['The backup from last night is missing, can you restore it?',
                                     'Our SSL certificate expired and the renewal failed with an ACME error.',
                                     'Mail to Gmail bounces with 550 5.7.26 since this morning.',
                                     'The database is slow when the cron job runs at midnight.',
                                     'Please check the DNS records for the www subdomain.',
                                     'We increased the PHP memory limit; please try again.',
                                     'Thanks, that worked. You can close the ticket.'])[(1 + (t.number + g) % 7)::int]
                              || CASE WHEN (t.number + g) % 4999 = 0 THEN ' We deploy with kubernetes.' ELSE '' END AS body) b",
    )
    .bind(per_ticket)
    .execute(pool)
    .await?;
    println!(
        "seeded {} messages in {:.1} s",
        tickets * per_ticket,
        began.elapsed().as_secs_f64()
    );
    let began = Instant::now();
    sqlx::query(
        "UPDATE tickets t SET search = t.search || strip(to_tsvector('english', m.bodies))
         FROM (SELECT ticket_id, string_agg(body, ' ') AS bodies FROM ticket_messages GROUP BY 1) m
         WHERE m.ticket_id = t.id",
    )
    .execute(pool)
    .await?;
    sqlx::query("ALTER TABLE ticket_messages ENABLE TRIGGER ticket_messages_words")
        .execute(pool)
        .await?;
    sqlx::query("CREATE INDEX tickets_search_idx ON tickets USING gin (search)")
        .execute(pool)
        .await?;
    sqlx::query("VACUUM tickets").execute(pool).await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    println!(
        "indexed every ticket's words and analysed in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    Ok(())
}
