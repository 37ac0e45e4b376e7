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
    use leptos::wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

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
        let Some(window) = web_sys::window() else {
            return;
        };
        let init = web_sys::RequestInit::new();
        // Signed out meanwhile: the sign-in page must not land in the bell.
        init.set_redirect(web_sys::RequestRedirect::Manual);
        let path = crate::api::notifications::BELL_PATH;
        let Ok(response) = JsFuture::from(window.fetch_with_str_and_init(path, &init)).await else {
            return;
        };
        let Ok(response) = response.dyn_into::<web_sys::Response>() else {
            return;
        };
        if !response.ok() {
            return;
        }
        let Ok(text) = response.text() else {
            return;
        };
        let Some(html) = JsFuture::from(text).await.ok().and_then(|t| t.as_string()) else {
            return;
        };
        if LATEST.with(|l| l.get()) != this {
            return;
        }
        let Some(document) = window.document() else {
            return;
        };
        let Some(bell) = document.get_element_by_id(BELL_ID) else {
            return;
        };
        let Ok(fresh) = document.create_element("template") else {
            return;
        };
        fresh.set_inner_html(&html);
        let Some(fresh) = fresh
            .dyn_ref::<web_sys::HtmlTemplateElement>()
            .map(|t| t.content())
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
