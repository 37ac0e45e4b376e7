use sqlx::PgPool;
use uuid::Uuid;

use crate::passwords::{hash_password, HashCost, PasswordHashError};
use domain::{DisplayName, Email, Password, Role, StaffRole};

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("An account with this email address already exists.")]
    EmailTaken,
    #[error(transparent)]
    Hash(#[from] PasswordHashError),
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for CreateUserError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.constraint() == Some("users_email_lower_key") => {
                CreateUserError::EmailTaken
            }
            _ => CreateUserError::Database(e),
        }
    }
}

pub struct NewUser {
    pub email: Email,
    pub display_name: DisplayName,
    pub password: Password,
    pub role: Role,
    /// Staff only: what they may do.
    pub staff_role: Option<StaffRole>,
    /// Accounts made by an operator (staff, demo) start verified.
    pub email_verified: bool,
}

#[tracing::instrument(skip_all, fields(role = user.role.as_str()))]
/// `cost` is what hashing the password costs (`Deps::password_cost`).
pub async fn create_user(pool: &PgPool, user: NewUser, cost: HashCost) -> Result<Uuid, CreateUserError> {
    let hash = hash_password(&user.password, cost).await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO users (email, display_name, password_hash, role, email_verified_at, staff_role)
           VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6)
           RETURNING id"#,
        user.email.as_str(),
        user.display_name.as_str(),
        hash,
        user.role.as_str(),
        user.email_verified,
        user.staff_role.filter(|_| user.role == Role::Staff) as Option<StaffRole>,
    )
    .fetch_one(pool)
    .await?;
    Ok(id)
}

/// Looks a user up by email, ignoring case.
pub async fn find_id_by_email(pool: &PgPool, email: &Email) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM users WHERE lower(email) = lower($1)",
        email.as_str()
    )
    .fetch_optional(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_user(email: &str) -> NewUser {
        NewUser {
            email: Email::parse(email).unwrap(),
            display_name: DisplayName::parse("Ana").unwrap(),
            password: Password::parse("correct horse battery").unwrap(),
            role: Role::Customer,
            staff_role: None,
            email_verified: false,
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_email_is_taken_whatever_its_case(pool: PgPool) {
        let id = create_user(&pool, new_user("ana@example.com"), HashCost::OWASP)
            .await
            .unwrap();
        let again = create_user(&pool, new_user("ANA@Example.com"), HashCost::OWASP).await;
        assert!(matches!(again, Err(CreateUserError::EmailTaken)), "{again:?}");
        let found = find_id_by_email(&pool, &Email::parse("Ana@EXAMPLE.com").unwrap())
            .await
            .unwrap();
        assert_eq!(found, Some(id));
    }
}
