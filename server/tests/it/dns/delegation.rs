//! The delegation check against a stand-in for the parent zone's server:
//! a domain goes live only when the registry points at exactly the name
//! servers assigned to its zone, so a delegation left behind by a removed
//! zone hands nothing to the next customer who adds the name. Public
//! suffixes and the platform's own name server domain cannot be added,
//! a parent and its child added at once cannot both succeed, and pending
//! domains expire.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, NS};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use services::dns::delegation::Checker;
use services::dns::DnsSettings;
use sqlx::PgPool;

use super::authoritative::{dns_server, within};
use super::{assigned, owner_with_account};
use crate::helpers::*;

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

async fn status_of(pool: &PgPool, zone: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, delegation_problem FROM domains WHERE name = $1")
        .bind(zone)
        .fetch_one(pool)
        .await
        .unwrap()
}

type Delegations = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// The registry's server for `registry.test`, which this machine cannot
/// reach: it says where its own server is (`ns.registry.test`, here) and
/// refers each child to the name servers in `delegations`.
async fn registry(delegations: Delegations) -> SocketAddr {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let at = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = socket.recv_from(&mut buf).await {
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let Some(query) = q.queries.first().cloned() else {
                continue;
            };
            let mut reply = Message::new(q.metadata.id, MessageType::Response, OpCode::Query);
            reply.metadata.recursion_desired = q.metadata.recursion_desired;
            reply.add_query(query.clone());
            let asked = query.name().to_ascii().trim_end_matches('.').to_string();
            let record =
                |owner: &str, data: RData| Record::from_rdata(name(&format!("{owner}.")), 3600, data);
            match (asked.as_str(), query.query_type()) {
                ("registry.test", RecordType::NS) => {
                    reply.metadata.authoritative = true;
                    reply.add_answer(record("registry.test", RData::NS(NS(name("ns.registry.test.")))));
                }
                ("ns.registry.test", RecordType::A) => {
                    reply.metadata.authoritative = true;
                    reply.add_answer(record("ns.registry.test", RData::A(A::new(127, 0, 0, 1))));
                }
                (child, RecordType::NS) if child.ends_with(".registry.test") => {
                    let hosts = delegations
                        .lock()
                        .unwrap()
                        .get(child)
                        .cloned()
                        .unwrap_or_default();
                    if hosts.is_empty() {
                        reply.metadata.response_code = ResponseCode::NXDomain;
                    }
                    for host in hosts {
                        reply.add_authority(record(child, RData::NS(NS(name(&format!("{host}."))))));
                    }
                }
                _ => reply.metadata.authoritative = true,
            }
            let _ = socket.send_to(&reply.to_vec().unwrap(), from).await;
        }
    });
    at
}

/// The registry stand-in, and a delegation check that asks it.
struct Registry {
    at: SocketAddr,
    delegations: Delegations,
    checker: Checker,
    settings: DnsSettings,
}

impl Registry {
    async fn new() -> Registry {
        let delegations: Delegations = Arc::default();
        let at = registry(delegations.clone()).await;
        let mut checker = Checker::using(at).unwrap();
        checker.port = at.port();
        Registry {
            at,
            delegations,
            checker,
            settings: DnsSettings::development(),
        }
    }

    /// Production's checker: public addresses (and `allowed`) only, never `own`.
    fn production(&mut self, allowed: &[&str], own: Vec<SocketAddr>) {
        let mut checker = Checker::using(self.at).unwrap();
        checker.port = self.at.port();
        self.checker = checker.only_public(allowed.iter().map(|n| n.parse().unwrap()).collect(), own);
    }

    fn delegate(&self, zone: &str, hosts: &[String]) {
        self.delegations
            .lock()
            .unwrap()
            .insert(zone.into(), hosts.to_vec());
    }

    async fn check(&self, pool: &PgPool) -> usize {
        services::dns::delegation::check_due(pool, &self.settings, &self.checker, time::Duration::ZERO)
            .await
            .unwrap()
    }
}

async fn add(owner: &Browser, account: uuid::Uuid, zone: &str) -> reqwest::Response {
    owner
        .post(
            "/domains/new",
            &[("account", &account.to_string()), ("name", zone)],
        )
        .await
}

