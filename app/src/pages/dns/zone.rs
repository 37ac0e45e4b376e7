//! A domain's page: where to delegate it, the records the platform keeps,
//! the DNS editor, templates, import and export, the history with
//! revert, and removing the domain.

use leptos::prelude::*;

use super::propagation::Propagation;
use super::DomainStatusBadge;
use crate::api::dns::queries::load_zone;
use crate::api::dns::{ImportPreview, TemplatePreview, ZoneView};
use crate::api::require_user;
use crate::components::dns::history::History;
use crate::components::dns::{
    AddRecord, EditorStatus, FormState, RecordFilter, RecordsPart, RecordsQuery, RecordsView,
};
use crate::components::form::{use_form, FormMessages};
use crate::islands::dns::RecordsEditor;
use crate::pages::hosting::{param, set_status};
use crate::pages::identity::query;
use domain::dns::templates::{DmarcPolicy, Template};
use domain::dns::zonefile::MANAGED_TTL;
use domain::dns::{RecordInput, RecordType};

#[component]
pub fn DomainPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let name = param("name");
    let zone = Resource::new(move || name.clone(), load_zone);
    view! {
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading the zone…"</p> }>
            {move || Suspend::new(async move {
                match zone.await {
                    Err(e) => {
                        set_status(e.status());
                        view! {
                            <leptos_meta::Title text="Domain"/>
                            <div class="page-header"><h1>"Domain"</h1></div>
                            <section class="card error-card" role="alert">
                                <p>{e.to_string()}</p>
                                <p><a class="btn btn-secondary" href="/domains">"Back to your domains"</a></p>
                            </section>
                        }.into_any()
                    }
                    Ok(z) => view! { <Zone z/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// The records the page shows (`?q=&type=&page=&edit=&delete=`).
fn records_query() -> RecordsQuery {
    let get = |key: &'static str| query(key).unwrap_or_default();
    RecordsQuery {
        q: get("q"),
        kind: get("type"),
        page: get("page"),
        edit: get("edit"),
        delete: get("delete"),
    }
    .bounded()
}

/// A record form refused without JavaScript: its record's id (empty for a
/// new one), and what was typed with its errors.
fn refused_form() -> Option<(String, FormState)> {
    let form = use_form();
    (!form.value("type").is_empty()).then(|| {
        let input = RecordInput {
            name: form.value("name"),
            kind: form.value("type"),
            ttl: form.value("ttl"),
            content: form.value("content"),
            priority: form.value("priority"),
            weight: form.value("weight"),
            port: form.value("port"),
            tag: form.value("tag"),
            critical: !form.value("critical").is_empty(),
        };
        let state = FormState {
            input,
            errors: form.errors.clone(),
            message: form.message.clone(),
        };
        (form.value("id"), state)
    })
}

#[component]
fn Zone(z: ZoneView) -> impl IntoView {
    let base = format!("/domains/{}", z.name);
    let form = use_form();
    let record_form = !form.value("type").is_empty();
    let (add_form, edit_form) = match refused_form() {
        Some((id, state)) if id.is_empty() => (state, None),
        edit => (FormState::of(RecordInput::blank(RecordType::A)), edit),
    };
    let mut shown = records_query();
    if let Some((id, _)) = &edit_form {
        shown.edit = id.clone();
    }
    let (q, kind) = (shown.q.clone(), shown.kind.clone());
    let records = RecordsView::new(&z.name, z.can_edit, z.records.clone(), shown, edit_form);
    let (can_edit, add_zone, filter_zone) = (z.can_edit, z.name.clone(), z.name.clone());
    let pending = z.status == domain::dns::DomainStatus::Pending;
    view! {
        <leptos_meta::Title text=z.display.clone()/>
        <div class="page-header">
            <h1>{z.display.clone()} " " <DomainStatusBadge status=z.status/></h1>
            <p class="page-subtitle">
                "Hosting account " <a href=format!("/hosting/{}", z.account_id)>{z.account_name.clone()}</a>
                {format!(" · serial {}", z.serial)}
            </p>
        </div>
        <p><a href="/domains">"← All domains"</a></p>
        {(!record_form).then(|| view! { <FormMessages/> })}
        {z.serving_problem.then(|| view! {
            <p class="notice notice-warning" role="alert" data-testid="serving-problem">
                "Our name servers cannot serve this zone's latest change, so they still answer with its last good version (or not at all after a restart). It is logged for our team; contact support if this stays."
            </p>
        })}
        {z.registration.clone().map(|r| view! {
            <section class="card registration" aria-labelledby="registration-title">
                <h2 id="registration-title">"Registration"</h2>
                {if r.expired {
                    view! { <p class="notice notice-warning" role="alert">{format!("Expired on {}. Renew it now: the registry keeps an expired name for its owner for about 30 days, then only for a fee.", r.expires)}</p> }.into_any()
                } else {
                    view! { <p>{format!("Registered until {} at {}.", r.expires, r.registrar)}</p> }.into_any()
                }}
                <p class="registration-state">"Status: "<strong>{r.state.clone()}</strong></p>
                {r.unpaid_renewal.clone().map(|(order, why)| view! {
                    <p class="notice notice-warning" role="alert" data-testid="unpaid-renewal">
                        {format!("The automatic renewal was not paid: {} ", why.unwrap_or_default())}
                        <a href=format!("/domains/orders/{order}")>"Pay the renewal"</a>
                    </p>
                })}
                <p class="muted">{format!(
                    "WHOIS privacy {}; automatic renewal {}.",
                    if r.whois_privacy { "on" } else { "off" },
                    if r.auto_renew { "on (charged 14 days before it expires)" } else { "off" }
                )}</p>
                {r.may_pay.then(|| view! {
                    <form class="privacy-form" method="post" action=format!("/domains/{}/privacy", z.name)>
                        <input type="hidden" name="whois_privacy" value=if r.whois_privacy { "off" } else { "on" }/>
                        <button class="btn btn-secondary btn-small" type="submit">
                            {if r.whois_privacy { "Show my details in WHOIS" } else { "Hide my details in WHOIS" }}
                        </button>
                    </form>
                })}
                {r.may_pay.then(|| view! {
                    <form class="auto-renew-form" method="post" action=format!("/domains/{}/auto-renew", z.name)>
                        <input type="hidden" name="auto_renew" value=if r.auto_renew { "off" } else { "on" }/>
                        <button class="btn btn-secondary btn-small" type="submit">
                            {if r.auto_renew { "Turn automatic renewal off" } else { "Renew automatically with my saved card" }}
                        </button>
                    </form>
                })}
                {r.renew_price.clone().map(|price| view! {
                    <form class="renew-form" method="post" action=format!("/domains/{}/renew", z.name)>
                        <label for="f-renew-years">{format!("Renew ({price} a year)")}</label>
                        <select class="input" id="f-renew-years" name="years">
                            {(1..=10).map(|y| view! { <option value=y.to_string()>{format!("{y} year{}", if y == 1 { "" } else { "s" })}</option> }).collect_view()}
                        </select>
                        <button class="btn btn-secondary" type="submit">"Renew"</button>
                    </form>
                })}
            </section>
        })}
        <section class="card" class:card-highlight=pending aria-labelledby="delegation-title">
            <h2 id="delegation-title">"Name servers"</h2>
            <p>{if pending {
                "At your registrar, set this domain's name servers to:"
            } else {
                "This domain is delegated to our name servers:"
            }}</p>
            <ul class="nameservers">
                {z.nameservers.iter().map(|ns| view! { <li><code>{ns.clone()}</code></li> }).collect_view()}
            </ul>
            {z.delegation_problem.clone().map(|problem| view! {
                <p class="notice notice-warning" role="status">{problem}</p>
            })}
            <p class="muted">{match &z.delegation_checked {
                Some(when) => format!("The registry was last asked {when}; we ask again every few minutes while the domain is pending."),
                None => "We ask the registry every few minutes and activate the domain once it points at us.".to_string(),
            }}</p>
        </section>
        <section aria-labelledby="records-title">
            <h2 id="records-title">"DNS records"</h2>
            <details class="managed-records">
                <summary>"Records kept by the platform (SOA, name servers)"</summary>
                <div class="table-wrap">
                    <table class="table stack">
                        <thead><tr><th>"Name"</th><th>"Type"</th><th>"TTL"</th><th>"Value"</th></tr></thead>
                        <tbody>
                            <tr><td data-label="Name"><code>"@"</code></td><td data-label="Type">"SOA"</td><td data-label="TTL">{MANAGED_TTL}</td><td data-label="Value" class="record-value"><code>{z.soa.clone()}</code></td></tr>
                            {z.nameservers.iter().map(|ns| view! {
                                <tr><td data-label="Name"><code>"@"</code></td><td data-label="Type">"NS"</td><td data-label="TTL">{MANAGED_TTL}</td><td data-label="Value"><code>{ns.clone()}</code></td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
            <RecordsEditor>
                <div class="dns-editor">
                    {can_edit.then(|| view! { <AddRecord zone=add_zone form=add_form/> })}
                    <RecordFilter zone=filter_zone q kind/>
                    <EditorStatus/>
                    <RecordsPart view=records/>
                </div>
            </RecordsEditor>
            // Not the section's last child: the islands router steps over
            // an island to its next sibling when it compares pages.
            <p class="muted">"Every change raises the zone's serial and is kept in the history below."</p>
        </section>
        <Propagation zone=z.name.clone() servers=z.probes.clone()/>
        {z.can_edit.then(|| view! { <Templates base=base.clone()/> <Import base=base.clone()/> })}
        <section class="card" aria-labelledby="export-title">
            <h2 id="export-title">"Export"</h2>
            <p>"The whole zone as a BIND zone file, to keep or to move elsewhere."</p>
            <p><a class="btn btn-secondary" href=format!("{base}/export") rel="external" download=format!("{}.zone", z.name)>"Download zone file"</a></p>
        </section>
        <History zone=z.name.clone() changes=z.history.clone() can_edit=z.can_edit/>
        {z.can_edit.then(|| view! { <Remove base=base.clone() display=z.display.clone()/> })}
    }
}

#[component]
fn Templates(base: String) -> impl IntoView {
    let form = use_form();
    let preview = use_context::<TemplatePreview>();
    let chosen = preview
        .as_ref()
        .map(|p| p.template.clone())
        .unwrap_or_else(|| form.value("template"));
    let policy = preview
        .as_ref()
        .map(|p| p.policy.clone())
        .unwrap_or_else(|| form.value("policy"));
    let error = form.error("template");
    view! {
        <section class="card" id="templates" aria-labelledby="templates-title">
            <h2 id="templates-title">"Templates"</h2>
            <p class="muted">"Add a provider's records in one go. You see what will change before anything is applied."</p>
            <form method="post" action=format!("{base}/template") class="inline-form">
                <div class="field">
                    <label for="f-template">"Template"</label>
                    <select class="input" id="f-template" name="template" aria-invalid=error.is_some().then_some("true")>
                        {Template::ALL.iter().map(|t| view! {
                            <option value=t.as_str() selected=chosen == t.as_str()>{t.label()}</option>
                        }).collect_view()}
                    </select>
                    {error.map(|e| view! { <p class="error" id="f-template-error">{e}</p> })}
                </div>
                <div class="field">
                    <label for="f-policy">"DMARC policy (DMARC only)"</label>
                    <select class="input" id="f-policy" name="policy">
                        {DmarcPolicy::ALL.iter().map(|p| view! {
                            <option value=p.as_str() selected=policy == p.as_str()>{p.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button class="btn btn-secondary" type="submit">"Preview template"</button>
            </form>
            {preview.map(|p| {
                let can_apply = p.conflicts.is_empty() && !p.add.is_empty();
                view! {
                    <div class="template-preview" role="region" aria-label="Template preview">
                        <h3>{format!("{} — preview", p.label)}</h3>
                        {(!p.conflicts.is_empty()).then(|| view! {
                            <div class="form-error" role="alert">
                                <p>"This template conflicts with the zone; nothing will be added:"</p>
                                <ul class="conflicts">{p.conflicts.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
                            </div>
                        })}
                        {(!p.add.is_empty()).then(|| view! {
                            <p>"Records to add:"</p>
                            <ul class="diff diff-added">{p.add.iter().map(|r| view! { <li><code>{r.clone()}</code></li> }).collect_view()}</ul>
                        })}
                        {(!p.present.is_empty()).then(|| view! {
                            <p class="muted">"Already in the zone:"</p>
                            <ul class="diff">{p.present.iter().map(|r| view! { <li><code>{r.clone()}</code></li> }).collect_view()}</ul>
                        })}
                        {can_apply.then(|| view! {
                            <form method="post" action=format!("{base}/template")>
                                <input type="hidden" name="template" value=p.template.clone()/>
                                <input type="hidden" name="policy" value=p.policy.clone()/>
                                <input type="hidden" name="apply" value="yes"/>
                                <button class="btn btn-primary" type="submit">{format!("Apply: add {} records", p.add.len())}</button>
                            </form>
                        })}
                    </div>
                }
            })}
        </section>
    }
}

#[component]
fn Import(base: String) -> impl IntoView {
    let form = use_form();
    let preview = use_context::<ImportPreview>();
    let text = preview
        .as_ref()
        .map(|p| p.text.clone())
        .unwrap_or_else(|| form.value("zone"));
    let error = form.error("zone").or_else(|| form.error("file"));
    view! {
        <section class="card" id="import" aria-labelledby="import-title">
            <h2 id="import-title">"Import a zone file"</h2>
            <p class="muted">"Paste or upload a BIND zone file. It replaces the zone's records: you see what is added, changed and removed first, and nothing is applied while any line has a problem."</p>
            <form method="post" action=format!("{base}/import") enctype="multipart/form-data">
                <div class="field">
                    <label for="f-zone">"Zone file"</label>
                    <textarea class="input mono" id="f-zone" name="zone" rows="8" spellcheck="false"
                        aria-invalid=error.is_some().then_some("true") aria-describedby="f-zone-hint">{text.clone()}</textarea>
                    <p class="hint" id="f-zone-hint">"Like: www 3600 IN A 203.0.113.10 — $ORIGIN and $TTL work; the SOA and the domain's own NS records are kept by us."</p>
                    {error.map(|e| view! { <p class="error" id="f-zone-error">{e}</p> })}
                </div>
                <div class="field">
                    <label for="f-file">"…or upload a file"</label>
                    <input class="input" id="f-file" name="file" type="file" accept=".zone,.txt,.db,text/plain"/>
                </div>
                <button class="btn btn-secondary" type="submit">"Preview import"</button>
            </form>
            {preview.map(|p| view! { <ImportResult base=base.clone() p/> })}
        </section>
    }
}

#[component]
fn ImportResult(base: String, p: ImportPreview) -> impl IntoView {
    if !p.problems.is_empty() {
        return view! {
            <div class="form-error import-problems" role="alert">
                <p>{format!("Nothing was imported: {} line(s) need attention.", p.problems.len())}</p>
                <ul>{p.problems.iter().map(|(line, why)| view! {
                    <li>{if *line == 0 { String::new() } else { format!("Line {line}: ") }}{why.clone()}</li>
                }).collect_view()}</ul>
            </div>
        }
        .into_any();
    }
    let nothing = p.added.is_empty() && p.changed.is_empty() && p.removed.is_empty();
    view! {
        <div class="import-diff" role="region" aria-label="Import preview">
            <h3>"What the import changes"</h3>
            <p>{format!("{} added, {} changed, {} removed, {} unchanged", p.added.len(), p.changed.len(), p.removed.len(), p.unchanged)}
               {(p.ignored > 0).then(|| format!(" ({} platform records skipped)", p.ignored))}</p>
            {(!p.added.is_empty()).then(|| view! {
                <p>"Added:"</p>
                <ul class="diff diff-added">{p.added.iter().map(|r| view! { <li><code>{format!("+ {r}")}</code></li> }).collect_view()}</ul>
            })}
            {(!p.changed.is_empty()).then(|| view! {
                <p>"Changed:"</p>
                <ul class="diff diff-changed">{p.changed.iter().map(|(a, b)| view! { <li><code>{format!("{a} → {b}")}</code></li> }).collect_view()}</ul>
            })}
            {(!p.removed.is_empty()).then(|| view! {
                <p>"Removed:"</p>
                <ul class="diff diff-removed">{p.removed.iter().map(|r| view! { <li><code>{format!("− {r}")}</code></li> }).collect_view()}</ul>
            })}
            {if nothing {
                view! { <p class="muted">"The zone already has exactly these records."</p> }.into_any()
            } else {
                view! {
                    <form method="post" action=format!("{base}/import") enctype="multipart/form-data">
                        <input type="hidden" name="zone" value=p.text.clone()/>
                        <input type="hidden" name="apply" value="yes"/>
                        <button class="btn btn-primary" type="submit">"Apply the import"</button>
                    </form>
                }.into_any()
            }}
        </div>
    }
    .into_any()
}

#[component]
fn Remove(base: String, display: String) -> impl IntoView {
    let form = use_form();
    let error = form.error("confirm");
    view! {
        <section class="card danger-zone" aria-labelledby="remove-title">
            <h2 id="remove-title">"Remove the domain"</h2>
            <p>"Its zone and every record are deleted; the name servers stop answering for it."</p>
            <form method="post" action=format!("{base}/remove")>
                <div class="field">
                    <label for="f-confirm">{format!("Type {display} to confirm")}</label>
                    <input class="input" id="f-confirm" name="confirm" autocomplete="off" required=true
                        aria-invalid=error.is_some().then_some("true")/>
                    {error.map(|e| view! { <p class="error" id="f-confirm-error">{e}</p> })}
                </div>
                <button class="btn btn-danger" type="submit">"Remove domain"</button>
            </form>
        </section>
    }
}
