//! Transactional email. Every message is a row in `email_outbox`, written in
//! the transaction of the change that causes it; `worker` delivers it.

pub mod outbox;
pub mod templates;
pub mod worker;

pub use outbox::enqueue;
pub use templates::Message;
