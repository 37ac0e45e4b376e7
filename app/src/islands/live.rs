//! The page's one live connection (`GET /events`), shared by every island
//! that updates live: each says which kinds of events it cares about.
//! The browser's EventSource reconnects by itself and resumes with
//! `Last-Event-ID`. On the server this does nothing.

/// Calls `on_event` (with the event's kind) when one of `kinds` arrives.
/// A "resync" (the stream fell behind) reaches every subscriber.
#[cfg(feature = "hydrate")]
pub fn subscribe(kinds: &'static [&'static str], on_event: impl Fn(&str) + 'static) {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::wasm_bindgen::{closure::Closure, JsCast};

    type Callback = Rc<dyn Fn(&str)>;
    type Listener = (&'static [&'static str], Callback);
    thread_local! {
        static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
        static SOURCE: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
    }
    const KINDS: [&str; 7] = [
        "usage",
        "ticket",
        "activity",
        "notification",
        "sign_up",
        "account",
        "resync",
    ];

    LISTENERS.with(|l| l.borrow_mut().push((kinds, Rc::new(on_event))));
    SOURCE.with(|source| {
        if source.borrow().is_some() {
            return;
        }
        let Ok(events) = web_sys::EventSource::new(crate::api::EVENTS_PATH) else {
            return;
        };
        for kind in KINDS {
            let handler =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_event: web_sys::MessageEvent| {
                    let listeners: Vec<Callback> = LISTENERS.with(|l| {
                        l.borrow()
                            .iter()
                            .filter(|(wanted, _)| kind == "resync" || wanted.contains(&kind))
                            .map(|(_, f)| Rc::clone(f))
                            .collect()
                    });
                    for listener in listeners {
                        listener(kind);
                    }
                });
            let _ = events.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
            // Lives as long as the page.
            handler.forget();
        }
        *source.borrow_mut() = Some(events);
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn subscribe(kinds: &'static [&'static str], on_event: impl Fn(&str) + 'static) {
    let _ = (kinds, on_event);
}

/// Runs `refresh` at most once per `ms`, after the last call: a burst of
/// events costs one fetch.
#[cfg(feature = "hydrate")]
pub fn debounced(ms: i32, refresh: impl Fn() + 'static) -> impl Fn() + 'static {
    use std::cell::Cell;
    use std::rc::Rc;

    use leptos::wasm_bindgen::{closure::Closure, JsCast};

    let pending = Rc::new(Cell::new(false));
    let refresh = Rc::new(refresh);
    move || {
        if pending.replace(true) {
            return;
        }
        let pending = Rc::clone(&pending);
        let refresh = Rc::clone(&refresh);
        let fire = Closure::once(move || {
            pending.set(false);
            refresh();
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(fire.as_ref().unchecked_ref(), ms);
        }
        fire.forget();
    }
}
