//! Billing's live piece: a page waiting for Stripe (an order being paid, a
//! plan change on its way) reloads itself when the account's billing
//! changes, so the server-rendered page shows the confirmed state.

use leptos::prelude::*;

/// Reloads the page when a billing event for the user's accounts arrives.
/// Waiting for an order (`order`), or for a domain order to leave the state
/// it was shown in (`domain_order`: id and state), it also asks once on
/// start and then every few seconds: the change may have come before the
/// page listened.
#[component]
pub fn ReloadOnBilling(
    order: Option<String>,
    domain_order: Option<(String, String)>,
    children: Children,
) -> impl IntoView {
    let (domain_order, shown) = domain_order.unzip();
    view! {
        <ReloadWhenBilled>
            <div data-live="billing" data-order=order data-domain-order=domain_order data-shown=shown>
                {children()}
            </div>
        </ReloadWhenBilled>
    }
}

/// `ReloadOnBilling` in the browser. No props: what it waits for is on
/// its `data-live` element, and the polling for an order is loaded only
/// on a page that waits for one.
#[island(lazy)]
fn ReloadWhenBilled(children: Children) -> impl IntoView {
    crate::islands::awake("ReloadWhenBilled");
    #[cfg(feature = "hydrate")]
    super::fragment::on_mount(listen);
    view! { <div class="island-root">{children()}</div> }
}

#[cfg(feature = "hydrate")]
fn listen() {
    use std::cell::{Cell, RefCell};

    use leptos::wasm_bindgen::{closure::Closure, JsCast};

    thread_local! {
        /// A form sent from this page: the address it was sent from and
        /// when (ms since the epoch).
        static SUBMITTED: RefCell<Option<(String, f64)>> = const { RefCell::new(None) };
        /// A reload was asked for (the page is going away).
        static RELOADING: Cell<bool> = const { Cell::new(false) };
        static STARTED: Cell<bool> = const { Cell::new(false) };
    }
    fn href() -> String {
        web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default()
    }
    /// The page's waiting parts (none once the islands router has moved
    /// on to a page that waits for nothing).
    fn waiting() -> Vec<web_sys::Element> {
        super::fragment::all("[data-live=billing]")
    }
    /// A form just sent (a payment, a plan change) is answered by the
    /// page it leads to; reloading meanwhile would abort that
    /// navigation. The reload waits until the address has changed (the
    /// islands router sets it once the new page is in), or 15 seconds.
    fn reload() {
        if waiting().is_empty() {
            return;
        }
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
    if !STARTED.with(|s| s.replace(true)) {
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
    }
    // Each part waiting for an order asks after it, once.
    for part in waiting() {
        if super::fragment::property(&part, "__ksfPolled").is_some() {
            continue;
        }
        let _ = js_sys::Reflect::set(&part, &"__ksfPolled".into(), &js_sys::Object::new());
        if let Some(order) = part.get_attribute("data-order") {
            leptos::task::spawn_local(async move {
                if poll_order(order).await {
                    reload();
                }
            });
        }
        if let (Some(id), Some(shown)) = (
            part.get_attribute("data-domain-order"),
            part.get_attribute("data-shown"),
        ) {
            leptos::task::spawn_local(async move {
                if poll_domain_order(id, shown).await {
                    reload();
                }
            });
        }
    }
}

/// Asks every few seconds whether order `order` is paid and active; true
/// once it is (false after five minutes). In a module of its own: only a
/// page waiting for an order needs the server function's client.
#[cfg(feature = "hydrate")]
#[lazy]
async fn poll_order(order: String) -> bool {
    for _ in 0..100 {
        if let Ok(o) = crate::api::billing::billing_order(order.clone()).await {
            if o.paid && o.active {
                return true;
            }
        }
        sleep_ms(3000).await;
    }
    false
}

/// Asks every few seconds whether domain order `id` has left state
/// `shown`; true once it has (false after five minutes).
#[cfg(feature = "hydrate")]
#[lazy]
async fn poll_domain_order(id: String, shown: String) -> bool {
    for _ in 0..100 {
        if let Ok(o) = crate::api::registrations::domain_order(id.clone()).await {
            if o.status != shown {
                return true;
            }
        }
        sleep_ms(3000).await;
    }
    false
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
