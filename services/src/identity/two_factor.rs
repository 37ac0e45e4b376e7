//! Two-factor authentication: enrolment, status, recovery codes and turning
//! it off, with the codes of `codes` (an authenticator app's, or one of ten
//! single-use recovery codes). A step once used is refused after (replay
//! guard). The seed is sealed at rest.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub use super::codes::{code_for_base32, SecondFactor, RECOVERY_CODE_COUNT};
use super::codes::{hash_recovery_code, matching_step, new_recovery_codes, totp, SECRET_BYTES};
use super::TWO_FACTOR_OFF;
use super::{step_up, Links};
use crate::activity::{self, Action, NewEntry};
use crate::failure::ServiceError;
use crate::mail::{self, templates};
use crate::secret_box::SecretKey;
use crate::{sessions, Actor, Deps, Visitor};
use domain::CurrentUser;

pub const ENTER_CODE: &str = "Enter the 6-digit code from your authenticator app, or a recovery code.";
pub const WRONG_CODE: &str =
    "That code did not work. Enter the code your app shows now, or an unused recovery code.";
const WRONG_ENROLMENT_CODE: &str =
    "That code did not match. Check that your phone's clock is right and enter the code shown now.";

/// Replaces the user's recovery codes with ten new ones; returns them (the
/// only time they exist in the clear).
async fn replace_recovery_codes(conn: &mut PgConnection, user_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user_id)
        .execute(&mut *conn)
        .await?;
    let codes = new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .map(|c| hash_recovery_code(&c.replace('-', "")))
        .collect();
    sqlx::query!(
        "INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])",
        user_id,
        &hashes
    )
    .execute(&mut *conn)
    .await?;
    Ok(codes)
}

/// Checks a code or recovery code of a user with two-factor on, and uses
/// it up: the time step is remembered (replay guard), a recovery code is
/// marked used. False when it does not match or was used before.
pub(crate) async fn accept(
    conn: &mut PgConnection,
    key: &SecretKey,
    user_id: Uuid,
    factor: &SecondFactor,
    from: &Visitor,
) -> Result<bool, ServiceError> {
    let (client, now) = (&from.client, from.now);
    match factor {
        SecondFactor::Code(code) => {
            let row = sqlx::query!(
                "SELECT secret_sealed FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL FOR UPDATE",
                user_id
            )
            .fetch_optional(&mut *conn)
            .await?;
            let Some(row) = row else { return Ok(false) };
            let secret = key.open(&row.secret_sealed)?;
            let Some(step) = matching_step(&secret, code, now) else {
                return Ok(false);
            };
            let fresh = sqlx::query!(
                r#"UPDATE two_factor SET last_used_step = $2
                   WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2)"#,
                user_id,
                step
            )
            .execute(&mut *conn)
            .await?
            .rows_affected();
            Ok(fresh == 1)
        }
        SecondFactor::Recovery(code) => {
            let used = sqlx::query_scalar!(
                r#"UPDATE recovery_codes SET used_at = now()
                   WHERE id = (SELECT id FROM recovery_codes
                               WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
                               LIMIT 1 FOR UPDATE)
                   RETURNING id"#,
                user_id,
                hash_recovery_code(code)
            )
            .fetch_optional(&mut *conn)
            .await?;
            if used.is_none() {
                return Ok(false);
            }
            let left = sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"#,
                user_id
            )
            .fetch_one(&mut *conn)
            .await?;
            let me = Some(user_id);
            let details = json!({ "codes_left": left });
            activity::record(
                &mut *conn,
                user_id,
                NewEntry::from(me, client, Action::RecoveryCodeUsed, details),
            )
            .await?;
            Ok(true)
        }
    }
}

/// A seed waiting for its first code: what the enrolment page shows.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
    /// The `otpauth://` URL as an SVG QR code.
    pub qr_svg: String,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub enabled: bool,
    pub enrolment: Option<Enrolment>,
    pub recovery_codes_left: i64,
}

fn qr_svg(text: &str) -> Result<String, ServiceError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| ServiceError::Internal(e.into()))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: drop the XML declaration.
    Ok(svg.find("<svg").map(|i| svg[i..].to_string()).unwrap_or(svg))
}

/// The user's two-factor state; decrypts a pending seed for display.
pub async fn status(pool: &PgPool, key: &SecretKey, user: &CurrentUser) -> Result<Status, ServiceError> {
    let row = sqlx::query!(
        r#"SELECT secret_sealed, enabled_at IS NOT NULL AS "enabled!",
                  (SELECT count(*) FROM recovery_codes r WHERE r.user_id = t.user_id AND r.used_at IS NULL) AS "left!"
           FROM two_factor t WHERE user_id = $1"#,
        user.user_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(Status {
            enabled: false,
            enrolment: None,
            recovery_codes_left: 0,
        });
    };
    // Staff viewing as the user never see the secret being enrolled.
    let enrolment = if row.enabled || user.viewed_by.is_some() {
        None
    } else {
        let secret = key.open(&row.secret_sealed)?;
        let t = totp(secret, &user.email);
        let otpauth_url = t.get_url();
        Some(Enrolment {
            secret_base32: t.get_secret_base32(),
            qr_svg: qr_svg(&otpauth_url)?,
            otpauth_url,
        })
    };
    Ok(Status {
        enabled: row.enabled,
        enrolment,
        recovery_codes_left: row.left,
    })
}

