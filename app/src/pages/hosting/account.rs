use leptos::prelude::*;

use super::{param, AccountUnavailable, StatusBadge, UsageMeter};
use crate::api::hosting::{queries::hosting_account, AccountView, FeedRow, InvitationRow, MemberRow};
use crate::api::require_user;
use crate::components::form::{use_form, Field, FormMessages};
use crate::pages::billing::account_box::AccountBilling;
use domain::hosting::PERMISSIONS;
use domain::MemberRole;

/// One hosting account: overview, usage, members, invitations, activity,
/// and the actions the user's role allows.
#[component]
pub fn HostingAccountPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let id = param("id");
    let account = Resource::new(move || id.clone(), hosting_account);
    view! {
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Err(e) => view! { <AccountUnavailable error=e/> }.into_any(),
                    Ok(a) => view! { <Account a/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Account(a: AccountView) -> impl IntoView {
    let role = match (a.my_role, a.staff) {
        (Some(r), _) => r.label().to_string(),
        (None, true) => "Staff view".to_string(),
        (None, false) => String::new(),
    };
    let base = format!("/hosting/{}", a.id);
    view! {
        <leptos_meta::Title text=a.name.clone()/>
        <div class="page-header">
            <h1>{a.name.clone()} " " <StatusBadge status=a.status/></h1>
            <p class="page-subtitle">{a.primary_domain.clone()} " · " {a.region_label.clone()} " · your role: " {role}</p>
        </div>
        <p><a href="/hosting">"← All hosting accounts"</a></p>
        <FormMessages/>
        {a.suspended_reason.clone().map(|r| view! {
            <p class="form-error" role="alert">"This account is suspended: " {r}</p>
        })}
        <AccountBilling account=a.id.clone() status=a.status/>
        <div class="grid-2">
            <section class="card">
                <h2>"Overview"</h2>
                <dl class="facts">
                    <dt>"Plan"</dt><dd>{a.plan_name.clone()} " — " {a.plan_price.clone()} " / month"</dd>
                    <dt>"Sites"</dt><dd>{format!("up to {}", a.max_sites)}</dd>
                    <dt>"Primary domain"</dt><dd>{a.primary_domain.clone()}</dd>
                    <dt>"Region"</dt><dd>{a.region_label.clone()}</dd>
                    <dt>"Site"</dt><dd class="site-node">{match a.node.clone() {
                        Some(node) => view! {
                            {format!("Served by {node} ")}
                            <a href=format!("http://{}/", a.primary_domain) rel="external noopener" target="_blank">"Visit site"</a>
                        }.into_any(),
                        None => view! { "Being set up: it goes live once a hosting node of this region has room." }.into_any(),
                    }}</dd>
                    <dt>"Created"</dt><dd>{a.created.clone()}</dd>
                </dl>
                {a.can_edit.then(|| view! { <p><a class="btn btn-secondary" href=format!("{base}/edit")>"Edit details"</a></p> })}
                {a.can_change_plan.then(|| view! { <ChangePlan a=a.clone()/> })}
            </section>
            <section class="card">
                <h2>"Usage"</h2>
                <UsageMeter label="Storage" meter=a.storage.clone()/>
                <UsageMeter label="Bandwidth this month" meter=a.bandwidth.clone()/>
                <p class="muted">{match a.last_sample.clone() {
                    Some(t) => format!("Last reported {t}."),
                    None => "No usage reported yet: figures appear once the hosting node sends them.".to_string(),
                }}</p>
            </section>
        </div>
        {(a.node.is_some() || a.status == domain::AccountStatus::Active).then(|| view! {
            <crate::pages::sites::SiteSection account=a.id.clone()/>
        })}
        <Members a=a.clone()/>
        <Activity base=base.clone() feed=a.feed.items.clone() more=a.feed.has_next/>
        {a.staff.then(|| view! { <StaffActions a=a.clone()/> })}
        {a.can_cancel.then(|| view! { <Cancel base=base.clone()/> })}
    }
}

#[component]
fn ChangePlan(a: AccountView) -> impl IntoView {
    view! {
        <form class="form inline-form" id="plan" method="post" action=format!("/hosting/{}/plan", a.id)>
            <label for="f-plan">"Change plan"</label>
            <select class="input" id="f-plan" name="plan">
                {a.plans.into_iter().map(|p| view! {
                    <option value=p.id.clone() selected=p.id == a.plan_id>{format!("{} — {}", p.name, p.summary)}</option>
                }).collect_view()}
            </select>
            <button class="btn btn-secondary" type="submit">"Change plan"</button>
        </form>
    }
}

fn role_options(selected: MemberRole) -> impl IntoView {
    MemberRole::ASSIGNABLE
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.label()}</option> })
        .collect_view()
}

