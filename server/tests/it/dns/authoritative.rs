//! `ksf dns` answering from the test database: every record type as
//! stored, the negative answers, a change through the portal answered
//! within a second, a removed zone refused, transfers and NOTIFY for
//! secondaries (the delegation check is in `delegation`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use hickory_resolver::TokioResolver;
use server::config::DnsServerSettings;
use services::dns::delegation::Checker;
use services::dns::{probe, DnsSettings};
use sqlx::PgPool;
use tokio::io::AsyncWriteExt;

use super::{owner_with_account, post_multipart};
use crate::helpers::*;

/// `ksf dns` on a free port of 127.0.0.1, with `secondaries`.
pub(crate) async fn dns_server(pool: &PgPool, secondaries: &[SocketAddr]) -> dns_server::Running {
    let mut config = DnsServerSettings::config_from_lookup(|_| None, false).expect("defaults");
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    config.rate_limit = 0;
    config.secondaries = secondaries.to_vec();
    dns_server::start(&config, DnsSettings::development(), pool.clone())
        .await
        .expect("ksf dns starts")
}

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

/// A stub resolver that asks only `server`, without a cache (the one the
/// delegation check uses with `DNS_DELEGATION_RESOLVER`).
fn resolver(server: SocketAddr) -> TokioResolver {
    Checker::using(server).expect("a resolver").resolver
}

pub(crate) async fn ask(server: SocketAddr, qname: &str, t: RecordType) -> Message {
    probe::ask(server, &name(qname), t, false)
        .await
        .expect("an answer")
}

pub(super) fn values(m: &Message) -> Vec<String> {
    let mut v: Vec<String> = m.answers.iter().map(|r| r.data.to_string()).collect();
    v.sort();
    v
}

/// Polls until `check` holds, returning how long that took (at most 5 s).
pub(super) async fn within<F, Fut>(mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    crate::helpers::eventually("the name server answers so", Duration::from_secs(5), || {
        let holds = check();
        async move { holds.await.then_some(()) }
    })
    .await;
    start.elapsed()
}

const ZONE: &str = "answers.example";

const RECORDS: &str = "$ORIGIN answers.example.
@ 300 IN A 203.0.113.50
@ IN AAAA 2001:db8::50
www IN CNAME answers.example.
alias IN CNAME www.answers.example.
@ IN MX 10 mail.answers.example.
mail IN A 203.0.113.25
@ IN TXT \"v=spf1 mx -all\"
_sip._tcp IN SRV 10 60 5060 sip.answers.example.
sip IN A 203.0.113.26
@ IN CAA 0 issue \"letsencrypt.org\"
*.dev IN A 203.0.113.99
deep.path IN A 203.0.113.77
sub IN NS ns1.sub.answers.example.
ns1.sub IN A 203.0.113.53
";

async fn served_zone(app: &TestApp) -> Browser {
    let (owner, account) = owner_with_account(app, "owner@example.com", "shop.example.org").await;
    let res = owner
        .post(
            "/domains/new",
            &[("account", &account.to_string()), ("name", ZONE)],
        )
        .await;
    assert_redirect_to(&res, &format!("/domains/{ZONE}?done=domain_added"));
    let long = format!("{ZONE}. IN TXT \"{}\"\n", "k".repeat(600));
    let text = format!("{RECORDS}{long}");
    let res = post_multipart(
        &owner,
        &format!("/domains/{ZONE}/import"),
        &[("zone", &text), ("apply", "yes")],
    )
    .await;
    assert_redirect_to(&res, &format!("/domains/{ZONE}?done=zone_imported"));
    owner
}

