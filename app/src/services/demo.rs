//! Demo data for a local run: created once, left alone afterwards.

use sqlx::PgPool;

use crate::domain::{DisplayName, Email, Password, Role};
use crate::services::users::{create_user, find_id_by_email, CreateUserError, NewUser};

/// A login printed by `./scripts/run`.
pub struct DemoLogin {
    pub role: Role,
    pub email: &'static str,
    pub password: &'static str,
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        role: Role::Customer,
        email: "demo@ksfoundation.test",
        password: "demo-password-1",
    },
    DemoLogin {
        role: Role::Staff,
        email: "staff@ksfoundation.test",
        password: "staff-password-1",
    },
];

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("invalid demo data: {0}")]
    Invalid(String),
    #[error(transparent)]
    CreateUser(#[from] CreateUserError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates whatever demo data is missing; returns how many users it added.
#[tracing::instrument(skip_all)]
pub async fn seed_demo(pool: &PgPool) -> Result<usize, SeedError> {
    let mut created = 0;
    for login in DEMO_LOGINS {
        let email = Email::parse(login.email).map_err(|e| SeedError::Invalid(e.to_string()))?;
        if find_id_by_email(pool, &email).await?.is_some() {
            continue;
        }
        let name = match login.role {
            Role::Customer => "Demo Customer",
            Role::Staff => "Demo Staff",
        };
        create_user(
            pool,
            NewUser {
                email,
                display_name: DisplayName::parse(name).map_err(|e| SeedError::Invalid(e.to_string()))?,
                password: Password::parse(login.password).map_err(|e| SeedError::Invalid(e.to_string()))?,
                role: login.role,
                email_verified: true,
            },
        )
        .await?;
        created += 1;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn seeding_twice_creates_the_demo_users_once(pool: PgPool) {
        assert_eq!(seed_demo(&pool).await.unwrap(), DEMO_LOGINS.len());
        assert_eq!(seed_demo(&pool).await.unwrap(), 0);
        let n = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM users")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, DEMO_LOGINS.len() as i64);
    }
}
