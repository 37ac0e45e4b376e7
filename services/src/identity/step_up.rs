//! Step-up ("confirm it's you"): sensitive changes need an authentication
//! less than ten minutes old in this session. Otherwise the user enters
//! the password again (and a code when two-factor is on) and goes back.

use serde_json::json;
use sqlx::{Postgres, Transaction};
use time::{Duration, OffsetDateTime};

use super::lockout::{ensure_not_paused, lock_account, record_failure, Account, Failure};
use super::profile::check_current_password;
use super::two_factor::{self, SecondFactor};
use crate::activity::{self, Action, NewEntry};
use crate::failure::ServiceError;
use crate::rate_limit::Attempts;
use crate::{sessions, Actor, Deps};
use domain::CurrentUser;

/// How long a sign-in or confirmation keeps sensitive actions open.
pub const WINDOW: Duration = Duration::minutes(10);

pub fn is_fresh(user: &CurrentUser, now: OffsetDateTime) -> bool {
    let age = now.unix_timestamp() - user.authenticated_at;
    age < WINDOW.whole_seconds()
}

/// Refuses with `StepUpRequired` unless the session authenticated recently.
pub fn require(actor: &Actor) -> Result<(), ServiceError> {
    // Viewing as a customer: nothing sensitive, and no way to prove it.
    actor.require_writable()?;
    if is_fresh(&actor.user, actor.now) {
        Ok(())
    } else {
        Err(ServiceError::StepUpRequired)
    }
}

/// The password (and, with two-factor on, a code) typed to confirm.
pub struct Proof<'a> {
    pub password: &'a str,
    pub code: &'a str,
}

/// Checks the password (and code) and marks this session freshly
/// authenticated. Wrong answers count towards pausing the account.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn confirm(deps: &Deps, actor: &Actor, proof: Proof<'_>) -> Result<(), ServiceError> {
    let user = &actor.user;
    let factor = if user.two_factor {
        SecondFactor::parse(proof.code)
    } else {
        None
    };
    let mut missing = crate::failure::Invalid::default();
    if proof.password.is_empty() {
        missing.push("password", "Enter your password.");
    }
    if user.two_factor && factor.is_none() {
        missing.push("code", two_factor::ENTER_CODE);
    }
    if !missing.is_empty() {
        return Err(ServiceError::Invalid(missing.0));
    }
    let mut tx = check_answers(
        deps,
        actor,
        Answers {
            password: proof.password,
            factor: factor.as_ref(),
            password_field: "password",
            code_field: "code",
        },
    )
    .await?;
    sessions::mark_authenticated(&mut tx, user.session_id, actor.now).await?;
    let me = Some(user.user_id);
    activity::record(
        &mut tx,
        user.user_id,
        NewEntry::from(me, &actor.client, Action::IdentityConfirmed, json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a signed-in user typed to prove it is them: the password, and a
/// code when one is asked for, with the form fields their errors belong to.
pub(crate) struct Answers<'a> {
    pub password: &'a str,
    pub factor: Option<&'a SecondFactor>,
    pub password_field: &'static str,
    pub code_field: &'static str,
}

/// Checks the answers, serialised with other attempts on the account and
/// refused while it is paused. A wrong one is recorded (it counts towards
/// the pause), committed, and returned as the error; right ones give back
/// the transaction for the change they allow.
pub(crate) async fn check_answers(
    deps: &Deps,
    actor: &Actor,
    answers: Answers<'_>,
) -> Result<Transaction<'static, Postgres>, ServiceError> {
    let user = &actor.user;
    let from = Attempts::UnknownDevices;
    let mut tx = deps.pool.begin().await?;
    lock_account(&mut tx, &user.email).await?;
    ensure_not_paused(&mut tx, &user.email, from).await?;
    let wrong = match check_current_password(&deps.pool, user, answers.password, answers.password_field).await
    {
        Err(wrong) => Some(("password", wrong)),
        Ok(()) => match answers.factor {
            Some(factor)
                if !two_factor::accept(&mut tx, &deps.secret_key, user.user_id, factor, &actor.visitor())
                    .await? =>
            {
                Some((
                    "code",
                    crate::failure::invalid(answers.code_field, two_factor::WRONG_CODE),
                ))
            }
            _ => None,
        },
    };
    if let Some((reason, error)) = wrong {
        let account = Account {
            id: user.user_id,
            email: &user.email,
            name: &user.display_name,
        };
        let failure = Failure {
            account: Some(account),
            email_typed: &user.email,
            reason,
            from,
        };
        record_failure(&mut tx, &deps.links, failure, &actor.client).await?;
        tx.commit().await?;
        return Err(error);
    }
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor_authenticated_at(at: OffsetDateTime, now: OffsetDateTime) -> Actor {
        Actor {
            user: CurrentUser {
                user_id: uuid::Uuid::nil(),
                session_id: uuid::Uuid::nil(),
                email: "a@b.c".into(),
                display_name: "A".into(),
                role: domain::Role::Customer,
                authenticated_at: at.unix_timestamp(),
                two_factor: false,
                staff_role: None,
                viewed_by: None,
            },
            client: Default::default(),
            now,
        }
    }

    #[test]
    fn sensitive_actions_stay_open_for_ten_minutes() {
        let signed_in = OffsetDateTime::now_utc();
        assert!(require(&actor_authenticated_at(
            signed_in,
            signed_in + Duration::minutes(9)
        ))
        .is_ok());
        assert!(matches!(
            require(&actor_authenticated_at(
                signed_in,
                signed_in + Duration::minutes(10)
            )),
            Err(ServiceError::StepUpRequired)
        ));
    }
}
