//! The domain search: with JavaScript, a search asks the registry without
//! leaving the page, shows the results as soon as they come, then the
//! other free names (a second question) when one is taken. Before
//! hydration (or without JavaScript) the form is a plain GET that the page
//! answers with everything filled in.

use leptos::prelude::*;

use crate::api::registrations::{domain_search, domain_suggestions, FoundRow, SearchView};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Idle,
    Asking,
    Done(Vec<FoundRow>),
    Failed(String),
}

#[island(lazy)]
pub fn DomainSearch(
    q: String,
    found: Option<Result<SearchView, String>>,
    suggestions: Vec<FoundRow>,
) -> impl IntoView {
    crate::islands::awake("DomainSearch");
    let query = RwSignal::new(q);
    let results = RwSignal::new(match found {
        None => Phase::Idle,
        Some(Ok(v)) => Phase::Done(v.results),
        Some(Err(e)) => Phase::Failed(e),
    });
    let more = RwSignal::new(if suggestions.is_empty() {
        Phase::Idle
    } else {
        Phase::Done(suggestions)
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let q = query.get_untracked();
        if q.trim().is_empty() {
            // The browser's own "required" message.
            return;
        }
        ev.prevent_default();
        remember(&q);
        results.set(Phase::Asking);
        more.set(Phase::Idle);
        leptos::task::spawn_local(async move {
            match domain_search(q.clone()).await {
                Err(e) => results.set(Phase::Failed(e.explained())),
                Ok(v) => {
                    let taken = v.any_taken();
                    results.set(Phase::Done(v.results));
                    if taken {
                        more.set(Phase::Asking);
                        more.set(match domain_suggestions(q).await {
                            Ok(rows) => Phase::Done(rows),
                            Err(e) => Phase::Failed(e.explained()),
                        });
                    }
                }
            }
        });
    };
    let failed = move || matches!(results.get(), Phase::Failed(_));
    view! {
        <form class="search-form card" method="get" action="/domains/search" role="search" on:submit=on_submit>
            <label for="f-q">"Domain name"</label>
            <div class="search-row">
                <input class="input" id="f-q" name="q" type="search" autocomplete="off" required=true
                    placeholder="my-shop or my-shop.com" value=query.get_untracked() prop:value=query
                    aria-invalid=move || failed().then_some("true")
                    aria-describedby=move || if failed() { "f-q-error f-q-hint" } else { "f-q-hint" }
                    on:input=move |ev| query.set(event_target_value(&ev))/>
                <button class="btn btn-primary" type="submit" disabled=move || results.get() == Phase::Asking>"Search"</button>
            </div>
            <p class="hint" id="f-q-hint">"Letters, digits and hyphens; international names work too (bücher)."</p>
        </form>
        <div aria-live="polite">
            {move || match results.get() {
                Phase::Idle => ().into_any(),
                Phase::Asking => view! { <p role="status"><span class="spinner"></span>" Asking the registry…"</p> }.into_any(),
                Phase::Failed(e) => view! { <p class="form-error" role="alert" id="f-q-error">{e}</p> }.into_any(),
                Phase::Done(rows) => view! {
                    <section aria-labelledby="results-title">
                        <h2 id="results-title">"Results"</h2>
                        <Results rows/>
                    </section>
                }.into_any(),
            }}
            {move || match more.get() {
                Phase::Asking => view! { <p role="status"><span class="spinner"></span>" Looking for other free names…"</p> }.into_any(),
                Phase::Done(rows) if !rows.is_empty() => view! {
                    <section aria-labelledby="suggestions-title">
                        <h2 id="suggestions-title">"Other free names"</h2>
                        <Results rows/>
                    </section>
                }.into_any(),
                Phase::Failed(e) => view! { <p class="muted" role="status">{e}</p> }.into_any(),
                _ => ().into_any(),
            }}
        </div>
    }
}

/// Puts the search in the address bar, so reloading or sharing the page
/// shows the same search.
fn remember(_q: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let url = format!(
            "/domains/search?q={}",
            String::from(js_sys::encode_uri_component(_q))
        );
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
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
