//! The product's emails. Each is one `Message`, rendered to responsive HTML
//! (MJML through `mrml`) and to plain text from the same fields.

use domain::PRODUCT_NAME;

/// One email's content; the HTML and the text are both made from it.
#[derive(Debug, Clone)]
pub struct Message {
    /// Stored with the outbox row: which template made it.
    pub kind: &'static str,
    pub subject: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub action: Option<(String, String)>,
    /// Why the recipient got this email.
    pub reason: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Emails that protect an account or let its owner back in: sent even to
/// a suppressed address (see `suppression`).
pub const SECURITY_KINDS: &[&str] = &[
    "verify_email",
    "password_reset",
    "password_changed",
    "confirm_new_email",
    "email_change_notice",
    "new_sign_in",
    "sign_in_paused",
    "sign_up_attempt",
    "email_already_registered",
    "two_factor_enabled",
    "two_factor_disabled",
    "recovery_codes_regenerated",
    "account_locked",
];

impl Message {
    pub fn is_security(&self) -> bool {
        SECURITY_KINDS.contains(&self.kind)
    }

    pub fn text(&self) -> String {
        let mut out = format!("{}\n\n", self.heading);
        for p in &self.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        if let Some((label, url)) = &self.action {
            out.push_str(&format!("{label}: {url}\n\n"));
        }
        out.push_str(&format!("-- \n{PRODUCT_NAME}\n{}\n", self.reason));
        out
    }

    fn mjml(&self) -> String {
        let paragraphs: String = self
            .paragraphs
            .iter()
            .map(|p| {
                format!(
                    r#"<mj-text font-size="15px" line-height="1.6">{}</mj-text>"#,
                    escape(p)
                )
            })
            .collect();
        let action = self
            .action
            .as_ref()
            .map(|(label, url)| {
                format!(
                    r##"<mj-button background-color="#3355e0" border-radius="8px" font-weight="600" href="{url}">{label}</mj-button>
                       <mj-text font-size="12px" color="#5b6374">If the button does not work, copy this link into your browser: {url}</mj-text>"##,
                    url = escape(url),
                    label = escape(label)
                )
            })
            .unwrap_or_default();
        format!(
            r##"<mjml>
  <mj-head>
    <mj-title>{subject}</mj-title>
    <mj-attributes><mj-all font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" /></mj-attributes>
  </mj-head>
  <mj-body background-color="#f6f7fb">
    <mj-section><mj-column>
      <mj-text font-size="18px" font-weight="700" color="#3355e0">{product}</mj-text>
    </mj-column></mj-section>
    <mj-section background-color="#ffffff" border-radius="12px" padding="24px">
      <mj-column>
        <mj-text font-size="22px" font-weight="700" color="#161a23">{heading}</mj-text>
        {paragraphs}
        {action}
      </mj-column>
    </mj-section>
    <mj-section><mj-column>
      <mj-text font-size="12px" color="#5b6374">{reason}</mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>"##,
            subject = escape(&self.subject),
            product = PRODUCT_NAME,
            heading = escape(&self.heading),
            reason = escape(&self.reason),
        )
    }

    /// The copy kept once the email is sent, when it carries a single-use
    /// link (`token=`): the link is left out, so the database never holds
    /// a live one. None for emails without such a link.
    pub fn redacted(&self) -> Option<Message> {
        let (_, url) = self.action.as_ref()?;
        if !url.contains("token=") {
            return None;
        }
        let mut copy = self.clone();
        copy.action = None;
        copy.paragraphs
            .push("[The link in this email was removed from our records once it was sent.]".into());
        Some(copy)
    }

