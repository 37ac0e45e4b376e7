//! Domains and DNS through the form endpoints: a zone's life (add, edit,
//! template, import, revert, export) and the rules the server keeps
//! (`zone`), and who may do what (`isolation`). Shared helpers here.

pub(crate) mod authoritative;
mod delegation;
mod editor;
mod hostile;
mod isolation;
mod zone;

use sqlx::PgPool;
use uuid::Uuid;

use crate::builders::{AccountBuilder, UserBuilder};
use crate::helpers::*;

pub(crate) async fn records(pool: &PgPool, domain: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT r.name || ' ' || r.type || ' ' || r.ttl || ' ' || r.data::text FROM dns_records r
         JOIN domains d ON d.id = r.domain_id WHERE d.name = $1 ORDER BY 1",
    )
    .bind(domain)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The zone's own name server names, as assigned when it was added.
pub(super) async fn assigned(pool: &PgPool, domain: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT n.name FROM assigned_nameservers n JOIN domains d ON d.id = n.domain_id
         WHERE d.name = $1 ORDER BY n.name",
    )
    .bind(domain)
    .fetch_all(pool)
    .await
    .unwrap()
}

pub(super) async fn serial(pool: &PgPool, domain: &str) -> i64 {
    sqlx::query_scalar("SELECT serial FROM domains WHERE name = $1")
        .bind(domain)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn multipart(fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

pub(super) async fn post_multipart(b: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    b.client
        .post(format!("{}{path}", b.base))
        .header("origin", &b.base)
        .multipart(multipart(fields))
        .send()
        .await
        .expect("multipart POST")
}

pub(crate) async fn owner_with_account(app: &TestApp, email: &str, domain: &str) -> (Browser, Uuid) {
    let user = UserBuilder::customer(email).create(&app.pool).await;
    let account = AccountBuilder::named("Shop")
        .domain(domain)
        .owner(user)
        .create(&app.pool)
        .await;
    let browser = app.browser();
    assert_eq!(browser.sign_in(email, CUSTOMER_PASSWORD).await.status(), 303);
    (browser, account)
}
