//! The staff System page: is the portal well, and if not, where to look.

use leptos::prelude::*;

use crate::api::operations::{staff_system, Figure};
use crate::components::page_header::PageHeader;
use crate::pages::staff::{staff_only, NotStaff};

#[component]
fn Figures(title: &'static str, figures: Vec<Figure>) -> impl IntoView {
    view! {
        <section class="card system-figures">
            <h2>{title}</h2>
            <dl class="figures">
                {figures.into_iter().map(|f| view! {
                    <div class="figure" class:attention=f.attention>
                        <dt>{f.label}</dt>
                        <dd>{f.value} {f.attention.then(|| view! { " " <span class="badge badge-warning">"Look"</span> })}</dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
    }
}

#[component]
pub fn SystemPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let system = Resource::new(|| (), |_| staff_system());
    view! {
        <PageHeader title="System" subtitle="This portal process, its database, queues, housekeeping and latest errors: the figures /metrics gives Prometheus."/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match system.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(s) => view! {
                        <div class="stack">
                            <Figures title="Process" figures=s.process/>
                            <Figures title="Database" figures=s.database/>
                            <Figures title="Queues and email" figures=s.queues/>
                            <section class="card">
                                <h2>"Housekeeping"</h2>
                                {if s.jobs.is_empty() {
                                    view! { <p class="muted">"No job has run in this process yet (they run each minute and each hour)."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table class="table stack jobs">
                                                <thead><tr><th>"Job"</th><th>"Last success"</th><th>"Failures"</th><th>"Last failure"</th></tr></thead>
                                                <tbody>
                                                    {s.jobs.into_iter().map(|j| view! {
                                                        <tr class="job">
                                                            <td class="stack-title" data-label="Job">{j.name}</td>
                                                            <td data-label="Last success">{j.last_success}</td>
                                                            <td data-label="Failures">{j.failures}</td>
                                                            <td data-label="Last failure">{j.last_failure.unwrap_or_else(|| "none".into())}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                            <section class="card">
                                <h2>"Latest errors"</h2>
                                <p class="muted">"The newest 50 in this process. A reference is what the person was shown; search the logs for it."</p>
                                {if s.errors.is_empty() {
                                    view! { <p class="empty">"No errors since this process started."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table class="table stack errors">
                                                <thead><tr><th>"When"</th><th>"Reference"</th><th>"Where"</th><th>"What"</th></tr></thead>
                                                <tbody>
                                                    {s.errors.into_iter().map(|e| view! {
                                                        <tr class="error-line">
                                                            <td data-label="When">{e.at}</td>
                                                            <td class="stack-title" data-label="Reference"><code>{e.reference.unwrap_or_else(|| "–".into())}</code></td>
                                                            <td data-label="Where">{e.target}</td>
                                                            <td data-label="What" class="wrap-anywhere">{e.message}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
