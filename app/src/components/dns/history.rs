//! A zone's history: every change, who made it and when, the records
//! before and after, and Revert. Redrawn when a change is made (an activity
//! event), in place or by a teammate.

use leptos::prelude::*;

use super::zone_path;
use crate::api::dns::ChangeRow;
use crate::islands::fragment::events;
use domain::live::EventKind;

/// Where the history is drawn again.
pub fn history_path(zone: &str) -> String {
    format!("/domains/{zone}/history")
}

#[component]
pub fn History(zone: String, changes: Vec<ChangeRow>, can_edit: bool) -> impl IntoView {
    let base = zone_path(&zone);
    view! {
        <section class="card" id="history" aria-labelledby="history-title"
            data-refresh=history_path(&zone) data-events=events(&[EventKind::Activity])>
            <h2 id="history-title">"History"</h2>
            {if changes.is_empty() {
                view! { <p class="muted">"No changes yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="dns-history">
                        {changes.into_iter().map(|c| {
                            let revertible = can_edit && !c.reverted && c.source != "created";
                            view! {
                                <li class="dns-change" data-change=c.id>
                                    <p><strong>{c.summary.clone()}</strong></p>
                                    <p class="muted">{format!("{} · {} · serial {}", c.who, c.when, c.serial)}
                                        {c.reverted.then(|| view! { " " <span class="badge">"Reverted"</span> })}</p>
                                    <details>
                                        <summary>{format!("{} record(s)", c.lines.len() + c.more)}</summary>
                                        <ul class="diff">
                                            {c.lines.iter().map(|l| view! {
                                                <li>{l.what.clone()} ": "
                                                    {l.before.clone().map(|b| view! { <code class="before">{b}</code> })}
                                                    {(l.before.is_some() && l.after.is_some()).then_some(" → ")}
                                                    {l.after.clone().map(|a| view! { <code class="after">{a}</code> })}
                                                </li>
                                            }).collect_view()}
                                            {(c.more > 0).then(|| view! { <li class="muted">{format!("…and {} more", c.more)}</li> })}
                                        </ul>
                                    </details>
                                    {revertible.then(|| view! {
                                        <form method="post" action=format!("{base}/revert")>
                                            <input type="hidden" name="change" value=c.id.to_string()/>
                                            <button class="btn btn-secondary btn-small" type="submit"
                                                aria-label=format!("Revert: {}", c.summary)>"Revert"</button>
                                        </form>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
