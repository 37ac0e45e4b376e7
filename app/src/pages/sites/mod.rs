//! The site section of a hosting account's page: where it is served, the
//! upload form, and the deploy history with rollback.

use leptos::prelude::*;

pub mod nodes;

use crate::api::sites::{queries::site_deploys, CertRow, DeployRow, HealthRow, NodeOption, SiteView};
use crate::components::form::use_form;

/// Loads and shows the account's deploys (its own request, so the rest of
/// the account page does not wait for it).
#[component]
pub fn SiteSection(account: String) -> impl IntoView {
    let deploys = Resource::new(move || account.clone(), site_deploys);
    view! {
        <section class="card site" id="site">
            <h2>"Site files"</h2>
            <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading deploys…"</p> }>
                {move || Suspend::new(async move {
                    match deploys.await {
                        Ok(d) => view! { <Deploys d/> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Deploys(d: SiteView) -> impl IntoView {
    let base = format!("/hosting/{}/deploys", d.account);
    let pending = d
        .deploys
        .iter()
        .any(|x| x.live && x.status == domain::sites::DeployStatus::Pending);
    view! {
        // The node switches within seconds: look again until it has.
        // To the page itself: a refresh to an address with `#site` would
        // only scroll, and `?done=` would show the notice again.
        {pending.then(|| view! { <leptos_meta::Meta http_equiv="refresh" content=format!("3; url=/hosting/{}", d.account)/> })}
        {match (d.can_deploy, d.blocked.clone()) {
            (false, _) => view! { <p class="muted">"Your role does not allow uploading files: owners, admins and developers can."</p> }.into_any(),
            (true, Some(why)) => view! { <p class="muted">{why}</p> }.into_any(),
            (true, None) => view! { <Upload action=base.clone() max=d.max_upload.clone()/> }.into_any(),
        }}
        {d.paused.then(|| view! {
            <p class="notice notice-warning site-paused" role="status">
                "The site has served its plan's bandwidth for this month, so visitors see a page saying it is paused until next month. "
                <a href=format!("/hosting/{}#plan", d.account)>"Choose a bigger plan"</a>
                " and it comes back at once."
            </p>
        })}
        {d.health.clone().map(|h| view! { <Health h/> })}
        {(!d.certificates.is_empty()).then(|| view! { <Https rows=d.certificates.clone()/> })}
        <h3>"Deploys"</h3>
        {if d.deploys.is_empty() {
            view! { <p class="muted empty-deploys">"Nothing uploaded yet: the site shows our default page until you upload your files."</p> }.into_any()
        } else {
            view! { <History base=base.clone() rows=d.deploys.clone() can_deploy=d.can_deploy && d.blocked.is_none()/> }.into_any()
        }}
        {(d.move_to.iter().any(|n| !n.current)).then(|| view! { <Move account=d.account.clone() nodes=d.move_to.clone()/> })}
    }
}

#[component]
fn Upload(action: String, max: String) -> impl IntoView {
    let form = use_form();
    let error = form.error("archive");
    view! {
        <form class="form upload-site" method="post" action=action enctype="multipart/form-data">
            <div class="field">
                <label for="f-archive">"Upload your site (.zip or .tar.gz)"</label>
                <input class="input" id="f-archive" type="file" name="archive" required=true
                    accept=".zip,.tar.gz,.tgz,application/zip,application/gzip"
                    aria-describedby="f-archive-help" aria-invalid=error.is_some().then_some("true")/>
                <p class="muted" id="f-archive-help">{format!(
                    "An archive of your site's files, index.html at the top (or in one folder), up to {max}. It replaces the files the site serves; the last five stay ready to put back."
                )}</p>
                {error.map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
            <button class="btn btn-primary" type="submit">"Upload and deploy"</button>
        </form>
    }
}

#[component]
fn History(base: String, rows: Vec<DeployRow>, can_deploy: bool) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table stack deploys">
                <thead><tr><th>"Uploaded"</th><th>"Files"</th><th>"State"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr class="deploy">
                            <td class="stack-title" data-label="Uploaded">{r.when.clone()} <span class="muted">{format!(" by {}", r.who)}</span></td>
                            <td data-label="Files">{r.file_name.clone()} <span class="muted">{format!(" ({})", r.size)}</span></td>
                            <td data-label="State">
                                <span class=r.status.badge()>{r.status.label()}</span>
                                {r.live.then(|| view! { " " <span class="badge badge-info">"Live"</span> })}
                                {r.error.clone().map(|e| view! { <p class="error">{e}</p> })}
                            </td>
                            <td class="stack-actions">
                                {(can_deploy && r.can_roll_back).then(|| view! {
                                    <form method="post" action=format!("{base}/rollback")>
                                        <input type="hidden" name="deploy" value=r.id.clone()/>
                                        <button class="btn btn-secondary btn-sm" type="submit">{format!("Put back {}", r.file_name)}</button>
                                    </form>
                                })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Each host's certificate, as the node last saw it.
#[component]
fn Https(rows: Vec<CertRow>) -> impl IntoView {
    view! {
        <h3>"HTTPS"</h3>
        <ul class="certificates">
            {rows.into_iter().map(|c| view! {
                <li class="certificate">
                    <span class=if c.ok { "badge badge-success" } else { "badge badge-warning" }>{if c.ok { "HTTPS" } else { "Check" }}</span>
                    " " <strong>{c.host}</strong> " " {c.state}
                    <span class="muted">{format!(" (checked {})", c.checked)}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The site's last answer to its node, and any error serving it.
#[component]
fn Health(h: HealthRow) -> impl IntoView {
    view! {
        <p class="site-health">
            <span class=if h.up { "badge badge-success" } else { "badge badge-danger" }>{if h.up { "Up" } else { "Down" }}</span>
            " " {h.answer} <span class="muted">{format!(" (checked {})", h.checked)}</span>
        </p>
        {h.outside.map(|o| view! { <p class="site-outside muted">{o}</p> })}
        {h.site_error.map(|e| view! { <p class="form-error" role="alert">{format!("The hosting node could not serve the site as asked: {e}")}</p> })}
    }
}

/// Staff: move the site to another node of its region (a second step,
/// as it changes where the customer's DNS must point).
#[component]
fn Move(account: String, nodes: Vec<NodeOption>) -> impl IntoView {
    let form = use_form();
    view! {
        <details class="confirm move-site" open=form.error("node").is_some()>
            <summary class="btn btn-secondary">"Move to another node…"</summary>
            <form class="form" method="post" action=format!("/hosting/{account}/site/move")>
                <div class="field">
                    <label for="f-node">"Hosting node"</label>
                    <select class="input" id="f-node" name="node">
                        {nodes.into_iter().filter(|n| !n.current).map(|n| view! { <option value=n.id>{n.label}</option> }).collect_view()}
                    </select>
                    {form.error("node").map(|e| view! { <p class="error" role="alert">{e}</p> })}
                </div>
                <p>"The new node downloads the site's files and serves them within moments; the old one deletes them. The web records of the account's domains that point at the old node follow it to the new one; records the customer aimed elsewhere stay."</p>
                <button class="btn btn-danger" type="submit">"Move the site"</button>
            </form>
        </details>
    }
}
