//! The domain search's answers as HTML, for the search island to put in
//! place (`components::domain_search`): the results, then other names.

use axum::{
    extract::{Query, State},
    response::Response,
    routing::get,
    Router,
};
use leptos::prelude::*;
use serde::Deserialize;

use super::{found_row, SearchView};
use crate::api::edge::auth::Actor;
use crate::api::edge::error::api_error;
use crate::api::edge::part::part;
use crate::api::AppState;
use crate::components::domain_search::{MoreNames, SearchResults, MORE_PATH, RESULTS_PATH};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(RESULTS_PATH, get(results))
        .route(MORE_PATH, get(more))
}

#[derive(Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
}

async fn results(State(state): State<AppState>, actor: Actor, Query(s): Query<Search>) -> Response {
    let deps = &state.deps;
    let found = services::registrations::search::search(deps, &deps.registrations, &actor, &s.q)
        .await
        .map(|found| SearchView {
            results: found.results.into_iter().map(found_row).collect(),
        })
        .map_err(|e| api_error(e).explained());
    let found = Some(found);
    part(|| view! { <SearchResults found/> }.to_html())
}

async fn more(State(state): State<AppState>, actor: Actor, Query(s): Query<Search>) -> Response {
    let deps = &state.deps;
    let rows = services::registrations::search::suggest(deps, &deps.registrations, &actor, &s.q)
        .await
        .map(|found| found.into_iter().map(found_row).collect())
        .map_err(|e| api_error(e).explained());
    part(|| view! { <MoreNames rows/> }.to_html())
}
