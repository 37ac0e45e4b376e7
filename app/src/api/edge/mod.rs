//! The edge's machinery, shared by every area's endpoints: who is asking
//! (`auth`), the one error path (`error`), form answers that are pages
//! (`forms`), parts of pages for islands (`part`), the confirmations pages
//! show (`notice`), and the request
//! guards (`csrf`, the per-request CSP nonce in `csp`).

pub mod auth;
#[cfg(feature = "ssr")]
pub mod csp;
#[cfg(feature = "ssr")]
pub mod csrf;
pub mod error;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod notice;
#[cfg(feature = "ssr")]
pub mod part;
