//! `GET /events`: one server-sent-events stream per signed-in browser.
//! Every event is checked against its audience before it is sent; a
//! stream resumes after a reconnect from `Last-Event-ID`, sends comments
//! to keep proxies from closing it, and ends when its session ends or its
//! user's role changes (the browser reconnects as who they are now).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    routing::get,
    Router,
};
use tokio::sync::broadcast::{self, error::RecvError};

use super::edge::auth::Actor;
use super::AppState;
use services::realtime::{self, Delivery, StreamSlot};
use services::sessions;

pub const PATH: &str = super::EVENTS_PATH;
/// How often a stream checks that its session is still live and its role
/// unchanged (staff-only events check it before they are sent, too).
const SESSION_CHECK: Duration = Duration::from_secs(5);

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(stream))
}

struct Stream {
    pool: sqlx::PgPool,
    clock: services::clock::Clock,
    receiver: broadcast::Receiver<Arc<Delivery>>,
    replay: VecDeque<Delivery>,
    last_id: i64,
    actor: Actor,
    check: tokio::time::Interval,
    /// Deliveries already queued when the role was last confirmed: they
    /// were committed before that check, so its answer holds for them.
    covered: usize,
    /// Resolves when the server is stopping.
    closed: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
    _slot: StreamSlot,
}

impl Stream {
    /// The next event for this user; None ends the stream (the session
    /// ended, the role changed, or the server is stopping: the browser
    /// reconnects and resumes from its last event id).
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(d) = self.replay.pop_front() {
                self.last_id = self.last_id.max(d.id);
                return Some(event(&d));
            }
            tokio::select! {
                received = self.receiver.recv() => match self.received(received).await {
                    Step::Send(event) => return Some(event),
                    Step::Skip => continue,
                    Step::End => return None,
                },
                _ = &mut self.closed => return None,
                _ = self.check.tick() => match self.role_unchanged().await {
                    Ok(true) => continue,
                    Ok(false) => return None,
                    Err(error) => {
                        tracing::warn!(%error, "live updates: could not check the session");
                        continue;
                    }
                },
            }
        }
    }

    /// What to do with a delivery from the hub.
    async fn received(&mut self, received: Result<Arc<Delivery>, RecvError>) -> Step {
        let confirmed = self.covered > 0;
        self.covered = self.covered.saturating_sub(1);
        match received {
            Ok(d) if d.id > self.last_id && d.visible_to(self.actor.id(), self.actor.is_staff()) => {
                // Staff-only events go out only while the user is still
                // staff: a demotion committed before the event is always
                // seen by this check.
                if d.needs_staff(self.actor.id()) && !confirmed {
                    let queued = self.receiver.len();
                    match self.role_unchanged().await {
                        Ok(true) => self.covered = queued,
                        Ok(false) => return Step::End,
                        Err(error) => {
                            // Closed when unsure: the event is not sent.
                            tracing::warn!(%error, "live updates: could not check the role");
                            return Step::Skip;
                        }
                    }
                }
                self.last_id = d.id;
                Step::Send(event(&d))
            }
            Ok(_) => Step::Skip,
            // Too slow to keep up: tell the page to fetch afresh.
            Err(RecvError::Lagged(_)) => {
                self.covered = 0;
                Step::Send(Event::default().event("resync").data("{}"))
            }
            Err(RecvError::Closed) => Step::End,
        }
    }

    /// Whether the session is still live with the role it started with.
    // `&mut`: the stream is Send but not Sync (its stop signal is not).
    async fn role_unchanged(&mut self) -> Result<bool, sqlx::Error> {
        let now = sessions::live_identity(&self.pool, self.actor.user.session_id, self.clock.now()).await?;
        Ok(now.map(|(role, staff, viewing)| {
            // A view lasts while its staff member may still view.
            let staff = match viewing {
                Some(_) if staff.is_some_and(|r| r.can(domain::StaffPermission::ViewAs)) => None,
                _ => staff,
            };
            (role, staff, viewing)
        }) == Some(sessions::identity_of(&self.actor.user)))
    }
}

enum Step {
    Send(Event),
    Skip,
    End,
}

fn event(d: &Delivery) -> Event {
    Event::default()
        .id(d.id.to_string())
        .event(d.kind.as_str())
        .json_data(d.payload())
        .unwrap_or_else(|_| Event::default().event(d.kind.as_str()))
}

async fn stream(
    State(state): State<AppState>,
    actor: Result<Actor, Response>,
    headers: HeaderMap,
) -> Response {
    // Signed out (a revoked session reconnecting): 204 tells the browser's
    // EventSource to stop, where a redirect to the sign-in page would be
    // an HTML answer it reports as an error.
    let Ok(actor) = actor else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let Some(slot) = state.hub.open_stream(actor.id()) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "30")],
            "Too many live connections: close some tabs.",
        )
            .into_response();
    };
    // Subscribe before looking back, so nothing falls between the two.
    let receiver = state.hub.subscribe();
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let replay = match last {
        Some(last) => realtime::missed(&state.deps.pool, last, actor.id(), actor.is_staff())
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "live updates: could not replay missed events");
                Vec::new()
            }),
        None => Vec::new(),
    };
    let mut check = tokio::time::interval(SESSION_CHECK);
    check.reset();
    let initial = Stream {
        pool: state.deps.pool.clone(),
        clock: state.deps.clock.clone(),
        receiver,
        last_id: last.unwrap_or(0),
        replay: replay.into(),
        actor,
        check,
        covered: 0,
        closed: Box::pin(state.hub.closed()),
        _slot: slot,
    };
    let events = futures::stream::unfold(initial, |mut s| async move {
        let next = s.next_event().await?;
        Some((Ok::<_, Infallible>(next), s))
    });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    // Proxies must pass events on at once.
    response
        .headers_mut()
        .insert("x-accel-buffering", header::HeaderValue::from_static("no"));
    response
}
