//! Step-up ("confirm it's you"): sensitive changes need an authentication
//! less than ten minutes old in this session. Otherwise the user enters
//! the password again (and a code when two-factor is on) and goes back.

use serde_json::json;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::services::accounts::{check_current_password, AccountError, Links};
use crate::services::activity::{self, Action};
use crate::services::secret_box::SecretKey;
use crate::services::sessions::{self, ClientInfo, CurrentUser};
use crate::services::sign_in::{ensure_not_paused, record_failure, Account};
use crate::services::two_factor::{self, SecondFactor};

/// How long a sign-in or confirmation keeps sensitive actions open.
pub const WINDOW: Duration = Duration::minutes(10);

pub fn is_fresh(user: &CurrentUser, now: OffsetDateTime) -> bool {
    let age = now.unix_timestamp() - user.authenticated_at;
    age < WINDOW.whole_seconds()
}

/// Refuses with `StepUpRequired` unless the session authenticated recently.
pub fn require(user: &CurrentUser, now: OffsetDateTime) -> Result<(), AccountError> {
    if is_fresh(user, now) {
        Ok(())
    } else {
        Err(AccountError::StepUpRequired)
    }
}

/// Checks the password (and code) and marks this session freshly
/// authenticated. Wrong answers count towards pausing the account.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id))]
#[allow(clippy::too_many_arguments)]
pub async fn confirm(
    pool: &PgPool,
    key: &SecretKey,
    links: &Links,
    user: &CurrentUser,
    password: &str,
    code: &str,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<(), AccountError> {
    let factor = if user.two_factor {
        SecondFactor::parse(code)
    } else {
        None
    };
    let mut errors = Vec::new();
    if password.is_empty() {
        errors.push(("password", "Enter your password.".to_string()));
    }
    if user.two_factor && factor.is_none() {
        errors.push(("code", two_factor::ENTER_CODE.to_string()));
    }
    if !errors.is_empty() {
        return Err(AccountError::Invalid(errors));
    }
    let mut conn = pool.acquire().await?;
    ensure_not_paused(&mut conn, &user.email).await?;
    drop(conn);
    let account = || Account {
        id: user.user_id,
        email: &user.email,
        name: &user.display_name,
    };
    if let Err(wrong) = check_current_password(pool, user, password, "password").await {
        let mut tx = pool.begin().await?;
        record_failure(&mut tx, links, Some(account()), &user.email, "password", client).await?;
        tx.commit().await?;
        return Err(wrong);
    }
    let mut tx = pool.begin().await?;
    if let Some(factor) = &factor {
        if !two_factor::accept(&mut tx, key, user.user_id, factor, client, now).await? {
            record_failure(&mut tx, links, Some(account()), &user.email, "code", client).await?;
            tx.commit().await?;
            return Err(two_factor::code_field_error("code", two_factor::WRONG_CODE));
        }
    }
    sessions::mark_authenticated(&mut tx, user.session_id, now).await?;
    let me = Some(user.user_id);
    activity::record(
        &mut tx,
        user.user_id,
        me,
        Action::IdentityConfirmed,
        client,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_authenticated_at(at: OffsetDateTime) -> CurrentUser {
        CurrentUser {
            user_id: uuid::Uuid::nil(),
            session_id: uuid::Uuid::nil(),
            email: "a@b.c".into(),
            display_name: "A".into(),
            role: crate::domain::Role::Customer,
            authenticated_at: at.unix_timestamp(),
            two_factor: false,
        }
    }

    #[test]
    fn sensitive_actions_stay_open_for_ten_minutes() {
        let signed_in = OffsetDateTime::now_utc();
        let user = user_authenticated_at(signed_in);
        assert!(require(&user, signed_in + Duration::minutes(9)).is_ok());
        assert!(matches!(
            require(&user, signed_in + Duration::minutes(10)),
            Err(AccountError::StepUpRequired)
        ));
    }
}
