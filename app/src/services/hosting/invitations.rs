//! Invitations to a hosting account: by email, through the outbox, valid
//! for 7 days, single use. The invitee accepts signed in as the invited
//! address (new people sign up first, then land on their invitations).

use serde_json::json;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::access::authorize;
use super::{invalid, HostingError};
use crate::domain::{CurrentUser, Email, MemberRole, Permission};
use crate::services::accounts::Links;
use crate::services::activity::{record_for_account, Action};
use crate::services::mail::{self, templates};
use crate::services::rate_limit;
use crate::services::sessions::ClientInfo;
use crate::services::tokens::{hash_token, new_token};

pub const INVITATION_TTL: Duration = Duration::days(7);

/// Invites `email` as `role` (owner, admin); replaces a pending invitation
/// to the same address. Returns the invitation id.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id, %account_id))]
#[allow(clippy::too_many_arguments)]
pub async fn invite(
    pool: &PgPool,
    links: &Links,
    user: &CurrentUser,
    account_id: Uuid,
    email: &str,
    role: &str,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<Uuid, HostingError> {
    let mut tx = pool.begin().await?;
    authorize(&mut tx, user, account_id, Permission::ManageMembers).await?;
    let mut errors = Vec::new();
    let email = Email::parse(email).map_err(|e| errors.push(("email", e.to_string())));
    let role = MemberRole::parse_assignable(role)
        .ok_or_else(|| errors.push(("role", "Choose admin, developer, billing or viewer.".to_string())));
    let (Ok(email), Ok(role)) = (email, role) else {
        return Err(HostingError::Invalid(errors));
    };
    let account = sqlx::query!(
        "SELECT name, status FROM hosting_accounts WHERE id = $1 FOR UPDATE",
        account_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if account.status == "cancelled" {
        return Err(HostingError::Conflict(
            "A cancelled account cannot get new members.".into(),
        ));
    }
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
    // Each invitation is an email: bound how many one account sends.
    rate_limit::hit(&mut tx, &rate_limit::INVITATIONS, &account_id.to_string())
        .await?
        .map_err(HostingError::RateLimited)?;
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
        role.as_str(),
        token.hash,
        user.user_id,
        now + INVITATION_TTL
    )
    .fetch_one(&mut *tx)
    .await?;
    let link = links.to(&format!("/invitations/accept?token={}", token.secret));
    let message = templates::invitation(&user.display_name, &account.name, role.label(), &link);
    mail::enqueue(&mut tx, email.as_str(), &message).await?;
    let details = json!({ "email": email.as_str(), "role": role.as_str() });
    record_for_account(
        &mut tx,
        account_id,
        Some(user.user_id),
        Action::MemberInvited,
        client,
        details,
    )
    .await?;
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
    user: &CurrentUser,
    account_id: Uuid,
    now: OffsetDateTime,
) -> Result<Vec<PendingInvitation>, HostingError> {
    let mut conn = pool.acquire().await?;
    authorize(&mut conn, user, account_id, Permission::ManageMembers).await?;
    let rows = sqlx::query!(
        r#"SELECT id, email, role, expires_at FROM hosting_invitations
           WHERE account_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2
           ORDER BY created_at DESC"#,
        account_id,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(PendingInvitation {
                id: r.id,
                email: r.email,
                role: MemberRole::parse(&r.role)?,
                expires_at: r.expires_at,
            })
        })
        .collect())
}

/// Withdraws a pending invitation (owner, admin).
pub async fn revoke(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    invitation_id: Uuid,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize(&mut tx, user, account_id, Permission::ManageMembers).await?;
    let email = sqlx::query_scalar!(
        r#"UPDATE hosting_invitations SET revoked_at = now()
           WHERE id = $1 AND account_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
           RETURNING email"#,
        invitation_id,
        account_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| HostingError::Conflict("That invitation was already used or withdrawn.".into()))?;
    let details = json!({ "email": email });
    record_for_account(
        &mut tx,
        account_id,
        Some(user.user_id),
        Action::InvitationRevoked,
        client,
        details,
    )
    .await?;
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
) -> Result<InvitationView, HostingError> {
    find(pool, &InvitationRef::Token(token.to_string()), now)
        .await?
        .ok_or_else(|| HostingError::Conflict("This invitation link is not valid.".into()))
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
) -> Result<Vec<InvitationView>, HostingError> {
    let (hash, id, email) = match lookup {
        Lookup::One(InvitationRef::Token(t)) => (Some(hash_token(t.trim())), None, None),
        Lookup::One(InvitationRef::Id(id)) => (None, Some(*id), None),
        Lookup::OpenTo(email) => (None, None, Some(email)),
    };
    let rows = sqlx::query!(
        r#"SELECT i.id, i.email, i.role, i.expires_at, i.accepted_at, i.revoked_at, a.name AS account_name,
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
        .filter_map(|r| {
            let state = if r.accepted_at.is_some() || r.revoked_at.is_some() {
                InvitationState::Used
            } else if r.expires_at <= now {
                InvitationState::Expired
            } else {
                InvitationState::Open
            };
            Some(InvitationView {
                id: r.id,
                account_name: r.account_name,
                inviter: r.inviter,
                email: r.email,
                role: MemberRole::parse(&r.role)?,
                state,
            })
        })
        .collect())
}

async fn find(
    pool: &PgPool,
    by: &InvitationRef,
    now: OffsetDateTime,
) -> Result<Option<InvitationView>, HostingError> {
    Ok(views(pool, Lookup::One(by), now).await?.into_iter().next())
}

/// Open invitations to the user's own (confirmed) address.
pub async fn for_user(
    pool: &PgPool,
    user: &CurrentUser,
    now: OffsetDateTime,
) -> Result<Vec<InvitationView>, HostingError> {
    views(pool, Lookup::OpenTo(&user.email), now).await
}

/// Joins the account with the invited role. The user must be signed in as
/// the invited address; the invitation then stops working.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id))]
pub async fn accept(
    pool: &PgPool,
    user: &CurrentUser,
    by: &InvitationRef,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<Uuid, HostingError> {
    let view = find(pool, by, now)
        .await?
        .ok_or_else(|| HostingError::Conflict("This invitation link is not valid.".into()))?;
    match view.state {
        InvitationState::Used => {
            return Err(HostingError::Conflict(
                "This invitation was already used or withdrawn.".into(),
            ))
        }
        InvitationState::Expired => {
            return Err(HostingError::Conflict(
                "This invitation has expired. Ask for a new one.".into(),
            ))
        }
        InvitationState::Open => {}
    }
    if !view.email.eq_ignore_ascii_case(&user.email) {
        return Err(HostingError::Conflict(format!(
            "This invitation was sent to {}. Sign in with that address to accept it.",
            view.email
        )));
    }
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"UPDATE hosting_invitations SET accepted_at = now(), accepted_by = $2
           WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3
           RETURNING account_id, role"#,
        view.id,
        user.user_id,
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| HostingError::Conflict("This invitation was already used or withdrawn.".into()))?;
    let joined = sqlx::query!(
        "INSERT INTO hosting_members (account_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        row.account_id,
        user.user_id,
        row.role
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if joined == 0 {
        return Err(HostingError::Conflict(
            "You are already a member of this account.".into(),
        ));
    }
    let details = json!({ "member": user.display_name, "email": user.email, "role": row.role });
    record_for_account(
        &mut tx,
        row.account_id,
        Some(user.user_id),
        Action::MemberJoined,
        client,
        details,
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
