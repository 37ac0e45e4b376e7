//! The demo's support tickets.

use super::SeedError;

/// Support's story: the demo customer asked about bouncing mail and staff
/// answered (it awaits the customer); Maya's question waits in the queue.
pub(super) async fn seed_tickets(
    deps: &crate::Deps,
    demo: &crate::Actor,
    maya: &crate::Actor,
    staff: &crate::Actor,
    shop: uuid::Uuid,
) -> Result<(), SeedError> {
    use crate::tickets::{access, open, thread};
    use domain::tickets::{Body, Category, Priority, Subject};
    let support = |e: &dyn std::fmt::Display| SeedError::Hosting(e.to_string());
    let text = |s: &str| Body::parse(s).map_err(SeedError::Invalid);
    let number = open::open(
        deps,
        demo,
        open::NewTicket {
            subject: Subject::parse("Emails to Gmail bounce").map_err(|e| SeedError::Invalid(e.into()))?,
            category: Category::Technical,
            priority: Priority::High,
            account: Some(shop.into()),
            body: text("Since this morning, mail from **shop@demo-shop.test** to Gmail comes back with:\n\n```\n550-5.7.26 Unauthenticated email is not accepted\n```\n\nWhat should I change?")?,
            files: Vec::new(),
        },
    )
    .await
    .map_err(|e| support(&e))?;
    let ticket = access::authorize(&deps.pool, staff, number)
        .await
        .map_err(|e| support(&e))?;
    thread::assign(deps, staff, &ticket, Some(staff.id()))
        .await
        .map_err(|e| support(&e))?;
    let reply = thread::Reply {
        body: text("Gmail now requires SPF and DKIM. Add this TXT record to your domain:\n\n`v=spf1 include:_spf.ksfoundation.test ~all`\n\nThen reply here and we will check it.")?,
        internal: false,
        files: Vec::new(),
    };
    thread::reply(deps, staff, &ticket, reply)
        .await
        .map_err(|e| support(&e))?;
    open::open(
        deps,
        maya,
        open::NewTicket {
            subject: Subject::parse("How do I add a staging site?")
                .map_err(|e| SeedError::Invalid(e.into()))?,
            category: Category::Account,
            priority: Priority::Normal,
            account: None,
            body: text(
                "I'd like a copy of our site at staging.example for testing. Is that included in our plan?",
            )?,
            files: Vec::new(),
        },
    )
    .await
    .map_err(|e| support(&e))?;
    Ok(())
}
