//! The support parts an island fetches as HTML: a ticket's thread again
//! (a live update), and the preview of a message. Drawn by the same
//! components as the page (`components::tickets`).

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Router,
};
use leptos::prelude::*;
use serde::Deserialize;

use super::convert;
use super::QueueArgs;
use crate::api::edge::auth::Actor;
use crate::api::edge::part::{part, refused as refused_as};
use crate::api::AppState;
use crate::components::tickets::{thread_path, PreviewAnswer, Queue, Thread};
use services::tickets::{access, lists};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&thread_path_pattern(), get(thread))
        .route(super::PREVIEW_PATH, post(preview))
        .route("/staff/tickets/rows", get(queue))
}

fn thread_path_pattern() -> String {
    thread_path(0).replace('0', "{number}")
}

fn refused(failure: impl services::failure::Failure) -> Response {
    refused_as(failure, "a ticket's thread")
}

/// Ticket `number`'s state, triage and messages, as its reader may see them.
async fn thread(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<String>,
) -> Result<Response, Response> {
    let pool = &state.deps.pool;
    let number = access::parse_number(&number).map_err(refused)?;
    let access = access::authorize(pool, &actor, number).await.map_err(refused)?;
    let detail = lists::detail(pool, &access).await.map_err(refused)?;
    let thread = convert::thread(&detail, access.staff());
    let staff = access.staff();
    Ok(part(|| view! { <Thread thread staff/> }.to_html()))
}

#[derive(Deserialize)]
struct PreviewForm {
    body: String,
}

/// Markdown as the message will show it, or why it cannot be sent.
async fn preview(_actor: Actor, Form(form): Form<PreviewForm>) -> Response {
    let answer = domain::tickets::Body::parse(&form.body)
        .map(|body| services::tickets::markdown::render(body.as_str()))
        .map_err(|message| message.to_string());
    part(|| view! { <PreviewAnswer answer/> }.to_html())
}

/// The staff queue's rows for the filters in the query.
async fn queue(
    State(state): State<AppState>,
    actor: Actor,
    Query(args): Query<QueueArgs>,
) -> Result<Response, Response> {
    let list = super::queries::queue(&state.deps, &actor, args.clone())
        .await
        .map_err(|e| {
            axum::http::StatusCode::from_u16(e.status())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
                .into_response()
        })?;
    Ok(part(|| view! { <Queue list args/> }.to_html()))
}
