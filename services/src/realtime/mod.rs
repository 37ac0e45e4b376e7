//! Live updates: every row of `events` is announced by Postgres
//! (`NOTIFY ksf_events`, see the dashboard migration) when its transaction
//! commits. Each server process listens once, looks the event up with its
//! audience, and hands it to its open streams, which keep only what their
//! user may see. Several processes on one database all deliver every event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::broadcast;
use uuid::Uuid;

use domain::live::EventKind;

pub const CHANNEL: &str = "ksf_events";
/// How often each process proves its listening connection alive...
const HEARTBEAT: Duration = Duration::from_secs(5);
/// ...and how long it waits for a word before it takes the connection for
/// dead (a half-open socket says nothing) and listens afresh.
const SILENCE: Duration = Duration::from_secs(15);
/// Open streams one user may have in one process (tabs, devices).
pub const STREAMS_PER_USER: usize = 8;
/// How long events are kept for streams that reconnect.
pub const KEEP_EVENTS: time::Duration = time::Duration::hours(1);

/// An event and who may receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub kind: EventKind,
    pub account_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    /// For staff only (sign-ups).
    pub staff: bool,
    /// The members of `account_id` when the event was sent; for a ticket
    /// event, the ticket's audience (none for a staff note's event).
    pub members: Vec<Uuid>,
    /// The ticket's number, for a ticket event.
    pub ticket: Option<i64>,
}

/// What a browser receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload {
    pub kind: EventKind,
    pub account: Option<Uuid>,
    pub ticket: Option<i64>,
}

impl Delivery {
    /// Whether `user` may receive it: the user it is for, a member of its
    /// account, or staff for account and staff events.
    pub fn visible_to(&self, user: Uuid, staff: bool) -> bool {
        self.user_id == Some(user)
            || self.members.contains(&user)
            || (staff && (self.staff || self.account_id.is_some()))
    }

    /// `user` would receive it only because they are staff.
    pub fn needs_staff(&self, user: Uuid) -> bool {
        self.visible_to(user, true) && !self.visible_to(user, false)
    }

    pub fn payload(&self) -> Payload {
        Payload {
            kind: self.kind,
            account: self.account_id,
            ticket: self.ticket,
        }
    }
}

/// One process's listener and its open streams.
pub struct Hub {
    sender: broadcast::Sender<Arc<Delivery>>,
    streams: Mutex<HashMap<Uuid, usize>>,
    /// True once the server is stopping: every open stream ends, so a
    /// graceful shutdown is not held up by browsers that never hang up.
    closing: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").finish_non_exhaustive()
    }
}

/// A user's hold on one stream; dropping it frees the place.
pub struct StreamSlot {
    hub: Arc<Hub>,
    user: Uuid,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Ok(mut streams) = self.hub.streams.lock() {
            if let Some(n) = streams.get_mut(&self.user) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    streams.remove(&self.user);
                }
            }
        }
    }
}

impl Hub {
    /// Starts listening on the database (on the current runtime); the
    /// listener reconnects by itself when the connection drops.
    pub fn start(pool: PgPool) -> Arc<Hub> {
        let (sender, _) = broadcast::channel(1024);
        let hub = Arc::new(Hub {
            sender,
            streams: Mutex::new(HashMap::new()),
            closing: tokio::sync::watch::Sender::new(false),
        });
        let (listening, weak) = (pool.clone(), Arc::downgrade(&hub));
        tokio::spawn(async move {
            loop {
                match listen(&listening, &weak).await {
                    Ok(()) => return,
                    Err(error) => {
                        tracing::warn!(%error, "live updates: listener failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                if weak.strong_count() == 0 {
                    return;
                }
                let sent = sqlx::query("SELECT pg_notify($1, 'ping')")
                    .bind(CHANNEL)
                    .execute(&pool)
                    .await;
                if let Err(error) = sent {
                    tracing::warn!(%error, "live updates: could not send the heartbeat");
                }
            }
        });
        hub
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Delivery>> {
        self.sender.subscribe()
    }

    /// Ends every open stream, now and from now on (the server is stopping;
    /// browsers reconnect to whichever process answers next).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once `close` has been called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    /// Open streams on this process, for the metrics.
    pub fn open_streams(&self) -> usize {
        self.streams.lock().map(|s| s.values().sum()).unwrap_or(0)
    }

    /// A place for one more stream of `user`, or None at the cap.
    pub fn open_stream(self: &Arc<Self>, user: Uuid) -> Option<StreamSlot> {
        let mut streams = self.streams.lock().ok()?;
        let n = streams.entry(user).or_insert(0);
        if *n >= STREAMS_PER_USER {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            hub: Arc::clone(self),
            user,
        })
    }
}

/// Forwards announced events until the hub is gone.
async fn listen(pool: &PgPool, hub: &std::sync::Weak<Hub>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        // `recv` would reconnect quietly and lose what was sent meanwhile;
        // `try_recv` says so (None), and the caller starts afresh.
        let notification = tokio::time::timeout(SILENCE, listener.try_recv())
            .await
            .map_err(|_| sqlx::Error::Protocol("the listening connection went silent".into()))??
            .ok_or_else(|| sqlx::Error::Protocol("the listening connection was closed".into()))?;
        let Some(hub) = hub.upgrade() else { return Ok(()) };
        if notification.payload() == "ping" {
            continue;
        }
        let Ok(id) = notification.payload().parse::<i64>() else {
            tracing::warn!(payload = notification.payload(), "live updates: not an event id");
            continue;
        };
        match load(pool, id).await {
            Ok(Some(delivery)) => {
                // No receiver is fine: nobody is watching.
                let _ = hub.sender.send(Arc::new(delivery));
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, id, "live updates: could not load an event");
            }
        }
    }
}

