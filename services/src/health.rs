use sqlx::PgPool;

#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("database unavailable: {0}")]
    Database(#[from] sqlx::Error),
    /// This release's schema is not all there (`ksf migrate` has not run).
    #[error("{0} migrations not applied: run ksf migrate")]
    Migrations(usize),
}

/// Does the database answer, with every migration this release knows
/// applied? Used by `/readyz`, so a load balancer sends no traffic to a
/// release whose schema is not there yet.
pub async fn database_ready(pool: &PgPool) -> Result<(), NotReady> {
    let known = || {
        super::MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
    };
    let applied: Vec<i64> = match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(pool)
        .await
    {
        Ok(applied) => applied,
        // No migration table: a database never migrated.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => {
            return Err(NotReady::Migrations(known().count()))
        }
        Err(e) => return Err(e.into()),
    };
    let missing = known().filter(|m| !applied.contains(&m.version)).count();
    match missing {
        0 => Ok(()),
        n => Err(NotReady::Migrations(n)),
    }
}
