//! Invitations to a hosting account: by email, through the outbox, valid
//! for 7 days, single use. The invitee accepts signed in as the invited
//! address (new people sign up first, then land on their invitations).

use serde_json::json;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::access::Access;
use super::{invalid, ServiceError};
use crate::activity::{record_for_account, Action, NewEntry};
use crate::mail::{self, templates};
use crate::notifications;
use crate::rate_limit;
use crate::tokens::{hash_token, new_token};
use crate::{Actor, Deps};
use domain::{Email, MemberRole, Permission};

pub const INVITATION_TTL: Duration = Duration::days(7);

/// Who to invite, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub email: Email,
    /// Never `Owner`: ownership is transferred, not granted.
    pub role: MemberRole,
}

/// Not a member already, and within the account's and the user's caps
/// (each invitation is an email).
async fn may_invite(
    tx: &mut sqlx::PgConnection,
    deps: &Deps,
    actor: &Actor,
    account_id: Uuid,
    email: &Email,
) -> Result<(), ServiceError> {
    let already = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM hosting_members m JOIN users u ON u.id = m.user_id
                         WHERE m.account_id = $1 AND lower(u.email) = lower($2)) AS "e!""#,
        account_id,
        email.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    if already {
        return Err(invalid(
            "email",
            "That person is already a member of this account.",
        ));
    }
    rate_limit::hit(
        &mut *tx,
        &rate_limit::INVITATIONS_PER_ACCOUNT,
        &account_id.to_string(),
    )
    .await?
    .map_err(crate::failure::over("Too many invitations from this account."))?;
    let per_user = deps.limits.invitations_per_user();
    rate_limit::hit(&mut *tx, &per_user, &actor.id().to_string())
        .await?
        .map_err(crate::failure::over("You have sent too many invitations today."))?;
    Ok(())
}

