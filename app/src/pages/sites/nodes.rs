//! `/staff/nodes`: every hosting node with its agent, sites, storage and
//! problems; adding a node (its token, shown once), its public addresses
//! and room, and revoking it.

use leptos::prelude::*;

use crate::api::sites::nodes::{staff_nodes, NewNodeToken, NodeRow};
use crate::components::form::{use_form, Field, FormMessages, RegionSelect};
use crate::components::page_header::PageHeader;
use crate::pages::staff::{staff_only, NotStaff};

#[component]
pub fn NodesPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let nodes = Resource::new(|| (), |_| staff_nodes());
    let new_token = use_context::<NewNodeToken>();
    let form = use_form();
    let adding = form.value("id").is_empty();
    view! {
        <PageHeader title="Hosting nodes" subtitle="The servers that serve customers' sites: their agents, sites, storage and anything that needs a look."/>
        <FormMessages/>
        {new_token.map(|NewNodeToken(secret)| view! {
            <section class="card new-token" role="status">
                <h2>"Copy the new token now"</h2>
                <p>"It is shown only this once. Give it to the node's agent as " <code>"KSF_NODE_TOKEN"</code> " (see the operations guide)."</p>
                <p><code class="token">{secret}</code></p>
            </section>
        })}
        <section class="card">
            <h2>"Add a node"</h2>
            <form class="form inline-form" method="post" action="/staff/nodes">
                <Field label="Node name" name="name" hint="e.g. web-fra-1"/>
                <RegionSelect selected=if adding { form.value("region") } else { String::new() } error=adding.then(|| form.error("region")).flatten()/>
                <button class="btn btn-primary" type="submit">"Create token"</button>
            </form>
        </section>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match nodes.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="muted empty-nodes">"No nodes yet. Add one above, then start ksf-node on it with its token."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="nodes">
                            {list.into_iter().map(|n| view! { <Node n/> }).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Node(n: NodeRow) -> impl IntoView {
    let name = n.name.clone();
    view! {
        <section class="card node" data-node=n.name.clone()>
            <h2>
                {n.name.clone()} " "
                <span class=if n.revoked { "badge badge-neutral" } else { "badge badge-success" }>{if n.revoked { "Revoked" } else { "Active" }}</span>
            </h2>
            <dl class="facts">
                <dt>"Region"</dt><dd>{n.region.clone()}</dd>
                <dt>"Agent"</dt><dd>{n.agent.clone()}</dd>
                <dt>"Sites"</dt><dd>{n.sites.clone()}</dd>
                <dt>"Storage"</dt><dd>{n.storage.clone()}</dd>
                <dt>"Public addresses"</dt>
                <dd>{n.addresses.clone().unwrap_or_else(|| "Not given: new sites' web records use the region's server".into())}</dd>
                <dt>"Token"</dt>
                <dd>{format!("made {}, last used {}", n.created, n.last_used.clone().unwrap_or_else(|| "never".into()))}</dd>
            </dl>
            {n.silent.then(|| view! { <p class="notice notice-warning" role="status" data-testid="agent-silent">"Not seen for over 2 minutes: its sites get no changes. Check ksf-node on the node."</p> })}
            {(!n.problems.is_empty()).then(|| view! {
                <ul class="node-problems">
                    {n.problems.iter().map(|p| view! { <li class="form-error">{p.clone()}</li> }).collect_view()}
                </ul>
            })}
            {(!n.revoked).then(|| view! {
                <Settings n=n.clone()/>
                <details class="confirm">
                    <summary class="btn btn-danger btn-sm">{format!("Revoke {name}…")}</summary>
                    <form method="post" action="/staff/nodes/revoke">
                        <input type="hidden" name="id" value=n.id.clone()/>
                        <p>"Its agent can no longer fetch its sites or report. Its sites stay placed on it until moved."</p>
                        <button class="btn btn-danger btn-sm" type="submit">{format!("Revoke {name}")}</button>
                    </form>
                </details>
            })}
        </section>
    }
}

/// The node's addresses and room; opened again with the errors when the
/// last save of this node was refused.
#[component]
fn Settings(n: NodeRow) -> impl IntoView {
    let form = use_form();
    let mine = form.value("id") == n.id;
    let v = |name: &str, stored: &str| {
        if mine {
            form.value(name)
        } else {
            stored.to_string()
        }
    };
    let e = |name: &str| mine.then(|| form.error(name)).flatten();
    let slug = n.id.chars().take(8).collect::<String>();
    let field = |name: &str| format!("f-{name}-{slug}");
    let input = move |name: &'static str,
                      label: &'static str,
                      value: String,
                      hint: &'static str,
                      mode: &'static str| {
        let error = e(name);
        let id = field(name);
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input class="input" id=id.clone() name=name value=value inputmode=mode
                    aria-invalid=error.is_some().then_some("true")
                    aria-describedby=if error.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") }/>
                <p class="muted" id=format!("{id}-hint")>{hint}</p>
                {error.map(|e| view! { <p class="error" id=format!("{id}-error") role="alert">{e}</p> })}
            </div>
        }
    };
    view! {
        <details class="node-settings" open=mine>
            <summary class="btn btn-secondary btn-sm">{format!("Settings of {}…", n.name)}</summary>
            <form class="form" method="post" action="/staff/nodes/settings">
                <input type="hidden" name="id" value=n.id.clone()/>
                {input("public_ipv4", "Public IPv4 address", v("public_ipv4", &n.ipv4), "Where visitors reach it; its sites' web records point here.", "decimal")}
                {input("public_ipv6", "Public IPv6 address", v("public_ipv6", &n.ipv6), "Optional.", "text")}
                {input("capacity_sites", "Sites it may hold", v("capacity_sites", &n.capacity_sites), "New accounts go to the least used node with room.", "numeric")}
                {input("capacity_storage", "Storage for sites (GB)", v("capacity_storage", &n.capacity_storage_gb), "Counted as the storage its sites' plans allow.", "numeric")}
                <p class="muted">"Changing the addresses points the web records that named the old ones at the new ones."</p>
                <button class="btn btn-primary" type="submit">"Save node"</button>
            </form>
        </details>
    }
}
