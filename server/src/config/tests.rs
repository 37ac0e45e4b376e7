use super::*;
use std::collections::HashMap;

fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(move |k| map.get(k).cloned())
}

#[test]
fn development_needs_only_a_database() {
    let c = config(&[
        ("DATABASE_URL", "postgres://u@127.0.0.1/ksf"),
        ("LEPTOS_ENV", "DEV"),
    ])
    .unwrap();
    assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
    assert_eq!(c.site_url, "http://127.0.0.1:3000");
    assert!(c.is_dev());
}

#[test]
fn production_is_the_default_and_development_stays_on_loopback() {
    let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
    let key = "0f".repeat(32);
    let ns = ("KSF_NAMESERVERS", "ns1.example.net");
    let c = config(&[db, ("KSF_SECRET_KEY", &key), ns]).unwrap();
    assert!(!c.is_dev(), "no LEPTOS_ENV: production");
    let err = config(&[db]).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.starts_with("KSF_SECRET_KEY is not set"), "{err}");
    for public in ["https://portal.example.com", "http://192.0.2.10:3000"] {
        let err = config(&[db, ("LEPTOS_ENV", "DEV"), ("KSF_SITE_URL", public)])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("loopback") && err.contains("LEPTOS_ENV"),
            "{public}: {err}"
        );
    }
    for local in [
        "http://localhost:3000",
        "http://127.0.0.1:3100",
        "http://[::1]:3000",
    ] {
        assert!(
            config(&[db, ("LEPTOS_ENV", "DEV"), ("KSF_SITE_URL", local)]).is_ok(),
            "{local}"
        );
    }
}