/// One event with its audience.
pub async fn load(pool: &PgPool, id: i64) -> Result<Option<Delivery>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT e.id, e.kind AS "kind: EventKind", e.account_id, e.user_id, e.staff,
                  (SELECT t.number FROM tickets t WHERE t.id = e.ticket_id) AS ticket,
                  CASE
                    WHEN e.ticket_id IS NULL THEN
                      coalesce((SELECT array_agg(m.user_id) FROM hosting_members m WHERE m.account_id = e.account_id), '{}')
                    WHEN e.internal THEN '{}'
                    ELSE coalesce((SELECT array_agg(DISTINCT x.u) FROM (
                            -- The author of a ticket about no account; an author
                            -- who supports the account is among its members below.
                            SELECT t.author_id AS u FROM tickets t WHERE t.id = e.ticket_id AND t.account_id IS NULL
                            UNION SELECT m.user_id FROM tickets t
                              JOIN hosting_members m ON m.account_id = t.account_id AND m.role = ANY($2)
                              WHERE t.id = e.ticket_id) x), '{}')
                  END AS "members!"
           FROM events e WHERE e.id = $1"#,
        id,
        &crate::tickets::access::support_roles()
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Delivery {
        id: r.id,
        kind: r.kind,
        account_id: r.account_id,
        user_id: r.user_id,
        staff: r.staff,
        members: r.members,
        ticket: r.ticket,
    }))
}

/// The events after `last` that `user` may see (a stream resuming with
/// `Last-Event-ID`), oldest first, at most 200.
pub async fn missed(pool: &PgPool, last: i64, user: Uuid, staff: bool) -> Result<Vec<Delivery>, sqlx::Error> {
    let ids = sqlx::query_scalar!(
        r#"SELECT e.id FROM events e
           WHERE e.id > $1
             AND (e.user_id = $2
                  OR e.account_id IN (SELECT account_id FROM hosting_members WHERE user_id = $2)
                  OR ($3 AND (e.staff OR e.account_id IS NOT NULL))
                  OR (NOT e.internal AND e.ticket_id IN (
                        SELECT t.id FROM tickets t WHERE t.author_id = $2 AND t.account_id IS NULL
                        UNION SELECT t.id FROM tickets t JOIN hosting_members m
                          ON m.account_id = t.account_id AND m.user_id = $2 AND m.role = ANY($4))))
           ORDER BY e.id LIMIT 200"#,
        last,
        user,
        staff,
        &crate::tickets::access::support_roles()
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        // Each checked again against its audience, as live ones are.
        if let Some(d) = load(pool, id).await?.filter(|d| d.visible_to(user, staff)) {
            out.push(d);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery() -> Delivery {
        Delivery {
            id: 1,
            kind: EventKind::Usage,
            account_id: Some(Uuid::from_u128(7)),
            user_id: None,
            staff: false,
            members: vec![Uuid::from_u128(1)],
            ticket: None,
        }
    }

    #[test]
    fn events_reach_members_and_staff_only() {
        let member = Uuid::from_u128(1);
        let stranger = Uuid::from_u128(2);
        let event = delivery();
        assert!(event.visible_to(member, false));
        assert!(!event.visible_to(stranger, false));
        assert!(event.visible_to(stranger, true), "staff see account events");
        let personal = Delivery {
            account_id: None,
            user_id: Some(stranger),
            members: vec![],
            kind: EventKind::Notification,
            ..delivery()
        };
        assert!(personal.visible_to(stranger, false));
        assert!(
            !personal.visible_to(member, true),
            "not even staff read others' notifications"
        );
        let sign_up = Delivery {
            account_id: None,
            staff: true,
            members: vec![],
            kind: EventKind::SignUp,
            ..delivery()
        };
        assert!(sign_up.visible_to(stranger, true));
        assert!(!sign_up.visible_to(member, false));
    }
}
