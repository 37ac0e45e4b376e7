//! The staff System page's figures: the release, the process, the
//! database and its migrations, the housekeeping jobs, the queues and the
//! latest errors. The same figures `/metrics` gives, for people.

use sqlx::PgPool;
use time::OffsetDateTime;

use super::process::{self, JobRun, RecentError};
use super::Queues;
use crate::actor::Actor;
use crate::failure::ServiceError;

#[derive(Debug, Clone)]
pub struct Database {
    /// PostgreSQL's own version string.
    pub server_version: String,
    pub size_bytes: i64,
    /// Migrations this release knows, and how many of them are applied.
    pub migrations_known: usize,
    pub migrations_missing: usize,
    pub newest_applied: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct System {
    pub version: &'static str,
    pub started: OffsetDateTime,
    /// The database's state, or why it could not be read.
    pub database: Result<Database, String>,
    pub queues: Result<Queues, String>,
    pub jobs: Vec<(&'static str, JobRun)>,
    pub errors: Vec<RecentError>,
}

pub async fn system(pool: &PgPool, actor: &Actor) -> Result<System, ServiceError> {
    actor.require_staff(domain::StaffPermission::Look)?;
    let (database, queues) = futures::join!(database(pool), super::queues(pool));
    Ok(System {
        version: env!("CARGO_PKG_VERSION"),
        started: process::started(),
        database: database.map_err(|e| e.to_string()),
        queues: queues.map_err(|e| e.to_string()),
        jobs: process::jobs(),
        errors: process::errors(),
    })
}

async fn database(pool: &PgPool) -> Result<Database, sqlx::Error> {
    let (server_version, size_bytes): (String, i64) =
        sqlx::query_as("SELECT version(), pg_database_size(current_database())")
            .fetch_one(pool)
            .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(pool)
        .await?;
    let known: Vec<i64> = crate::MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .collect();
    Ok(Database {
        server_version,
        size_bytes,
        migrations_known: known.len(),
        migrations_missing: known.iter().filter(|v| !applied.contains(v)).count(),
        newest_applied: applied.iter().max().copied(),
    })
}
