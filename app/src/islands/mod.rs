//! `#[island]` components: the only parts of a page that ship to the browser
//! as WebAssembly. Everything else is server-rendered HTML.

pub mod bell;
pub mod billing;
pub mod copy_button;
pub mod dashboard;
pub mod dns_editor;
pub mod domain_search;
pub mod full_reload;
pub mod live;
pub mod nav_toggle;
pub mod password_input;
pub mod propagation;
pub mod tickets;
