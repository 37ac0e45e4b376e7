//! Presentational pieces shared by pages. They render on the server only;
//! interactivity lives in `crate::islands`.

pub mod empty_state;
pub mod form;
pub mod layout;
pub mod page_header;
pub mod step_up;
pub mod toast;
