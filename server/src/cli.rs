//! `ksf` subcommands: serve (default), migrate, seed-demo, create-staff.

use std::io::BufRead;

use app::domain::{DisplayName, Email, Password, Role};
use app::services::{demo, users};

use crate::{config::Config, startup};

pub const USAGE: &str = "\
Usage: ksf [COMMAND]

Commands:
  serve                      Serve the web app (default)
  migrate                    Apply database migrations
  seed-demo                  Create the demo logins if they are missing
  create-staff --email EMAIL --name NAME
                             Create a staff account; the password is read from
                             KSF_STAFF_PASSWORD or, if unset, the first line of stdin
  generate-key               Print a new random KSF_SECRET_KEY
  help                       Show this help

Configuration comes from the environment and .env; see README.md.";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve,
    Migrate,
    SeedDemo,
    CreateStaff { email: String, name: String },
    GenerateKey,
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
        Some("migrate") => Command::Migrate,
        Some("seed-demo") => Command::SeedDemo,
        Some("help" | "--help" | "-h") => Command::Help,
        Some("generate-key") => Command::GenerateKey,
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

/// Hourly housekeeping: raw usage samples past their retention, live
/// events no stream can still ask for, and resolved tickets due to close.
/// Several processes may run it.
async fn maintain(pool: sqlx::PgPool, retention: time::Duration) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
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
    }
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
            let maintenance = tokio::spawn(maintain(pool.clone(), config.usage_retention));
            let application = startup::Application::build(&config, pool).await?;
            tracing::info!(addr = %application.local_addr()?, site_url = %config.site_url, "serving");
            application.run_until(startup::shutdown_signal()).await?;
            let _ = stop_workers.send(true);
            maintenance.abort();
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
