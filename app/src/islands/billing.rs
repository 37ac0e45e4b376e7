//! Billing's live piece: a page waiting for Stripe (an order being paid, a
//! plan change on its way) reloads itself when the account's billing
//! changes, so the server-rendered page shows the confirmed state.

use leptos::prelude::*;

/// Reloads the page when a billing event for the user's accounts arrives.
/// Waiting for an order (`order`), it also asks once on start and then
/// every few seconds: Stripe may have confirmed before the page listened.
#[island]
pub fn ReloadOnBilling(order: Option<String>, children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use std::cell::Cell;

        use leptos::wasm_bindgen::{closure::Closure, JsCast};

        thread_local! {
            /// When the user last submitted a form (ms since the epoch).
            static SUBMITTED: Cell<f64> = const { Cell::new(0.0) };
        }
        /// A form just sent (a payment, a plan change) is answered by the
        /// page it leads to; reloading now would abort that navigation, so
        /// the reload waits until it is done.
        fn reload() {
            let since = js_sys::Date::now() - SUBMITTED.with(Cell::get);
            if since < 3000.0 {
                leptos::task::spawn_local(async {
                    sleep_ms(3000).await;
                    reload();
                });
                return;
            }
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
        if let Some(window) = web_sys::window() {
            let on_submit = Closure::<dyn Fn()>::new(|| SUBMITTED.with(|s| s.set(js_sys::Date::now())));
            let _ = window.add_event_listener_with_callback_and_bool(
                "submit",
                on_submit.as_ref().unchecked_ref(),
                true,
            );
            // One listener a page load, for as long as the page lives.
            on_submit.forget();
        }
        let debounced = super::live::debounced(250, reload);
        super::live::subscribe(&["billing"], move |_| debounced());
        if let Some(order) = order {
            leptos::task::spawn_local(async move {
                for _ in 0..100 {
                    if let Ok(o) = crate::api::billing::billing_order(order.clone()).await {
                        if o.paid && o.active {
                            reload();
                            return;
                        }
                    }
                    sleep_ms(3000).await;
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = order;
    view! { <div data-live="billing">{children()}</div> }
}

#[cfg(feature = "hydrate")]
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