/// Makes a new seed for the user to scan (replacing an unconfirmed one).
/// Needs a recent authentication, like every security change: a stolen
/// session must not be able to put its own second factor on the account.
/// Two-factor stays off until `confirm_enrolment`.
pub async fn start_enrolment(deps: &Deps, actor: &Actor) -> Result<(), ServiceError> {
    step_up::require(actor)?;
    let mut secret = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut secret);
    let sealed = deps
        .secret_key
        .seal(&secret)
        .map_err(|e| ServiceError::Internal(e.into()))?;
    sqlx::query!(
        r#"INSERT INTO two_factor (user_id, secret_sealed) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, created_at = now()
           WHERE two_factor.enabled_at IS NULL"#,
        actor.id(),
        sealed
    )
    .execute(&deps.pool)
    .await?;
    Ok(())
}

/// Turns two-factor on after a correct code from the new seed (step-up as
/// for starting; a code from the new seed proves nothing about who set it
/// up, so it does not count as an authentication). Other sessions end;
/// returns the ten recovery codes to show once.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn confirm_enrolment(deps: &Deps, actor: &Actor, code: &str) -> Result<Vec<String>, ServiceError> {
    step_up::require(actor)?;
    let Some(SecondFactor::Code(code)) = SecondFactor::parse(code) else {
        return Err(crate::failure::invalid(
            "code",
            "Enter the 6-digit code your app shows.",
        ));
    };
    let user = &actor.user;
    let mut tx = deps.pool.begin().await?;
    let row = sqlx::query!(
        "SELECT secret_sealed FROM two_factor WHERE user_id = $1 AND enabled_at IS NULL FOR UPDATE",
        user.user_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        crate::failure::invalid(
            "code",
            "Start the set-up again: there is no code waiting to be confirmed.",
        )
    })?;
    let secret = deps.secret_key.open(&row.secret_sealed)?;
    let Some(step) = matching_step(&secret, &code, actor.now) else {
        return Err(crate::failure::invalid("code", WRONG_ENROLMENT_CODE));
    };
    sqlx::query!(
        "UPDATE two_factor SET enabled_at = now(), last_used_step = $2 WHERE user_id = $1",
        user.user_id,
        step
    )
    .execute(&mut *tx)
    .await?;
    let codes = replace_recovery_codes(&mut tx, user.user_id).await?;
    after_change(&mut tx, &deps.links, actor, Action::TwoFactorEnabled).await?;
    tx.commit().await?;
    tracing::info!("two-factor enabled");
    Ok(codes)
}

/// What every two-factor change does: other sessions end, the owner is
/// told, the log records it.
async fn after_change(
    conn: &mut PgConnection,
    links: &Links,
    actor: &Actor,
    action: Action,
) -> Result<(), ServiceError> {
    let user = &actor.user;
    sessions::end_all_except(&mut *conn, user.user_id, Some(user.session_id)).await?;
    let security = links.to("/settings/two-factor");
    let message = match action {
        Action::TwoFactorEnabled => templates::two_factor_enabled(&user.display_name, &security),
        Action::TwoFactorDisabled => templates::two_factor_disabled(&user.display_name, &security),
        _ => templates::recovery_codes_regenerated(&user.display_name, &security),
    };
    mail::enqueue(&mut *conn, &user.email, &message).await?;
    let me = Some(user.user_id);
    activity::record(
        &mut *conn,
        user.user_id,
        NewEntry::from(me, &actor.client, action, json!({})),
    )
    .await?;
    Ok(())
}

/// New recovery codes; the old ones stop working. Needs a recent
/// authentication (step-up).
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn regenerate_recovery_codes(deps: &Deps, actor: &Actor) -> Result<Vec<String>, ServiceError> {
    step_up::require(actor)?;
    let mut tx = deps.pool.begin().await?;
    let enabled = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL) AS "e!""#,
        actor.id()
    )
    .fetch_one(&mut *tx)
    .await?;
    if !enabled {
        return Err(ServiceError::Conflict(TWO_FACTOR_OFF.into()));
    }
    let codes = replace_recovery_codes(&mut tx, actor.id()).await?;
    after_change(&mut tx, &deps.links, actor, Action::RecoveryCodesRegenerated).await?;
    tx.commit().await?;
    Ok(codes)
}

/// What turning two-factor off asks for.
pub struct DisableProof<'a> {
    pub password: &'a str,
    pub code: &'a str,
}

/// Turns two-factor off: needs the password and a code (or a recovery
/// code) now, which is also a fresh authentication. Failures count
/// towards the pause.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn disable(deps: &Deps, actor: &Actor, proof: DisableProof<'_>) -> Result<(), ServiceError> {
    let factor = SecondFactor::parse(proof.code);
    let mut missing = crate::failure::Invalid::default();
    if proof.password.is_empty() {
        missing.push("disable_password", "Enter your password.");
    }
    if factor.is_none() {
        missing.push("disable_code", ENTER_CODE);
    }
    let (Some(factor), true) = (factor, missing.is_empty()) else {
        return Err(ServiceError::Invalid(missing.0));
    };
    let user = &actor.user;
    let mut tx = step_up::check_answers(
        deps,
        actor,
        step_up::Answers {
            password: proof.password,
            factor: Some(&factor),
            password_field: "disable_password",
            code_field: "disable_code",
        },
    )
    .await?;
    sqlx::query!("DELETE FROM two_factor WHERE user_id = $1", user.user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user.user_id)
        .execute(&mut *tx)
        .await?;
    // Password and code were just checked: that is an authentication.
    sessions::mark_authenticated(&mut tx, user.session_id, actor.now).await?;
    after_change(&mut tx, &deps.links, actor, Action::TwoFactorDisabled).await?;
    tx.commit().await?;
    tracing::info!("two-factor disabled");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enrolment_qr_code_is_inline_svg() {
        let svg = qr_svg("otpauth://totp/KSFoundation:a%40b.c?secret=ABC&issuer=KSFoundation").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    }
}
