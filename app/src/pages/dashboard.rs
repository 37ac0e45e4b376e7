//! The dashboard: KPI tiles, charts over a period, and the newest
//! activity, all for what the signed-in user may see, updating live.

use leptos::prelude::*;

use crate::api::dashboard::{dashboard, DashboardView};
use crate::components::dashboard::{ChartCard, Feed, Tiles};
use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use crate::islands::dashboard::Charts;
use crate::islands::full_reload::FullReload;
use crate::pages::identity::query;
use domain::dashboard::{day_string, Range};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let Some(user) = crate::api::require_user() else {
        return ().into_any();
    };
    let params = (query("range"), query("from"), query("to"), query("account"));
    let data = Resource::new(
        move || params.clone(),
        |(range, from, to, account)| dashboard(range, from, to, account),
    );
    view! {
        <PageHeader title="Dashboard" subtitle="Your hosting at a glance, updated live."/>
        <p class="welcome">"Signed in as " <strong class="signed-in-name">{user.display_name}</strong></p>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(d) => view! { <Dashboard d/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Dashboard(d: DashboardView) -> impl IntoView {
    let no_accounts = !d.staff && d.accounts.is_empty();
    let range = d.range;
    let account = d.account.clone();
    let url = d.echarts_url.clone();
    let (sections, feed) = (d.sections.clone(), d.feed.clone());
    view! {
        <Tiles sections/>
        {no_accounts.then(|| view! {
            <EmptyState title="No hosting accounts yet">
                <p>"Create a hosting account to see its storage, bandwidth and activity here."</p>
                <p><a class="btn btn-primary" href="/hosting/new">"Create a hosting account"</a></p>
            </EmptyState>
        })}
        <RangeControls d=d.clone()/>
        <Charts>
            // The chart library starts downloading with the page, beside the
            // WebAssembly; the island's script then finds it in the cache.
            <link rel="preload" r#as="script" href=url.clone() nonce=leptos::nonce::use_nonce()/>
            <div class="charts">
                {d.charts.clone().into_iter().map(|chart| {
                    let (account, echarts_url) = (account.clone(), url.clone());
                    view! { <ChartCard view=chart range account echarts_url/> }
                }).collect_view()}
            </div>
        </Charts>
        <section class="card">
            <h2>"Recent activity"</h2>
            <Feed feed/>
            <p><a href="/activity">"All activity"</a></p>
        </section>
    }
}

/// The period (and, for customers, the account) the charts show. A plain
/// GET form: the choice lives in the URL, so a shared link shows the same.
#[component]
fn RangeControls(d: DashboardView) -> impl IntoView {
    let (preset, from, to) = match d.range {
        Range::Last(n) => (n.to_string(), String::new(), String::new()),
        Range::Between { from, to } => (String::new(), day_string(from), day_string(to)),
    };
    view! {
        <FullReload>
            <form class="form range-form" method="get" action="/" aria-label="Chart period">
                <div class="field">
                    <label for="f-range">"Period"</label>
                    <select class="input" id="f-range" name="range">
                        {Range::PRESETS.iter().map(|n| {
                            let value = format!("{n}d");
                            view! { <option value=value selected=preset == n.to_string()>{format!("Last {n} days")}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-from">"From"</label>
                    <input class="input" id="f-from" name="from" type="date" value=from
                        aria-invalid=d.range_error.is_some().then_some("true")
                        aria-describedby=d.range_error.is_some().then_some("f-from-error")/>
                </div>
                <div class="field">
                    <label for="f-to">"To"</label>
                    <input class="input" id="f-to" name="to" type="date" value=to/>
                </div>
                {(!d.staff && d.accounts.len() > 1).then(|| view! {
                    <div class="field">
                        <label for="f-account">"Account"</label>
                        <select class="input" id="f-account" name="account">
                            <option value="" selected=d.account.is_none()>"All accounts"</option>
                            {d.accounts.iter().map(|(id, name)| view! {
                                <option value=id.clone() selected=d.account.as_deref() == Some(id.as_str())>{name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                })}
                <button class="btn btn-secondary" type="submit">"Show"</button>
                {d.range_error.clone().map(|e| view! { <p class="error" id="f-from-error">{e}</p> })}
                <p class="hint range-now">"Showing: " {d.range.describe()} ". Dates are days in UTC; charts show times in your time zone."</p>
            </form>
        </FullReload>
    }
}
