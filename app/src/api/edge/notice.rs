//! The confirmations a page shows after an action, as one enum: a form
//! handler redirects with `?done=<code>` and the layout shows the message
//! (`components::toast::NoticeToast`). Codes in URLs are the only strings.

/// How a notice looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Success,
    Info,
    Error,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Success => "success",
            Tone::Info => "info",
            Tone::Error => "error",
        }
    }
}

macro_rules! notices {
    ($($variant:ident = $code:literal, $tone:ident, $message:literal;)*) => {
        /// Something that just happened, told on the next page.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Notice {
            $($variant,)*
        }

        impl Notice {
            pub const ALL: &'static [Notice] = &[$(Notice::$variant,)*];

            /// The value of `?done=` that carries it.
            pub fn code(self) -> &'static str {
                match self {
                    $(Notice::$variant => $code,)*
                }
            }

            pub fn message(self) -> &'static str {
                match self {
                    $(Notice::$variant => $message,)*
                }
            }

            pub fn tone(self) -> Tone {
                match self {
                    $(Notice::$variant => Tone::$tone,)*
                }
            }
        }
    };
}

notices! {
    // Signing in and out
    SignedOut = "signed_out", Info, "You are signed out.";
    PasswordReset = "password_reset", Success, "Your password was changed. Sign in with your new password.";
    SignInExpired = "sign_in_expired", Error, "Your sign-in took too long. Enter your email and password again.";
    AccountDeleted = "account_deleted", Info, "Your account was deleted.";
    // Settings
    NameSaved = "name_saved", Success, "Your name was saved.";
    EmailChangeSent = "email_change_sent", Success, "Check the inbox of your new address: the change takes effect when you confirm it there.";
    EmailChanged = "email_changed", Success, "Your new email address is confirmed. Your other sessions were signed out.";
    PasswordChanged = "password_changed", Success, "Your password was changed. Your other sessions were signed out.";
    SessionRevoked = "session_revoked", Success, "That session was signed out.";
    OtherSessionsRevoked = "others_revoked", Success, "All your other sessions were signed out.";
    SessionGone = "session_gone", Info, "That session was already signed out.";
    TwoFactorDisabled = "two_factor_off", Success, "Two-factor authentication is off. Your other sessions were signed out.";
    MailResumed = "mail_resumed", Success, "We will email this address again. If it bounces again, we stop again and show it here.";
    // Hosting accounts
    AccountCreated = "account_created", Success, "Your hosting account was created.";
    AccountSaved = "account_saved", Success, "Your changes were saved.";
    PlanChanged = "plan_changed", Success, "The plan was changed.";
    AccountCancelled = "account_cancelled", Success, "The hosting account was cancelled.";
    AccountSuspended = "account_suspended", Success, "The account was suspended.";
    AccountResumed = "account_resumed", Success, "The account was resumed.";
    Invited = "invited", Success, "The invitation was sent.";
    InvitationWithdrawn = "invitation_withdrawn", Success, "The invitation was withdrawn.";
    RoleChanged = "role_changed", Success, "The member's role was changed.";
    MemberRemoved = "member_removed", Success, "The member was removed.";
    OwnershipTransferred = "ownership_transferred", Success, "Ownership was transferred. You are now an admin.";
    Joined = "joined", Success, "Welcome! You joined the hosting account.";
    Left = "left", Success, "You left the hosting account.";
    // Support
    TicketOpened = "ticket_opened", Success, "Your ticket was sent. We emailed you a copy; replies appear here.";
    ReplySent = "reply_sent", Success, "Your reply was sent.";
    NoteAdded = "note_added", Success, "The internal note was added (customers do not see it).";
    TicketResolved = "ticket_resolved", Success, "The ticket is resolved.";
    TicketClosed = "ticket_closed", Success, "The ticket is closed.";
    TicketReopened = "ticket_reopened", Success, "The ticket is open again.";
    TicketAssigned = "ticket_assigned", Success, "The assignment was saved.";
    TicketSaved = "ticket_saved", Success, "Priority and category were saved.";
    TicketRated = "ticket_rated", Success, "Thank you for rating our answer.";
    TicketsClosed = "tickets_closed", Success, "The selected tickets are closed.";
    // Billing
    PlanChangeRequested = "plan_change_requested", Success, "The plan change is paid: the account moves to the new plan as soon as Stripe confirms it.";
    CancelScheduled = "cancel_scheduled", Success, "The subscription will end at the end of the current period. You can resume it until then.";
    CancelWithdrawn = "cancel_withdrawn", Success, "The subscription will renew as usual.";
    EventReplayed = "event_replayed", Success, "The event will be applied again.";
    // Domains and DNS
    DomainAdded = "domain_added", Success, "The domain was added. Point it at the name servers below at your registrar.";
    DomainRemoved = "domain_removed", Success, "The domain and its DNS records were removed.";
    RecordSaved = "record_saved", Success, "The record was saved.";
    RecordDeleted = "record_deleted", Success, "The record was deleted.";
    TemplateApplied = "template_applied", Success, "The template's records were added.";
    ZoneImported = "zone_imported", Success, "The zone file was imported.";
    ChangeReverted = "change_reverted", Success, "The change was reverted.";
    TldSaved = "tld_saved", Success, "The extension's price was saved. Searches show it at once.";
    TaskDone = "task_done", Success, "Done: the customer is told, and the name is live on our name servers.";
    TaskRefunded = "task_refunded", Success, "The order is being refunded; the customer is told why.";
    PrivacyOn = "privacy_on", Success, "WHOIS privacy is on: public lookups show the privacy service instead of your details.";
    PrivacyOff = "privacy_off", Success, "WHOIS privacy is off: public lookups show the registrant's details.";
    AutoRenewOn = "auto_renew_on", Success, "Automatic renewal is on: your saved card is charged 14 days before the domain expires.";
    AutoRenewOff = "auto_renew_off", Success, "Automatic renewal is off: the account's owners are reminded before the domain expires.";
    // Sites
    SiteUploaded = "site_uploaded", Success, "Your files are uploaded: the site switches to them within moments.";
    SiteRolledBack = "site_rolled_back", Success, "The earlier files are going back: the site serves them within moments.";
    SiteMoved = "site_moved", Success, "The site is moving: the new node serves it within moments and the old one deletes it. Its web records now point at the new node.";
    // Staff
    PlanSaved = "plan_saved", Success, "The plan was saved.";
    NodeTokenRevoked = "node_token_revoked", Success, "The token was revoked: the node can no longer report usage with it.";
    CustomerLocked = "customer_locked", Success, "The user is locked: their sessions ended and they were emailed to contact support.";
    CustomerUnlocked = "customer_unlocked", Success, "The user is unlocked and can sign in again.";
    CustomerSessionsEnded = "customer_sessions_ended", Success, "Every session of the user ended: they sign in again on each device.";
    CustomerNoteAdded = "customer_note_added", Success, "The note was added. The customer never sees it.";
    ViewAsStarted = "view_as_started", Info, "You are viewing the portal as this customer, read-only, for 15 minutes.";
    ViewAsEnded = "view_as_ended", Success, "The view as the customer ended: you act as yourself again.";
    VerificationResent = "verification_resent", Success, "A new link to confirm their address was emailed to them.";
    CustomerEmailChangeStarted = "customer_email_change_started", Success, "The new address was sent a link: the change takes effect when they use it. The old address was told.";
    TwoFactorResetRequested = "two_factor_reset_requested", Success, "The reset is waiting for another staff member to approve it.";
    TwoFactorResetApproved = "two_factor_reset_approved", Success, "Two-factor is off for the customer: their sessions ended and they were emailed to turn it on again.";
    TwoFactorResetCancelled = "two_factor_reset_cancelled", Success, "The reset was cancelled.";
    ExportRequested = "export_requested", Success, "We are preparing your data: the download link comes by email, usually within minutes.";
    CustomerExportRequested = "customer_export_requested", Success, "Their data is being prepared: the download link goes to their email address.";
    StaffRoleChanged = "staff_role_changed", Success, "The role was changed: it applies from their next page.";
    NodeSaved = "node_saved", Success, "The node was saved. Web records that pointed at its old addresses now point at the new ones.";
}

impl Notice {
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|n| n.code() == code)
    }

    /// `page` with this notice for the next render.
    pub fn on(self, page: &str) -> String {
        let sep = if page.contains('?') { '&' } else { '?' };
        format!("{page}{sep}done={}", self.code())
    }

    /// 303 to `page`, showing this notice there.
    #[cfg(feature = "ssr")]
    pub fn redirect(self, page: &str) -> axum::response::Response {
        crate::api::edge::forms::see_other(&self.on(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_and_reads_back() {
        let mut codes: Vec<_> = Notice::ALL.iter().map(|n| n.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Notice::ALL.len());
        for n in Notice::ALL {
            assert_eq!(Notice::from_code(n.code()), Some(*n));
        }
        assert_eq!(Notice::Invited.on("/hosting/1"), "/hosting/1?done=invited");
        assert_eq!(
            Notice::SignedOut.on("/login?next=/"),
            "/login?next=/&done=signed_out"
        );
    }
}
