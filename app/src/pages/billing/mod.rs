//! Billing: `/billing` (subscriptions, invoices, spending, cards), an
//! order's page (pay through Stripe Checkout, then wait for Stripe's
//! confirmation live), a plan change's confirmation with its cost, and the
//! account page's billing box.

pub mod account_box;
pub mod order;
pub mod overview;
pub mod plan_change;
pub mod staff;

use leptos::prelude::*;

/// The plain words every page with test payments carries.
#[component]
pub(crate) fn TestModeNote(test_mode: bool) -> impl IntoView {
    test_mode.then(|| {
        view! {
            <p class="notice notice-info test-mode" role="note">
                "Test mode: payments go to a test payment provider. No real money is charged; pay with the test card 4242 4242 4242 4242."
            </p>
        }
    })
}
