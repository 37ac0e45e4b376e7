//! Presentational pieces shared by pages. They render on the server
//! (`bell` also inside its island, which draws it empty and then swaps in
//! the server's drawing); interactivity lives in `crate::islands`.

pub mod bell;
pub mod dashboard;
pub mod dns;
pub mod domain_search;
pub mod empty_state;
pub mod form;
pub mod layout;
pub mod page_header;
pub mod step_up;
pub mod tickets;
pub mod toast;
