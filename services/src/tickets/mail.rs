//! The emails about a ticket, queued in the transaction of the change
//! (so each is written once, and only if the change commits). Every
//! subject carries the ticket number; internal notes are never sent.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::mail::{outbox, Message};
use crate::Deps;
use domain::tickets::ticket_label;
use domain::PRODUCT_NAME;

/// What the emails of one ticket need.
#[derive(Debug, Clone)]
pub struct TicketMail {
    pub number: i64,
    pub subject: String,
    pub author_email: String,
    pub author_name: String,
    /// The author still supports the ticket's account (or it is about no
    /// account): a former member hears nothing more about it.
    pub author_current: bool,
    pub assignee_email: Option<String>,
}

impl TicketMail {
    pub async fn load(conn: &mut PgConnection, ticket_id: Uuid) -> Result<Self, sqlx::Error> {
        let row = sqlx::query!(
            r#"SELECT t.number, t.subject, a.email AS author_email, a.display_name AS author_name,
                      s.email AS "assignee_email?",
                      (t.account_id IS NULL OR EXISTS (
                          SELECT 1 FROM hosting_members m WHERE m.account_id = t.account_id
                             AND m.user_id = t.author_id AND m.role = ANY($2))) AS "author_current!"
               FROM tickets t JOIN users a ON a.id = t.author_id
               LEFT JOIN users s ON s.id = t.assignee_id
               WHERE t.id = $1"#,
            ticket_id,
            &super::access::support_roles()
        )
        .fetch_one(conn)
        .await?;
        Ok(Self {
            number: row.number,
            subject: row.subject,
            author_email: row.author_email,
            author_name: row.author_name,
            author_current: row.author_current,
            assignee_email: row.assignee_email,
        })
    }

    fn title(&self) -> String {
        format!("[Ticket {}] {}", ticket_label(self.number), self.subject)
    }

    fn link(&self, deps: &Deps) -> String {
        deps.links.to(&format!("/support/{}", self.number))
    }

    /// Staff hear of it: the assignee, or else the support address.
    fn staff_address<'a>(&'a self, deps: &'a Deps) -> Option<&'a str> {
        self.assignee_email.as_deref().or(deps.support.address.as_deref())
    }
}

/// Long replies are cut in emails; the link shows the whole thread.
fn excerpt(text: &str) -> String {
    const MOST: usize = 4000;
    if text.len() <= MOST {
        return text.to_string();
    }
    let mut end = MOST;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[…the rest is on the ticket page]", &text[..end])
}

/// A new ticket: a confirmation to its author, a notice to staff.
pub async fn opened(
    conn: &mut PgConnection,
    deps: &Deps,
    t: &TicketMail,
    body: &str,
) -> Result<(), outbox::EnqueueError> {
    let confirmation = Message {
        kind: "ticket_opened",
        subject: t.title(),
        heading: format!("We received your ticket {}", ticket_label(t.number)),
        paragraphs: vec![
            format!("Hello {}, thank you for contacting support. We will answer as soon as we can; you will get an email when we do.", t.author_name),
            format!("Your message:\n{}", excerpt(body)),
        ],
        action: Some(("View the ticket".into(), t.link(deps))),
        reason: format!("You opened a support ticket at {PRODUCT_NAME}."),
    };
    outbox::enqueue(&mut *conn, &t.author_email, &confirmation).await?;
    if let Some(to) = t.staff_address(deps) {
        let notice = Message {
            kind: "ticket_new_staff",
            subject: t.title(),
            heading: format!("New ticket {} from {}", ticket_label(t.number), t.author_name),
            paragraphs: vec![excerpt(body)],
            action: Some(("Open the ticket".into(), t.link(deps))),
            reason: "You are on the support team.".into(),
        };
        outbox::enqueue(&mut *conn, to, &notice).await?;
    }
    Ok(())
}

/// A staff reply, to the customer.
pub async fn staff_replied(
    conn: &mut PgConnection,
    deps: &Deps,
    t: &TicketMail,
    body: &str,
) -> Result<(), outbox::EnqueueError> {
    if !t.author_current {
        return Ok(());
    }
    let message = Message {
        kind: "ticket_reply_customer",
        subject: format!("Re: {}", t.title()),
        heading: format!("Support replied to {}", ticket_label(t.number)),
        paragraphs: vec![excerpt(body)],
        action: Some(("Reply on the ticket page".into(), t.link(deps))),
        reason: format!("You opened this support ticket at {PRODUCT_NAME}."),
    };
    outbox::enqueue(conn, &t.author_email, &message).await?;
    Ok(())
}

/// A customer reply, to the assignee (or the support address).
pub async fn customer_replied(
    conn: &mut PgConnection,
    deps: &Deps,
    t: &TicketMail,
    by: &str,
    body: &str,
) -> Result<(), outbox::EnqueueError> {
    let Some(to) = t.staff_address(deps) else {
        return Ok(());
    };
    let message = Message {
        kind: "ticket_reply_staff",
        subject: format!("Re: {}", t.title()),
        heading: format!("{by} replied to {}", ticket_label(t.number)),
        paragraphs: vec![excerpt(body)],
        action: Some(("Open the ticket".into(), t.link(deps))),
        reason: "You are assigned to this ticket, or on the support team.".into(),
    };
    outbox::enqueue(conn, to, &message).await?;
    Ok(())
}

/// Resolved: the customer is asked how it went (one click from the email
/// to the rating form on the ticket page).
pub async fn resolved(
    conn: &mut PgConnection,
    deps: &Deps,
    t: &TicketMail,
) -> Result<(), outbox::EnqueueError> {
    if !t.author_current {
        return Ok(());
    }
    let link = t.link(deps);
    let message = Message {
        kind: "ticket_resolved",
        subject: format!("Resolved: {}", t.title()),
        heading: format!("Your ticket {} is resolved", ticket_label(t.number)),
        paragraphs: vec![
            "We believe your question is answered. If something is still wrong, reply on the ticket page and it opens again; otherwise it closes by itself in 7 days.".into(),
            format!("How did we do? Good: {link}?rate=good#rate — Bad: {link}?rate=bad#rate"),
        ],
        action: Some(("Rate our answer".into(), format!("{link}?rate=good#rate"))),
        reason: format!("You opened this support ticket at {PRODUCT_NAME}."),
    };
    outbox::enqueue(conn, &t.author_email, &message).await?;
    Ok(())
}
