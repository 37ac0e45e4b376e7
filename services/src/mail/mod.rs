//! Transactional email. Every message is a row in `email_outbox`, written in
//! the transaction of the change that causes it; `worker` delivers it, and
//! `delivery` records what the provider says happened next.

pub mod delivery;
pub mod outbox;
pub mod suppression;
pub mod templates;
pub mod worker;

pub use outbox::enqueue;
pub use templates::Message;
