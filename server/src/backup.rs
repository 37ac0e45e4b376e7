//! `ksf backup` and `ksf restore`: the database through PostgreSQL's own
//! tools (`pg_dump -Fc`, `pg_restore`) and the data directory (ticket
//! attachments) as a tar file, side by side in one folder with a manifest.
//! The database is dumped first: a file written after the dump is one no
//! row points to, which the hourly sweep removes after a restore.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;

const DUMP: &str = "database.dump";
const FILES: &str = "files.tar.gz";
const MANIFEST: &str = "manifest.json";
const FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{tool} failed ({status}): {stderr}")]
    Tool {
        tool: &'static str,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// What a backup holds, written next to it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The `ksf` version that wrote it.
    pub version: String,
    pub created: String,
    /// The newest migration the database had.
    pub migration: Option<i64>,
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// Runs a PostgreSQL or archive tool; its error output on failure.
fn run(tool: &'static str, command: &mut Command) -> Result<(), BackupError> {
    let out = command
        .output()
        .map_err(io(format!("{tool} (is it installed?)")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            tool,
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// libpq's variables for a `postgres://` URL, so the password never
/// appears on a command line (where `ps` shows it).
fn libpq_env(database_url: &str) -> Result<Vec<(&'static str, String)>, BackupError> {
    let url =
        reqwest::Url::parse(database_url).map_err(|e| BackupError::Refused(format!("DATABASE_URL: {e}")))?;
    let decode = |s: &str| {
        percent_decode(s).ok_or_else(|| {
            BackupError::Refused("DATABASE_URL: a part is not valid percent-encoded UTF-8".into())
        })
    };
    let mut env = vec![("PGDATABASE", decode(url.path().trim_start_matches('/'))?)];
    if let Some(host) = url.host_str() {
        env.push((
            "PGHOST",
            host.trim_start_matches('[').trim_end_matches(']').to_string(),
        ));
    }
    if let Some(port) = url.port() {
        env.push(("PGPORT", port.to_string()));
    }
    if !url.username().is_empty() {
        env.push(("PGUSER", decode(url.username())?));
    }
    if let Some(password) = url.password() {
        env.push(("PGPASSWORD", decode(password)?));
    }
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "sslmode" => env.push(("PGSSLMODE", value.into_owned())),
            "sslrootcert" => env.push(("PGSSLROOTCERT", value.into_owned())),
            "host" => env.push(("PGHOST", value.into_owned())),
            _ => {}
        }
    }
    Ok(env)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn newest_migration(pool: &PgPool) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
}

/// Writes `<into>/ksf-backup-<UTC time>/` and answers its path.
pub async fn backup(
    pool: &PgPool,
    database_url: &str,
    data_dir: &Path,
    into: &Path,
) -> Result<PathBuf, BackupError> {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let folder = into.join(format!("ksf-backup-{stamp}"));
    std::fs::create_dir_all(into).map_err(io(format!("creating {}", into.display())))?;
    std::fs::create_dir(&folder).map_err(io(format!("creating {}", folder.display())))?;
    let manifest = Manifest {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        created: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        migration: newest_migration(pool).await?,
    };
    run(
        "pg_dump",
        Command::new("pg_dump")
            .envs(libpq_env(database_url)?)
            .args(["--format=custom", "--no-owner", "--no-acl", "--file"])
            .arg(folder.join(DUMP)),
    )?;
    std::fs::create_dir_all(data_dir).map_err(io(format!("creating {}", data_dir.display())))?;
    run(
        "tar",
        Command::new("tar")
            .arg("-C")
            .arg(data_dir)
            .arg("-czf")
            .arg(folder.join(FILES))
            .arg("."),
    )?;
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    std::fs::write(folder.join(MANIFEST), text).map_err(io("writing the manifest"))?;
    tracing::info!(folder = %folder.display(), "backup written");
    Ok(folder)
}

/// Restores a backup into an empty database and an empty (or missing)
/// data directory; `ksf serve` then applies any newer migrations.
pub async fn restore(
    pool: &PgPool,
    database_url: &str,
    data_dir: &Path,
    from: &Path,
) -> Result<Manifest, BackupError> {
    let text = std::fs::read_to_string(from.join(MANIFEST)).map_err(io(format!(
        "{} (is this a ksf backup folder?)",
        from.join(MANIFEST).display()
    )))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| BackupError::Refused(format!("{}: {e}", from.join(MANIFEST).display())))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Refused(format!(
            "backup format {} is not one this ksf reads ({FORMAT})",
            manifest.format
        )));
    }
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            .fetch_one(pool)
            .await?;
    if tables > 0 {
        return Err(BackupError::Refused(
            "the database already has tables: restore into a new, empty database (createdb -O ksf ksf)"
                .into(),
        ));
    }
    let occupied = std::fs::read_dir(data_dir).is_ok_and(|mut d| d.next().is_some());
    if occupied {
        return Err(BackupError::Refused(format!(
            "{} is not empty: restore into an empty data directory",
            data_dir.display()
        )));
    }
    let env = libpq_env(database_url)?;
    let database = env[0].1.clone();
    run(
        "pg_restore",
        Command::new("pg_restore")
            .envs(env)
            .args([
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
            ])
            .arg(database)
            .arg(from.join(DUMP)),
    )?;
    std::fs::create_dir_all(data_dir).map_err(io(format!("creating {}", data_dir.display())))?;
    run(
        "tar",
        Command::new("tar")
            .arg("-C")
            .arg(data_dir)
            .arg("-xzf")
            .arg(from.join(FILES)),
    )?;
    tracing::info!(from = %from.display(), "backup restored");
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_travels_in_the_environment_not_the_command_line() {
        let env = libpq_env("postgres://ksf:p%40ss@db.example.com:5433/portal?sslmode=require").unwrap();
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PGDATABASE"), Some("portal"));
        assert_eq!(get("PGHOST"), Some("db.example.com"));
        assert_eq!(get("PGPORT"), Some("5433"));
        assert_eq!(get("PGUSER"), Some("ksf"));
        assert_eq!(get("PGPASSWORD"), Some("p@ss"));
        assert_eq!(get("PGSSLMODE"), Some("require"));
    }

    #[test]
    fn broken_escapes_are_refused_not_guessed() {
        assert_eq!(percent_decode("a%2"), Some("a%2".to_string()));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%C3%A9"), Some("é".to_string()));
    }
}
