use leptos::prelude::*;

use crate::api::notifications::Notifications;
use crate::components::bell::BellContents;

/// The element the server's fresh contents go into.
const BELL_ID: &str = "notification-bell";

/// The notifications bell: unread count and the newest few, fetched once
/// the page has loaded and again when a notification arrives. A
/// `<details>`, so it opens without JavaScript (then it links to
/// `/notifications`, the full list).
///
/// The server draws what it shows (`GET /notifications/bell`, the same
/// component as here) and the island only puts it in place: this island
/// is on every page, and decoding the notifications in the WebAssembly
/// would put a JSON decoder and the server-function client in the module
/// every page loads.
#[island]
pub fn NotificationBell() -> impl IntoView {
    crate::islands::awake("NotificationBell");
    #[cfg(feature = "hydrate")]
    {
        refresh();
        // Every page has the bell: it also keeps the page's live parts
        // fresh (`fragment`), so a page with them needs no island of its own.
        super::fragment::keep_fresh();
        let refresh = super::live::debounced(200, refresh);
        super::live::subscribe(&[domain::live::EventKind::Notification], move |_| refresh());
    }
    view! {
        <details class="bell" id=BELL_ID>
            <BellContents notifications=Notifications::default()/>
        </details>
    }
}

/// Fetches the bell's contents and swaps them in: the summary's label and
/// count, and the panel. The `<details>` itself stays, open or not.
#[cfg(feature = "hydrate")]
fn refresh() {
    // Only the newest request's answer is shown: an older one that
    // arrives late would put back what the newer one replaced.
    thread_local! {
        static LATEST: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let this = LATEST.with(|l| {
        l.set(l.get().wrapping_add(1));
        l.get()
    });
    leptos::task::spawn_local(async move {
        let Some(fresh) = super::fragment::fetch(crate::api::notifications::BELL_PATH).await else {
            return;
        };
        if LATEST.with(|l| l.get()) != this {
            return;
        }
        let Some(bell) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(BELL_ID))
        else {
            return;
        };
        for selector in ["summary", ".bell-panel"] {
            let (Ok(Some(old)), Ok(Some(new))) =
                (bell.query_selector(selector), fresh.query_selector(selector))
            else {
                continue;
            };
            if let Some(label) = new.get_attribute("aria-label") {
                let _ = old.set_attribute("aria-label", &label);
            }
            old.set_inner_html(&new.inner_html());
        }
    });
}
