//! A scratch database for a benchmark, on the server `DATABASE_URL` names:
//! created migrated, dropped afterwards.

use sqlx::{postgres::PgPoolOptions, Connection, PgConnection, PgPool};

pub type Error = Box<dyn std::error::Error>;

pub struct Scratch {
    admin: PgConnection,
    name: &'static str,
    pub url: String,
    pub pool: PgPool,
    /// True when `keep` found the database of an earlier run.
    pub reused: bool,
}

impl Scratch {
    /// The database `name`, new and migrated; with `keep`, one left by an
    /// earlier run is used as it is.
    pub async fn open(name: &'static str, keep: bool) -> Result<Scratch, Error> {
        let url = std::env::var("DATABASE_URL").map_err(|_| "set DATABASE_URL (./scripts/test prints it)")?;
        let (server, _) = url.rsplit_once('/').ok_or("DATABASE_URL has no database name")?;
        let mut admin = PgConnection::connect(&format!("{server}/postgres")).await?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut admin)
            .await?;
        let reused = keep && exists;
        if !reused {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await?;
        }
        let url = format!("{server}/{name}");
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_with(server::startup::connect_options(&url, None)?)
            .await?;
        services::MIGRATOR.run(&pool).await?;
        Ok(Scratch {
            admin,
            name,
            url,
            pool,
            reused,
        })
    }

    /// Closes the pool and drops the database (unless `keep`).
    pub async fn close(mut self, keep: bool) -> Result<(), Error> {
        self.pool.close().await;
        if !keep {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                .execute(&mut self.admin)
                .await?;
        }
        Ok(())
    }
}
