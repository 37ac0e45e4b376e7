//! `ksf-node`, the hosting node agent. It asks the portal what its node
//! serves (`domain::sites::DesiredState`), lays out each site's directory
//! (a default page until the customer deploys; then the uploaded files,
//! downloaded and unpacked into releases), and loads the matching
//! configuration into Caddy through Caddy's admin API, in one piece, so
//! Caddy swaps it atomically. It keeps the last state it applied on disk:
//! restarted while the portal is unreachable, it serves that. Every minute
//! it measures each site's files and the bytes Caddy served for it, and
//! posts them to the portal's usage API.

pub mod agent;
pub mod caddy;
pub mod checks;
pub mod files;
pub mod releases;
pub mod usage;

pub use agent::{Agent, AgentConfig};