#[test]
fn production_defaults_are_safe() {
    let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
    let key = "0f".repeat(32);
    let key = ("KSF_SECRET_KEY", key.as_str());
    let ns = ("KSF_NAMESERVERS", "ns1.example.net");
    let prod = |extra: &[(&str, &str)]| {
        let mut v = vec![db, key, ns];
        v.extend_from_slice(extra);
        config(&v)
    };
    let err = |extra: &[(&str, &str)]| prod(extra).err().map(|e| e.to_string()).unwrap_or_default();
    // Staff need a second factor unless the operator says otherwise.
    assert!(prod(&[]).unwrap().staff_two_factor_required);
    assert!(
        !prod(&[("KSF_STAFF_REQUIRE_2FA", "false")])
            .unwrap()
            .staff_two_factor_required
    );
    assert!(
        !config(&[db, ("LEPTOS_ENV", "DEV")])
            .unwrap()
            .staff_two_factor_required
    );
    // Plain http only on this machine.
    for public in ["http://portal.example.com", "http://192.0.2.10:3000"] {
        let e = err(&[("KSF_SITE_URL", public)]);
        assert!(e.starts_with("KSF_SITE_URL=") && e.contains("https://"), "{e}");
    }
    assert!(err(&[("LEPTOS_SITE_ADDR", "0.0.0.0:3000")]).contains("KSF_SITE_URL"));
    for ok in [
        "https://portal.example.com",
        "http://127.0.0.1:3000",
        "http://localhost:8080",
        "http://[::1]:3000",
    ] {
        assert!(prod(&[("KSF_SITE_URL", ok)]).is_ok(), "{ok}");
    }
    // Any Stripe key goes to Stripe only.
    let (k, w) = (
        ("STRIPE_SECRET_KEY", "sk_test_x"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
    );
    for base in ["http://127.0.0.1:12111", "https://api.stripe.com.evil.example"] {
        let e = err(&[k, w, ("STRIPE_API_BASE", base)]);
        assert!(
            e.contains("STRIPE_API_BASE") && e.contains("only ever sent to Stripe"),
            "{base}: {e}"
        );
    }
    assert!(prod(&[k, w, ("STRIPE_API_BASE", "https://api.stripe.com/")]).is_ok());
    assert!(prod(&[k, w]).unwrap().billing.enabled());
}

#[test]
fn stripe_keys_are_checked() {
    let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
    let dev = ("LEPTOS_ENV", "DEV");
    let key = "0f".repeat(32);
    let none = config(&[db, dev]).unwrap();
    assert!(!none.billing.enabled(), "no key: payments are not set up");
    let err = |pairs: &[(&str, &str)]| config(pairs).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err(&[db, dev, ("STRIPE_SECRET_KEY", "sk_test_x")]).starts_with("STRIPE_WEBHOOK_SECRET is not set")
    );
    assert!(err(&[
        db,
        dev,
        ("STRIPE_SECRET_KEY", "pk_test_x"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_x")
    ])
    .contains("starts with sk_"));
    for base in ["https://api.stripe.com.evil.example", "http://127.0.0.1:12111"] {
        let e = err(&[
            db,
            dev,
            ("STRIPE_SECRET_KEY", "sk_live_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
            ("STRIPE_API_BASE", base),
        ]);
        assert!(e.contains("only ever sent to Stripe"), "{base}: {e}");
    }
    let e = err(&[
        db,
        ("KSF_SECRET_KEY", &key),
        ("STRIPE_SECRET_KEY", "sk_live_x"),
        ("STRIPE_WEBHOOK_SECRET", DEV_STRIPE_WEBHOOK_SECRET),
    ]);
    assert!(e.contains("published development secret"), "{e}");
    let standin = config(&[
        db,
        dev,
        ("STRIPE_SECRET_KEY", "sk_test_ksf_standin"),
        ("STRIPE_WEBHOOK_SECRET", DEV_STRIPE_WEBHOOK_SECRET),
        ("STRIPE_API_BASE", "http://127.0.0.1:12111"),
    ])
    .unwrap();
    assert!(standin.billing.enabled() && standin.billing.stripe.as_ref().unwrap().test_mode());
}

#[test]
fn trusted_proxies_and_limits_are_checked() {
    let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
    let dev = ("LEPTOS_ENV", "DEV");
    let c = config(&[db, dev, ("KSF_TRUSTED_PROXIES", "10.0.0.0/8, ::1")]).unwrap();
    assert_eq!(c.trusted_proxies.len(), 2);
    let err = config(&[db, dev, ("KSF_TRUSTED_PROXIES", "10.0.0.0/8,nginx")])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("KSF_TRUSTED_PROXIES") && err.contains("nginx"),
        "{err}"
    );
    let c = config(&[db, dev, ("KSF_SIGNUPS_PER_NETWORK_HOUR", "50")]).unwrap();
    assert_eq!(c.limits.sign_ups_per_network_hour, 50);
    assert!(config(&[db, dev, ("KSF_MAX_HOSTING_ACCOUNTS_PER_USER", "0")]).is_err());
}

#[test]
fn production_needs_a_secret_key() {
    let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
    let err = config(&[db, ("LEPTOS_ENV", "PROD")]).unwrap_err().to_string();
    assert!(err.starts_with("KSF_SECRET_KEY is not set"), "{err}");
    let bad = config(&[db, ("LEPTOS_ENV", "PROD"), ("KSF_SECRET_KEY", "short")])
        .unwrap_err()
        .to_string();
    assert!(bad.contains("KSF_SECRET_KEY") && !bad.contains("short"), "{bad}");
    let key = "0f".repeat(32);
    let prod = ("LEPTOS_ENV", "PROD");
    let err = config(&[db, prod, ("KSF_SECRET_KEY", &key)])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("KSF_NAMESERVERS is not set"), "{err}");
    let ns = ("KSF_NAMESERVERS", "ns1.example.net, ns2.example.net");
    let c = config(&[db, prod, ("KSF_SECRET_KEY", &key), ns]).unwrap();
    assert_eq!(c.dns.nameservers, ["ns1.example.net", "ns2.example.net"]);
    assert!(
        c.dns.servers.is_empty(),
        "production has no made-up server addresses"
    );
    let servers = (
        "KSF_REGION_SERVERS",
        "eu-central=198.51.100.7/2001:db8::7, us-east=198.51.100.8",
    );
    let c = config(&[db, prod, ("KSF_SECRET_KEY", &key), ns, servers]).unwrap();
    assert_eq!(
        c.dns.server_of("eu-central"),
        Some((
            "198.51.100.7".parse().unwrap(),
            Some("2001:db8::7".parse().unwrap())
        ))
    );
    assert_eq!(c.dns.server_of("us-east").unwrap().1, None);
    for bad in ["mars=198.51.100.7", "eu-central=1.2.3", "eu-central"] {
        let e = config(&[
            db,
            prod,
            ("KSF_SECRET_KEY", &key),
            ns,
            ("KSF_REGION_SERVERS", bad),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("KSF_REGION_SERVERS"), "{bad}: {e}");
    }
    let e = config(&[
        db,
        prod,
        ("KSF_SECRET_KEY", &key),
        ("KSF_NAMESERVERS", "ns1 example"),
    ])
    .unwrap_err()
    .to_string();
    assert!(e.contains("KSF_NAMESERVERS"), "{e}");
    // Development runs with a built-in key.
    assert!(config(&[db, ("LEPTOS_ENV", "DEV")]).is_ok());
}

#[test]
fn name_servers_may_say_where_they_answer_and_resolvers_are_listed() {
    let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
    let dev = ("LEPTOS_ENV", "DEV");
    // Development: both example name servers are the local `ksf dns`.
    let c = config(&[db, dev, ("DNS_LISTEN", "127.0.0.1:5399")]).unwrap();
    let local: SocketAddr = "127.0.0.1:5399".parse().unwrap();
    assert_eq!(
        c.dns.nameserver_addrs,
        [
            ("ns1.example.net".to_string(), local),
            ("ns2.example.net".to_string(), local)
        ]
    );
    let ns = (
        "KSF_NAMESERVERS",
        "ns1.example.net@192.0.2.53, ns2.example.net@[2001:db8::53]:5300,ns3.example.net",
    );
    let resolvers = ("KSF_PROPAGATION_RESOLVERS", "1.1.1.1, 127.0.0.1:5353");
    let c = config(&[db, dev, ns, resolvers]).unwrap();
    assert_eq!(
        c.dns.nameservers,
        ["ns1.example.net", "ns2.example.net", "ns3.example.net"]
    );
    assert_eq!(
        c.dns.nameserver_addrs,
        [
            ("ns1.example.net".to_string(), "192.0.2.53:53".parse().unwrap()),
            (
                "ns2.example.net".to_string(),
                "[2001:db8::53]:5300".parse().unwrap()
            ),
        ]
    );
    assert_eq!(
        c.dns.resolvers,
        [
            "1.1.1.1:53".parse::<SocketAddr>().unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        ]
    );
    for bad in [
        ("KSF_NAMESERVERS", "ns1.example.net@nowhere"),
        ("KSF_PROPAGATION_RESOLVERS", "one.one"),
    ] {
        let e = config(&[db, dev, bad]).unwrap_err().to_string();
        assert!(e.contains(bad.0), "{e}");
    }
}

#[test]
fn the_dns_server_defaults_to_port_53_in_production_only() {
    use super::DnsServerSettings;
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    };
    let dev = DnsServerSettings::config_from_lookup(env(&[]), false).unwrap();
    assert_eq!(dev.listen.to_string(), "127.0.0.1:5353");
    assert_eq!(dev.delegation_every, None, "made-up demo domains are not checked");
    assert!(dev.secondaries.is_empty() && dev.rate_limit == 100 && dev.query_log_every == 0);
    let prod = DnsServerSettings::config_from_lookup(
        env(&[("DNS_SECONDARIES", "192.0.2.53, 192.0.2.54:5300")]),
        true,
    )
    .unwrap();
    assert_eq!(prod.listen.to_string(), "0.0.0.0:53");
    assert_eq!(prod.delegation_every, Some(Duration::from_secs(300)));
    assert_eq!(prod.secondaries.len(), 2);
    for bad in [
        &[("DNS_SECONDARIES", "ns.example")][..],
        &[("DNS_DELEGATION_CHECK_SECONDS", "5")][..],
        &[("DNS_RATE_LIMIT", "-1")][..],
        &[("DNS_METRICS_LISTEN", "localhost")][..],
    ] {
        let var = bad[0].0;
        let e = DnsServerSettings::config_from_lookup(env(bad), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains(var), "{e}");
    }
    assert!(
        DnsServerSettings::config_from_lookup(env(&[("DNS_METRICS_LISTEN", "off")]), true)
            .unwrap()
            .metrics_listen
            .is_none()
    );
}