    pub fn html(&self) -> Result<String, String> {
        let parsed = mrml::parse(self.mjml()).map_err(|e| format!("email template: {e:?}"))?;
        parsed
            .element
            .render(&mrml::prelude::render::RenderOptions::default())
            .map_err(|e| format!("email template: {e:?}"))
    }
}

pub fn verify_email(name: &str, link: &str) -> Message {
    Message {
        kind: "verify_email",
        subject: format!("Confirm your email address for {PRODUCT_NAME}"),
        heading: format!("Welcome, {name}"),
        paragraphs: vec!["Confirm your email address to finish setting up your account. The link works once and expires in 24 hours.".into()],
        action: Some(("Confirm my email".into(), link.into())),
        reason: "You received this because someone signed up with this address. If it was not you, ignore this email and no account will be activated.".into(),
    }
}

pub fn welcome(name: &str, dashboard: &str) -> Message {
    Message {
        kind: "welcome",
        subject: format!("Welcome to {PRODUCT_NAME}"),
        heading: format!("You're all set, {name}"),
        paragraphs: vec!["Your email address is confirmed. From your dashboard you can create hosting accounts, add domains and invite your team.".into()],
        action: Some(("Open my dashboard".into(), dashboard.into())),
        reason: "You received this because you confirmed your email address.".into(),
    }
}

pub fn password_reset(name: &str, link: &str) -> Message {
    Message {
        kind: "password_reset",
        subject: format!("Reset your {PRODUCT_NAME} password"),
        heading: format!("Reset your password, {name}"),
        paragraphs: vec!["Use the button below to choose a new password. The link works once and expires in 1 hour.".into()],
        action: Some(("Choose a new password".into(), link.into())),
        reason: "You received this because a password reset was requested for this address. If it was not you, ignore this email: your password stays as it is.".into(),
    }
}

pub fn password_changed(name: &str, support: &str) -> Message {
    Message {
        kind: "password_changed",
        subject: format!("Your {PRODUCT_NAME} password was changed"),
        heading: format!("Your password was changed, {name}"),
        paragraphs: vec![
            "Your password was just changed and your other sessions were signed out.".into(),
            "If you did not do this, reset your password now and contact support.".into(),
        ],
        action: Some(("Contact support".into(), support.into())),
        reason: "You received this because the password of your account changed.".into(),
    }
}

pub fn account_locked(name: &str, support: &str) -> Message {
    Message {
        kind: "account_locked",
        subject: format!("Your {PRODUCT_NAME} account was locked"),
        heading: format!("Your account was locked, {name}"),
        paragraphs: vec![
            "Our support team locked your account and signed out its sessions. Your sites and domains keep working.".into(),
            "You cannot sign in until it is unlocked. Reply to this email or contact support to find out why.".into(),
        ],
        action: Some(("Contact support".into(), support.into())),
        reason: "You received this because your account was locked.".into(),
    }
}

pub fn confirm_new_email(name: &str, link: &str) -> Message {
    Message {
        kind: "confirm_new_email",
        subject: format!("Confirm your new email address for {PRODUCT_NAME}"),
        heading: format!("Confirm your new address, {name}"),
        paragraphs: vec!["Confirm this address to make it the one you sign in with. The link works once and expires in 24 hours.".into()],
        action: Some(("Confirm new address".into(), link.into())),
        reason: "You received this because someone asked to move an account to this address. If it was not you, ignore this email.".into(),
    }
}

pub fn data_export_ready(name: &str, link: &str) -> Message {
    Message {
        kind: "data_export_ready",
        subject: format!("Your {PRODUCT_NAME} data is ready to download"),
        heading: format!("Your data is ready, {name}"),
        paragraphs: vec![
            "The copy of your data you asked for is ready: a ZIP of JSON files with your profile, the hosting accounts you own with their domains and invoices, your support tickets and your activity.".into(),
            "The link works for 24 hours, once you are signed in.".into(),
        ],
        action: Some(("Download your data".into(), link.into())),
        reason: "You received this because a copy of your data was asked for. If it was not you, change your password and contact support.".into(),
    }
}

pub fn data_export_failed(name: &str, support: &str, too_large: bool) -> Message {
    let why = if too_large {
        "Your data is too large for one download. Contact support and we will send it to you another way."
    } else {
        "Something went wrong on our side while preparing it. Ask again from your settings in a while, or contact support."
    };
    Message {
        kind: "data_export_failed",
        subject: format!("Your {PRODUCT_NAME} data export could not be prepared"),
        heading: format!("We could not prepare your data, {name}"),
        paragraphs: vec![why.into()],
        action: Some(("Contact support".into(), support.into())),
        reason: "You received this because a copy of your data was asked for.".into(),
    }
}

pub fn two_factor_reset(name: &str, settings: &str) -> Message {
    Message {
        kind: "two_factor_reset",
        subject: format!("Two-factor authentication was turned off on your {PRODUCT_NAME} account"),
        heading: format!("Your two-factor was reset, {name}"),
        paragraphs: vec![
            "At your request, and after checking who you are, our support team turned off two-factor authentication on your account and signed out its sessions.".into(),
            "Sign in with your password, then turn two-factor on again with your new device.".into(),
            "If you did not ask for this, contact support at once.".into(),
        ],
        action: Some(("Turn two-factor on again".into(), settings.into())),
        reason: "You received this because your account's security changed.".into(),
    }
}

pub fn email_change_notice(name: &str, new_email: &str) -> Message {
    Message {
        kind: "email_change_notice",
        subject: format!("Your {PRODUCT_NAME} email address is changing"),
        heading: format!("Your sign-in address is changing, {name}"),
        paragraphs: vec![format!("A change of your account's email address to {new_email} was requested. It takes effect when the new address is confirmed."), "If you did not ask for this, change your password and contact support.".into()],
        action: None,
        reason: "You received this because this is the current address of your account.".into(),
    }
}

pub fn new_sign_in(name: &str, device: &str, ip: &str, when: &str) -> Message {
    Message {
        kind: "new_sign_in",
        subject: format!("New sign-in to your {PRODUCT_NAME} account"),
        heading: format!("New sign-in, {name}"),
        paragraphs: vec![format!("Your account was signed in to from a browser we had not seen before: {device}, from {ip}, at {when}."), "If this was you, there is nothing to do. If not, change your password now.".into()],
        action: None,
        reason: "You received this because we notify you of sign-ins from new devices.".into(),
    }
}

pub fn sign_in_paused(name: &str, reset_link: &str) -> Message {
    Message {
        kind: "sign_in_paused",
        subject: format!("Sign-ins to your {PRODUCT_NAME} account are paused"),
        heading: format!("We paused sign-ins to your account, {name}"),
        paragraphs: vec![
            "There were several failed attempts to sign in with your email address from browsers you have not used with it, so we paused sign-ins from new browsers for 15 minutes. Browsers you have signed in with before can still sign in.".into(),
            "If it was you, wait a little or reset your password. If it was not you, your password kept your account safe; consider changing it.".into(),
        ],
        action: Some(("Reset my password".into(), reset_link.into())),
        reason: "You received this because of repeated failed sign-ins to your account.".into(),
    }
}

/// Someone tried to sign up with an address that already has an account.
pub fn sign_up_attempt(name: &str, sign_in: &str, reset: &str) -> Message {
    Message {
        kind: "sign_up_attempt",
        subject: format!("Someone tried to sign up to {PRODUCT_NAME} with your address"),
        heading: format!("You already have an account, {name}"),
        paragraphs: vec![
            "Someone just tried to create a new account with this email address. There already is one, so nothing was created.".into(),
            format!("If it was you, sign in instead, or reset your password if you forgot it: {reset}"),
            "If it was not you, you can ignore this email.".into(),
        ],
        action: Some(("Sign in".into(), sign_in.into())),
        reason: "You received this because your address was entered on our sign-up form.".into(),
    }
}

/// Someone asked to move their account to an address that has one already.
pub fn email_already_registered(name: &str, sign_in: &str) -> Message {
    Message {
        kind: "email_already_registered",
        subject: format!("Your address was entered on {PRODUCT_NAME}"),
        heading: format!("Your address already has an account, {name}"),
        paragraphs: vec![
            "Someone asked to change the sign-in address of another account to this address. It already belongs to your account, so nothing changed.".into(),
            "If that was you, sign in with this address instead. Otherwise you can ignore this email.".into(),
        ],
        action: Some(("Sign in".into(), sign_in.into())),
        reason: "You received this because your address was entered on our settings form.".into(),
    }
}

/// Two-factor turned on, off, or its recovery codes replaced.
fn two_factor_notice(kind: &'static str, subject: &str, name: &str, what: &str, security: &str) -> Message {
    Message {
        kind,
        subject: format!("{subject} on your {PRODUCT_NAME} account"),
        heading: format!("{subject}, {name}"),
        paragraphs: vec![
            format!("{what} Your other sessions were signed out."),
            "If you did not do this, reset your password now and contact support.".into(),
        ],
        action: Some(("Review two-factor settings".into(), security.into())),
        reason: "You received this because the two-factor settings of your account changed.".into(),
    }
}

pub fn two_factor_enabled(name: &str, security: &str) -> Message {
    two_factor_notice(
        "two_factor_enabled",
        "Two-factor authentication is on",
        name,
        "Signing in now needs a code from your authenticator app (or a recovery code) after your password.",
        security,
    )
}

pub fn two_factor_disabled(name: &str, security: &str) -> Message {
    two_factor_notice(
        "two_factor_disabled",
        "Two-factor authentication is off",
        name,
        "Signing in now needs only your password.",
        security,
    )
}

pub fn recovery_codes_regenerated(name: &str, security: &str) -> Message {
    two_factor_notice(
        "recovery_codes_regenerated",
        "New recovery codes",
        name,
        "New recovery codes were made and the old ones no longer work.",
        security,
    )
}

pub fn invitation(inviter: &str, account: &str, role: &str, link: &str) -> Message {
    Message {
        kind: "invitation",
        subject: format!("{inviter} invited you to {account} on {PRODUCT_NAME}"),
        heading: format!("Join {account}"),
        paragraphs: vec![
            format!("{inviter} invited you to the hosting account {account} as {role}."),
            "Accept with the button below. If you have no account yet, create one with this email address first. The invitation works once and expires in 7 days.".into(),
        ],
        action: Some(("View the invitation".into(), link.into())),
        reason: "You received this because a member of a hosting account invited this address. If you don't know them, ignore this email.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_html_and_text_with_its_link_and_reason() {
        let link = "http://127.0.0.1:3000/verify?token=abc";
        for m in [
            verify_email("Ana", link),
            welcome("Ana", link),
            password_reset("Ana", link),
            password_changed("Ana", link),
            confirm_new_email("Ana", link),
            sign_in_paused("Ana", link),
        ] {
            let html = m.html().unwrap();
            assert!(html.contains(link), "{}: link in html", m.kind);
            assert!(html.contains("<html"), "{}", m.kind);
            let text = m.text();
            assert!(text.contains(link), "{}: link in text", m.kind);
            assert!(text.contains(&m.reason), "{}", m.kind);
        }
        let notice = email_change_notice("Ana", "new@example.com");
        assert!(notice.text().contains("new@example.com"));
        assert!(new_sign_in("Ana", "Firefox on Linux", "127.0.0.1", "now")
            .html()
            .unwrap()
            .contains("Firefox on Linux"));
    }

    #[test]
    fn user_text_is_escaped_in_html() {
        let m = welcome("<script>alert(1)</script>", "http://x/");
        let html = m.html().unwrap();
        assert!(!html.contains("<script>alert(1)"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
