//! `ksf` and its subcommands (clap): serve (the default), dns, migrate,
//! seed-demo, create-staff, generate-key, backup, restore, stripe.

use std::io::BufRead;

use domain::{DisplayName, Email, Password, Role, StaffRole};
use services::{demo, users};

use clap::{Parser, Subcommand};

use crate::config::DnsServerSettings;
use crate::config::{Config, Settings};
use crate::startup;

/// The portal's server, its DNS server and their maintenance commands.
/// Every setting is a variable (from the environment or `.env`) or the
/// flag of the same name; `ksf --help` lists them.
#[derive(Debug, Parser)]
#[command(
    name = "ksf",
    version,
    about = "KSFoundation: the hosting portal, its DNS server and their maintenance",
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
    #[command(flatten)]
    pub dns: DnsServerSettings,
}

#[derive(Debug, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serve the web app (the default)
    Serve,
    /// Serve DNS for every active zone on DNS_LISTEN; SIGHUP reloads every zone
    Dns,
    /// Apply database migrations
    Migrate,
    /// Create the demo logins if they are missing (development only)
    SeedDemo,
    /// Create a staff account; the password is read from KSF_STAFF_PASSWORD or, if unset, the first line of stdin
    CreateStaff {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// What they may do: admin, support, billing or readonly (the Staff page shows each role's permissions)
        #[arg(long, value_parser = parse_staff_role)]
        role: StaffRole,
    },
    /// Print a token for the hosting node NAME of REGION (a new secret if the node exists: its sites stay on it)
    CreateNodeToken {
        #[arg(long)]
        name: String,
        #[arg(long)]
        region: String,
    },
    /// Print a new random KSF_SECRET_KEY
    GenerateKey,
    /// Back up the database (pg_dump) and KSF_DATA_DIR into a new folder under --to
    Backup {
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup folder into an empty database and an empty KSF_DATA_DIR
    Restore {
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Stripe: the plans' products and prices, and the demo's payments
    #[command(subcommand)]
    Stripe(StripeCommand),
}

#[derive(Debug, PartialEq, Eq, Subcommand)]
pub enum StripeCommand {
    /// Create or update each paid plan's Stripe product and price (a changed price gets a new one)
    SyncPlans,
    /// Pay for the demo customer's paid accounts on the Stripe stand-in, with three months of history
    SeedDemo,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
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
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
}

/// Parses the command line and the settings' variables. Help and usage
/// mistakes are printed by clap (which exits); a setting's bad value comes
/// back as the same error every other configuration source gives.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Cli, CliError> {
    use clap::error::ErrorKind;
    let args = std::iter::once("ksf".to_string()).chain(args);
    match Cli::try_parse_from(args) {
        Ok(cli) => Ok(cli),
        Err(e) if matches!(e.kind(), ErrorKind::InvalidValue | ErrorKind::ValueValidation) => {
            Err(crate::config::ConfigError::from_clap(&e).into())
        }
        Err(e) => e.exit(),
    }
}

