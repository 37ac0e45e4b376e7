//! Billing's live piece: a page waiting for Stripe (an order being paid, a
//! plan change on its way) reloads itself when the account's billing
//! changes, so the server-rendered page shows the confirmed state.

use leptos::prelude::*;

/// Reloads the page when a billing event for the user's accounts arrives.
#[island]
pub fn ReloadOnBilling(children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let reload = super::live::debounced(250, || {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
        super::live::subscribe(&["billing"], move |_| reload());
    }
    view! { <div data-live="billing">{children()}</div> }
}
