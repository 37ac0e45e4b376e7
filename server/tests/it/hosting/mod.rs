//! Hosting accounts: who may do what (the isolation matrix), invitations,
//! the one-owner rule, ownership transfer, and staff tools. The team every
//! test uses is here.

mod access_matrix;
mod accounts;
mod invitations;
mod ownership;
mod staff;

use domain::MemberRole;
use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use crate::builders::{self, AccountBuilder, UserBuilder};
use crate::helpers::*;

use crate::cast::Who as Actor;
use crate::cast::{EVERYONE as ACTORS, MEMBERS};
use Actor::*;

fn email_of(actor: Actor) -> String {
    actor.email()
}

struct Team {
    app: TestApp,
    browsers: Vec<(Actor, Browser)>,
    ids: Vec<(Actor, Uuid)>,
    plan: Uuid,
    other_plan: Uuid,
}

impl Team {
    fn browser(&self, actor: Actor) -> &Browser {
        &self.browsers.iter().find(|(a, _)| *a == actor).unwrap().1
    }
    fn id(&self, actor: Actor) -> Uuid {
        self.ids.iter().find(|(a, _)| *a == actor).unwrap().1
    }

    /// A new account with all five members and one pending invitation.
    async fn fresh_account(&self, name: &str) -> (Uuid, Uuid) {
        let mut account = AccountBuilder::named(name).invitation("guest@example.com", MemberRole::Viewer);
        for (actor, role) in MEMBERS {
            account = account.member(self.id(actor), role);
        }
        let (account, invitations) = account.create_with_invitations(&self.app.pool).await;
        (account, invitations[0])
    }

    /// Everything a refused call must leave as it was.
    async fn snapshot(&self, account: Uuid) -> String {
        let row: (String, String, String, String, String) = sqlx::query_as(
            "SELECT name, primary_domain, region, status, plan_id::text FROM hosting_accounts WHERE id = $1",
        )
        .bind(account)
        .fetch_one(&self.app.pool)
        .await
        .unwrap();
        let members: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id::text, role FROM hosting_members WHERE account_id = $1 ORDER BY user_id",
        )
        .bind(account)
        .fetch_all(&self.app.pool)
        .await
        .unwrap();
        let invitations: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT email, revoked_at::text FROM hosting_invitations WHERE account_id = $1 ORDER BY id",
        )
        .bind(account)
        .fetch_all(&self.app.pool)
        .await
        .unwrap();
        let events: i64 = sqlx::query_scalar("SELECT count(*) FROM activity_log WHERE account_id = $1")
            .bind(account)
            .fetch_one(&self.app.pool)
            .await
            .unwrap();
        format!("{row:?} {members:?} {invitations:?} {events}")
    }
}

async fn team(pool: PgPool) -> Team {
    let app = spawn_app(pool).await;
    // Free plans: these tests run without payments set up.
    let plan = builders::plan(&app.pool, "hobby").await;
    let other_plan = builders::free_plan(&app.pool, "hobby-plus").await;
    let mut browsers = Vec::new();
    let mut ids = Vec::new();
    for actor in ACTORS {
        let browser = app.browser();
        if actor != SignedOut {
            let email = email_of(actor);
            let user = match actor {
                Staff => UserBuilder::staff(&email),
                _ => UserBuilder::customer(&email),
            };
            let id = user.name(&format!("{actor:?}")).create(&app.pool).await;
            assert_eq!(browser.sign_in(&email, CUSTOMER_PASSWORD).await.status(), 303);
            ids.push((actor, id));
        }
        browsers.push((actor, browser));
    }
    Team {
        app,
        browsers,
        ids,
        plan,
        other_plan,
    }
}

/// What a call should do for an actor.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Done,
    Refused(u16),
    SignIn,
}

fn outcome(res_status: u16, location: &str) -> Outcome {
    match res_status {
        303 if location.starts_with("/login") => Outcome::SignIn,
        303 | 200 => Outcome::Done,
        other => Outcome::Refused(other),
    }
}
