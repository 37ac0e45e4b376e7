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
    #[error("demo hosting data: {0}")]
    Hosting(String),
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
    crate::services::hosting::plans::seed_catalogue(pool).await?;
    seed_hosting(pool).await?;
    Ok(created)
}

/// The demo customer's hosting accounts, with 90 days of hourly usage sent
/// through the same ingestion as hosting nodes use. Only when they have
/// none yet.
async fn seed_hosting(pool: &PgPool) -> Result<(), SeedError> {
    use crate::services::hosting::{accounts, node_tokens, usage};
    let hosting = |e: &dyn std::fmt::Display| SeedError::Hosting(e.to_string());
    let email = Email::parse(DEMO_LOGINS[0].email).map_err(|e| SeedError::Invalid(e.to_string()))?;
    let Some(user_id) = find_id_by_email(pool, &email).await? else {
        return Ok(());
    };
    let has_accounts = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM hosting_members WHERE user_id = $1) AS "e!""#,
        user_id
    )
    .fetch_one(pool)
    .await?;
    if has_accounts {
        return Ok(());
    }
    let now = time::OffsetDateTime::now_utc();
    let demo = crate::domain::CurrentUser {
        user_id,
        session_id: uuid::Uuid::nil(),
        email: email.as_str().to_string(),
        display_name: "Demo Customer".into(),
        role: Role::Customer,
        authenticated_at: now.unix_timestamp(),
        two_factor: false,
    };
    let plan = |code: &'static str| async move {
        sqlx::query_scalar!("SELECT id FROM plans WHERE code = $1", code)
            .fetch_one(pool)
            .await
    };
    let token = node_tokens::create_unchecked(pool, None, "demo-node")
        .await
        .map_err(|e| hosting(&e))?;
    let client = crate::services::sessions::ClientInfo::default();
    for (i, (name, plan_code, domain, region, storage_gb, daily_gb)) in [
        ("Demo Shop", "pro", "shop.example.com", "eu-central", 18, 9),
        ("Demo Blog", "starter", "blog.example.com", "eu-west", 3, 2),
    ]
    .into_iter()
    .enumerate()
    {
        let input = accounts::AccountInput {
            name: name.into(),
            plan: plan(plan_code).await?.to_string(),
            primary_domain: domain.into(),
            region: region.into(),
        };
        let id = accounts::create(pool, &demo, &input, &client)
            .await
            .map_err(|e| hosting(&e))?;
        let gb = crate::services::hosting::plans::GB;
        let samples = usage::demo_samples(id, now, 90, storage_gb * gb, daily_gb * gb, 42 + i as u64);
        for chunk in samples.chunks(usage::MAX_BATCH) {
            usage::ingest(pool, &token, chunk, now)
                .await
                .map_err(|e| hosting(&e))?;
        }
    }
    Ok(())
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
        // Hosting: two accounts with 90 days of hourly usage, seeded once.
        let accounts = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM hosting_accounts")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(accounts, 2);
        let samples = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM usage_samples")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(samples, 2 * 90 * 24);
        let plans = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM plans")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(plans, 3);
    }
}
