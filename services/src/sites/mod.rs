//! Sites on hosting nodes. Each hosting account is placed on a node of its
//! region (`placement`); the node's agent, `ksf-node`, reads what its node
//! should serve (`state`) and configures Caddy to serve it: the site's
//! files for active accounts, the suspension page for suspended ones,
//! nothing for the others. Customers upload their files as archives
//! (`deploys`), which the agent unpacks into releases it can switch back
//! to. Every change that alters what a node serves bumps its generation
//! (database triggers), which wakes the agent. Staff run the nodes
//! (`nodes`); the portal checks sites from outside them (`outside`).

pub mod certificates;
pub mod checks;
pub mod deploys;
pub mod nodes;
pub mod outside;
pub mod placement;
pub mod state;