/// Invites someone (owner, admin); replaces a pending invitation to the
/// same address. Each invitation is an email, so both the account and the
/// inviting user have a cap. Returns the invitation id.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id()))]
pub async fn invite(
    deps: &Deps,
    actor: &Actor,
    access: &Access,
    invitation: &NewInvitation,
) -> Result<Uuid, ServiceError> {
    access.require(Permission::ManageMembers)?;
    if invitation.role == MemberRole::Owner {
        return Err(invalid("role", "Choose admin, developer, billing or viewer."));
    }
    let (email, role) = (&invitation.email, invitation.role);
    let account_id = access.account_id();
    let mut tx = deps.pool.begin().await?;
    let account = sqlx::query!(
        r#"SELECT name, status AS "status: domain::AccountStatus" FROM hosting_accounts WHERE id = $1 FOR UPDATE"#,
        account_id
    )
    .fetch_one(&mut *tx)
    .await?;
    super::access::writable(account.status, Permission::ManageMembers)?;
    may_invite(&mut tx, deps, actor, account_id, email).await?;
    sqlx::query!(
        r#"UPDATE hosting_invitations SET revoked_at = now()
           WHERE account_id = $1 AND lower(email) = lower($2) AND accepted_at IS NULL AND revoked_at IS NULL"#,
        account_id,
        email.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let token = new_token();
    let id = sqlx::query_scalar!(
        r#"INSERT INTO hosting_invitations (account_id, email, role, token_hash, invited_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"#,
        account_id,
        email.as_str(),
        role as MemberRole,
        token.hash,
        actor.id(),
        actor.now + INVITATION_TTL
    )
    .fetch_one(&mut *tx)
    .await?;
    let link = deps
        .links
        .to(&format!("/invitations/accept?token={}", token.secret));
    let message = templates::invitation(&actor.user.display_name, &account.name, role.label(), &link);
    mail::enqueue(&mut tx, email.as_str(), &message).await?;
    // Someone who already has an account sees it in the portal too.
    let title = format!(
        "{} invited you to {} as {}",
        actor.user.display_name,
        account.name,
        role.label().to_lowercase()
    );
    notifications::notify_address(
        &mut tx,
        email.as_str(),
        notifications::Kind::Invitation,
        &title,
        "/invitations",
    )
    .await?;
    let details = json!({ "email": email.as_str(), "role": role.as_str() });
    let action = Action::MemberInvited;
    record_for_account(&mut tx, account_id, NewEntry::by(actor, action, details)).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub email: String,
    pub role: MemberRole,
    pub expires_at: OffsetDateTime,
}

/// Invitations not yet accepted, revoked or expired (owner, admin).
pub async fn pending(
    pool: &PgPool,
    access: &Access,
    now: OffsetDateTime,
) -> Result<Vec<PendingInvitation>, ServiceError> {
    access.require(Permission::ManageMembers)?;
    Ok(sqlx::query_as!(
        PendingInvitation,
        r#"SELECT id, email, role AS "role: MemberRole", expires_at FROM hosting_invitations
           WHERE account_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2
           ORDER BY created_at DESC"#,
        access.account_id(),
        now
    )
    .fetch_all(pool)
    .await?)
}

/// Withdraws a pending invitation (owner, admin).
pub async fn revoke(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    invitation_id: Uuid,
) -> Result<(), ServiceError> {
    access.require(Permission::ManageMembers)?;
    let account_id = access.account_id();
    let mut tx = pool.begin().await?;
    let email = sqlx::query_scalar!(
        r#"UPDATE hosting_invitations SET revoked_at = now()
           WHERE id = $1 AND account_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
           RETURNING email"#,
        invitation_id,
        account_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ServiceError::Conflict("That invitation was already used or withdrawn.".into()))?;
    let details = json!({ "email": email });
    let action = Action::InvitationRevoked;
    record_for_account(&mut tx, account_id, NewEntry::by(actor, action, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// What an invitation link or the "my invitations" list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationView {
    pub id: Uuid,
    pub account_name: String,
    pub inviter: String,
    pub email: String,
    pub role: MemberRole,
    pub state: InvitationState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    Expired,
    Used,
}

/// How the invitee names the invitation: by the emailed link, or by id
/// from the list of invitations to their own address.
#[derive(Debug, Clone)]
pub enum InvitationRef {
    Token(String),
    Id(Uuid),
}

/// The invitation behind a link, for its page (anyone holding the link).
pub async fn by_token(
    pool: &PgPool,
    token: &str,
    now: OffsetDateTime,
) -> Result<InvitationView, ServiceError> {
    find(pool, &InvitationRef::Token(token.to_string()), now)
        .await?
        .ok_or_else(|| ServiceError::Conflict("This invitation link is not valid.".into()))
}

/// Which invitations to look up.
enum Lookup<'a> {
    One(&'a InvitationRef),
    /// Open invitations to this address, newest first.
    OpenTo(&'a str),
}

async fn views(
    pool: &PgPool,
    lookup: Lookup<'_>,
    now: OffsetDateTime,
) -> Result<Vec<InvitationView>, ServiceError> {
    let (hash, id, email) = match lookup {
        Lookup::One(InvitationRef::Token(t)) => (Some(hash_token(t.trim())), None, None),
        Lookup::One(InvitationRef::Id(id)) => (None, Some(*id), None),
        Lookup::OpenTo(email) => (None, None, Some(email)),
    };
    let rows = sqlx::query!(
        r#"SELECT i.id, i.email, i.role AS "role: MemberRole", i.expires_at, i.accepted_at, i.revoked_at, a.name AS account_name,
                  coalesce(u.display_name, 'A team member') AS "inviter!"
           FROM hosting_invitations i
           JOIN hosting_accounts a ON a.id = i.account_id
           LEFT JOIN users u ON u.id = i.invited_by
           WHERE ($1::bytea IS NOT NULL AND i.token_hash = $1)
              OR ($2::uuid IS NOT NULL AND i.id = $2)
              OR ($3::text IS NOT NULL AND lower(i.email) = lower($3)
                  AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $4)
           ORDER BY i.created_at DESC"#,
        hash,
        id,
        email,
        now
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let state = if r.accepted_at.is_some() || r.revoked_at.is_some() {
                InvitationState::Used
            } else if r.expires_at <= now {
                InvitationState::Expired
            } else {
                InvitationState::Open
            };
            InvitationView {
                id: r.id,
                account_name: r.account_name,
                inviter: r.inviter,
                email: r.email,
                role: r.role,
                state,
            }
        })
        .collect())
}

async fn find(
    pool: &PgPool,
    by: &InvitationRef,
    now: OffsetDateTime,
) -> Result<Option<InvitationView>, ServiceError> {
    Ok(views(pool, Lookup::One(by), now).await?.into_iter().next())
}

/// Open invitations to the user's own (confirmed) address.
pub async fn for_user(pool: &PgPool, actor: &Actor) -> Result<Vec<InvitationView>, ServiceError> {
    views(pool, Lookup::OpenTo(&actor.user.email), actor.now).await
}

/// Joins the account with the invited role. The user must be signed in as
/// the invited address; the invitation then stops working.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn accept(pool: &PgPool, actor: &Actor, by: &InvitationRef) -> Result<Uuid, ServiceError> {
    let (user, now) = (&actor.user, actor.now);
    let view = find(pool, by, now)
        .await?
        .ok_or_else(|| ServiceError::Conflict("This invitation link is not valid.".into()))?;
    match view.state {
        InvitationState::Used => {
            return Err(ServiceError::Conflict(
                "This invitation was already used or withdrawn.".into(),
            ))
        }
        InvitationState::Expired => {
            return Err(ServiceError::Conflict(
                "This invitation has expired. Ask for a new one.".into(),
            ))
        }
        InvitationState::Open => {}
    }
    if !view.email.eq_ignore_ascii_case(&user.email) {
        return Err(ServiceError::Conflict(format!(
            "This invitation was sent to {}. Sign in with that address to accept it.",
            view.email
        )));
    }
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"UPDATE hosting_invitations SET accepted_at = now(), accepted_by = $2
           WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3
           RETURNING account_id, role AS "role: MemberRole""#,
        view.id,
        user.user_id,
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ServiceError::Conflict("This invitation was already used or withdrawn.".into()))?;
    let joined = sqlx::query!(
        "INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        row.account_id,
        user.user_id,
        row.role as MemberRole
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if joined == 0 {
        return Err(ServiceError::Conflict(
            "You are already a member of this account.".into(),
        ));
    }
    let details = json!({ "member": user.display_name, "email": user.email, "role": row.role.as_str() });
    let action = Action::MemberJoined;
    record_for_account(
        &mut tx,
        row.account_id,
        NewEntry::from(Some(user.user_id), &actor.client, action, details),
    )
    .await?;
    tx.commit().await?;
    Ok(row.account_id)
}

/// Whether the address has open invitations (new accounts land on them).
pub async fn any_open_for(pool: &PgPool, email: &str, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM hosting_invitations
                         WHERE lower(email) = lower($1) AND accepted_at IS NULL AND revoked_at IS NULL
                           AND expires_at > $2) AS "e!""#,
        email,
        now
    )
    .fetch_one(pool)
    .await
}
