//! `/staff/team`: the staff, their roles, and what each role may do (the
//! table is `domain::staff::STAFF_PERMISSIONS`, the one the services
//! check). Admins change others' roles here, with a reason.

use leptos::prelude::*;

use crate::api::team::{staff_team, MemberLine};
use crate::components::form::{use_form, FormMessages};
use crate::components::page_header::PageHeader;
use crate::pages::staff::{staff_only, NotStaff};
use domain::staff::{StaffRole, STAFF_PERMISSIONS};

#[component]
pub fn TeamPage() -> impl IntoView {
    if !staff_only() {
        return view! { <NotStaff/> }.into_any();
    }
    let team = Resource::new(|| (), |_| staff_team());
    view! {
        <PageHeader title="Team and roles" subtitle="Who is staff, and what each role may do."/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p role="status"><span class="spinner"></span>" Loading the team…"</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(t) => {
                        let may_manage = t.may_manage;
                        view! {
                            <section class="card">
                                <h2>"Staff"</h2>
                                <div class="table-wrap">
                                    <table class="table stack team">
                                        <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Two-factor"</th><th>"Last seen"</th></tr></thead>
                                        <tbody>
                                            {t.members.iter().map(|m| view! {
                                                <tr class="member">
                                                    <td class="stack-title" data-label="Name">{m.name.clone()}{m.is_me.then_some(" (you)")}</td>
                                                    <td data-label="Email" class="wrap-anywhere">{m.email.clone()}</td>
                                                    <td data-label="Role">{m.role_label.clone()}</td>
                                                    <td data-label="Two-factor">{if m.two_factor { "On" } else { "Off" }}</td>
                                                    <td data-label="Last seen">{m.last_seen.clone()}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </section>
                            {may_manage.then(|| view! { <ChangeRoles members=t.members.clone()/> })}
                            <Permissions/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// One form per other member: the new role and why.
#[component]
fn ChangeRoles(members: Vec<MemberLine>) -> impl IntoView {
    let form = use_form();
    view! {
        <section class="card">
            <h2>"Change a role"</h2>
            <p class="muted">"It applies from their next page. You confirm it's you first; the change and its reason go to the audit log."</p>
            {members.into_iter().filter(|m| !m.is_me).map(|m| {
                let mine = form.value("member") == m.id;
                let chosen = if mine { form.value("role") } else { m.role.clone() };
                let role_error = if mine { form.error("role") } else { None };
                let reason_error = if mine { form.error("reason") } else { None };
                let open = mine && (!form.errors.is_empty() || form.message.is_some());
                let rid = format!("f-role-{}", m.id);
                let why = format!("f-reason-{}", m.id);
                view! {
                    <details class="confirm" open=open>
                        <summary class="btn btn-secondary">{format!("Change {}'s role…", m.name)}</summary>
                        <form class="form" method="post" action=format!("/staff/team/{}/role", m.id)>
                            <div class="field">
                                <label for=rid.clone()>"Role"</label>
                                <select class="input" id=rid.clone() name="role" aria-invalid=role_error.is_some().then_some("true")>
                                    {StaffRole::ALL.into_iter().map(|r| view! {
                                        <option value=r.as_str() selected=chosen == r.as_str()>{r.label()}</option>
                                    }).collect_view()}
                                </select>
                                {role_error.map(|e| view! { <p class="error" role="alert">{e}</p> })}
                            </div>
                            <div class="field">
                                <label for=why.clone()>"Reason"</label>
                                <input class="input" id=why.clone() name="reason" required=true maxlength="500"
                                    value=if mine { form.value("reason") } else { String::new() }
                                    aria-invalid=reason_error.is_some().then_some("true")/>
                                {reason_error.map(|e| view! { <p class="error" role="alert">{e}</p> })}
                            </div>
                            <button class="btn btn-primary" type="submit">"Change the role"</button>
                        </form>
                    </details>
                }
            }).collect_view()}
        </section>
    }
}

/// What each role may do: the table the services check.
#[component]
fn Permissions() -> impl IntoView {
    view! {
        <section class="card">
            <h2>"What each role may do"</h2>
            <div class="table-wrap">
                <table class="table stack permission-table">
                    <thead>
                        <tr>
                            <th scope="col">"Permission"</th>
                            {StaffRole::ALL.into_iter().map(|r| view! { <th scope="col">{r.label()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {STAFF_PERMISSIONS.iter().map(|(p, _)| view! {
                            <tr>
                                <th scope="row" class="stack-title">{p.describe()}</th>
                                {StaffRole::ALL.into_iter().map(|r| {
                                    let yes = r.can(*p);
                                    view! { <td data-label=r.label()>{if yes { "Yes" } else { "No" }}</td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
