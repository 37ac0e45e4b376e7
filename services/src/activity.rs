//! The activity (audit) log: security and account events, with actor, IP,
//! browser and time. Written in the transaction of the change it records.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ClientInfo;

/// What happened. Stored as text; new kinds need no migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AccountCreated,
    EmailVerified,
    SignedIn,
    SignInFailed,
    SignedOut,
    PasswordReset,
    PasswordChanged,
    EmailChangeRequested,
    EmailChanged,
    SessionRevoked,
    OtherSessionsRevoked,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodeUsed,
    RecoveryCodesRegenerated,
    IdentityConfirmed,
    /// Support locked or unlocked the user, or ended their sessions.
    AccountLocked,
    AccountUnlocked,
    SessionsEndedBySupport,
    /// Support looked at the portal as the user (read-only).
    SupportViewed,
    /// Support reset the user's two-factor after checking who they are.
    TwoFactorResetBySupport,
    /// The user asked for a copy of their data.
    DataExportRequested,
    // Hosting accounts (recorded with the account, see `record_for_account`).
    HostingAccountCreated,
    HostingAccountUpdated,
    PlanChanged,
    HostingAccountCancelled,
    HostingAccountSuspended,
    HostingAccountResumed,
    MemberInvited,
    InvitationRevoked,
    MemberJoined,
    MemberRoleChanged,
    MemberRemoved,
    MemberLeft,
    OwnershipTransferred,
    // Billing (recorded with the account by the Stripe event worker).
    BillingAccountActivated,
    BillingPaymentReceived,
    BillingPaymentFailed,
    BillingCancelScheduled,
    BillingCancelWithdrawn,
    BillingSubscriptionEnded,
    BillingSuspendedUnpaid,
    // Domains and DNS (recorded with the domain's account).
    DomainAdded,
    DomainRemoved,
    /// A name bought here was registered at the registrar.
    DomainRegistered,
    /// The registrar refused a paid name: the payment was refunded.
    DomainRegistrationRefunded,
    /// A name registered here was renewed.
    DomainRenewed,
    /// A name registered elsewhere was transferred to us.
    DomainTransferred,
    DnsChanged,
    /// The delegation check found the parent zone pointing at us.
    DomainDelegated,
    /// The delegation check found it pointing elsewhere (was active).
    DomainDelegationLost,
    // Sites on hosting nodes (recorded with the account).
    SiteDeployed,
    SiteRolledBack,
    /// The node refused an uploaded site.
    SiteDeployFailed,
    /// Staff moved the site to another hosting node.
    SiteMoved,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::AccountCreated => "account_created",
            Action::EmailVerified => "email_verified",
            Action::SignedIn => "signed_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignedOut => "signed_out",
            Action::PasswordReset => "password_reset",
            Action::PasswordChanged => "password_changed",
            Action::EmailChangeRequested => "email_change_requested",
            Action::EmailChanged => "email_changed",
            Action::SessionRevoked => "session_revoked",
            Action::OtherSessionsRevoked => "other_sessions_revoked",
            Action::TwoFactorEnabled => "two_factor_enabled",
            Action::TwoFactorDisabled => "two_factor_disabled",
            Action::RecoveryCodeUsed => "recovery_code_used",
            Action::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            Action::IdentityConfirmed => "identity_confirmed",
            Action::AccountLocked => "account_locked",
            Action::AccountUnlocked => "account_unlocked",
            Action::SessionsEndedBySupport => "sessions_ended_by_support",
            Action::SupportViewed => "support_viewed",
            Action::TwoFactorResetBySupport => "two_factor_reset_by_support",
            Action::DataExportRequested => "data_export_requested",
            Action::HostingAccountCreated => "hosting_account_created",
            Action::HostingAccountUpdated => "hosting_account_updated",
            Action::PlanChanged => "plan_changed",
            Action::HostingAccountCancelled => "hosting_account_cancelled",
            Action::HostingAccountSuspended => "hosting_account_suspended",
            Action::HostingAccountResumed => "hosting_account_resumed",
            Action::MemberInvited => "member_invited",
            Action::InvitationRevoked => "invitation_revoked",
            Action::MemberJoined => "member_joined",
            Action::MemberRoleChanged => "member_role_changed",
            Action::MemberRemoved => "member_removed",
            Action::MemberLeft => "member_left",
            Action::OwnershipTransferred => "ownership_transferred",
            Action::BillingAccountActivated => "billing_account_activated",
            Action::BillingPaymentReceived => "billing_payment_received",
            Action::BillingPaymentFailed => "billing_payment_failed",
            Action::BillingCancelScheduled => "billing_cancel_scheduled",
            Action::BillingCancelWithdrawn => "billing_cancel_withdrawn",
            Action::BillingSubscriptionEnded => "billing_subscription_ended",
            Action::BillingSuspendedUnpaid => "billing_suspended_unpaid",
            Action::DomainAdded => "domain_added",
            Action::DomainRemoved => "domain_removed",
            Action::DomainRegistered => "domain_registered",
            Action::DomainRegistrationRefunded => "domain_registration_refunded",
            Action::DomainRenewed => "domain_renewed",
            Action::DomainTransferred => "domain_transferred",
            Action::DnsChanged => "dns_changed",
            Action::DomainDelegated => "domain_delegated",
            Action::DomainDelegationLost => "domain_delegation_lost",
            Action::SiteDeployed => "site_deployed",
            Action::SiteRolledBack => "site_rolled_back",
            Action::SiteDeployFailed => "site_deploy_failed",
            Action::SiteMoved => "site_moved",
        }
    }

    /// A sentence for the user's own security page.
    pub fn describe(action: &str) -> &'static str {
        match action {
            "account_created" => "Account created",
            "email_verified" => "Email address confirmed",
            "signed_in" => "Signed in",
            "sign_in_failed" => "Failed sign-in attempt (wrong password or code)",
            "signed_out" => "Signed out",
            "password_reset" => "Password reset with an emailed link",
            "password_changed" => "Password changed",
            "email_change_requested" => "Change of email address requested",
            "email_changed" => "Email address changed",
            "session_revoked" => "A session was signed out",
            "other_sessions_revoked" => "All other sessions were signed out",
            "two_factor_enabled" => "Two-factor authentication turned on",
            "two_factor_disabled" => "Two-factor authentication turned off",
            "recovery_code_used" => "A recovery code was used to sign in",
            "recovery_codes_regenerated" => "New recovery codes were made (the old ones stopped working)",
            "identity_confirmed" => "Identity confirmed for a sensitive change",
            "account_locked" => "Support locked your account",
            "account_unlocked" => "Support unlocked your account",
            "sessions_ended_by_support" => "Support signed out all your sessions",
            "support_viewed" => "Support viewed your account (read-only)",
            "data_export_requested" => "A copy of your data was asked for",
            "two_factor_reset_by_support" => {
                "Support turned off two-factor authentication after checking who you are"
            }
            _ => "Account activity",
        }
    }
}

