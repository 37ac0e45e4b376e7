//! `#[island]` components: the only parts of a page that ship to the browser
//! as WebAssembly. Everything else is server-rendered HTML.

pub mod copy_button;
pub mod nav_toggle;
pub mod password_input;
