//! The domain search's form and answers, drawn by the server: in the page
//! (a plain GET form without JavaScript), and at `RESULTS_PATH` and
//! `MORE_PATH` for the search island to put in place without leaving it.

use leptos::prelude::*;

use crate::api::registrations::{FoundRow, SearchView};

/// Where the island asks for a search's results, then for other names.
pub const RESULTS_PATH: &str = "/domains/search/results";
pub const MORE_PATH: &str = "/domains/search/more";

/// The search form; `failed` marks the field when the answer was an error.
#[component]
pub fn SearchForm(q: String, failed: bool) -> impl IntoView {
    view! {
        <form class="search-form card" method="get" action="/domains/search" role="search">
            <label for="f-q">"Domain name"</label>
            <div class="search-row">
                <input class="input" id="f-q" name="q" type="search" autocomplete="off" required=true
                    placeholder="my-shop or my-shop.com" value=q
                    aria-invalid=failed.then_some("true")
                    aria-describedby=if failed { "f-q-error f-q-hint" } else { "f-q-hint" }/>
                <button class="btn btn-primary" type="submit">"Search"</button>
            </div>
            <p class="hint" id="f-q-hint">"Letters, digits and hyphens; international names work too (bücher)."</p>
        </form>
    }
}

/// A search's results, or why there are none. A taken name marks the
/// section `data-taken`: other free names are then worth asking for.
#[component]
pub fn SearchResults(found: Option<Result<SearchView, String>>) -> impl IntoView {
    match found {
        None => ().into_any(),
        Some(Err(e)) => view! { <p class="form-error" role="alert" id="f-q-error">{e}</p> }.into_any(),
        Some(Ok(v)) => {
            let taken = v.any_taken().then_some("true");
            view! {
                <section aria-labelledby="results-title" data-taken=taken>
                    <h2 id="results-title">"Results"</h2>
                    <Results rows=v.results/>
                </section>
            }
            .into_any()
        }
    }
}

/// Other free names like the search, when there are any.
#[component]
pub fn MoreNames(rows: Result<Vec<FoundRow>, String>) -> impl IntoView {
    match rows {
        Ok(rows) if !rows.is_empty() => view! {
            <section aria-labelledby="suggestions-title">
                <h2 id="suggestions-title">"Other free names"</h2>
                <Results rows/>
            </section>
        }
        .into_any(),
        Err(e) => view! { <p class="muted" role="status">{e}</p> }.into_any(),
        Ok(_) => ().into_any(),
    }
}

#[component]
fn Results(rows: Vec<FoundRow>) -> impl IntoView {
    view! {
        <ul class="domain-results" role="list">
            {rows.into_iter().map(|r| {
                let buy = format!("/domains/buy?name={}", r.name);
                let transfer = format!("/domains/transfer?name={}", r.name);
                let transferable = r.transferable;
                view! {
                    <li class="domain-result" data-name=r.name.clone() data-available=r.available.to_string()>
                        <span class="domain-result-name">{r.display}</span>
                        {match r.note {
                            Some(note) => view! {
                                <span class="badge badge-muted">{note}</span>
                                {transferable.then(|| view! { <a class="btn btn-secondary btn-small" href=transfer>"Yours? Transfer it"</a> })}
                            }.into_any(),
                            None => view! {
                                <span class="domain-result-price">{r.price}</span>
                                <a class="btn btn-primary btn-small" href=buy>"Buy"</a>
                            }.into_any(),
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
