//! The page's one live connection (`GET /events`), shared by every island
//! that updates live: each says which kinds of events it cares about.
//! The browser's EventSource reconnects by itself and resumes with
//! `Last-Event-ID`. On the server this does nothing.

use domain::live::EventKind;

/// An event as subscribers see it: its kind (`None` for a resync: the
/// stream fell behind and everything may have changed), and for a ticket
/// event the ticket's number (a page about one ticket ignores the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Live {
    pub kind: Option<EventKind>,
    pub ticket: Option<i64>,
}

/// The stream's own event: fetch everything afresh.
pub const RESYNC: &str = "resync";

impl Live {
    /// About ticket `number`, or a resync (which concerns everyone).
    pub fn about_ticket(&self, number: i64) -> bool {
        self.kind.is_none() || self.ticket == Some(number)
    }
}

/// Calls `on_event` when one of `kinds` arrives. A "resync" (the stream
/// fell behind) reaches every subscriber.
#[cfg(feature = "hydrate")]
pub fn subscribe(kinds: &'static [EventKind], on_event: impl Fn(&Live) + 'static) {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::wasm_bindgen::{closure::Closure, JsCast};

    type Callback = Rc<dyn Fn(&Live)>;
    type Listener = (&'static [EventKind], Callback);
    thread_local! {
        static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
        static SOURCE: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
    }

    LISTENERS.with(|l| l.borrow_mut().push((kinds, Rc::new(on_event))));
    SOURCE.with(|source| {
        if source.borrow().is_some() {
            return;
        }
        let Ok(events) = web_sys::EventSource::new(crate::api::EVENTS_PATH) else {
            return;
        };
        let names = EventKind::ALL.iter().map(|k| (Some(*k), k.as_str()));
        for (kind, name) in names.chain([(None, RESYNC)]) {
            let handler =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                    // The browser's own JSON: a generic JSON value in the
                    // wasm would weigh on every page (this runs on all).
                    let ticket = event
                        .data()
                        .as_string()
                        .and_then(|data| js_sys::JSON::parse(&data).ok())
                        .filter(|payload| payload.is_object())
                        .and_then(|payload| js_sys::Reflect::get(&payload, &"ticket".into()).ok())
                        .and_then(|t| t.as_f64())
                        .filter(|t| t.fract() == 0.0 && t.abs() < 9.0e15)
                        .map(|t| t as i64);
                    let live = Live { kind, ticket };
                    let listeners: Vec<Callback> = LISTENERS.with(|l| {
                        l.borrow()
                            .iter()
                            .filter(|(wanted, _)| kind.is_none_or(|k| wanted.contains(&k)))
                            .map(|(_, f)| Rc::clone(f))
                            .collect()
                    });
                    for listener in listeners {
                        listener(&live);
                    }
                });
            let _ = events.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
            // Lives as long as the page.
            handler.forget();
        }
        *source.borrow_mut() = Some(events);
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn subscribe(kinds: &'static [EventKind], on_event: impl Fn(&Live) + 'static) {
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

#[cfg(test)]
mod tests {
    use super::{EventKind, Live};

    #[test]
    fn a_ticket_page_hears_only_its_ticket_and_resyncs() {
        let event = |kind, ticket| Live { kind, ticket };
        let ticket = Some(EventKind::Ticket);
        assert!(event(ticket, Some(1001)).about_ticket(1001));
        assert!(!event(ticket, Some(1002)).about_ticket(1001));
        assert!(!event(ticket, None).about_ticket(1001));
        assert!(
            event(None, None).about_ticket(1001),
            "a resync concerns every page"
        );
    }
}