/// Whose log an event goes to.
#[derive(Debug, Clone, Copy)]
enum Subject {
    /// A user's own account (their security page).
    User(Uuid),
    /// A hosting account (its activity feed).
    HostingAccount(Uuid),
}

/// One entry of a log: what happened, who did it (None: the system), from
/// where, and what its sentence names (emails, roles, plan names) as they
/// were at the time.
pub struct NewEntry<'a> {
    pub action: Action,
    pub actor: Option<Uuid>,
    pub client: &'a ClientInfo,
    pub details: Value,
}

impl<'a> NewEntry<'a> {
    /// What a signed-in user did, from where they did it.
    pub fn by(actor: &'a crate::Actor, action: Action, details: Value) -> Self {
        Self::from(Some(actor.id()), &actor.client, action, details)
    }

    /// What no signed-in user did: the platform on its own (a webhook, a
    /// grace period ending, a scheduled check) or someone not signed in (a
    /// failed sign-in), with the client it came through.
    pub fn without_actor(client: &'a ClientInfo, action: Action, details: Value) -> Self {
        Self::from(None, client, action, details)
    }

    /// A user known by id (not signed in as an `Actor`: a sign-in under
    /// way, an invitation's link), from `client`.
    pub fn from(actor: Option<Uuid>, client: &'a ClientInfo, action: Action, details: Value) -> Self {
        Self {
            action,
            actor,
            client,
            details,
        }
    }
}

async fn insert(conn: &mut PgConnection, subject: Subject, entry: NewEntry<'_>) -> Result<(), sqlx::Error> {
    let (user_id, account_id) = match subject {
        Subject::User(id) => (Some(id), None),
        Subject::HostingAccount(id) => (None, Some(id)),
    };
    sqlx::query!(
        r#"INSERT INTO activity_log (user_id, account_id, actor_id, action, details, ip, user_agent)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        user_id,
        account_id,
        entry.actor,
        entry.action.as_str(),
        entry.details,
        entry.client.ip,
        entry.client.user_agent
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends one entry to `user_id`'s own log (their security page).
pub async fn record(conn: &mut PgConnection, user_id: Uuid, entry: NewEntry<'_>) -> Result<(), sqlx::Error> {
    insert(conn, Subject::User(user_id), entry).await
}

/// Appends one entry to a hosting account's activity feed.
pub async fn record_for_account(
    conn: &mut PgConnection,
    account_id: Uuid,
    entry: NewEntry<'_>,
) -> Result<(), sqlx::Error> {
    insert(conn, Subject::HostingAccount(account_id), entry).await
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub action: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: OffsetDateTime,
}

pub const PAGE_SIZE: i64 = 20;

/// One page (from 1) of a user's own events, newest first, and whether
/// there is a next page.
pub async fn page_for_user(
    pool: &PgPool,
    user_id: Uuid,
    page: i64,
) -> Result<(Vec<Entry>, bool), sqlx::Error> {
    let page = page.max(1);
    let mut rows = sqlx::query_as!(
        Entry,
        r#"SELECT action, ip, user_agent, created_at FROM activity_log
           WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"#,
        user_id,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok((rows, more))
}
