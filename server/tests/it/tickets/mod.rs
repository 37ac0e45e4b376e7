//! Support tickets: who may see and do what (the isolation matrix),
//! internal notes, Markdown, attachments, states and auto-close, emails,
//! limits, the staff queue and the dashboard.

mod former_author;
mod isolation;
mod lifecycle;
mod notes_and_files;
mod queue;
mod quota;

use domain::MemberRole;
use sqlx::PgPool;
use uuid::Uuid;

use crate::builders::{AccountBuilder, UserBuilder};
use crate::helpers::*;

use crate::cast::{Who, EVERYONE};
// The tickets are opened by the account's developer.
use Who::{Admin, Billing, Developer as Author, Outsider, Owner, SignedOut, Staff, Viewer};
/// Who may see a ticket about the account: its author, members whose role
/// allows support (not viewers), staff.
const AUDIENCE: [Who; 5] = [Author, Owner, Admin, Billing, Staff];

fn email_of(who: Who) -> String {
    who.email()
}

/// A hosting account's team, an outsider, staff and a signed-out visitor,
/// each with a browser.
struct Desk {
    app: TestApp,
    people: Vec<(Who, Uuid, Browser)>,
    account: Uuid,
}

impl Desk {
    async fn new(pool: PgPool, extra: &[(&str, &str)]) -> Desk {
        let app = spawn_app_with(pool, extra).await;
        let mut people = Vec::new();
        for who in EVERYONE {
            let browser = app.browser();
            let id = if who == SignedOut {
                Uuid::nil()
            } else {
                let email = email_of(who);
                let user = match who {
                    Staff => UserBuilder::staff(&email),
                    _ => UserBuilder::customer(&email),
                };
                let id = user.name(&format!("{who:?} Person")).create(&app.pool).await;
                assert_eq!(browser.sign_in(&email, CUSTOMER_PASSWORD).await.status(), 303);
                id
            };
            people.push((who, id, browser));
        }
        let find = |w: Who| people.iter().find(|(x, _, _)| *x == w).unwrap().1;
        let account = AccountBuilder::named("Acme Shop")
            .owner(find(Owner))
            .member(find(Author), MemberRole::Developer)
            .member(find(Admin), MemberRole::Admin)
            .member(find(Billing), MemberRole::Billing)
            .member(find(Viewer), MemberRole::Viewer)
            .create(&app.pool)
            .await;
        Desk { app, people, account }
    }

    fn browser(&self, who: Who) -> &Browser {
        &self.people.iter().find(|(x, _, _)| *x == who).unwrap().2
    }

    /// `people` use the portal (a session idle for a week ends).
    async fn keep_using(&self, people: &[Who]) {
        for who in people {
            self.browser(*who).page("/support").await;
        }
    }

    fn id(&self, who: Who) -> Uuid {
        self.people.iter().find(|(x, _, _)| *x == who).unwrap().1
    }

    /// Opens a ticket about the account as `who`; returns its number.
    async fn open(&self, who: Who, subject: &str, body: &str, files: Vec<(&str, Vec<u8>)>) -> i64 {
        let res = open_ticket(self.browser(who), subject, body, Some(self.account), files).await;
        assert_eq!(
            res.status(),
            303,
            "{who:?} opened a ticket: {}",
            res.text().await.unwrap_or_default()
        );
        number_in(&location(&res))
    }

    /// Posts a reply (or, for staff, an internal note) as `who`.
    async fn reply(&self, who: Who, number: i64, body: &str, internal: bool) -> reqwest::Response {
        post_reply(self.browser(who), number, body, internal, vec![]).await
    }

    async fn state(&self, number: i64) -> String {
        sqlx::query_scalar("SELECT state FROM tickets WHERE number = $1")
            .bind(number)
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }
}

/// The ticket number in a `/support/{n}…` location.
fn number_in(location: &str) -> i64 {
    location
        .trim_start_matches("/support/")
        .split(['?', '/'])
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a ticket page: {location}"))
}

fn multipart(fields: &[(&str, &str)], files: Vec<(&str, Vec<u8>)>) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    form
}

async fn post_multipart(b: &Browser, path: &str, form: reqwest::multipart::Form) -> reqwest::Response {
    b.client
        .post(format!("{}{path}", b.base))
        .header("origin", &b.base)
        .multipart(form)
        .send()
        .await
        .expect("multipart POST")
}

pub(crate) async fn open_ticket(
    b: &Browser,
    subject: &str,
    body: &str,
    account: Option<Uuid>,
    files: Vec<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let account = account.map(|a| a.to_string()).unwrap_or_default();
    let fields = [
        ("subject", subject),
        ("category", "technical"),
        ("priority", "high"),
        ("account", account.as_str()),
        ("body", body),
        ("intent", "send"),
    ];
    post_multipart(b, "/support/new", multipart(&fields, files)).await
}

async fn post_reply(
    b: &Browser,
    number: i64,
    body: &str,
    internal: bool,
    files: Vec<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let mut fields = vec![("body", body), ("intent", "send")];
    if internal {
        fields.push(("internal", "yes"));
    }
    post_multipart(b, &format!("/support/{number}/reply"), multipart(&fields, files)).await
}

/// A server function's answer: (status, body).
async fn call(b: &Browser, path: &str, form: &[(&str, String)]) -> (u16, String) {
    let res = b
        .client
        .post(format!("{}{path}", b.base))
        .header("origin", &b.base)
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The smallest valid PNG header (enough for the content check).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
