//! Who a service acts for: the signed-in user, where the request came from,
//! and the time it is decided by. Built once per request at the edge
//! (`api::auth`), so services never read requests, cookies or clocks.

use time::OffsetDateTime;
use uuid::Uuid;

use domain::{CurrentUser, Role};

/// Where a request came from, recorded with sessions, sign-in attempts and
/// the activity log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The client's address (behind trusted proxies: the forwarded one).
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A signed-in user acting through the portal.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: CurrentUser,
    pub client: ClientInfo,
    /// The time decisions are made by (step-up age, expiry, codes).
    pub now: OffsetDateTime,
}

impl Actor {
    pub fn id(&self) -> Uuid {
        self.user.user_id
    }

    pub fn is_staff(&self) -> bool {
        self.user.role == Role::Staff
    }

    /// The same request seen as a public form's (where and when, no user).
    pub fn visitor(&self) -> Visitor {
        Visitor {
            client: self.client.clone(),
            now: self.now,
        }
    }
}

/// Anyone using a public form (sign up, sign in, reset): no user yet.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub client: ClientInfo,
    pub now: OffsetDateTime,
}