pub(super) async fn activate(pool: &PgPool, zone: &str) {
    sqlx::query("UPDATE domains SET status = 'active' WHERE name = $1")
        .bind(zone)
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn every_record_type_is_answered_as_stored_with_the_right_negative_answers(pool: PgPool) {
    let dns = dns_server(&pool, &[]).await;
    // The portal's propagation check asks this server (both example name
    // servers are at DNS_LISTEN in development).
    let listen = dns.addr.to_string();
    let app = spawn_app_with(pool, &[("DNS_LISTEN", &listen)]).await;
    let owner = served_zone(&app).await;
    let at = dns.addr;

    // Pending: not ours to answer yet.
    assert_eq!(
        ask(at, "answers.example.", RecordType::A)
            .await
            .metadata
            .response_code,
        ResponseCode::Refused
    );
    activate(&app.pool, ZONE).await;
    within(|| async {
        ask(at, "answers.example.", RecordType::A)
            .await
            .metadata
            .response_code
            == ResponseCode::NoError
    })
    .await;

    // Each type as stored, through a stub resolver.
    let r = resolver(at);
    let lookup = |n: &'static str, t| {
        let r = r.clone();
        async move {
            let mut v: Vec<String> = r
                .lookup(n, t)
                .await
                .expect(n)
                .answers()
                .iter()
                .filter(|x| x.record_type() == t)
                .map(|x| x.data.to_string())
                .collect();
            v.sort();
            v
        }
    };
    assert_eq!(lookup("answers.example.", RecordType::A).await, ["203.0.113.50"]);
    assert_eq!(
        lookup("answers.example.", RecordType::AAAA).await,
        ["2001:db8::50"]
    );
    assert_eq!(
        lookup("www.answers.example.", RecordType::CNAME).await,
        ["answers.example."]
    );
    assert_eq!(
        lookup("answers.example.", RecordType::MX).await,
        ["10 mail.answers.example."]
    );
    assert_eq!(
        lookup("_sip._tcp.answers.example.", RecordType::SRV).await,
        ["10 60 5060 sip.answers.example."]
    );
    let caa = lookup("answers.example.", RecordType::CAA).await;
    assert!(caa.len() == 1 && caa[0].contains("letsencrypt.org"), "{caa:?}");
    let txt = r.lookup("answers.example.", RecordType::TXT).await.unwrap();
    let mut texts: Vec<Vec<usize>> = txt
        .answers()
        .iter()
        .filter_map(|x| match &x.data {
            RData::TXT(t) => Some(t.txt_data.iter().map(|s| s.len()).collect()),
            _ => None,
        })
        .collect();
    texts.sort();
    // The 600-byte text goes out as strings of at most 255 bytes.
    assert_eq!(texts, vec![vec![14], vec![255, 255, 90]]);
    let ns = lookup("answers.example.", RecordType::NS).await;
    // The zone's own name servers, not the platform's shared ones.
    let own: Vec<String> = super::assigned(&app.pool, ZONE)
        .await
        .into_iter()
        .map(|n| format!("{n}."))
        .collect();
    assert_eq!(own.len(), 2);
    assert_eq!(ns, own);

    // Authoritative, case-insensitive, with EDNS echoed.
    let m = ask(at, "WwW.AnSwErS.ExAmPlE.", RecordType::A).await;
    assert!(m.metadata.authoritative);
    assert!(m.edns.is_some(), "EDNS answered with EDNS");
    // A CNAME chain inside the zone is followed: alias → www → apex.
    let m = ask(at, "alias.answers.example.", RecordType::A).await;
    assert_eq!(
        values(&m),
        ["203.0.113.50", "answers.example.", "www.answers.example."]
    );
    // NXDOMAIN and NODATA carry the SOA, with its serial.
    let m = ask(at, "nope.answers.example.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NXDomain);
    assert!(m.answers.is_empty() && m.authorities[0].record_type() == RecordType::SOA);
    let m = ask(at, "mail.answers.example.", RecordType::AAAA).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    assert!(m.answers.is_empty() && m.authorities[0].record_type() == RecordType::SOA);
    // An empty non-terminal exists: NODATA, not NXDOMAIN.
    let m = ask(at, "path.answers.example.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    // A wildcard answers for any name below it, with the asked name.
    let m = ask(at, "anything.dev.answers.example.", RecordType::A).await;
    assert_eq!(values(&m), ["203.0.113.99"]);
    assert_eq!(m.answers[0].name, name("anything.dev.answers.example."));
    // Below a delegation: a referral with glue, not authoritative.
    let m = ask(at, "www.sub.answers.example.", RecordType::A).await;
    assert!(!m.metadata.authoritative && m.answers.is_empty());
    assert_eq!(m.authorities[0].data.to_string(), "ns1.sub.answers.example.");
    assert_eq!(m.additionals[0].data.to_string(), "203.0.113.53");
    // Names in no zone of ours are refused.
    let m = ask(at, "example.com.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::Refused);

    // A large answer is truncated over UDP and complete over TCP.
    let big = (1..=3)
        .map(|i| format!("big IN TXT \"{}\"\n", i.to_string().repeat(700)))
        .collect::<String>();
    let res = post_multipart(
        &owner,
        &format!("/domains/{ZONE}/import"),
        &[("zone", &format!("{RECORDS}{big}")), ("apply", "yes")],
    )
    .await;
    assert_redirect_to(&res, &format!("/domains/{ZONE}?done=zone_imported"));
    within(|| async {
        ask(at, "big.answers.example.", RecordType::TXT)
            .await
            .answers
            .len()
            == 3
    })
    .await;
    let mut query = Message::new(7, MessageType::Query, OpCode::Query);
    query.add_query(Query::query(name("big.answers.example."), RecordType::TXT));
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    udp.send_to(&query.to_vec().unwrap(), at).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = udp.recv(&mut buf).await.unwrap();
    let truncated = Message::from_vec(&buf[..n]).unwrap();
    assert!(
        truncated.metadata.truncation && n <= 512,
        "plain UDP gets 512 bytes and TC"
    );

    // A change through the portal is answered within a second.
    let res = owner
        .post(
            &format!("/domains/{ZONE}/records"),
            &[
                ("id", ""),
                ("type", "A"),
                ("name", "fresh"),
                ("ttl", "300"),
                ("content", "203.0.113.111"),
            ],
        )
        .await;
    assert_redirect_to(&res, &format!("/domains/{ZONE}?done=record_saved"));
    let took = within(|| async {
        values(&ask(at, "fresh.answers.example.", RecordType::A).await) == ["203.0.113.111"]
    })
    .await;
    assert!(took < Duration::from_secs(1), "answered after {took:?}");
    // "Check propagation" (the page without JavaScript) sees it on both.
    let page = owner
        .page(&format!("/domains/{ZONE}?check=fresh&check_type=A"))
        .await;
    assert_eq!(page.matches("Up to date: 203.0.113.111").count(), 2, "{page}");
    assert_eq!(page.matches("(current)").count(), 2, "{page}");
    let page = owner
        .page(&format!("/domains/{ZONE}?check=gone&check_type=AAAA"))
        .await;
    assert_eq!(page.matches("Up to date: no such record").count(), 2, "{page}");
    // The island asks for one server's row at a time.
    let row = owner
        .page(&format!("/domains/{ZONE}/propagation/1?check=fresh&check_type=A"))
        .await;
    assert!(
        row.contains(r#"id="probe-1""#) && row.contains(r#"data-state="matches""#),
        "{row}"
    );
    assert!(
        row.contains("Up to date: 203.0.113.111") && row.contains("(current)"),
        "{row}"
    );
    assert!(row.contains("The portal has"), "what the portal holds: {row}");

    // Another tenant's user gets the same 404 as for a missing domain,
    // from the island's row and from the page's form.
    crate::builders::UserBuilder::customer("outsider@example.com")
        .create(&app.pool)
        .await;
    let outsider = app.browser();
    assert_eq!(
        outsider
            .sign_in("outsider@example.com", CUSTOMER_PASSWORD)
            .await
            .status(),
        303
    );
    let row = format!("/domains/{ZONE}/propagation/0?check=fresh&check_type=A");
    let res = outsider.get(&row).await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("203.0.113.111"));
    let res = outsider
        .get(&format!("/domains/{ZONE}?check=fresh&check_type=A"))
        .await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("203.0.113.111"));
    // A name outside the zone is refused next to the field.
    let res = owner
        .get(&format!(
            "/domains/{ZONE}/propagation/0?check=www.example.com.&check_type=A"
        ))
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(r#"id="check-name-error""#) && body.contains("Use a name inside answers.example"),
        "{body}"
    );
    assert!(
        body.contains("Not asked yet"),
        "the row is back as it was: {body}"
    );
    // A server that does not exist.
    let res = owner
        .get(&format!("/domains/{ZONE}/propagation/9?check=www&check_type=A"))
        .await;
    assert_eq!(res.status(), 404);

    // The counters say what was answered.
    let metrics = reqwest::get(format!("http://{}/metrics", dns.metrics_addr.unwrap()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("ksf_dns_queries_total{type=\"A\",rcode=\"NXDOMAIN\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ksf_dns_queries_total{type=\"SRV\",rcode=\"NOERROR\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("ksf_dns_zones 1"), "{metrics}");

    // A removed zone stops answering.
    let res = owner
        .post(&format!("/domains/{ZONE}/remove"), &[("confirm", ZONE)])
        .await;
    assert_redirect_to(&res, "/domains?done=domain_removed");
    let took = within(|| async {
        ask(at, "answers.example.", RecordType::A)
            .await
            .metadata
            .response_code
            == ResponseCode::Refused
    })
    .await;
    assert!(took < Duration::from_secs(1), "still answered after {took:?}");
    dns.stop().await;
}

/// The zone by AXFR over TCP from `from`: every message's records, or the
/// response code of a refusal.
async fn transfer(from: &str, server: SocketAddr, zone: &str) -> Result<Vec<String>, ResponseCode> {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let mut query = Message::new(9, MessageType::Query, OpCode::Query);
    query.add_query(Query::query(name(zone), RecordType::AXFR));
    let bytes = query.to_vec().unwrap();
    stream
        .write_all(&(bytes.len() as u16).to_be_bytes())
        .await
        .unwrap();
    stream.write_all(&bytes).await.unwrap();
    let mut records = Vec::new();
    loop {
        let m = probe::read_tcp_message(&mut stream).await.expect("a message");
        if m.metadata.response_code != ResponseCode::NoError {
            return Err(m.metadata.response_code);
        }
        for r in &m.answers {
            records.push(format!("{} {} {}", r.name, r.record_type(), r.data));
        }
        // The transfer ends with the SOA it began with.
        if records.len() > 1 && records.last().is_some_and(|l| l.contains(" SOA ")) {
            return Ok(records);
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn secondaries_may_transfer_zones_and_are_notified_of_changes(pool: PgPool) {
    let app = spawn_app(pool).await;
    // A secondary on 127.0.0.1 that records the NOTIFY messages it gets.
    let secondary = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let dns = dns_server(&app.pool, &[secondary.local_addr().unwrap()]).await;
    let owner = served_zone(&app).await;
    activate(&app.pool, ZONE).await;

    // The activation is a change: the secondary is told, and acknowledges.
    let mut buf = [0u8; 512];
    let (n, from) = tokio::time::timeout(Duration::from_secs(3), secondary.recv_from(&mut buf))
        .await
        .expect("a NOTIFY within 3 s")
        .unwrap();
    let notify = Message::from_vec(&buf[..n]).unwrap();
    assert_eq!(notify.metadata.op_code, OpCode::Notify);
    assert_eq!(notify.queries[0].name(), &name("answers.example."));
    assert_eq!(notify.queries[0].query_type(), RecordType::SOA);
    let mut ack = Message::new(notify.metadata.id, MessageType::Response, OpCode::Notify);
    ack.add_query(notify.queries[0].clone());
    secondary.send_to(&ack.to_vec().unwrap(), from).await.unwrap();

    // The allowed address gets the whole zone, SOA first and last.
    let records = transfer("127.0.0.1", dns.addr, "answers.example.")
        .await
        .expect("transfer");
    assert!(records[0].contains(" SOA ") && records.last().unwrap().contains(" SOA "));
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("_sip._tcp.answers.example. SRV")),
        "{records:?}"
    );
    assert_eq!(
        records.len(),
        2 + 2 + 15,
        "SOA twice, two NS, 15 records: {records:?}"
    );
    // Any other address is refused.
    assert_eq!(
        transfer("127.0.0.2", dns.addr, "answers.example.").await,
        Err(ResponseCode::Refused)
    );

    // A record change is notified too.
    let res = owner
        .post(
            &format!("/domains/{ZONE}/records"),
            &[
                ("id", ""),
                ("type", "A"),
                ("name", "new"),
                ("ttl", "300"),
                ("content", "203.0.113.112"),
            ],
        )
        .await;
    assert_redirect_to(&res, &format!("/domains/{ZONE}?done=record_saved"));
    let (n, _) = tokio::time::timeout(Duration::from_secs(3), secondary.recv_from(&mut buf))
        .await
        .expect("a NOTIFY after the change")
        .unwrap();
    assert_eq!(
        Message::from_vec(&buf[..n]).unwrap().metadata.op_code,
        OpCode::Notify
    );
    dns.stop().await;
}
