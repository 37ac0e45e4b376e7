//! The dashboard's figures against ground truth computed here from the raw
//! samples (never from the rollups the dashboard reads), for a customer, a
//! viewer, staff and an outsider; and the rollups themselves after samples
//! arrive shuffled, twice, and late.

use serde_json::{json, Value};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::builders::{AccountBuilder, UserBuilder};
use crate::helpers::*;
use domain::MemberRole;

/// A repeatable stream of numbers (xorshift), so failures can be replayed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// Random samples for `accounts` over the last `days`: a few a day at odd
/// times, as JSON rows of the usage API.
fn samples(dice: &mut Dice, accounts: &[Uuid], days: i64, now: OffsetDateTime) -> Vec<Value> {
    let mut rows = Vec::new();
    for account in accounts {
        for day in 0..days {
            for _ in 0..(1 + dice.below(4)) {
                let at = now - Duration::days(day) - Duration::seconds(dice.below(86_000) as i64);
                rows.push(json!({
                    "account_id": account,
                    "time": rfc3339(at.replace_nanosecond(0).unwrap()),
                    "storage_bytes": 1_000_000_000 + dice.below(4_000_000_000),
                    "bandwidth_bytes": dice.below(900_000_000),
                }));
            }
        }
    }
    rows
}

/// Sends rows in shuffled batches, some twice, the oldest last.
async fn ingest_shuffled(app: &TestApp, token: &str, dice: &mut Dice, mut rows: Vec<Value>) {
    for i in (1..rows.len()).rev() {
        rows.swap(i, dice.below(i as u64 + 1) as usize);
    }
    let resent: Vec<Value> = rows.iter().step_by(7).cloned().collect();
    // Late samples: the oldest tenth arrives after everything else.
    rows.sort_by_key(|r| {
        r["time"].as_str().unwrap() < rfc3339(OffsetDateTime::now_utc() - Duration::days(36)).as_str()
    });
    for batch in rows.chunks(700).chain(resent.chunks(700)) {
        let res = app
            .client
            .post(format!("{}/api/usage", app.base))
            .bearer_auth(token)
            .json(&json!({ "samples": batch }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
}

pub(crate) async fn node_token(app: &TestApp, region: &str) -> String {
    let region = domain::hosting::Region::parse(region).unwrap();
    services::hosting::node_tokens::create_unchecked(&app.pool, None, "web", region)
        .await
        .unwrap()
}

/// Storage now: each account's newest sample.
async fn truth_storage(pool: &PgPool, accounts: &[Uuid]) -> i64 {
    sqlx::query_scalar(
        "SELECT coalesce(sum(storage_bytes), 0)::int8 FROM (
           SELECT DISTINCT ON (account_id) storage_bytes FROM usage_samples
           WHERE account_id = ANY($1) ORDER BY account_id, sampled_at DESC) latest",
    )
    .bind(accounts)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Bandwidth since the start of this month (UTC).
async fn truth_bandwidth_month(pool: &PgPool, accounts: &[Uuid]) -> i64 {
    sqlx::query_scalar(
        "SELECT coalesce(sum(bandwidth_bytes), 0)::int8 FROM usage_samples
         WHERE account_id = ANY($1)
           AND sampled_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    )
    .bind(accounts)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Per UTC day of the last 30: (storage at the day's end, bandwidth that day).
async fn truth_daily(pool: &PgPool, accounts: &[Uuid]) -> Vec<(i64, i64)> {
    let rows: Vec<(time::Date, i64, i64)> = sqlx::query_as(
        "WITH days AS (SELECT generate_series((now() AT TIME ZONE 'UTC')::date - 29, (now() AT TIME ZONE 'UTC')::date, '1 day')::date AS day),
              last_of_day AS (
                SELECT DISTINCT ON (account_id, (sampled_at AT TIME ZONE 'UTC')::date)
                       (sampled_at AT TIME ZONE 'UTC')::date AS day, storage_bytes
                FROM usage_samples WHERE account_id = ANY($1)
                ORDER BY account_id, (sampled_at AT TIME ZONE 'UTC')::date, sampled_at DESC)
         SELECT d.day,
                coalesce((SELECT sum(storage_bytes) FROM last_of_day l WHERE l.day = d.day), 0)::int8,
                coalesce((SELECT sum(bandwidth_bytes) FROM usage_samples s
                          WHERE s.account_id = ANY($1) AND (s.sampled_at AT TIME ZONE 'UTC')::date = d.day), 0)::int8
         FROM days d ORDER BY d.day",
    )
    .bind(accounts)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter().map(|(_, s, b)| (s, b)).collect()
}

/// The dashboard as a browser's server-function call returns it.
pub(crate) async fn dashboard(browser: &Browser, range: &str, account: Option<Uuid>) -> Value {
    let res = browser
        .client
        .post(format!("{}/api/dashboard", browser.base))
        .header("origin", &browser.base)
        .json(&json!({ "range": range, "from": null, "to": null, "account": account }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// One tile as the view carries it.
pub(crate) fn tile_of(view: &Value, id: &str) -> Value {
    view["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tiles"]["Ok"].as_array().cloned().unwrap_or_default())
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id} tile in {view}"))
}

fn tile(view: &Value, id: &str) -> i64 {
    tile_of(view, id)["raw"].as_i64().unwrap()
}

fn chart<'a>(view: &'a Value, id: &str) -> &'a Value {
    let chart = view["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} chart"));
    &chart["data"]["Ok"]
}

/// A raw figure as the chart shows it in its unit.
fn scaled(data: &Value, raw: i64) -> f64 {
    let power = data["unit"]["Bytes"].as_u64().unwrap() as i32;
    let value = raw as f64 / 1000f64.powi(power);
    (value * 100.0).round() / 100.0
}

fn series(data: &Value) -> Vec<f64> {
    data["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_figure_equals_the_raw_samples_for_whoever_looks(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, customer) = app.customer("ana@example.com", "Ana").await;
    let (vic, viewer) = app.customer("vic@example.com", "Vic").await;
    let (olga, outsider) = app.customer("olga@example.com", "Olga").await;
    let (_, staff) = app.staff("sam@example.com").await;
    let shop = AccountBuilder::named("Ana Shop")
        .owner(ana)
        .member(vic, MemberRole::Viewer)
        .create(&app.pool)
        .await;
    let blog = AccountBuilder::named("Ana Blog")
        .owner(ana)
        .create(&app.pool)
        .await;
    let other = AccountBuilder::named("Olga Store")
        .owner(olga)
        .create(&app.pool)
        .await;

    let token = node_token(&app, "eu-central").await;
    let mut dice = Dice(0x5eed_1234_abcd);
    let now = OffsetDateTime::now_utc();
    let rows = samples(&mut dice, &[shop, blog, other], 40, now);
    ingest_shuffled(&app, &token, &mut dice, rows).await;

    let pool = &app.pool;
    let everyone = [shop, blog, other];
    for (who, browser, accounts) in [
        ("customer", &customer, vec![shop, blog]),
        ("viewer", &viewer, vec![shop]),
        ("outsider", &outsider, vec![other]),
    ] {
        let view = dashboard(browser, "30d", None).await;
        assert_eq!(tile(&view, "accounts"), accounts.len() as i64, "{who}");
        assert_eq!(
            tile(&view, "storage"),
            truth_storage(pool, &accounts).await,
            "{who}: storage"
        );
        assert_eq!(
            tile(&view, "bandwidth"),
            truth_bandwidth_month(pool, &accounts).await,
            "{who}: bandwidth this month"
        );
        let daily = truth_daily(pool, &accounts).await;
        let storage = chart(&view, "storage");
        let bandwidth = chart(&view, "bandwidth");
        assert_eq!(series(storage).len(), 30, "{who}: a point a day");
        let want_storage: Vec<f64> = daily.iter().map(|(s, _)| scaled(storage, *s)).collect();
        let want_bandwidth: Vec<f64> = daily.iter().map(|(_, b)| scaled(bandwidth, *b)).collect();
        assert_eq!(series(storage), want_storage, "{who}: storage per day");
        assert_eq!(series(bandwidth), want_bandwidth, "{who}: bandwidth per day");
        // Nobody sees another tenant's accounts, anywhere on the page.
        let text = view.to_string();
        for (name, id) in [("Ana Shop", shop), ("Ana Blog", blog), ("Olga Store", other)] {
            if !accounts.contains(&id) {
                assert!(
                    !text.contains(name) && !text.contains(&id.to_string()),
                    "{who} sees {name}"
                );
            }
        }
    }

    // One account of the customer's, and one that is not theirs (ignored).
    let view = dashboard(&customer, "30d", Some(blog)).await;
    let daily = truth_daily(pool, &[blog]).await;
    let data = chart(&view, "bandwidth");
    assert_eq!(
        series(data),
        daily.iter().map(|(_, b)| scaled(data, *b)).collect::<Vec<_>>()
    );
    let view = dashboard(&customer, "30d", Some(other)).await;
    assert_eq!(view["account"], Value::Null, "not theirs: all of theirs instead");

    // Staff: the platform.
    let view = dashboard(&staff, "30d", None).await;
    assert_eq!(
        tile(&view, "platform-storage"),
        truth_storage(pool, &everyone).await
    );
    assert_eq!(
        tile(&view, "platform-bandwidth"),
        truth_bandwidth_month(pool, &everyone).await
    );
    assert_eq!(tile(&view, "customers"), 3);
    // The account counts are kept by triggers: the same as counting.
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM hosting_accounts WHERE status <> 'cancelled'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(tile(&view, "platform-accounts"), open);
    let by_plan: Vec<f64> = sqlx::query_scalar(
        "SELECT count(a.id)::float8 FROM plans p
         LEFT JOIN hosting_accounts a ON a.plan_id = p.id AND a.status <> 'cancelled'
         GROUP BY p.id, p.name, p.sort_order ORDER BY p.sort_order, p.name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(series(chart(&view, "accounts-by-plan")), by_plan);
    let daily = truth_daily(pool, &everyone).await;
    let data = chart(&view, "bandwidth");
    assert_eq!(
        series(data),
        daily.iter().map(|(_, b)| scaled(data, *b)).collect::<Vec<_>>()
    );
    let per_account = chart(&view, "bandwidth-per-account");
    assert_eq!(per_account["labels"].as_array().unwrap().len(), 3);
    // The busiest accounts come from the kept per-period totals: the same
    // names, order and figures as summing every account's samples.
    for (range, days) in [("7d", 7), ("30d", 30), ("90d", 90)] {
        let view = dashboard(&staff, range, None).await;
        let data = chart(&view, "bandwidth-per-account");
        let truth = truth_busiest(pool, days).await;
        let labels: Vec<&str> = data["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(
            labels,
            truth.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            "{range}"
        );
        assert_eq!(
            series(data),
            truth.iter().map(|(_, b)| scaled(data, *b)).collect::<Vec<_>>(),
            "{range}"
        );
    }
}

/// Every open account's bandwidth over the last `days` days (UTC) from the
/// raw samples, busiest first, at most 20.
async fn truth_busiest(pool: &PgPool, days: i32) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT a.name, coalesce(sum(s.bandwidth_bytes), 0)::int8 FROM hosting_accounts a
         LEFT JOIN usage_samples s ON s.account_id = a.id
           AND (s.sampled_at AT TIME ZONE 'UTC')::date > (now() AT TIME ZONE 'UTC')::date - $1
         WHERE a.status <> 'cancelled'
         GROUP BY a.id, a.name ORDER BY 2 DESC, lower(a.name) LIMIT 20",
    )
    .bind(days)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn rollups_equal_raw_sums_whatever_the_order(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = UserBuilder::customer("ana@example.com").create(&app.pool).await;
    let a = AccountBuilder::named("A").owner(owner).create(&app.pool).await;
    let b = AccountBuilder::named("B").owner(owner).create(&app.pool).await;
    let token = node_token(&app, "eu-central").await;
    let mut dice = Dice(0xfeed_0042);
    let rows = samples(&mut dice, &[a, b], 50, OffsetDateTime::now_utc());
    ingest_shuffled(&app, &token, &mut dice, rows).await;

    let mismatches = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
    };
    let hourly = mismatches(
        "SELECT count(*) FROM (
           SELECT account_id, date_trunc('hour', sampled_at) AS hour, sum(bandwidth_bytes)::int8 AS bw,
                  (array_agg(storage_bytes ORDER BY sampled_at DESC))[1] AS st
           FROM usage_samples GROUP BY 1, 2) raw
         FULL JOIN usage_hourly h USING (account_id, hour)
         WHERE h.bandwidth_bytes IS DISTINCT FROM raw.bw OR h.storage_bytes IS DISTINCT FROM raw.st",
    )
    .await;
    let daily = mismatches(
        "SELECT count(*) FROM (
           SELECT account_id, (sampled_at AT TIME ZONE 'UTC')::date AS day, sum(bandwidth_bytes)::int8 AS bw,
                  (array_agg(storage_bytes ORDER BY sampled_at DESC))[1] AS st
           FROM usage_samples GROUP BY 1, 2) raw
         FULL JOIN usage_daily d USING (account_id, day)
         WHERE d.bandwidth_bytes IS DISTINCT FROM raw.bw OR d.storage_bytes IS DISTINCT FROM raw.st",
    )
    .await;
    let monthly = mismatches(
        "SELECT count(*) FROM (
           SELECT account_id, date_trunc('month', sampled_at AT TIME ZONE 'UTC')::date AS month,
                  sum(bandwidth_bytes)::int8 AS bw
           FROM usage_samples GROUP BY 1, 2) raw
         FULL JOIN usage_monthly m USING (account_id, month)
         WHERE m.bandwidth_bytes IS DISTINCT FROM raw.bw",
    )
    .await;
    let latest = mismatches(
        "SELECT count(*) FROM (
           SELECT DISTINCT ON (account_id) account_id, storage_bytes FROM usage_samples
           ORDER BY account_id, sampled_at DESC) raw
         FULL JOIN usage_latest l USING (account_id)
         WHERE l.storage_bytes IS DISTINCT FROM raw.storage_bytes",
    )
    .await;
    // The staff charts' platform totals: every account's buckets summed.
    let platform_hourly = mismatches(
        "SELECT count(*) FROM (
           SELECT hour, sum(st) AS st, sum(bw) AS bw FROM (
             SELECT account_id, date_trunc('hour', sampled_at) AS hour, sum(bandwidth_bytes) AS bw,
                    (array_agg(storage_bytes ORDER BY sampled_at DESC))[1] AS st
             FROM usage_samples GROUP BY 1, 2) per_account GROUP BY hour) raw
         FULL JOIN usage_platform_hourly p USING (hour)
         WHERE p.bandwidth_bytes IS DISTINCT FROM raw.bw OR p.storage_bytes IS DISTINCT FROM raw.st",
    )
    .await;
    let platform_daily = mismatches(
        "SELECT count(*) FROM (
           SELECT day, sum(st) AS st, sum(bw) AS bw FROM (
             SELECT account_id, (sampled_at AT TIME ZONE 'UTC')::date AS day, sum(bandwidth_bytes) AS bw,
                    (array_agg(storage_bytes ORDER BY sampled_at DESC))[1] AS st
             FROM usage_samples GROUP BY 1, 2) per_account GROUP BY day) raw
         FULL JOIN usage_platform_daily p USING (day)
         WHERE p.bandwidth_bytes IS DISTINCT FROM raw.bw OR p.storage_bytes IS DISTINCT FROM raw.st",
    )
    .await;
    // The busiest accounts' totals per period, as of the day summed to.
    let windows = mismatches(
        "SELECT count(*) FROM (
           SELECT w.days, s.account_id, sum(s.bandwidth_bytes) AS bw
           FROM usage_samples s CROSS JOIN (VALUES (7), (30), (90)) AS w(days) CROSS JOIN usage_windows_state st
           WHERE (s.sampled_at AT TIME ZONE 'UTC')::date > st.day - w.days
             AND (s.sampled_at AT TIME ZONE 'UTC')::date <= st.day
           GROUP BY 1, 2 HAVING sum(s.bandwidth_bytes) <> 0) raw
         FULL JOIN (SELECT * FROM usage_windows WHERE bandwidth_bytes <> 0) u USING (days, account_id)
         WHERE u.bandwidth_bytes IS DISTINCT FROM raw.bw",
    )
    .await;
    assert_eq!(
        (
            hourly,
            daily,
            monthly,
            latest,
            platform_hourly,
            platform_daily,
            windows
        ),
        (0, 0, 0, 0, 0, 0, 0)
    );
    let buckets: i64 = sqlx::query_scalar("SELECT count(*) FROM usage_hourly")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(buckets > 100, "the test covered many hours ({buckets})");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_dashboard_page_has_every_number_and_table_without_javascript(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, browser) = app.customer("ana@example.com", "Ana").await;
    let shop = AccountBuilder::named("Ana Shop")
        .owner(ana)
        .create(&app.pool)
        .await;
    let token = node_token(&app, "eu-central").await;
    let at = rfc3339(
        (OffsetDateTime::now_utc() - Duration::hours(2))
            .replace_nanosecond(0)
            .unwrap(),
    );
    let res = app
        .client
        .post(format!("{}/api/usage", app.base))
        .bearer_auth(&token)
        .json(&json!({ "samples": [{ "account_id": shop, "time": at, "storage_bytes": 4_200_000_000_i64, "bandwidth_bytes": 1_500_000_000_i64 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let page = browser.page("/?range=7d").await;
    for expected in [
        "data-tile=\"storage\"",
        "4.2 GB",
        "data-tile=\"bandwidth\"",
        "1.5 GB",
        "Storage used",
        "Bandwidth per account",
        "<table class=\"table data-table\"",
        "Last 7 days",
    ] {
        assert!(page.contains(expected), "the page shows {expected}");
    }
    // The live parts, drawn again as the page draws them: what the
    // islands fetch and swap in when a live event concerns them.
    let tiles = browser.page("/dashboard/tiles").await;
    assert!(
        tiles.contains(r#"data-refresh="/dashboard/tiles""#) && tiles.contains("4.2 GB"),
        "{tiles}"
    );
    let chart = browser.page("/dashboard/chart/bandwidth?range=7d").await;
    for expected in [
        r#"data-chart="bandwidth""#,
        r#"data-refresh="/dashboard/chart/bandwidth?range=7d""#,
        "<table class=\"table data-table\"",
        "data-light=",
        "data-dark=",
    ] {
        assert!(chart.contains(expected), "the chart has {expected}: {chart}");
    }
    let feed = browser.page("/dashboard/feed").await;
    assert!(feed.contains(r#"data-refresh="/dashboard/feed""#), "{feed}");
    for (path, status) in [
        ("/dashboard/chart/no-such-chart", 404),
        // Staff's revenue is not a customer's chart.
        ("/dashboard/chart/revenue-per-day?range=7d", 404),
        ("/dashboard/chart/storage?from=2026-10-31&to=2026-10-01", 400),
    ] {
        assert_eq!(browser.get(path).await.status(), status, "{path}");
    }
    let res = browser.get("/dashboard/tiles").await;
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    for path in ["/dashboard/tiles", "/dashboard/feed", "/dashboard/chart/storage"] {
        let res = app.browser().get(path).await;
        assert!(res.status().is_redirection(), "a visitor gets no {path}");
        assert!(location(&res).starts_with("/login?next="), "{}", location(&res));
    }

    // A bad range is explained next to the dates, and the default shown.
    let page = browser.page("/?from=2026-10-31&to=2026-10-01").await;
    assert!(page.contains("The start must not be after the end."));
    assert!(page.contains("Last 30 days"));
}

/// What `platform_counts` holds, and what counting the tables gives.
async fn kept_and_counted(pool: &PgPool) -> (Vec<(String, i64)>, Vec<(String, i64)>) {
    let kept = sqlx::query_as("SELECT key, n FROM platform_counts WHERE n <> 0 ORDER BY key")
        .fetch_all(pool)
        .await
        .unwrap();
    let counted = sqlx::query_as(
        "SELECT key, n FROM (
             SELECT 'customers' AS key, count(*) AS n FROM users WHERE role = 'customer'
             UNION ALL SELECT 'accounts:' || status, count(*) FROM hosting_accounts GROUP BY status
             UNION ALL SELECT 'plan:' || plan_id, count(*) FROM hosting_accounts
                       WHERE status <> 'cancelled' GROUP BY plan_id) c
         WHERE n <> 0 ORDER BY key",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (kept, counted)
}

#[sqlx::test(migrations = "../migrations")]
async fn the_platform_counts_follow_every_change(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (ana, _) = app.customer("ana@example.com", "Ana").await;
    for name in ["Shop", "Blog", "Store"] {
        AccountBuilder::named(name).owner(ana).create(&app.pool).await;
    }
    UserBuilder::customer("gone@example.com").create(&app.pool).await;
    UserBuilder::customer("promoted@example.com")
        .create(&app.pool)
        .await;
    let (kept, counted) = kept_and_counted(&app.pool).await;
    assert_eq!(kept, counted);
    assert!(kept.contains(&("customers".into(), 3)), "{kept:?}");
    for change in [
        "UPDATE hosting_accounts SET status = 'suspended' WHERE name = 'Shop'",
        "UPDATE hosting_accounts SET status = 'cancelled' WHERE name = 'Blog'",
        "UPDATE hosting_accounts SET plan_id = (SELECT id FROM plans ORDER BY sort_order DESC LIMIT 1) WHERE name = 'Store'",
        "DELETE FROM hosting_accounts WHERE name = 'Shop'",
        "UPDATE users SET role = 'staff' WHERE email = 'promoted@example.com'",
        "DELETE FROM users WHERE email = 'gone@example.com'",
    ] {
        sqlx::query(change).execute(&app.pool).await.unwrap();
        let (kept, counted) = kept_and_counted(&app.pool).await;
        assert_eq!(kept, counted, "after {change}");
    }
    let (kept, _) = kept_and_counted(&app.pool).await;
    assert!(kept.contains(&("customers".into(), 1)), "{kept:?}");
}
