//! Billing's live piece: a page waiting for Stripe (an order being paid, a
//! plan change on its way) reloads itself when the account's billing
//! changes, so the server-rendered page shows the confirmed state.

use leptos::prelude::*;

/// Reloads the page when a billing event for the user's accounts arrives.
/// Waiting for an order (`order`), or for a domain order to leave the state
/// it was shown in (`domain_order`: id and state), it also asks once on
/// start and then every few seconds: the change may have come before the
/// page listened.
#[island(lazy)]
pub fn ReloadOnBilling(
    order: Option<String>,
    domain_order: Option<(String, String)>,
    children: Children,
) -> impl IntoView {
    crate::islands::awake("ReloadOnBilling");
    #[cfg(feature = "hydrate")]
    {
        use std::cell::RefCell;

        use leptos::wasm_bindgen::{closure::Closure, JsCast};

        thread_local! {
            /// A form sent from this page: the address it was sent from and
            /// when (ms since the epoch).
            static SUBMITTED: RefCell<Option<(String, f64)>> = const { RefCell::new(None) };
            /// A reload was asked for (the page is going away).
            static RELOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        fn href() -> String {
            web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default()
        }
        /// A form just sent (a payment, a plan change) is answered by the
        /// page it leads to; reloading meanwhile would abort that
        /// navigation. The reload waits until the address has changed (the
        /// islands router sets it once the new page is in), or 15 seconds.
        fn reload() {
            let waiting = SUBMITTED.with(|s| {
                s.borrow()
                    .as_ref()
                    .is_some_and(|(from, at)| *from == href() && js_sys::Date::now() - at < 15_000.0)
            });
            if waiting {
                leptos::task::spawn_local(async {
                    sleep_ms(500).await;
                    reload();
                });
                return;
            }
            SUBMITTED.with(|s| s.borrow_mut().take());
            // One reload: a second one (another event of the same payment)
            // would abort the page the first is loading.
            if RELOADING.with(|r| r.replace(true)) {
                return;
            }
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
        if let Some(window) = web_sys::window() {
            let on_submit = Closure::<dyn Fn()>::new(|| {
                SUBMITTED.with(|s| *s.borrow_mut() = Some((href(), js_sys::Date::now())))
            });
            let _ = window.add_event_listener_with_callback_and_bool(
                "submit",
                on_submit.as_ref().unchecked_ref(),
                true,
            );
            // One listener a page load, for as long as the page lives.
            on_submit.forget();
        }
        let debounced = super::live::debounced(250, reload);
        super::live::subscribe(&[domain::live::EventKind::Billing], move |_| debounced());
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
        if let Some((id, shown)) = domain_order {
            leptos::task::spawn_local(async move {
                for _ in 0..100 {
                    if let Ok(o) = crate::api::registrations::domain_order(id.clone()).await {
                        if o.status != shown {
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
    let _ = (order, domain_order);
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
