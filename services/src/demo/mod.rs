//! Demo data for a local run: created once, left alone afterwards.

use sqlx::PgPool;

mod hosting;
mod tickets;

use crate::passwords::HashCost;
use crate::users::{create_user, find_id_by_email, CreateUserError, NewUser};
use domain::{DisplayName, Email, Password, Role};

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
pub async fn seed_demo(pool: &PgPool, site_url: &str) -> Result<usize, SeedError> {
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
                staff_role: (login.role == Role::Staff).then_some(domain::StaffRole::Admin),
                email_verified: true,
            },
            HashCost::OWASP,
        )
        .await?;
        created += 1;
    }
    crate::hosting::plans::seed_catalogue(pool).await?;
    let links = crate::identity::Links {
        site_url: site_url.to_string(),
    };
    hosting::seed_hosting(pool, &links).await?;
    Ok(created)
}

/// An actor acting for a demo user now.
pub(crate) fn demo_actor(user_id: uuid::Uuid, email: &str, name: &str, role: Role) -> crate::Actor {
    let now = time::OffsetDateTime::now_utc();
    crate::Actor {
        user: domain::CurrentUser {
            user_id,
            session_id: uuid::Uuid::nil(),
            email: email.to_string(),
            display_name: name.to_string(),
            role,
            authenticated_at: now.unix_timestamp(),
            two_factor: false,
            staff_role: (role == Role::Staff).then_some(domain::StaffRole::Admin),
            viewed_by: None,
        },
        client: Default::default(),
        now,
    }
}

/// What the services need, for seeding (emails wait in the outbox).
pub fn demo_deps(pool: &PgPool, links: &crate::identity::Links) -> crate::Deps {
    crate::Deps {
        pool: pool.clone(),
        links: links.clone(),
        secret_key: crate::secret_box::SecretKey::development(),
        limits: crate::rate_limit::Limits::default(),
        clock: crate::clock::Clock::system(),
        support: crate::tickets::SupportSettings::default(),
        billing: crate::billing::BillingSettings::default(),
        dns: crate::dns::DnsSettings::development(),
        registrations: crate::registrations::RegistrationSettings::default(),
        password_cost: HashCost::OWASP,
    }
}

#[cfg(test)]
mod tests {
    use super::hosting::{DEMO_ACCOUNTS, OTHER_CUSTOMERS};
    use super::*;

    const SITE: &str = "http://127.0.0.1:3000";

    #[sqlx::test(migrations = "../migrations")]
    async fn seeding_twice_creates_the_demo_users_once(pool: PgPool) {
        assert_eq!(seed_demo(&pool, SITE).await.unwrap(), DEMO_LOGINS.len());
        assert_eq!(
            seed_demo(&pool, SITE).await.unwrap(),
            0,
            "a second run adds nothing"
        );
        let n = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM users")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, (DEMO_LOGINS.len() + OTHER_CUSTOMERS.len()) as i64);
        // Hosting: every account with 90 days of hourly usage, seeded once.
        let accounts = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM hosting_accounts")
            .fetch_one(&pool)
            .await
            .unwrap();
        let expected = (DEMO_ACCOUNTS.len() + OTHER_CUSTOMERS.len()) as i64;
        assert_eq!(accounts, expected);
        let samples = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM usage_samples")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(samples, expected * 90 * 24);
        // The story: a teammate joined, a plan changed, one account suspended.
        let members = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM hosting_members")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(members, expected + 1);
        let suspended =
            sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM hosting_accounts WHERE status = 'suspended'")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(suspended, 1);
        let plans = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM plans")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(plans, 4, "a free plan and three paid ones");
        // Support: the demo customer's answered ticket, Maya's waiting one.
        let states = sqlx::query_scalar!("SELECT state FROM tickets ORDER BY number")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(states, ["awaiting_customer", "open"]);
    }
}