#[test]
fn bad_values_name_the_variable() {
    let missing = config(&[]).unwrap_err().to_string();
    assert!(missing.starts_with("DATABASE_URL is not set"), "{missing}");
    let bad_addr = config(&[
        ("DATABASE_URL", "postgres://x/y"),
        ("LEPTOS_SITE_ADDR", "localhost"),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        bad_addr.starts_with("LEPTOS_SITE_ADDR=\"localhost\" is not valid"),
        "{bad_addr}"
    );
    let bad_env = config(&[("DATABASE_URL", "postgres://x/y"), ("LEPTOS_ENV", "staging")])
        .unwrap_err()
        .to_string();
    assert!(bad_env.contains("LEPTOS_ENV"), "{bad_env}");
    let bad_db = config(&[("DATABASE_URL", "mysql://secret@x/y")])
        .unwrap_err()
        .to_string();
    assert!(
        bad_db.contains("DATABASE_URL") && !bad_db.contains("secret"),
        "{bad_db}"
    );
}

#[test]
fn debug_output_hides_the_database_url() {
    let c = config(&[
        ("DATABASE_URL", "postgres://u:hunter2@127.0.0.1/ksf"),
        ("LEPTOS_ENV", "DEV"),
    ])
    .unwrap();
    assert!(!format!("{c:?}").contains("hunter2"));
}

#[test]
fn every_setting_is_documented_in_the_readme_and_env_example() {
    use clap::CommandFactory;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let example = std::fs::read_to_string(root.join(".env.example")).unwrap_or_default();
    let mut names = Vec::new();
    collect_env_names(&crate::cli::Cli::command(), &mut names);
    let undocumented: Vec<&String> = names
        .iter()
        .filter(|n| !readme.contains(&format!("`{n}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "README.md's settings table lacks {undocumented:?}"
    );
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| {
            !example
                .lines()
                .any(|l| l.trim_start_matches("# ").starts_with(&format!("{n}=")))
        })
        .collect();
    assert!(missing.is_empty(), ".env.example lacks {missing:?}");
}

#[test]
fn empty_values_mean_the_default() {
    let c = config(&[
        ("DATABASE_URL", "postgres://u@127.0.0.1/ksf"),
        ("LEPTOS_ENV", "DEV"),
        ("KSF_DB_MAX_CONNECTIONS", " "),
        ("KSF_SUPPORT_EMAIL", ""),
    ])
    .unwrap();
    assert_eq!(c.database_max_connections, 20);
    assert_eq!(c.support_email, None);
}

#[test]
fn production_hashes_passwords_at_owasp_cost_or_more() {
    use services::passwords::HashCost;
    let db = ("DATABASE_URL", "postgres://u@127.0.0.1/ksf");
    let key = "0f".repeat(32);
    let production = [
        db,
        ("KSF_SECRET_KEY", key.as_str()),
        ("KSF_NAMESERVERS", "ns1.example.net"),
    ];
    assert_eq!(config(&production).unwrap().password_hash, HashCost::OWASP);
    for (var, cheap) in [
        ("KSF_PASSWORD_HASH_MEMORY_KIB", "256"),
        ("KSF_PASSWORD_HASH_ITERATIONS", "1"),
    ] {
        let mut vars = production.to_vec();
        vars.push((var, cheap));
        let err = config(&vars).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            err.starts_with(var) && err.contains("OWASP"),
            "{var}={cheap}: {err}"
        );
    }
    let dev = config(&[
        db,
        ("LEPTOS_ENV", "DEV"),
        ("KSF_PASSWORD_HASH_MEMORY_KIB", "256"),
        ("KSF_PASSWORD_HASH_ITERATIONS", "1"),
    ])
    .unwrap();
    assert_eq!(
        dev.password_hash,
        HashCost {
            memory_kib: 256,
            iterations: 1
        }
    );
    let err = config(&[db, ("LEPTOS_ENV", "DEV"), ("KSF_PASSWORD_HASH_MEMORY_KIB", "4")])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("KSF_PASSWORD_HASH_MEMORY_KIB"),
        "below Argon2's minimum: {err}"
    );
}

#[test]
fn the_stripe_workers_leave_connections_for_web_requests() {
    let with = |workers: &str, pool: &str| {
        config(&[
            ("DATABASE_URL", "postgres://u@127.0.0.1/ksf"),
            ("LEPTOS_ENV", "DEV"),
            ("KSF_BILLING_WORKERS", workers),
            ("KSF_DB_MAX_CONNECTIONS", pool),
        ])
    };
    assert_eq!(with("8", "20").unwrap().billing_workers, 8);
    let error = with("20", "20").unwrap_err().to_string();
    assert!(error.contains("KSF_BILLING_WORKERS"), "{error}");
    assert!(error.contains("below KSF_DB_MAX_CONNECTIONS"), "{error}");
}