#[sqlx::test(migrations = "../migrations")]
async fn the_delegation_check_activates_a_delegated_domain_and_flags_a_lost_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let dns = dns_server(&app.pool, &[]).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "shop.example.org").await;
    let zone = "shop.registry.test";
    assert_redirect_to(
        &add(&owner, account, zone).await,
        &format!("/domains/{zone}?done=domain_added"),
    );
    let ours = assigned(&app.pool, zone).await;
    assert_eq!(ours.len(), 2);
    assert!(ours.iter().all(|n| n.ends_with(".ns.example.net")), "{ours:?}");
    // The page lists the zone's own names to set at the registrar.
    let page = owner.page(&format!("/domains/{zone}")).await;
    assert!(ours.iter().all(|n| page.contains(n.as_str())), "{page}");
    let registry = Registry::new().await;

    // Not delegated yet: still pending, and the page says what to do.
    assert_eq!(registry.check(&app.pool).await, 1);
    let (status, problem) = status_of(&app.pool, zone).await;
    assert_eq!(status, "pending");
    assert!(problem
        .unwrap()
        .starts_with("The registry has no name servers for this domain yet."));

    // The platform's shared names are not enough.
    registry.delegate(zone, &["ns1.example.net".into(), "ns2.example.net".into()]);
    registry.check(&app.pool).await;
    assert_eq!(status_of(&app.pool, zone).await.0, "pending");

    // Delegated to its own names (in any order and case): active, served.
    registry.delegate(zone, &[ours[1].to_uppercase(), ours[0].clone()]);
    registry.check(&app.pool).await;
    assert_eq!(status_of(&app.pool, zone).await, ("active".into(), None));
    within(|| async { dns.catalog.len() == 1 }).await;
    let dashboard = owner.page("/").await;
    assert!(
        dashboard.contains("shop.registry.test now points at our name servers"),
        "{dashboard}"
    );
    assert!(!owner.page("/domains").await.contains("Delegation changed"));

    // Pointed elsewhere: flagged, still served, and in the feed.
    registry.delegate(zone, &["ns.elsewhere.example".into()]);
    registry.check(&app.pool).await;
    let (status, problem) = status_of(&app.pool, zone).await;
    assert_eq!(status, "active");
    assert_eq!(
        problem.as_deref(),
        Some(
            format!(
                "The registry points at ns.elsewhere.example instead of {}.",
                ours.join(", ")
            )
            .as_str()
        )
    );
    assert_eq!(dns.catalog.len(), 1);
    let page = owner.page(&format!("/domains/{zone}")).await;
    assert!(
        page.contains("The registry points at ns.elsewhere.example"),
        "{page}"
    );
    let list = owner.page("/domains").await;
    assert!(list.contains("Delegation changed"), "{list}");
    let dashboard = owner.page("/").await;
    assert!(
        dashboard.contains("shop.registry.test no longer points at our name servers"),
        "{dashboard}"
    );
    dns.stop().await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_delegation_left_behind_by_a_removed_zone_goes_live_only_for_whoever_controls_the_name(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let registry = Registry::new().await;
    let zone = "taken.registry.test";

    // Customer A's domain, live on A's names.
    let (a, a_account) = owner_with_account(&app, "a@example.com", "a.example.org").await;
    assert_eq!(add(&a, a_account, zone).await.status(), 303);
    let a_names = assigned(&app.pool, zone).await;
    registry.delegate(zone, &a_names);
    registry.check(&app.pool).await;
    assert_eq!(status_of(&app.pool, zone).await.0, "active");

    // A's domain is removed; the registry still points at A's names.
    sqlx::query("DELETE FROM domains WHERE name = $1")
        .bind(zone)
        .execute(&app.pool)
        .await
        .unwrap();

    // Customer B adds the name: new names, never A's, and it stays pending.
    let (b, b_account) = owner_with_account(&app, "b@example.com", "b.example.org").await;
    assert_eq!(add(&b, b_account, zone).await.status(), 303);
    let b_names = assigned(&app.pool, zone).await;
    assert_eq!(b_names.len(), 2);
    assert!(
        b_names.iter().all(|n| !a_names.contains(n)),
        "{a_names:?} {b_names:?}"
    );
    registry.check(&app.pool).await;
    let (status, problem) = status_of(&app.pool, zone).await;
    assert_eq!(status, "pending", "the old delegation proves nothing about B");
    assert!(problem.unwrap().contains(&a_names[0]));
    let served: i64 =
        sqlx::query_scalar("SELECT count(*) FROM domains WHERE name = $1 AND status = 'active'")
            .bind(zone)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(served, 0);

    // Whoever controls the name points it at B's names: live for B.
    registry.delegate(zone, &b_names);
    registry.check(&app.pool).await;
    assert_eq!(status_of(&app.pool, zone).await, ("active".into(), None));
    // A's names stay spent: never given to another zone.
    let spent: i64 = sqlx::query_scalar("SELECT count(*) FROM assigned_nameservers WHERE name = ANY($1)")
        .bind(&a_names)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(spent, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn in_production_the_check_asks_no_private_address_nor_our_own(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "shop.example.org").await;
    let zone = "inside.registry.test";
    assert_eq!(add(&owner, account, zone).await.status(), 303);
    let mut registry = Registry::new().await;
    registry.delegate(zone, &assigned(&app.pool, zone).await);
    let at = registry.at;

    // The parent names a loopback server: not asked, nothing concluded.
    registry.production(&[], Vec::new());
    assert!(!registry.checker.may_ask(at));
    registry.check(&app.pool).await;
    assert_eq!(status_of(&app.pool, zone).await, ("pending".into(), None));
    // Our own address is never asked, even when allowed.
    registry.production(&["127.0.0.0/8"], vec![at]);
    assert!(!registry.checker.may_ask(at));
    // A test set-up allows its own range: asked, and live.
    registry.production(&["127.0.0.0/8"], Vec::new());
    assert!(registry.checker.may_ask(at));
    registry.check(&app.pool).await;
    assert_eq!(status_of(&app.pool, zone).await, ("active".into(), None));
}

#[sqlx::test(migrations = "../migrations")]
async fn public_suffixes_and_our_name_server_domain_cannot_be_added(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "shop.example.org").await;
    for (zone, why) in [
        ("co.uk", "is a public suffix"),
        ("github.io", "is a public suffix"),
        ("ns.example.net", "used by our name servers"),
        ("x.ns.example.net", "used by our name servers"),
    ] {
        let res = add(&owner, account, zone).await;
        assert_eq!(res.status(), 422, "{zone}");
        let body = res.text().await.unwrap();
        assert!(body.contains(why), "{zone}: {why}");
        assert!(
            body.contains(&format!("value=\"{zone}\"")),
            "{zone} is kept in the field"
        );
    }
    assert_eq!(add(&owner, account, "example.co.uk").await.status(), 303);
    let domains: i64 = sqlx::query_scalar("SELECT count(*) FROM domains")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(domains, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_parent_and_its_child_added_at_the_same_moment_cannot_both_succeed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (a, a_account) = owner_with_account(&app, "a@example.com", "a.example.org").await;
    let (b, b_account) = owner_with_account(&app, "b@example.com", "b.example.org").await;
    for round in 0..5 {
        let parent = format!("race{round}.example");
        let child = format!("shop.race{round}.example");
        let (first, second) = tokio::join!(add(&a, a_account, &parent), add(&b, b_account, &child));
        let mut statuses = [first.status().as_u16(), second.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [303, 422], "round {round}");
        let zones: i64 = sqlx::query_scalar("SELECT count(*) FROM domains WHERE name IN ($1, $2)")
            .bind(&parent)
            .bind(&child)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(zones, 1, "round {round}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_pending_domain_expires_after_14_days_with_a_warning_3_days_before(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, account) = owner_with_account(&app, "owner@example.com", "shop.example.org").await;
    let zone = "waiting.example";
    assert_eq!(add(&owner, account, zone).await.status(), 303);
    let links = services::identity::Links {
        site_url: app.base.clone(),
    };
    let expire = |days_ago: i64| {
        let pool = app.pool.clone();
        let links = links.clone();
        async move {
            sqlx::query(
                "UPDATE domains SET created_at = now() - make_interval(days => $1::int) WHERE name = $2",
            )
            .bind(days_ago as i32)
            .bind(zone)
            .execute(&pool)
            .await
            .unwrap();
            services::dns::expiry::expire_pending(&pool, &links, time::OffsetDateTime::now_utc())
                .await
                .unwrap()
        }
    };
    assert_eq!(expire(10).await, (0, 0), "10 days: nothing yet");
    assert_eq!(expire(12).await, (1, 0), "12 days: a warning");
    assert_eq!(
        app.last_email_to("owner@example.com").await.unwrap().0,
        "domain_expiring"
    );
    assert_eq!(expire(13).await, (0, 0), "warned once");
    // Past 14 days but warned only just now: it still gets its 3 days.
    assert_eq!(
        expire(15).await,
        (0, 0),
        "never removed unwarned or warned too late"
    );
    sqlx::query("UPDATE domains SET expiry_warned_at = now() - interval '3 days' WHERE name = $1")
        .bind(zone)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(expire(15).await, (0, 1), "15 days, warned 3 days ago: removed");
    assert_eq!(
        app.last_email_to("owner@example.com").await.unwrap().0,
        "domain_expired"
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM domains WHERE name = $1")
        .bind(zone)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    // The name is free again, and an active domain never expires.
    assert_eq!(add(&owner, account, zone).await.status(), 303);
    sqlx::query("UPDATE domains SET status = 'active' WHERE name = $1")
        .bind(zone)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(expire(30).await, (0, 0));
}
