//! The domain page's "Check propagation" card. With `?check=` in the URL
//! the page asks every server itself (the form without JavaScript); with
//! JavaScript the island asks them one by one as answers come in.

use leptos::prelude::*;

use crate::api::dns::propagation::check_all;
use crate::components::dns::propagation::PropagationForm;
use crate::islands::propagation::PropagationCheck;
use crate::pages::identity::query;

#[component]
pub fn Propagation(zone: String, servers: Vec<String>) -> impl IntoView {
    let name = query("check");
    let kind: String = query("check_type").unwrap_or_default().chars().take(8).collect();
    let check = name.clone().map(|name| {
        let (zone, kind) = (zone.clone(), kind.clone());
        Resource::new(
            move || (zone.clone(), name.clone(), kind.clone()),
            |(z, n, k)| check_all(z, n, k),
        )
    });
    let name: String = name.unwrap_or_else(|| "@".into()).chars().take(253).collect();
    let form = move |answers, problem: Option<String>| {
        view! {
            <PropagationCheck>
                <PropagationForm zone=zone.clone() servers=servers.clone() name=name.clone() kind=kind.clone() answers problem/>
            </PropagationCheck>
        }
    };
    view! {
        <section class="card" id="propagation" aria-labelledby="propagation-title">
            <h2 id="propagation-title">"Check propagation"</h2>
            <p>"Ask each name server of the zone directly for a record and compare its answer with the portal's."</p>
            {match check {
                None => form(Vec::new(), None).into_any(),
                Some(check) => view! {
                    <Suspense fallback=|| view! { <p><span class="spinner"></span>" Asking the name servers…"</p> }>
                        {let form = form.clone(); move || {
                            let form = form.clone();
                            Suspend::new(async move {
                                match check.await {
                                    Ok(answers) => form(answers, None),
                                    Err(e) => form(Vec::new(), Some(e.explained())),
                                }
                            })
                        }}
                    </Suspense>
                }.into_any(),
            }}
            // Not the section's last child (the islands router steps over an
            // island to its next sibling).
            <p class="muted">"Our name servers answer a change within a second; resolvers may keep an older answer until its TTL runs out."</p>
        </section>
    }
}
