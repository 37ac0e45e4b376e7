//! `ksf-node`, the hosting node agent. It asks the portal what its node
//! serves (`domain::sites::DesiredState`), lays out each site's directory
//! (a default page until the customer deploys), and loads the matching
//! configuration into Caddy through Caddy's admin API, in one piece, so
//! Caddy swaps it atomically. It keeps the last state it applied on disk:
//! restarted while the portal is unreachable, it serves that.

pub mod agent;
pub mod caddy;
pub mod files;

pub use agent::{Agent, AgentConfig};
