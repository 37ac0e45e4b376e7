use leptos::prelude::*;

use domain::next_path::encode_query_value;

/// Shows a sensitive form only while the session's authentication is
/// recent; otherwise a way to confirm it's you that comes back to `back`.
#[component]
pub fn StepUpGate(fresh: bool, back: &'static str, what: &'static str, children: Children) -> impl IntoView {
    if fresh {
        children().into_any()
    } else {
        let href = format!("/confirm-identity?next={}", encode_query_value(back));
        view! {
            <p class="hint">"For your security, confirm it's you before you " {what} "."</p>
            <p><a class="btn btn-secondary" href=href>"Confirm it's you"</a></p>
        }
        .into_any()
    }
}