/// `ksf dns`: answers until SIGINT or SIGTERM; SIGHUP reloads every zone.
/// The delegation check runs here too: it is about the same zones.
async fn serve_dns(config: &Config, settings: DnsServerSettings, pool: sqlx::PgPool) -> Result<(), CliError> {
    use tokio::signal::unix::{signal, SignalKind};
    let dns = settings.into_config(config.dns_listen, !config.is_dev())?;
    let running = dns_server::start(&dns, config.dns.clone(), pool.clone())
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
    if services::dns::serving::platform(&config.dns).is_none() {
        tracing::warn!(
            domain = %config.dns.nameserver_domain,
            "KSF_NAMESERVERS gives no addresses (host@address): ksf dns does not serve the name server domain, so each zone's own name server names resolve only if you publish that zone elsewhere (a wildcard to your name servers)"
        );
    }
    let delegation = dns.delegation_every.map(|every| {
        tokio::spawn(async move {
            use services::dns::delegation::Checker;
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
                match services::dns::delegation::check_due(&pool, &settings, &checker, every).await {
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
            .starts_with(services::billing::stripe::STRIPE_API)
    {
        return Err(CliError::Invalid(
            "stripe seed-demo pays on the local stand-in only (development mode, STRIPE_API_BASE pointing at it)".into(),
        ));
    }
    let deps = startup::deps(config, pool, services::clock::Clock::system());
    let sessions = services::billing::demo::open_orders(&deps)
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

/// `ksf serve`: the web server with its workers, until a stop signal.
async fn serve(config: &Config, pool: sqlx::PgPool) -> Result<(), CliError> {
    services::operations::process::start();
    if let Err(error) = services::health::database_ready(&pool).await {
        tracing::warn!(%error, "not ready yet; /readyz reports 503 until the database answers with every migration applied");
    }
    let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
    let worker = if config.mail_worker {
        let mailer = services::mail::worker::Mailer::new(pool.clone(), config.mail.clone())
            .map_err(|e| CliError::Invalid(e.to_string()))?;
        Some(tokio::spawn(mailer.run(workers_stopped)))
    } else {
        None
    };
    let maintenance = tokio::spawn(crate::maintenance::run(
        pool.clone(),
        config.retention,
        config.billing.grace_days,
        services::identity::Links {
            site_url: config.site_url.clone(),
        },
        services::tickets::files::Storage::local(&config.data_dir),
    ));
    let outside_checks = tokio::spawn(crate::maintenance::check_sites(
        pool.clone(),
        config.outside_checks.clone(),
    ));
    let billing_worker = (config.billing_worker && config.billing.enabled()).then(|| {
        tokio::spawn(services::billing::webhook_queue::run(
            pool.clone(),
            config.billing.clone(),
            services::clock::Clock::system(),
            config.billing_workers,
            stop_workers.subscribe(),
        ))
    });
    let registration_worker = (config.registration_worker && config.registrations.enabled()).then(|| {
        tokio::spawn(services::registrations::worker::run(
            startup::deps(config, pool.clone(), services::clock::Clock::system()),
            config.registrations.clone(),
            stop_workers.subscribe(),
        ))
    });
    // Customers' data exports: built in the background, any instance.
    let exports = tokio::spawn(services::export::run(
        startup::deps(config, pool.clone(), services::clock::Clock::system()),
        stop_workers.subscribe(),
    ));
    let application = startup::Application::build(config, pool).await?;
    tracing::info!(addr = %application.local_addr()?, site_url = %config.site_url, "serving");
    application.run_until(startup::shutdown_signal()).await?;
    let _ = stop_workers.send(true);
    maintenance.abort();
    outside_checks.abort();
    if let Some(worker) = billing_worker {
        let _ = worker.await;
    }
    if let Some(worker) = registration_worker {
        let _ = worker.await;
    }
    let _ = exports.await;
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    Ok(())
}

/// `ksf seed-demo`: the demo logins and their data (development only).
async fn seed_demo_logins(config: &Config, pool: &sqlx::PgPool) -> Result<(), CliError> {
    // Demo logins have published passwords: never in production.
    if !config.is_dev() {
        return Err(CliError::Invalid(
            "seed-demo creates logins with published passwords, so it runs only in development mode (LEPTOS_ENV=DEV, as ./scripts/run sets)".into(),
        ));
    }
    let created = demo::seed_demo(pool, &config.site_url).await?;
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

fn parse_staff_role(raw: &str) -> Result<StaffRole, String> {
    StaffRole::parse(raw)
        .ok_or_else(|| format!("{raw:?} is not a staff role: admin, support, billing or readonly"))
}

/// `ksf create-staff`: a staff login; the password from
/// `KSF_STAFF_PASSWORD` or typed.
async fn create_staff(
    config: &Config,
    pool: &sqlx::PgPool,
    email: &str,
    name: &str,
    staff_role: StaffRole,
) -> Result<(), CliError> {
    let email = Email::parse(email).map_err(|e| CliError::Invalid(format!("--email: {e}")))?;
    let display_name = DisplayName::parse(name).map_err(|e| CliError::Invalid(format!("--name: {e}")))?;
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
        pool,
        users::NewUser {
            email,
            display_name,
            password,
            role: Role::Staff,
            staff_role: Some(staff_role),
            email_verified: true,
        },
        config.password_hash,
    )
    .await?;
    println!("Created staff account {id} ({})", staff_role.label());
    Ok(())
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(Command::Serve);
    if command == Command::GenerateKey {
        println!("{}", services::secret_box::SecretKey::generate_hex());
        return Ok(());
    }
    let config = Config::from_settings(cli.settings)?;
    let serving = matches!(command, Command::Serve | Command::Dns);
    let limit = config.database_statement_timeout.filter(|_| serving);
    let pool = startup::connection_pool_limited(&config, limit)?;
    match command {
        Command::GenerateKey => Ok(()),
        Command::Dns => serve_dns(&config, cli.dns, pool).await,
        Command::Serve => serve(&config, pool).await,
        Command::Migrate => {
            services::migrator().run(&pool).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => seed_demo_logins(&config, &pool).await,
        Command::Stripe(StripeCommand::SyncPlans) => {
            let done = services::billing::plans::sync(&pool, &config.billing)
                .await
                .map_err(|e| CliError::Invalid(format!("stripe sync-plans: {e}")))?;
            println!(
                "Stripe: {} products checked, {} new prices, {} old prices archived",
                done.products, done.new_prices, done.archived
            );
            Ok(())
        }
        Command::Stripe(StripeCommand::SeedDemo) => seed_demo_billing(&config, pool).await,
        Command::CreateStaff { email, name, role } => create_staff(&config, &pool, &email, &name, role).await,
        Command::CreateNodeToken { name, region } => {
            let region = domain::hosting::Region::parse(&region).ok_or_else(|| {
                CliError::Invalid(format!(
                    "unknown region {region:?}: one of {}",
                    domain::hosting::REGIONS
                        .iter()
                        .map(|(c, _)| *c)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            let token = services::hosting::node_tokens::issue(&pool, &name, region)
                .await
                .map_err(|e| CliError::Invalid(format!("create-node-token: {e}")))?;
            println!("{token}");
            Ok(())
        }
        Command::Backup { to } => {
            let folder = crate::backup::backup(&pool, &config.database_url, &config.data_dir, &to).await?;
            println!("Backup written to {}", folder.display());
            Ok(())
        }
        Command::Restore { from } => {
            let manifest =
                crate::backup::restore(&pool, &config.database_url, &config.data_dir, &from).await?;
            println!(
                "Restored the backup of {} (ksf {}); `ksf migrate` or `ksf serve` applies newer migrations",
                manifest.created, manifest.version
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(s: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("ksf").chain(s.split_whitespace()))
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default() {
        assert_eq!(parse("").unwrap().command, None);
        assert_eq!(parse("serve").unwrap().command, Some(Command::Serve));
        assert_eq!(
            parse("stripe sync-plans").unwrap().command,
            Some(Command::Stripe(StripeCommand::SyncPlans))
        );
    }

    #[test]
    fn create_staff_needs_email_and_name() {
        assert_eq!(
            parse("create-staff --name Bo --email bo@example.com --role support")
                .unwrap()
                .command,
            Some(Command::CreateStaff {
                email: "bo@example.com".into(),
                name: "Bo".into(),
                role: StaffRole::Support,
            })
        );
        let err = parse("create-staff --name Bo --email bo@example.com --role root")
            .unwrap_err()
            .to_string();
        assert!(err.contains("admin, support, billing or readonly"), "{err}");
        assert!(parse("create-staff --name Bo --email bo@example.com").is_err());
        let err = parse("create-staff --email bo@example.com")
            .unwrap_err()
            .to_string();
        assert!(err.contains("--name"), "{err}");
        assert!(parse("create-staff --email").is_err());
    }

    #[test]
    fn unknown_commands_and_extra_arguments_are_refused_with_usage() {
        let err = parse("destroy").unwrap_err().to_string();
        assert!(err.contains("destroy") && err.contains("Usage: ksf"), "{err}");
        assert!(parse("migrate now").is_err());
    }

    #[test]
    fn help_lists_every_setting_and_no_stand_in() {
        let help = Cli::command().render_long_help().to_string();
        let mut built = Cli::command();
        built.build();
        let serve = built
            .find_subcommand_mut("serve")
            .map(|c| c.render_long_help().to_string())
            .unwrap_or_default();
        let mut names = Vec::new();
        crate::config::collect_env_names(&Cli::command(), &mut names);
        assert!(names.len() > 50, "{names:?}");
        for name in &names {
            assert!(help.contains(name.as_str()), "ksf --help lacks {name}");
            assert!(serve.contains(name.as_str()), "ksf serve --help lacks {name}");
        }
        assert!(Cli::command().find_subcommand("stripe-standin").is_none());
        assert!(
            !help.contains("standin"),
            "the stand-in is not in the production binary"
        );
    }
}