#[component]
fn Members(a: AccountView) -> impl IntoView {
    let form = use_form();
    let base = format!("/hosting/{}", a.id);
    let manage = a.can_manage_members;
    let others: Vec<MemberRow> = a.members.iter().filter(|m| !m.me).cloned().collect();
    let i_am_member_not_owner = a.my_role.is_some_and(|r| r != MemberRole::Owner);
    view! {
        <section class="card members">
            <h2>"Members"</h2>
            <div class="table-wrap">
                <table class="table stack members-table">
                    <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {a.members.clone().into_iter().map(|m| {
                            let editable = manage && !m.me && m.role != MemberRole::Owner;
                            view! {
                                <tr class="member">
                                    <td class="stack-title" data-label="Name">{m.name.clone()} {m.me.then(|| view! { " " <span class="badge badge-info">"You"</span> })}</td>
                                    <td data-label="Email">{m.email.clone()}</td>
                                    <td data-label="Role">
                                        {if editable {
                                            view! {
                                                <form class="inline-form" method="post" action=format!("{base}/members/role")>
                                                    <input type="hidden" name="user_id" value=m.user_id.clone()/>
                                                    <label class="visually-hidden" for=format!("role-{}", m.user_id)>{format!("Role of {}", m.name)}</label>
                                                    <select class="input" id=format!("role-{}", m.user_id) name="role">{role_options(m.role)}</select>
                                                    <button class="btn btn-secondary btn-sm" type="submit">"Save role"</button>
                                                </form>
                                            }.into_any()
                                        } else {
                                            view! { <span class="role">{m.role.label()}</span> }.into_any()
                                        }}
                                    </td>
                                    <td class="stack-actions">
                                        {editable.then(|| view! {
                                            // A second step before removing (works without JavaScript).
                                            <details class="confirm">
                                                <summary class="btn btn-secondary btn-sm">"Remove…"</summary>
                                                <form method="post" action=format!("{base}/members/remove")>
                                                    <p>{format!("{} loses access to this account at once.", m.name)}</p>
                                                    <input type="hidden" name="user_id" value=m.user_id.clone()/>
                                                    <button class="btn btn-danger btn-sm" type="submit">{format!("Remove {}", m.name)}</button>
                                                </form>
                                            </details>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {i_am_member_not_owner.then(|| view! {
                <details class="confirm">
                    <summary class="btn btn-secondary">"Leave this account…"</summary>
                    <form method="post" action=format!("{base}/leave")>
                        <p>"You lose access at once; an owner or admin can invite you again."</p>
                        <button class="btn btn-danger" type="submit">"Leave this account"</button>
                    </form>
                </details>
            })}
            {manage.then(|| view! {
                <Invitations base=base.clone() invitations=a.invitations.clone() role_error=form.error("role")/>
            })}
            {(a.can_transfer && !others.is_empty()).then(|| view! { <Transfer base=base.clone() members=others.clone()/> })}
            <RolePermissions/>
        </section>
    }
}

/// What each role may do: the permission table the services enforce.
#[component]
fn RolePermissions() -> impl IntoView {
    view! {
    <details class="permissions">
        <summary>"What each role can do"</summary>
        <div class="table-wrap">
            <table class="table stack permission-table">
                <thead><tr><th>"Permission"</th>{MemberRole::ALL.into_iter().map(|r| view! { <th>{r.label()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {PERMISSIONS.iter().map(|(p, _)| view! {
                        <tr>
                            <td class="stack-title" data-label="Permission">{p.describe()}</td>
                            {MemberRole::ALL.into_iter().map(|r| view! {
                                <td data-label=r.label()>
                                    <span aria-hidden="true">{if r.can(*p) { "✓" } else { "—" }}</span>
                                    <span class="visually-hidden">{if r.can(*p) { "allowed" } else { "not allowed" }}</span>
                                </td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    </details>
    }
}

#[component]
fn Invitations(base: String, invitations: Vec<InvitationRow>, role_error: Option<String>) -> impl IntoView {
    let form = use_form();
    let role = MemberRole::parse_assignable(&form.value("role")).unwrap_or(MemberRole::Developer);
    view! {
        <h3>"Invite someone"</h3>
        <form class="form inline-form" method="post" action=format!("{base}/invite")>
            <Field label="Email address" name="email" kind="email" autocomplete="off"/>
            <div class="field">
                <label for="f-role">"Role"</label>
                <select class="input" id="f-role" name="role">{role_options(role)}</select>
                {role_error.map(|e| view! { <p class="error">{e}</p> })}
            </div>
            <button class="btn btn-primary" type="submit">"Send invitation"</button>
        </form>
        {(!invitations.is_empty()).then(|| view! {
            <h3>"Pending invitations"</h3>
            <ul class="invitations">
                {invitations.into_iter().map(|i| view! {
                    <li class="invitation">
                        {i.email.clone()} " as " {i.role.label()} <span class="muted">{format!(" (expires {})", i.expires)}</span>
                        <form class="inline-form" method="post" action=format!("{base}/invitations/revoke")>
                            <input type="hidden" name="invitation_id" value=i.id/>
                            <button class="btn btn-secondary btn-sm" type="submit">{format!("Withdraw invitation to {}", i.email)}</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn Transfer(base: String, members: Vec<MemberRow>) -> impl IntoView {
    view! {
        <details class="transfer">
            <summary>"Transfer ownership"</summary>
            <form class="form" method="post" action=format!("{base}/transfer")>
                <p>"The new owner must already be a member. You will become an admin. You may be asked to confirm it's you."</p>
                <div class="field">
                    <label for="f-new-owner">"New owner"</label>
                    <select class="input" id="f-new-owner" name="user_id">
                        {members.into_iter().map(|m| view! { <option value=m.user_id>{format!("{} ({})", m.name, m.email)}</option> }).collect_view()}
                    </select>
                </div>
                <button class="btn btn-danger" type="submit">"Transfer ownership"</button>
            </form>
        </details>
    }
}

#[component]
fn Activity(base: String, feed: Vec<FeedRow>, more: bool) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Activity"</h2>
            {if feed.is_empty() {
                view! { <p class="muted">"Nothing has happened here yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="feed">
                        {feed.into_iter().map(|e| view! { <li class="feed-item"><span>{e.sentence}</span> <span class="muted">{e.when}</span></li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {more.then(|| view! { <p><a href=format!("{base}/activity")>"All activity"</a></p> })}
        </section>
    }
}

#[component]
fn StaffActions(a: AccountView) -> impl IntoView {
    let base = format!("/hosting/{}", a.id);
    view! {
        <section class="card staff-actions">
            <h2>"Staff"</h2>
            {match a.status {
                domain::AccountStatus::Suspended => view! {
                    <form method="post" action=format!("{base}/resume")>
                        <button class="btn btn-primary" type="submit">"Resume account"</button>
                    </form>
                }.into_any(),
                domain::AccountStatus::Cancelled => view! { <p class="muted">"Cancelled accounts cannot be suspended."</p> }.into_any(),
                _ => view! {
                    <form class="form" method="post" action=format!("{base}/suspend")>
                        <Field label="Reason (the customer sees it)" name="reason"/>
                        <button class="btn btn-danger" type="submit">"Suspend account"</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Cancel(base: String) -> impl IntoView {
    let form = use_form();
    view! {
        <section class="card danger-zone">
            <h2>"Cancel hosting account"</h2>
            <p>"The account stops at once and its members lose access to its sites. Its history stays visible here."</p>
            <form class="form" method="post" action=format!("{base}/cancel")>
                <div class="field">
                    <label><input type="checkbox" name="confirm" value="yes" required=true/> " I understand that this cancels the account"</label>
                    {form.error("confirm").map(|e| view! { <p class="error">{e}</p> })}
                </div>
                <button class="btn btn-danger" type="submit">"Cancel hosting account"</button>
            </form>
        </section>
    }
}
