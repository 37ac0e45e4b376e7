//! Finding records: the filter (by name or value, and by type) that narrows
//! the table as you type, how many match, and the pages of a large zone.

use leptos::prelude::*;

use super::state::Editor;
use domain::dns::RecordType;

#[component]
pub(super) fn RecordFilter(editor: Editor, q: String, kind: String) -> impl IntoView {
    view! {
        <form method="get" action=editor.action() class="toolbar record-filter" role="search"
            on:submit=|ev| ev.prevent_default()>
            <label class="visually-hidden" for="record-q">"Filter by name or value"</label>
            <input class="input" id="record-q" name="q" type="search" placeholder="Filter by name or value"
                value=q
                prop:value=move || editor.q.get()
                on:input=move |ev| { editor.q.set(event_target_value(&ev)); editor.page.set(1); }/>
            <label class="visually-hidden" for="record-type">"Record type"</label>
            <select class="input" id="record-type" name="type"
                on:change=move |ev| { editor.kind.set(event_target_value(&ev)); editor.page.set(1); }>
                <option value="" selected=kind.is_empty()>"All types"</option>
                {RecordType::ALL.iter().map(|t| view! {
                    <option value=t.as_str() selected=kind == t.as_str()>{t.as_str()}</option>
                }).collect_view()}
            </select>
            <noscript><button class="btn btn-secondary" type="submit">"Filter"</button></noscript>
        </form>
        <p class="muted record-count" aria-live="polite">
            {move || {
                let (total, shown) = editor.counts();
                if shown == total {
                    format!("{total} records")
                } else {
                    format!("{shown} of {total} records match")
                }
            }}
        </p>
    }
}

#[component]
pub(super) fn Pager(editor: Editor) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Record pages">
            {move || {
                let p = editor.current_page();
                let last = editor.pages();
                let prev_href = editor.link(format!("page={}", p.saturating_sub(1).max(1)));
                let next_href = editor.link(format!("page={}", p + 1));
                view! {
                    {(p > 1).then(|| view! {
                        <a class="btn btn-secondary btn-small" href=prev_href rel="prev"
                            on:click=move |ev| editor.turn(&ev, p - 1)>"Previous"</a>
                    })}
                    <span class="muted">{format!(" Page {p} of {last} ")}</span>
                    {(p < last).then(|| view! {
                        <a class="btn btn-secondary btn-small" href=next_href rel="next"
                            on:click=move |ev| editor.turn(&ev, p + 1)>"Next"</a>
                    })}
                }
            }}
        </nav>
    }
}
