//! Customer values that once took a zone off the air: a CAA value ending
//! in a backslash swallowed the records after it. Zones are now served
//! from typed records, each zone on its own: what a customer stores is
//! what is answered, and a zone that cannot be built leaves every other
//! zone (and later changes) served.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};
use sqlx::PgPool;

use super::authoritative::{activate, ask, dns_server, within};
use super::owner_with_account;
use crate::helpers::*;

fn record<'a>(kind: &'a str, name: &'a str, content: &'a str, tag: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", ""),
        ("type", kind),
        ("name", name),
        ("ttl", "3600"),
        ("content", content),
        ("tag", tag),
    ]
}

async fn add_domain(owner: &Browser, account: uuid::Uuid, zone: &str) {
    let res = owner
        .post(
            "/domains/new",
            &[("account", &account.to_string()), ("name", zone)],
        )
        .await;
    assert_redirect_to(&res, &format!("/domains/{zone}?done=domain_added"));
}

fn txt_of(m: &hickory_proto::op::Message) -> Vec<String> {
    let mut v: Vec<String> = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::TXT(t) => Some(String::from_utf8(t.txt_data.concat()).unwrap()),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

#[sqlx::test(migrations = "../migrations")]
async fn backslashes_and_quotes_are_served_as_stored_and_take_no_other_record_with_them(pool: PgPool) {
    let dns = dns_server(&pool, &[]).await;
    let app = spawn_app_with(pool, &[("DNS_LISTEN", &dns.addr.to_string())]).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "shop.example.org").await;
    let zone = "hostile.example";
    add_domain(&owner, account, zone).await;
    let records = format!("/domains/{zone}/records");

    // The review's value: after `;` a CAA value holds name=value parts,
    // so a lone backslash is refused next to the field, and kept there.
    let res = owner
        .post(&records, &record("CAA", "zz", "letsencrypt.org;\\", "issue"))
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("must be name=value"), "the field's error");
    assert!(body.contains("letsencrypt.org;\\"), "what was typed is kept");

    // Values that may hold a backslash or a quote are saved...
    let caa = "letsencrypt.org; account=a\\";
    let text = "he said \"hi\" \\ (a; b) é";
    for (kind, name, content, tag) in [
        ("CAA", "zz", caa, "issue"),
        ("TXT", "zz", text, ""),
        ("TXT", "zzh001", "after", ""),
    ] {
        let res = owner.post(&records, &record(kind, name, content, tag)).await;
        assert_redirect_to(&res, &format!("/domains/{zone}?done=record_saved"));
    }
    activate(&app.pool, zone).await;
    let at = dns.addr;
    within(|| async {
        ask(at, "zzh001.hostile.example.", RecordType::TXT)
            .await
            .metadata
            .response_code
            == ResponseCode::NoError
    })
    .await;

    // ...and answered byte for byte, with every record after them.
    let m = ask(at, "zz.hostile.example.", RecordType::CAA).await;
    let values: Vec<Vec<u8>> = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::CAA(c) => Some(c.value.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(values, vec![caa.as_bytes().to_vec()]);
    assert_eq!(
        txt_of(&ask(at, "zz.hostile.example.", RecordType::TXT).await),
        [text]
    );
    assert_eq!(
        txt_of(&ask(at, "zzh001.hostile.example.", RecordType::TXT).await),
        ["after"]
    );

    // An import line with a token longer than any record may hold is
    // refused before the zone-file parser sees it, next to its line.
    let long = format!("@ IN TXT \"{}\"\n", "k".repeat(5000));
    let res = super::post_multipart(
        &owner,
        &format!("/domains/{zone}/import"),
        &[("zone", &format!("www IN A 203.0.113.1\n{long}"))],
    )
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    // "Line 2: " and the problem (with the page's hydration marker between).
    let problem = body.split("Line 2: ").nth(1).unwrap_or_default();
    assert!(
        problem
            .trim_start_matches("<!>")
            .starts_with("A value on this line is longer than 4096 characters"),
        "the line's problem"
    );

    // The export writes them escaped, and reads back as the same zone.
    let export = owner.get(&format!("/domains/{zone}/export")).await;
    assert_eq!(export.status(), 200);
    let file = export.text().await.unwrap();
    assert!(
        file.contains("CAA\t0 issue \"letsencrypt.org; account=a\\\\\""),
        "{file}"
    );
    assert!(file.contains(r#""he said \"hi\" \\ (a; b) é""#), "{file}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_zone_that_cannot_be_built_is_reported_and_every_other_zone_stays_served(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "shop.example.org").await;
    for zone in ["good.example", "broken.example"] {
        add_domain(&owner, account, zone).await;
        let res = owner
            .post(
                &format!("/domains/{zone}/records"),
                &record("A", "www", "203.0.113.7", ""),
            )
            .await;
        assert_redirect_to(&res, &format!("/domains/{zone}?done=record_saved"));
        activate(&pool, zone).await;
    }
    // A stored row that no longer reads back (as an older version, or a
    // hand edit, might leave): this zone cannot be built.
    let corrupt = r#"UPDATE dns_records SET data = '{"type": "A", "address": "not an address"}'
                     WHERE domain_id = (SELECT id FROM domains WHERE name = $1)"#;
    sqlx::query(corrupt)
        .bind("broken.example")
        .execute(&pool)
        .await
        .unwrap();

    let dns = dns_server(&pool, &[]).await;
    let at = dns.addr;
    let a = |name: &'static str| async move { ask(at, name, RecordType::A).await };
    assert_eq!(
        super::authoritative::values(&a("www.good.example.").await),
        ["203.0.113.7"]
    );
    assert_eq!(
        a("www.broken.example.").await.metadata.response_code,
        ResponseCode::Refused,
        "not served"
    );
    let problem: Option<String> = sqlx::query_scalar("SELECT serving_problem FROM domains WHERE name = $1")
        .bind("broken.example")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(problem.is_some_and(|p| p.contains("cannot be read")));

    // Later changes are still applied: to the good zone, and to the
    // broken one (still unservable, the follower carries on).
    sqlx::query("UPDATE domains SET serial = serial + 1 WHERE name = 'broken.example'")
        .execute(&pool)
        .await
        .unwrap();
    let res = owner
        .post(
            "/domains/good.example/records",
            &record("A", "new", "203.0.113.8", ""),
        )
        .await;
    assert_redirect_to(&res, "/domains/good.example?done=record_saved");
    within(|| async { super::authoritative::values(&a("new.good.example.").await) == ["203.0.113.8"] }).await;

    // The row mended in place: its page says the zone is not served...
    sqlx::query(
        r#"UPDATE dns_records SET data = '{"type": "A", "address": "203.0.113.9"}'
                   WHERE domain_id = (SELECT id FROM domains WHERE name = 'broken.example')"#,
    )
    .execute(&pool)
    .await
    .unwrap();
    let page = owner.get("/domains/broken.example").await.text().await.unwrap();
    assert!(
        page.contains("cannot serve this zone"),
        "the domain page tells the customer"
    );
    let page = owner.get("/domains/good.example").await.text().await.unwrap();
    assert!(!page.contains("cannot serve this zone"));
    // ...until its next change is served, which clears it.
    sqlx::query("UPDATE domains SET serial = serial + 1 WHERE name = 'broken.example'")
        .execute(&pool)
        .await
        .unwrap();
    within(|| async { super::authoritative::values(&a("www.broken.example.").await) == ["203.0.113.9"] })
        .await;
    within(|| async {
        !owner
            .get("/domains/broken.example")
            .await
            .text()
            .await
            .unwrap()
            .contains("cannot serve this zone")
    })
    .await;
    dns.stop().await;
}

#[sqlx::test(migrations = "../migrations")]
async fn error_answers_pass_the_rate_limiter_too(pool: PgPool) {
    use hickory_proto::op::{Message, MessageType, OpCode, Query};
    use hickory_proto::rr::Name;

    let mut config =
        server::config::DnsServerSettings::config_from_lookup(|_| None, false).expect("defaults");
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.metrics_listen = None;
    config.rate_limit = 2;
    let dns = dns_server::start(&config, services::dns::DnsSettings::development(), pool)
        .await
        .expect("ksf dns starts");

    // A flood of NOTIFYs (answered NOTIMP) from one source, as a spoofed
    // reflection attack would send them: within one second only the
    // allowance is answered in full; the rest are truncated or dropped.
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let sent = 20u16;
    for id in 0..sent {
        let mut notify = Message::new(id, MessageType::Query, OpCode::Notify);
        notify.add_query(Query::query(
            Name::from_ascii("example.com.").unwrap(),
            RecordType::SOA,
        ));
        socket.send_to(&notify.to_vec().unwrap(), dns.addr).await.unwrap();
    }
    let (mut full, mut truncated) = (0, 0);
    let mut buf = [0u8; 1500];
    while let Ok(Ok(n)) =
        tokio::time::timeout(std::time::Duration::from_millis(300), socket.recv(&mut buf)).await
    {
        let m = Message::from_vec(&buf[..n]).unwrap();
        if m.metadata.truncation {
            truncated += 1;
        } else {
            assert_eq!(m.metadata.response_code, ResponseCode::NotImp);
            full += 1;
        }
    }
    assert!(full <= 4, "{full} full error answers of {sent}");
    assert!(
        truncated >= 1 && full + truncated < sent,
        "{full} full, {truncated} truncated"
    );
    assert!(dns.stats.rate_limited.load(std::sync::atomic::Ordering::Relaxed) >= u64::from(sent) - 4);
    dns.stop().await;
}
