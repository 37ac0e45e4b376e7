//! `ksf` subcommands: serve (default), migrate, seed-demo, create-staff.

use std::io::BufRead;

use app::domain::{DisplayName, Email, Password, Role};
use app::services::{demo, users};

use crate::{config::Config, startup};

pub const USAGE: &str = "\
Usage: ksf [COMMAND]

Commands:
  serve                      Serve the web app (default)
  dns                        Serve DNS for every active zone (DNS_LISTEN, default
                             127.0.0.1:5353 in development, 0.0.0.0:53 otherwise);
                             SIGHUP reloads every zone
  migrate                    Apply database migrations
  seed-demo                  Create the demo logins if they are missing
  create-staff --email EMAIL --name NAME
                             Create a staff account; the password is read from
                             KSF_STAFF_PASSWORD or, if unset, the first line of stdin
  generate-key               Print a new random KSF_SECRET_KEY
  stripe sync-plans          Create or update each paid plan's Stripe product
                             and price (a changed price gets a new one)
  stripe seed-demo           Pay for the demo customer's paid accounts on the
                             Stripe stand-in, with three months of history
  help                       Show this help

Configuration comes from the environment and .env; see README.md.";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Dns,
    Migrate,
    SeedDemo,
    CreateStaff { email: String, name: String },
    GenerateKey,
    StripeSyncPlans,
    StripeSeedDemo,
    Help,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}\n\n{USAGE}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Seed(#[from] demo::SeedError),
    #[error(transparent)]
    CreateUser(#[from] users::CreateUserError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub fn parse_args(args: &[String]) -> Result<Command, CliError> {
    let mut it = args.iter().map(String::as_str);
    let command = match it.next() {
        None | Some("serve") => Command::Serve,
        Some("dns") => Command::Dns,
        Some("migrate") => Command::Migrate,
        Some("seed-demo") => Command::SeedDemo,
        Some("help" | "--help" | "-h") => Command::Help,
        Some("generate-key") => Command::GenerateKey,
        Some("stripe") => match it.next() {
            Some("sync-plans") => Command::StripeSyncPlans,
            Some("seed-demo") => Command::StripeSeedDemo,
            _ => return Err(CliError::Usage("stripe needs sync-plans or seed-demo".into())),
        },
        Some("create-staff") => {
            let (mut email, mut name) = (None, None);
            while let Some(flag) = it.next() {
                let value = it
                    .next()
                    .ok_or_else(|| CliError::Usage(format!("{flag} needs a value")))?;
                match flag {
                    "--email" => email = Some(value.to_string()),
                    "--name" => name = Some(value.to_string()),
                    other => return Err(CliError::Usage(format!("unknown option {other}"))),
                }
            }
            return Ok(Command::CreateStaff {
                email: email.ok_or_else(|| CliError::Usage("create-staff needs --email".into()))?,
                name: name.ok_or_else(|| CliError::Usage("create-staff needs --name".into()))?,
            });
        }
        Some(other) => return Err(CliError::Usage(format!("unknown command {other}"))),
    };
    match it.next() {
        None => Ok(command),
        Some(extra) => Err(CliError::Usage(format!("unexpected argument {extra}"))),
    }
}

/// Each minute, the per-period usage totals once the day has changed.
/// Hourly housekeeping: raw usage samples past their retention, live
/// events no stream can still ask for, resolved tickets due to close,
/// accounts unpaid past their grace period, domains pending too long, and
/// attachment files no ticket points to. Several processes may run it.
async fn maintain(
    pool: sqlx::PgPool,
    retention: time::Duration,
    grace_days: i64,
    links: app::services::identity::Links,
    storage: app::services::tickets::files::Storage,
) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    let mut each_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = each_minute.tick() => {
                let today = time::OffsetDateTime::now_utc().date();
                match app::services::hosting::usage::roll_windows(&pool, today).await {
                    Ok(true) => tracing::info!(%today, "summed the usage periods up to today"),
                    Ok(false) => {}
                    Err(error) => tracing::warn!(%error, "could not sum the usage periods"),
                }
                continue;
            }
            _ = every.tick() => {}
        }
        match app::services::hosting::usage::prune_raw(&pool, retention).await {
            Ok(n) if n > 0 => tracing::info!(deleted = n, "pruned old usage samples"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not prune usage samples"),
        }
        if let Err(error) = app::services::realtime::prune(&pool).await {
            tracing::warn!(%error, "could not prune live events");
        }
        let now = time::OffsetDateTime::now_utc();
        match app::services::tickets::thread::auto_close(&pool, now).await {
            Ok(n) if n > 0 => tracing::info!(closed = n, "closed tickets resolved 7 days ago"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not close resolved tickets"),
        }
        if let Err(error) = app::services::billing::grace::suspend_overdue(&pool, now, grace_days).await {
            tracing::warn!(%error, "could not suspend overdue accounts");
        }
        if let Err(error) = app::services::dns::expiry::expire_pending(&pool, &links, now).await {
            tracing::warn!(%error, "could not expire pending domains");
        }
        use app::services::tickets::files;
        match files::sweep(
            &pool,
            &storage,
            std::time::SystemTime::now(),
            files::SWEEP_MIN_AGE,
        )
        .await
        {
            Ok(n) if n > 0 => tracing::info!(removed = n, "removed attachment files no ticket points to"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not sweep attachment files"),
        }
    }
}

/// `ksf dns`: answers until SIGINT or SIGTERM; SIGHUP reloads every zone.
/// The delegation check runs here too: it is about the same zones.
async fn serve_dns(config: &Config, pool: sqlx::PgPool) -> Result<(), CliError> {
    use tokio::signal::unix::{signal, SignalKind};
    let dns = crate::dns::config::DnsServerConfig::from_lookup(|k| std::env::var(k).ok(), !config.is_dev())?;
    let running = crate::dns::start(&dns, config.dns.clone(), pool.clone())
        .await
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    println!(
        "ksf dns: answering on {} (UDP and TCP) for {} zones{}",
        running.addr,
        running.catalog.len(),
        running
            .metrics_addr
            .map(|a| format!("; metrics at http://{a}/metrics"))
            .unwrap_or_default()
    );
    let settings = config.dns.clone();
    let resolver = dns.delegation_resolver;
    let (allow, port) = (dns.delegation_allow.clone(), dns.delegation_port);
    // Never ask ourselves: where we listen, and our name servers' addresses.
    let own: Vec<std::net::SocketAddr> = std::iter::once(dns.listen)
        .chain(config.dns.nameserver_addrs.iter().map(|(_, a)| *a))
        .collect();
    if app::services::dns::serving::platform(&config.dns).is_none() {
        tracing::warn!(
            domain = %config.dns.nameserver_domain,
            "KSF_NAMESERVERS gives no addresses (host@address): ksf dns does not serve the name server domain, so each zone's own name server names resolve only if you publish that zone elsewhere (a wildcard to your name servers)"
        );
    }
    let delegation = dns.delegation_every.map(|every| {
        tokio::spawn(async move {
            use app::services::dns::delegation::Checker;
            let checker = match resolver.map_or_else(Checker::system, Checker::using) {
                Ok(mut c) => {
                    c.port = port;
                    c.only_public(allow, own)
                }
                Err(error) => {
                    tracing::warn!(%error, "no resolver configuration: domains' delegation is not checked");
                    return;
                }
            };
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let every = time::Duration::try_from(every).unwrap_or(time::Duration::minutes(5));
                match app::services::dns::delegation::check_due(&pool, &settings, &checker, every).await {
                    Ok(n) if n > 0 => tracing::info!(checked = n, "checked delegations"),
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "could not check delegations"),
                }
            }
        })
    });
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    loop {
        tokio::select! {
            _ = hangup.recv() => {
                tracing::info!("SIGHUP: reloading every zone");
                running.reload.notify_one();
            }
            _ = terminate.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    if let Some(task) = delegation {
        task.abort();
    }
    running.stop().await;
    Ok(())
}

/// Pays the demo customer's open orders on the stand-in, with months of
/// paid history; the webhooks reach the portal once it serves.
async fn seed_demo_billing(config: &Config, pool: sqlx::PgPool) -> Result<(), CliError> {
    let Some(gateway) = &config.billing.stripe else {
        println!("Stripe is not set up: no demo billing.");
        return Ok(());
    };
    if !config.is_dev()
        || !gateway.test_mode()
        || gateway
            .base_url()
            .starts_with(app::services::billing::stripe::STRIPE_API)
    {
        return Err(CliError::Invalid(
            "stripe seed-demo pays on the local stand-in only (development mode, STRIPE_API_BASE pointing at it)".into(),
        ));
    }
    let deps = startup::deps(config, pool, app::services::clock::Clock::system());
    let sessions = app::services::billing::demo::open_orders(&deps)
        .await
        .map_err(|e| CliError::Invalid(format!("stripe seed-demo: {e}")))?;
    let client = reqwest::Client::new();
    for session in &sessions {
        let paid = client
            .post(format!("{}_standin/checkout/{session}/pay", gateway.base_url()))
            .form(&[("card", "4242424242424242"), ("months_ago", "3")])
            .send()
            .await
            .map_err(|e| CliError::Invalid(format!("stripe seed-demo: {e}")))?;
        if !paid.status().is_success() {
            return Err(CliError::Invalid(format!(
                "stripe seed-demo: the stand-in answered {}",
                paid.status()
            )));
        }
    }
    println!(
        "Demo billing: {} subscriptions paid on the stand-in",
        sessions.len()
    );
    Ok(())
}

pub async fn run(args: &[String]) -> Result<(), CliError> {
    let command = parse_args(args)?;
    match command {
        Command::Help => {
            println!("{USAGE}");
            return Ok(());
        }
        Command::GenerateKey => {
            println!("{}", app::services::secret_box::SecretKey::generate_hex());
            return Ok(());
        }
        _ => {}
    }
    let config = Config::from_env()?;
    let pool = startup::connection_pool(&config)?;
    match command {
        Command::Help | Command::GenerateKey => Ok(()),
        Command::Dns => serve_dns(&config, pool).await,
        Command::Serve => {
            if let Err(error) = app::services::health::database_ready(&pool).await {
                tracing::warn!(%error, "the database is not reachable yet; /readyz reports 503 until it is");
            }
            let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
            let worker = if config.mail_worker {
                let mailer = app::services::mail::worker::Mailer::new(pool.clone(), config.mail.clone())
                    .map_err(|e| CliError::Invalid(e.to_string()))?;
                Some(tokio::spawn(mailer.run(workers_stopped)))
            } else {
                None
            };
            let maintenance = tokio::spawn(maintain(
                pool.clone(),
                config.usage_retention,
                config.billing.grace_days,
                app::services::identity::Links {
                    site_url: config.site_url.clone(),
                },
                app::services::tickets::files::Storage::local(&config.data_dir),
            ));
            let billing_worker = (config.billing_worker && config.billing.enabled()).then(|| {
                tokio::spawn(app::services::billing::webhook_queue::run(
                    pool.clone(),
                    config.billing.clone(),
                    app::services::clock::Clock::system(),
                    stop_workers.subscribe(),
                ))
            });
            let application = startup::Application::build(&config, pool).await?;
            tracing::info!(addr = %application.local_addr()?, site_url = %config.site_url, "serving");
            application.run_until(startup::shutdown_signal()).await?;
            let _ = stop_workers.send(true);
            maintenance.abort();
            if let Some(worker) = billing_worker {
                let _ = worker.await;
            }
            if let Some(worker) = worker {
                let _ = worker.await;
            }
            Ok(())
        }
        Command::Migrate => {
            app::services::MIGRATOR.run(&pool).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            // Demo logins have published passwords: never in production.
            if !config.is_dev() {
                return Err(CliError::Invalid(
                    "seed-demo creates logins with published passwords, so it runs only in development mode (LEPTOS_ENV=DEV, as ./scripts/run sets)".into(),
                ));
            }
            let created = demo::seed_demo(&pool, &config.site_url).await?;
            tracing::info!(created, "demo data present");
            println!("Demo logins:");
            for login in demo::DEMO_LOGINS {
                println!(
                    "  {:<8}  {}  /  {}",
                    login.role.as_str(),
                    login.email,
                    login.password
                );
            }
            Ok(())
        }
        Command::StripeSyncPlans => {
            let done = app::services::billing::plans::sync(&pool, &config.billing)
                .await
                .map_err(|e| CliError::Invalid(format!("stripe sync-plans: {e}")))?;
            println!(
                "Stripe: {} products checked, {} new prices, {} old prices archived",
                done.products, done.new_prices, done.archived
            );
            Ok(())
        }
        Command::StripeSeedDemo => seed_demo_billing(&config, pool).await,
        Command::CreateStaff { email, name } => {
            let email = Email::parse(&email).map_err(|e| CliError::Invalid(format!("--email: {e}")))?;
            let display_name =
                DisplayName::parse(&name).map_err(|e| CliError::Invalid(format!("--name: {e}")))?;
            let raw = match std::env::var("KSF_STAFF_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!(
                        "Password for {email} (min {} characters), then Enter:",
                        Password::MIN_CHARS
                    );
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let password = Password::parse(&raw).map_err(|e| CliError::Invalid(format!("password: {e}")))?;
            let id = users::create_user(
                &pool,
                users::NewUser {
                    email,
                    display_name,
                    password,
                    role: Role::Staff,
                    email_verified: true,
                },
            )
            .await?;
            println!("Created staff account {id}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn serve_is_the_default() {
        assert_eq!(parse_args(&[]).unwrap(), Command::Serve);
        assert_eq!(parse_args(&args("serve")).unwrap(), Command::Serve);
    }

    #[test]
    fn create_staff_needs_email_and_name() {
        assert_eq!(
            parse_args(&args("create-staff --name Bo --email bo@example.com")).unwrap(),
            Command::CreateStaff {
                email: "bo@example.com".into(),
                name: "Bo".into()
            }
        );
        let err = parse_args(&args("create-staff --email bo@example.com"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("create-staff needs --name"), "{err}");
        let err = parse_args(&args("create-staff --email")).unwrap_err().to_string();
        assert!(err.starts_with("--email needs a value"), "{err}");
    }

    #[test]
    fn unknown_commands_and_extra_arguments_are_refused_with_usage() {
        let err = parse_args(&args("destroy")).unwrap_err().to_string();
        assert!(
            err.starts_with("unknown command destroy") && err.contains("Usage: ksf"),
            "{err}"
        );
        assert!(parse_args(&args("migrate now")).is_err());
    }
}
